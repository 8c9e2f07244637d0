/**
 * Bundles the watchdog Lambda into one minified, tree-shaken file for the nodejs22.x runtime:
 * dist/watchdog/index.js (+ source map and the licences of what it bundles). The RollbackWatchdog
 * construct packages this directory as its asset.
 */
import { build, type BuildOptions } from 'esbuild';
import { join } from 'node:path';

export const WATCHDOG_BUNDLE_DIR = join(__dirname, '..', 'dist', 'watchdog');

export const watchdogBuildOptions: BuildOptions = {
  entryPoints: [join(__dirname, '..', 'lambdas', 'watchdog', 'index.ts')],
  outfile: join(WATCHDOG_BUNDLE_DIR, 'index.js'),
  bundle: true,
  minify: true,
  treeShaking: true,
  sourcemap: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // Prefer the SDK's ES module builds: they tree-shake.
  mainFields: ['module', 'main'],
  legalComments: 'linked',
  // Lambda gives the function its credentials in the environment: the SDK's full provider chain
  // (profiles, SSO, web identity and its STS client, instance metadata) is not bundled.
  // And no watchdog operation streams events: the SDK's lazily loaded event-stream codec is left out.
  alias: {
    '@aws-sdk/credential-provider-node': join(
      __dirname,
      '..',
      'lambdas',
      'watchdog',
      'lambda-credentials.ts',
    ),
    '@smithy/core/event-streams': join(__dirname, '..', 'lambdas', 'watchdog', 'no-event-streams.ts'),
  },
  metafile: true,
  logLevel: 'warning',
};

async function main(): Promise<void> {
  const result = await build(watchdogBuildOptions);
  const bytes = Object.values(result.metafile?.outputs ?? {}).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`watchdog bundle: ${join('dist', 'watchdog', 'index.js')} (${(bytes / 1024).toFixed(0)} KiB)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
