/** The example app synthesized the way `cdktf synth` does it, into a folder of the caller's choice. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** Synthesizes the example app into `outdir` (state paths stay `<repo>/terraform.<stack>.tfstate`). */
export function synthExampleApp(outdir: string, env: NodeJS.ProcessEnv = {}): void {
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'examples/app.ts'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

/** The stacks of a cdktf output folder: name, folder (with its assets) and JSON file. */
export function stacksIn(outdir: string): { name: string; dir: string; file: string }[] {
  const stacksDir = join(outdir, 'stacks');
  return readdirSync(stacksDir)
    .sort()
    .map((name) => ({ name, dir: join(stacksDir, name), file: join(stacksDir, name, 'cdk.tf.json') }))
    .filter((stack) => existsSync(stack.file));
}
