#!/usr/bin/env node
/** The `switchback` executable. */
import { runCli } from './program';

// The SDK's Node 20 end-of-support notice is for library maintainers, not for operators mid-incident.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`switchback: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
