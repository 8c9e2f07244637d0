#!/usr/bin/env bash
# The pinned Python tools, each in a venv of its own (checkov pins a boto3 too old for the moto we
# need): .venv-checkov from requirements/checkov.txt, .venv-moto from requirements/moto.txt, and
# .venv-bindings from requirements/bindings.txt (cdktf and the AWS provider for Python, where
# npm run test:bindings installs the built cdktf-switchback wheel).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in checkov moto bindings; do
  python3 -m venv ".venv-$tool"
  ".venv-$tool/bin/pip" install --disable-pip-version-check --quiet --requirement "requirements/$tool.txt"
  package=$tool
  [ "$tool" = bindings ] && package=cdktf
  echo "setup:python: .venv-$tool ready ($(".venv-$tool/bin/pip" freeze | grep -i "^$package==" ))"
done
