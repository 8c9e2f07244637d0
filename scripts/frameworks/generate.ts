/**
 * Writes the CDK Terrain source tree (frameworks/cdktn/src) from the repository's one source tree:
 * the entry points below and every file they reach by relative import, each with its framework
 * imports rewritten (rewrite.ts) and nothing else changed. The tree is generated, never committed.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { type Framework, moduleSpecifiers, rewriteSource } from './rewrite';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const CDKTN_DIR = join(REPO_ROOT, 'frameworks', 'cdktn');
export const CDKTN_SOURCE_DIR = join(CDKTN_DIR, 'src');
/** cdktn, its provider bindings, its CLI and Node.js 22, installed apart (npm ci --prefix). */
export const CDKTN_TOOLCHAIN_DIR = join(CDKTN_DIR, 'toolchain');

/**
 * The peers the generated tree takes from the toolchain. Only these are linked into src/node_modules:
 * everything else (zod, the AWS SDK, commander) must resolve to the repository's own copies, the
 * versions the package declares, not to whatever the CLI's dependencies put in the toolchain.
 */
const TOOLCHAIN_PEERS = ['cdktn', '@cdktn/provider-aws', 'constructs'];

/** What the cdktn tree is built and tested from: the package, its CLI, the example app, the tests. */
const ENTRY_POINTS = ['index.ts', 'cli/main.ts', 'examples/app.ts', 'examples/simplest.ts', 'test/setup.ts'];
const TEST_DIRECTORIES = ['test/constructs', 'test/examples', 'test/frameworks/cdktn'];

function testFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The file a relative specifier names, as TypeScript resolves it (x.ts, x/index.ts or a .json). */
function resolveRelative(fromFile: string, specifier: string): string {
  const base = resolve(dirname(join(REPO_ROOT, fromFile)), specifier);
  const candidates = [base, `${base}.ts`, join(base, 'index.ts')];
  const found = candidates.find((path) => existsSync(path) && statSync(path).isFile());
  if (!found) throw new Error(`${fromFile}: cannot resolve '${specifier}'`);
  return relative(REPO_ROOT, found);
}

/** Every source file the entry points reach by relative import, entry points included. */
export function sourceClosure(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue;
    for (const { specifier } of moduleSpecifiers(readFileSync(join(REPO_ROOT, file), 'utf8'), file)) {
      if (specifier.startsWith('.')) queue.push(resolveRelative(file, specifier));
    }
  }
  return [...seen].sort();
}

/** The Terraform app file for the generated tree: the example app, run by the repository's tsx. */
function cdktfJson(target: Framework): string {
  const config = JSON.parse(readFileSync(join(REPO_ROOT, 'cdktf.json'), 'utf8')) as Record<string, unknown>;
  const tsx = relative(CDKTN_SOURCE_DIR, join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'));
  return `${JSON.stringify({ ...config, app: `node ${tsx} examples/app.ts`, projectId: `${target}-switchback-example` }, null, 2)}\n`;
}

/** The repository files the cdktn tree is made of (relative to the repository). */
export function cdktnTreeSources(): string[] {
  return sourceClosure([...ENTRY_POINTS, ...TEST_DIRECTORIES.flatMap(testFiles)]);
}

/** Regenerates frameworks/cdktn/src; returns the files written (relative to it). */
export function generateCdktnTree(): string[] {
  const links = TOOLCHAIN_PEERS.map((peer) => ({
    target: join(CDKTN_TOOLCHAIN_DIR, 'node_modules', peer),
    link: join(CDKTN_SOURCE_DIR, 'node_modules', peer),
  }));
  const missing = links.find(({ target }) => !existsSync(target));
  if (missing) {
    throw new Error(
      `${relative(REPO_ROOT, missing.target)} is missing: run 'npm ci --prefix frameworks/cdktn/toolchain'`,
    );
  }
  const files = cdktnTreeSources();
  // Every file is rewritten in memory first: a source the rewrite refuses leaves the old tree alone.
  const rewritten = files.map((file) => {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    return { file, text: file.endsWith('.ts') ? rewriteSource(text, 'cdktn', file) : text };
  });
  rmSync(CDKTN_SOURCE_DIR, { recursive: true, force: true });
  for (const { file, text } of rewritten) {
    mkdirSync(dirname(join(CDKTN_SOURCE_DIR, file)), { recursive: true });
    writeFileSync(join(CDKTN_SOURCE_DIR, file), text);
  }
  writeFileSync(join(CDKTN_SOURCE_DIR, 'cdktf.json'), cdktfJson('cdktn'));
  for (const { target, link } of links) {
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), target), link, 'dir');
  }
  return [...files, 'cdktf.json'];
}

if (require.main === module) {
  const written = generateCdktnTree();
  console.log(`wrote ${written.length} files to ${relative(process.cwd(), CDKTN_SOURCE_DIR)}`);
}
