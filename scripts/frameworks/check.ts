/**
 * `npm run test:frameworks`: the CDK Terrain half of CI, after `npm test` has checked the cdktf half.
 *   1. install the cdktn toolchain (npm ci: cdktn, its provider, its CLI, Node.js 22 from the registry)
 *   2. bundle the watchdog and generate the cdktn tree
 *   3. type-check the tree against cdktn
 *   4. its construct, example and framework tests (jest: the example app synthesized by both CLIs
 *      and compared, the wrong package refused)
 *   5. build and pack both packages and compare them
 *   6. install each tarball into a new app of its framework and synthesize the README's example
 *   7. the fire drill on the watchdog bundle taken out of the packed cdktn-switchback
 *   8. checkov (a scanner we did not write) over the example app as `cdktn synth` writes it
 * Prints how long each phase took.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { CDKTN_DIR, CDKTN_SOURCE_DIR, CDKTN_TOOLCHAIN_DIR, REPO_ROOT, generateCdktnTree } from './generate';
import { buildPackages, tarballFiles } from './package';
import { phases } from '../phases';
import { CDKTN_CLI, NODE_22, checkScratchApps } from './scratch-apps';

const DRILL_REPORT = join(REPO_ROOT, 'frameworks', 'out', 'drill-report');
const CDKTN_EXAMPLE_OUT = join(REPO_ROOT, 'frameworks', 'out', 'cdktn.out');

const { phase, table } = phases();

function run(command: string, args: string[], cwd = REPO_ROOT, env: NodeJS.ProcessEnv = {}): void {
  const result = spawnSync(command, args, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
  });
  if (result.status !== 0) {
    const why = result.error
      ? `failed to start: ${result.error.message}`
      : `exited ${result.status ?? result.signal}`;
    throw new Error(`${command} ${args.join(' ')} ${why}`);
  }
}

/** The environment that puts the toolchain's Node.js 22 first, for everything that runs cdktn. */
const ON_NODE_22 = { PATH: `${dirname(NODE_22)}${delimiter}${process.env.PATH ?? ''}` };

function main(): void {
  phase('install the cdktn toolchain (npm ci)', () =>
    run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], CDKTN_TOOLCHAIN_DIR),
  );
  phase('bundle the watchdog, generate the cdktn tree', () => {
    run('npx', ['tsx', 'scripts/bundle-watchdog.ts']);
    console.log(`generated ${generateCdktnTree().length} files`);
  });
  // cdktn-switchback declares Node.js 22.11+: its type-check and tests run on the toolchain's 22.
  phase('type-check against cdktn', () =>
    run(
      NODE_22,
      [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', CDKTN_DIR],
      REPO_ROOT,
      ON_NODE_22,
    ),
  );
  phase('cdktn tests on Node.js 22 (constructs, examples, both CLIs)', () =>
    run(
      NODE_22,
      [
        join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--config',
        join(CDKTN_DIR, 'jest.config.js'),
      ],
      REPO_ROOT,
      ON_NODE_22,
    ),
  );
  const built = phase('build and pack both packages', buildPackages);
  const scratch = phase('scratch apps: install each package, synthesize the simplest example', () =>
    checkScratchApps(built),
  );
  phase('the drill on the watchdog bundle packed in cdktn-switchback', () => {
    const bundle = tarballFiles(built.cdktn).get('dist/watchdog/index.js');
    if (!bundle) throw new Error('the cdktn-switchback tarball has no dist/watchdog/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'switchback-cdktn-drill-'));
    try {
      mkdirSync(join(dir, 'watchdog'));
      writeFileSync(join(dir, 'watchdog', 'index.js'), bundle);
      run('npx', [
        'tsx',
        'test/drill/cli.ts',
        '--bundle',
        join(dir, 'watchdog', 'index.js'),
        '--out',
        DRILL_REPORT,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  phase('checkov over the example app synthesized by cdktn', () => {
    run(NODE_22, [CDKTN_CLI, 'synth', '--output', CDKTN_EXAMPLE_OUT], CDKTN_SOURCE_DIR, {
      ...ON_NODE_22,
      SWITCHBACK_WATCHDOG_BUNDLE: join(REPO_ROOT, 'dist', 'watchdog'),
    });
    run('npx', ['tsx', 'scripts/checkov.ts', CDKTN_EXAMPLE_OUT]);
  });

  for (const app of scratch.apps) {
    console.log(
      `${app.framework} app: synthesized ${app.resources} resources; switchback runbook wrote ${app.runbookLines} lines`,
    );
  }
  console.log('the packaged CLI wrote the same runbook in both apps');
  console.log(`cdktn app with cdktf-switchback: refused at synth with\n  ${scratch.wrongPackageMessage}`);
  console.log('\nphase timings:');
  for (const line of table()) console.log(line);
}

if (require.main === module) main();
