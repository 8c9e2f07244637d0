/** The example app synthesized the way `cdktf synth` does it, into a folder of the caller's choice. */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');

function synthCommand(outdir: string, env: NodeJS.ProcessEnv) {
  return {
    file: process.execPath,
    args: [join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'examples/app.ts'],
    options: {
      cwd: REPO_ROOT,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir, ...env },
    },
  };
}

/** Synthesizes the example app into `outdir` (state paths stay `<repo>/terraform.<stack>.tfstate`). */
export function synthExampleApp(outdir: string, env: NodeJS.ProcessEnv = {}): void {
  const { file, args, options } = synthCommand(outdir, env);
  execFileSync(file, args, { ...options, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * The same, without blocking the event loop: the Terraform harness synthesizes while its Lambda
 * runtime (an HTTP server in the same process) answers the provider. The synth's stderr is passed on.
 */
export function synthExampleAppAsync(outdir: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const { file, args, options } = synthCommand(outdir, env);
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (stderr) process.stderr.write(stderr);
      if (error) reject(new Error(`synth of the example app into ${outdir} failed: ${error.message}`));
      else resolvePromise();
    });
  });
}

/** The stacks of a cdktf output folder: name, folder (with its assets) and JSON file. */
export function stacksIn(outdir: string): { name: string; dir: string; file: string }[] {
  const stacksDir = join(outdir, 'stacks');
  return readdirSync(stacksDir)
    .sort()
    .map((name) => ({ name, dir: join(stacksDir, name), file: join(stacksDir, name, 'cdk.tf.json') }))
    .filter((stack) => existsSync(stack.file));
}
