/**
 * `npm run build:packages`: both packages from the one source tree, packed into frameworks/out/.
 *   cdktf-switchback  the repository itself (npm run build, npm pack)
 *   cdktn-switchback  frameworks/cdktn/package: the generated tree compiled against cdktn, the same
 *                     watchdog bundle, and a package.json naming cdktn's peers and Node engine
 * Then it checks the two tarballs against each other: the same files; the watchdog bundle, the lib
 * and the CLI byte for byte; the constructs differing only in the framework's module names.
 * Needs the cdktn toolchain installed (npm ci --prefix frameworks/cdktn/toolchain).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FLAVORS } from './rewrite';
import { CDKTN_DIR, REPO_ROOT, generateCdktnTree } from './generate';

export const PACKAGES_OUT_DIR = join(REPO_ROOT, 'frameworks', 'out');
const CDKTN_PACKAGE_DIR = join(CDKTN_DIR, 'package');

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

type PackageJson = Record<string, unknown> & { name: string; version: string; keywords?: string[] };

/** cdktn-switchback's package.json: the repository's, with the framework's name, peers and engines. */
export function cdktnPackageJson(root: PackageJson): PackageJson {
  const { scripts: _scripts, devDependencies: _dev, overrides: _overrides, ...published } = root;
  return {
    ...published,
    name: FLAVORS.cdktn.packageName,
    description: String(root.description).replace('CDK for Terraform', 'CDK Terrain (cdktn)'),
    keywords: (root.keywords ?? []).map((keyword) => (keyword === 'cdktf' ? 'cdktn' : keyword)),
    engines: FLAVORS.cdktn.engines,
    peerDependencies: FLAVORS.cdktn.peerDependencies,
  };
}

const CDKTN_README_PREFACE = `# cdktn-switchback

**This is the CDK Terrain build of \`cdktf-switchback\`**: the same constructs, CLI and watchdog, built
from the same source for apps on [\`cdktn\`](https://www.npmjs.com/package/cdktn). Install it with
\`npm install cdktn-switchback cdktn@0.24.0 constructs@10.7.2 @cdktn/provider-aws@25.7.0\` (Node.js
22.11 or later). Everywhere below, read \`cdktn\` for \`cdktf\`, \`@cdktn/provider-aws\` for
\`@cdktf/provider-aws\` and \`cdktn-switchback\` for \`cdktf-switchback\`; docs/frameworks.md in the
repository says what differs between the two.

`;

/** A tarball's files (path inside `package/` -> bytes). npm writes plain ustar archives. */
export function tarballFiles(tarball: string): Map<string, Buffer> {
  const data = gunzipSync(readFileSync(tarball));
  const files = new Map<string, Buffer>();
  for (let offset = 0; offset + 512 <= data.length;) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    if (type === '0' || type === '')
      files.set(name.replace(/^package\//, ''), data.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** What a cdktn file says with the framework's module names (and tsc's names for them) put back. */
function asCdktf(text: string): string {
  return text
    .replace(/(["'])cdktn(["'/])/g, '$1cdktf$2')
    .replace(/(["'])@cdktn\/provider-aws\//g, '$1@cdktf/provider-aws/')
    .replace(/\bcdktn_(\d+)\b/g, 'cdktf_$1');
}

/**
 * A source map without its `sources`: those are paths back to the .ts files, which neither package
 * ships, and which differ because the cdktn tree is compiled from frameworks/cdktn/src.
 */
function withoutSources(map: Buffer): string {
  const { sources: _sources, ...rest } = JSON.parse(map.toString('utf8')) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/**
 * Every difference between the two tarballs that the framework does not explain; empty when they
 * agree. package.json and README.md are expected to differ and are left out.
 */
export function unexplainedDifferences(cdktf: Map<string, Buffer>, cdktn: Map<string, Buffer>): string[] {
  const problems: string[] = [];
  const names = new Set([...cdktf.keys(), ...cdktn.keys()]);
  for (const name of [...names].sort()) {
    if (name === 'package.json' || name === 'README.md') continue;
    const a = cdktf.get(name);
    const b = cdktn.get(name);
    if (!a || !b) {
      problems.push(`${name}: only in ${a ? FLAVORS.cdktf.packageName : FLAVORS.cdktn.packageName}`);
      continue;
    }
    if (a.equals(b)) continue;
    if (name.endsWith('.map') && withoutSources(a) === withoutSources(b)) continue;
    const framed = name.startsWith('dist/constructs/') || name.startsWith('dist/index.');
    if (!framed) problems.push(`${name}: differs, but it does not depend on the framework`);
    else if (asCdktf(b.toString('utf8')) !== a.toString('utf8')) {
      problems.push(`${name}: differs beyond the framework's module names`);
    }
  }
  return problems;
}

export interface BuiltPackages {
  cdktf: string;
  cdktn: string;
}

/** Builds and packs both packages; returns the tarballs' paths. */
export function buildPackages(): BuiltPackages {
  rmSync(PACKAGES_OUT_DIR, { recursive: true, force: true });
  mkdirSync(PACKAGES_OUT_DIR, { recursive: true });

  run('npm', ['run', 'build', '--silent'], REPO_ROOT);
  generateCdktnTree();
  rmSync(CDKTN_PACKAGE_DIR, { recursive: true, force: true });
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [tsc, '-p', join(CDKTN_DIR, 'tsconfig.build.json')], CDKTN_DIR);
  cpSync(join(REPO_ROOT, 'dist', 'watchdog'), join(CDKTN_PACKAGE_DIR, 'dist', 'watchdog'), {
    recursive: true,
  });

  const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
  writeFileSync(
    join(CDKTN_PACKAGE_DIR, 'package.json'),
    `${JSON.stringify(cdktnPackageJson(root), null, 2)}\n`,
  );
  writeFileSync(
    join(CDKTN_PACKAGE_DIR, 'README.md'),
    CDKTN_README_PREFACE + readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'),
  );
  cpSync(join(REPO_ROOT, 'LICENSE'), join(CDKTN_PACKAGE_DIR, 'LICENSE'));

  const pack = (dir: string) => {
    const [result] = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', PACKAGES_OUT_DIR], dir),
    ) as {
      filename: string;
    }[];
    return join(PACKAGES_OUT_DIR, result.filename);
  };
  const built = { cdktf: pack(REPO_ROOT), cdktn: pack(CDKTN_PACKAGE_DIR) };

  const problems = unexplainedDifferences(tarballFiles(built.cdktf), tarballFiles(built.cdktn));
  if (problems.length > 0) {
    throw new Error(
      `the two packages differ where the framework does not explain it:\n  ${problems.join('\n  ')}`,
    );
  }
  return built;
}

if (require.main === module) {
  const started = performance.now();
  const built = buildPackages();
  const files = tarballFiles(built.cdktn);
  const bundle = files.get('dist/watchdog/index.js');
  console.log(
    `packed ${relative(process.cwd(), built.cdktf)} and ${relative(process.cwd(), built.cdktn)} ` +
      `(${files.size} files each; the watchdog bundle, lib and CLI identical; ` +
      `${bundle ? Math.round(bundle.length / 1024) : 0} KiB bundle) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const dir of readdirSync(PACKAGES_OUT_DIR)) console.log(`  ${dir}`);
}
