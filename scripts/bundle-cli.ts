/**
 * Bundles the `switchback` CLI into one file, dist/cli/main.js (+ source map and the licences of what
 * it bundles). The published package is built by jsii, which requires every runtime dependency to be a
 * jsii module or bundled into the tarball; the CLI's (the AWS SDK clients, commander, the spinner) are
 * neither, so they are bundled into the CLI instead and stay out of the constructs' dependencies.
 */
import { build, type BuildOptions } from 'esbuild';
import { join } from 'node:path';

export const cliBuildOptions: BuildOptions = {
  entryPoints: [join(__dirname, '..', 'cli', 'main.ts')],
  outfile: join(__dirname, '..', 'dist', 'cli', 'main.js'),
  bundle: true,
  minify: true,
  keepNames: true,
  treeShaking: true,
  sourcemap: true,
  platform: 'node',
  // The package's engines: Node 20 and later.
  target: 'node20',
  format: 'cjs',
  mainFields: ['module', 'main'],
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
};

async function main(): Promise<void> {
  const result = await build(cliBuildOptions);
  const bytes = Object.values(result.metafile?.outputs ?? {}).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`CLI bundle: ${join('dist', 'cli', 'main.js')} (${(bytes / 1024).toFixed(0)} KiB)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
