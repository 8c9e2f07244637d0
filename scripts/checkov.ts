/**
 * checkov (a policy scanner we did not write, pinned in requirements/checkov.txt) over every stack of the
 * example app, with the skips and their reasons in `.checkov.yaml`. Prints a line per stack and
 * exits non-zero on any failed check or parsing error.
 *
 *   npm run checkov            synthesizes the example app into a temporary folder, then scans it
 *   npm run checkov -- DIR     scans an existing cdktf output folder (DIR/stacks/<name>/cdk.tf.json)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stacksIn, synthExampleApp } from './verify/synth';

const REPO_ROOT = resolve(__dirname, '..');

interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  results: { failed_checks: { check_id: string; check_name: string; resource: string }[] };
}

function checkovCommand(): string {
  const inVenv = join(REPO_ROOT, '.venv-checkov', 'bin', 'checkov');
  if (existsSync(inVenv)) return inVenv;
  throw new Error(`checkov was not found at ${inVenv}; install the pinned tools with: npm run setup:python`);
}

function scan(command: string, file: string): CheckovReport {
  const run = spawnSync(
    command,
    ['--config-file', join(REPO_ROOT, '.checkov.yaml'), '-f', file, '-o', 'json'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true', LOG_LEVEL: 'ERROR' },
    },
  );
  if (run.error) throw run.error;
  // checkov exits 1 when a check fails; anything else non-zero is checkov itself failing.
  if (run.status !== 0 && run.status !== 1) {
    throw new Error(`checkov failed on ${file} (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  }
  const parsed = JSON.parse(run.stdout) as CheckovReport | CheckovReport[];
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

/**
 * The stack as checkov can read it. checkov's terraform_json parser (3.3.30) fails on a `moved` block
 * ("this method receives only dicts": it reads the block's array as labels), so the copy it scans
 * leaves the `moved` blocks out; they move state and configure nothing. OpenTofu checks them
 * (`npm run verify:terraform`). Returns the file to scan and how many blocks were left out.
 */
function scannable(file: string, scratch: string): { file: string; movedLeftOut: number } {
  const stack = JSON.parse(readFileSync(file, 'utf8')) as { moved?: unknown[] };
  if (!stack.moved) return { file, movedLeftOut: 0 };
  const movedLeftOut = stack.moved.length;
  delete stack.moved;
  const copy = join(mkdtempSync(join(scratch, 'stack-')), 'cdk.tf.json');
  writeFileSync(copy, JSON.stringify(stack));
  return { file: copy, movedLeftOut };
}

function main(): void {
  const command = checkovCommand();
  const given = process.argv[2];
  const outdir = given ? resolve(given) : mkdtempSync(join(tmpdir(), 'switchback-checkov-'));
  const scratch = mkdtempSync(join(tmpdir(), 'switchback-checkov-scan-'));
  try {
    if (!given) synthExampleApp(outdir);
    const stacks = stacksIn(outdir);
    if (stacks.length === 0) throw new Error(`no synthesized stacks under ${outdir}/stacks`);
    let failures = 0;
    console.log('checkov (terraform_json, skips and reasons in .checkov.yaml)');
    for (const stack of stacks) {
      const { file, movedLeftOut } = scannable(stack.file, scratch);
      const report = scan(command, file);
      const { passed, failed, skipped, parsing_errors: parsingErrors } = report.summary;
      console.log(
        `  ${stack.name.padEnd(20)} passed ${String(passed).padStart(4)}  failed ${failed}  skipped ${skipped}  parsing errors ${parsingErrors}${movedLeftOut > 0 ? `  (${movedLeftOut} moved blocks left out)` : ''}`,
      );
      for (const check of report.results.failed_checks) {
        console.log(`    FAILED ${check.check_id} ${check.resource}: ${check.check_name}`);
      }
      failures += failed + parsingErrors;
    }
    if (failures > 0) {
      console.error(`checkov: ${failures} failed check(s) or parsing error(s); fix them in the constructs.`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (!given) rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(`checkov: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
