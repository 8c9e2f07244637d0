/**
 * The props reference, generated from the JSDoc: TypeDoc with typedoc-plugin-markdown, configured by
 * `typedoc.json` (entry point `index.ts`), committed under `docs/reference/`, formatted with the
 * repository's Prettier settings so `prettier --check .` agrees with it.
 *
 *   npx tsx scripts/docs/reference.ts                 regenerate into a temporary folder and compare;
 *                                                     exits 1 naming every stale file (CI runs this)
 *   npx tsx scripts/docs/reference.ts --write         regenerate docs/reference/ in place
 *   npx tsx scripts/docs/reference.ts --out <dir>     generate into <dir> only (to look at it)
 *
 * The output is deterministic: no timestamps, no source links or git revisions (`disableSources`,
 * `disableGit`), members sorted, one page per class, interface and type alias.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Where the committed reference lives, relative to the repository root. */
export const REFERENCE_DIR = 'docs/reference';

/** How a committed file differs from the regenerated one. */
export type StaleKind = 'changed' | 'missing' | 'extra';

/** One file of the committed reference that is not what the JSDoc generates today. */
export interface StaleFile {
  /** The path under the reference folder, with `/` separators. */
  readonly path: string;
  /** `changed`: different text; `missing`: generated but not committed; `extra`: committed, no longer generated. */
  readonly kind: StaleKind;
}

/** Every file under `dir`, as `/`-separated paths relative to it, sorted. Empty when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (sub: string): void => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const path = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else found.push(path);
    }
  };
  walk('');
  return found.sort();
}

/**
 * Compares the committed reference with a freshly generated one, file by file. Returns the stale
 * files, sorted by path (empty: the committed reference is current).
 */
export function findStaleFiles(committedDir: string, generatedDir: string): StaleFile[] {
  const committed = new Set(listFiles(committedDir));
  const generated = new Set(listFiles(generatedDir));
  const stale: StaleFile[] = [];
  for (const path of [...new Set([...committed, ...generated])].sort()) {
    if (!committed.has(path)) stale.push({ path, kind: 'missing' });
    else if (!generated.has(path)) stale.push({ path, kind: 'extra' });
    else if (
      readFileSync(join(committedDir, path), 'utf8') !== readFileSync(join(generatedDir, path), 'utf8')
    ) {
      stale.push({ path, kind: 'changed' });
    }
  }
  return stale;
}

/** Makes `targetDir` hold exactly the files of `sourceDir` (writes only what differs). Returns what changed. */
export function syncDirectory(sourceDir: string, targetDir: string): StaleFile[] {
  const stale = findStaleFiles(targetDir, sourceDir);
  for (const { path, kind } of stale) {
    const target = join(targetDir, path);
    if (kind === 'extra') {
      rmSync(target);
    } else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, readFileSync(join(sourceDir, path)));
    }
  }
  removeEmptyDirectories(targetDir);
  return stale;
}

function removeEmptyDirectories(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = join(dir, entry.name);
    removeEmptyDirectories(sub);
    if (readdirSync(sub).length === 0) rmSync(sub, { recursive: true });
  }
}

/** The words a stale check prints, one line per file and what to run. */
export function describeStale(stale: readonly StaleFile[]): string {
  const words: Record<StaleKind, string> = {
    changed: 'differs from the JSDoc',
    missing: 'is generated but not committed',
    extra: 'is committed but no longer generated',
  };
  return [
    `the committed reference is stale (${stale.length} file${stale.length === 1 ? '' : 's'}):`,
    ...stale.map(({ path, kind }) => `  ${REFERENCE_DIR}/${path} ${words[kind]}`),
    'regenerate it with: npx tsx scripts/docs/reference.ts --write',
  ].join('\n');
}

/**
 * Generates the reference into `outDir` (emptied first) from `root`'s `typedoc.json`, then formats
 * each page with the repository's Prettier settings. Throws when TypeDoc reports an error.
 */
export async function generateReference(outDir: string, root: string = REPO_ROOT): Promise<void> {
  // Both load ES modules; a dynamic import loads them from this CommonJS script (and only when used).
  const typedoc = await import('typedoc');
  const prettier = await import('prettier');
  rmSync(outDir, { recursive: true, force: true });
  const app = await typedoc.Application.bootstrapWithPlugins(
    { options: join(root, 'typedoc.json'), out: outDir },
    [new typedoc.TypeDocReader(), new typedoc.TSConfigReader()],
  );
  const project = await app.convert();
  if (!project || app.logger.hasErrors()) {
    throw new Error('TypeDoc could not convert index.ts; see the errors above');
  }
  await app.generateOutputs(project);
  if (app.logger.hasErrors()) throw new Error('TypeDoc could not write the reference; see the errors above');

  const config = (await prettier.resolveConfig(join(root, 'README.md'))) ?? {};
  for (const path of listFiles(outDir)) {
    const file = join(outDir, path);
    if (!path.endsWith('.md')) continue;
    const text = readFileSync(file, 'utf8');
    const formatted = await prettier.format(text, { ...config, parser: 'markdown' });
    writeFileSync(file, formatted);
  }
}

/** Regenerates into a temporary folder and compares with the committed reference under `root`. */
export async function checkReference(root: string = REPO_ROOT): Promise<StaleFile[]> {
  const temp = mkdtempSync(join(tmpdir(), 'switchback-reference-'));
  try {
    const out = join(temp, 'reference');
    await generateReference(out, root);
    return findStaleFiles(join(root, REFERENCE_DIR), out);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Regenerates the committed reference under `root` in place. Returns what changed. */
export async function writeReference(root: string = REPO_ROOT): Promise<StaleFile[]> {
  const temp = mkdtempSync(join(tmpdir(), 'switchback-reference-'));
  try {
    const out = join(temp, 'reference');
    await generateReference(out, root);
    return syncDirectory(out, join(root, REFERENCE_DIR));
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

const USAGE = 'usage: tsx scripts/docs/reference.ts [--write | --out <dir>]';

async function main(argv: string[]): Promise<number> {
  const write = argv.includes('--write');
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  const known = argv.filter(
    (arg, index) => arg === '--write' || (outIndex >= 0 && (index === outIndex || index === outIndex + 1)),
  );
  if (known.length !== argv.length || (outIndex >= 0 && !out) || (write && out)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (out) {
    await generateReference(resolve(out));
    process.stdout.write(`wrote the reference to ${resolve(out)}\n`);
    return 0;
  }
  if (write) {
    const changed = await writeReference();
    process.stdout.write(
      changed.length === 0
        ? `${REFERENCE_DIR} is current\n`
        : `updated ${REFERENCE_DIR}: ${changed.map(({ path, kind }) => `${path} (${kind})`).join(', ')}\n`,
    );
    return 0;
  }
  const stale = await checkReference();
  if (stale.length > 0) {
    process.stderr.write(`${describeStale(stale)}\n`);
    return 1;
  }
  process.stdout.write(`${REFERENCE_DIR} is current with the JSDoc\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
