/**
 * `npm run build:packages`: both packages from the one source tree, packed into frameworks/out/.
 *   cdktf-switchback  the repository itself (npm run build, npm pack)
 *   cdktn-switchback  frameworks/cdktn/package: the generated tree compiled against cdktn, the same
 *                     watchdog bundle, and a package.json naming cdktn's peers and Node engine
 * Then it checks the two tarballs against each other: the same files; the watchdog bundle, the lib
 * and the CLI byte for byte (their source maps apart from the paths to the .ts sources, which
 * neither package ships); the constructs differing only in the framework's module names; and no
 * file of cdktn-switchback naming a cdktf module.
 * Installs the cdktn toolchain first when it is not (npm ci in frameworks/cdktn/toolchain).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FLAVORS } from './rewrite';
import { CDKTN_DIR, CDKTN_TOOLCHAIN_DIR, REPO_ROOT, generateCdktnTree } from './generate';

export const PACKAGES_OUT_DIR = join(REPO_ROOT, 'frameworks', 'out');
const CDKTN_PACKAGE_DIR = join(CDKTN_DIR, 'package');

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

type PackageJson = Record<string, unknown> & { name: string; version: string; keywords?: string[] };

function cdktnDescription(description: string): string {
  if (!description.startsWith('CDK for Terraform ')) {
    throw new Error(
      `package.json's description must start with 'CDK for Terraform ' (the cdktn package names its framework there): ${description}`,
    );
  }
  return `CDK Terrain (cdktn) ${description.slice('CDK for Terraform '.length)}`;
}

/** cdktn-switchback's package.json: the repository's, with the framework's name, peers and engines. */
export function cdktnPackageJson(root: PackageJson): PackageJson {
  // Not a jsii package (cdktn's own packages are not jsii modules): no assembly, zod an ordinary dependency.
  const {
    scripts: _scripts,
    devDependencies: _dev,
    overrides: _overrides,
    jsii: _jsii,
    bundleDependencies: _bundled,
    bundledDependencies: _bundledAlias,
    ...published
  } = root;
  return {
    ...published,
    name: FLAVORS.cdktn.packageName,
    description: cdktnDescription(String(root.description)),
    keywords: (root.keywords ?? []).map((keyword) => (keyword === 'cdktf' ? 'cdktn' : keyword)),
    engines: FLAVORS.cdktn.engines,
    peerDependencies: FLAVORS.cdktn.peerDependencies,
  };
}

/** The top of cdktn-switchback's README (the rest is the repository's), with the toolchain's pins. */
function cdktnReadmePreface(): string {
  const toolchain = JSON.parse(readFileSync(join(CDKTN_TOOLCHAIN_DIR, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const install = ['cdktn', 'constructs', '@cdktn/provider-aws']
    .map((name) => `${name}@${toolchain.devDependencies[name]}`)
    .join(' ');
  return `# cdktn-switchback

**This is the CDK Terrain build of \`cdktf-switchback\`**: the same constructs, CLI and watchdog, built
from the same source for apps on [\`cdktn\`](https://www.npmjs.com/package/cdktn). Install it with
\`npm install cdktn-switchback ${install}\` (Node.js ${FLAVORS.cdktn.engines.node.replace('>=', '')} or
later; \`cdktn-cli\` needs 22.19). Everywhere below, read \`cdktn\` for \`cdktf\`, \`@cdktn/provider-aws\`
for \`@cdktf/provider-aws\` and \`cdktn-switchback\` for \`cdktf-switchback\`; docs/frameworks.md in the
repository says what differs between the two.

`;
}

/** Entry types of a plain ustar archive: files and directories. Anything else is refused, not skipped. */
const TAR_FILE = new Set(['0', '']);
const TAR_DIRECTORY = '5';

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
    if (!field(257, 6).startsWith('ustar'))
      throw new Error(`${tarball}: entry ${name} is not a ustar header`);
    if (TAR_FILE.has(type))
      files.set(name.replace(/^package\//, ''), data.subarray(offset + 512, offset + 512 + size));
    else if (type !== TAR_DIRECTORY) {
      throw new Error(`${tarball}: entry ${name} has tar type '${type}', which this reader does not handle`);
    }
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
 * What jsii adds to the cdktf package's compiled classes (cdktn-switchback is compiled by tsc: cdktn's
 * packages are not jsii modules): the runtime type information symbol, and one static field per
 * exported class naming its jsii type.
 */
const JSII_RTTI_LINE =
  /^[ \t]*(?:const JSII_RTTI_SYMBOL_1 = Symbol\.for\("jsii\.rtti"\);|static \[JSII_RTTI_SYMBOL_1\] = \{ fqn: "[^"]+", version: "[^"]+" \};)\n/gm;

/** The cdktf package's compiled file without jsii's runtime type information. */
export function withoutJsiiRtti(text: string): string {
  return text.replace(JSII_RTTI_LINE, '');
}

/**
 * A compiled file without its first doc comment. In a file without imports, jsii's transform moves the
 * file's header comment below the module prologue it writes; tsc leaves it above. Nothing else moves.
 */
function withoutHeaderComment(text: string): string {
  return text.replace(/^\/\*\*\n(?: \*.*\n)*? \*\/\n/m, '');
}

/** Only in the cdktf package, as a jsii package: its assembly and the dependencies jsii bundles. */
function onlyInJsiiPackage(name: string): boolean {
  return name === '.jsii' || name.startsWith('node_modules/');
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
    if (a && !b && onlyInJsiiPackage(name)) continue;
    if (!a || !b) {
      problems.push(`${name}: only in ${a ? FLAVORS.cdktf.packageName : FLAVORS.cdktn.packageName}`);
      continue;
    }
    if (a.equals(b)) continue;
    if (name.endsWith('.map') && withoutSources(a) === withoutSources(b)) continue;
    const framed = name.startsWith('dist/constructs/') || name.startsWith('dist/index.');
    // jsii's lines shift the mappings of a file it added them to; the file itself is compared.
    const shiftedByJsii =
      name.endsWith('.js.map') &&
      withoutJsiiRtti(cdktf.get(name.slice(0, -4))?.toString('utf8') ?? '') !==
        (cdktf.get(name.slice(0, -4))?.toString('utf8') ?? '');
    if (framed && shiftedByJsii) continue;
    if (!framed) problems.push(`${name}: differs, but it does not depend on the framework`);
    else if (
      withoutHeaderComment(asCdktf(b.toString('utf8'))) !==
      withoutHeaderComment(withoutJsiiRtti(a.toString('utf8')))
    ) {
      problems.push(`${name}: differs beyond the framework's module names`);
    }
  }
  return problems;
}

/** A module specifier naming cdktf, as tsc writes it into .js and .d.ts files. */
const CDKTF_MODULE = /(["'])(?:cdktf|@cdktf\/provider-aws)(?:\/[^"'\s]*)?\1/;

/** The files of the cdktn package that still load or type against cdktf: must be none. */
export function cdktfModulesIn(files: Map<string, Buffer>): string[] {
  return [...files]
    .filter(([name]) => /\.(?:js|d\.ts)$/.test(name))
    .flatMap(([name, bytes]) => {
      const found = CDKTF_MODULE.exec(bytes.toString('utf8'));
      return found ? [`${name}: ${found[0]}`] : [];
    });
}

export interface BuiltPackages {
  cdktf: string;
  cdktn: string;
}

/** Builds and packs both packages; returns the tarballs' paths. */
export function buildPackages(): BuiltPackages {
  // On a fresh clone the toolchain is not installed yet.
  if (!existsSync(join(CDKTN_TOOLCHAIN_DIR, 'node_modules', 'cdktn'))) {
    run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], CDKTN_TOOLCHAIN_DIR);
  }
  rmSync(PACKAGES_OUT_DIR, { recursive: true, force: true });
  mkdirSync(PACKAGES_OUT_DIR, { recursive: true });

  run('npm', ['run', 'build', '--silent'], REPO_ROOT);
  generateCdktnTree();
  rmSync(CDKTN_PACKAGE_DIR, { recursive: true, force: true });
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [tsc, '-p', join(CDKTN_DIR, 'tsconfig.build.json')], CDKTN_DIR);
  // The watchdog and the CLI are bundles that do not depend on the framework: the same files.
  for (const bundle of ['watchdog', 'cli']) {
    cpSync(join(REPO_ROOT, 'dist', bundle), join(CDKTN_PACKAGE_DIR, 'dist', bundle), { recursive: true });
  }

  const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
  writeFileSync(
    join(CDKTN_PACKAGE_DIR, 'package.json'),
    `${JSON.stringify(cdktnPackageJson(root), null, 2)}\n`,
  );
  writeFileSync(
    join(CDKTN_PACKAGE_DIR, 'README.md'),
    cdktnReadmePreface() + readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'),
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

  const cdktnFiles = tarballFiles(built.cdktn);
  const leftovers = cdktfModulesIn(cdktnFiles);
  if (leftovers.length > 0) {
    throw new Error(`cdktn-switchback still names cdktf modules:\n  ${leftovers.join('\n  ')}`);
  }
  const problems = unexplainedDifferences(tarballFiles(built.cdktf), cdktnFiles);
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
