/**
 * Keeps every code example in the docs equal to a real file that CI type-checks.
 *
 * In README.md and docs/**.md, an example is embedded as
 *
 *     <!-- example: examples/docs/store-grants.ts -->
 *
 *     ```ts
 *     …the file, as a reader of the package sees it…
 *     ```
 *
 *     <!-- /example -->
 *
 * and the block must equal the file, read as a user of the package would write it: a leading
 * `/** … *\/` comment (what the file is for, addressed to us) is left out, and the library's entry
 * point (`from '../index'`, `from '../../index'`) reads `from 'cdktf-switchback'`. A `ts` block outside
 * the markers is an error: every TypeScript example is a file.
 *
 *   npx tsx scripts/docs/examples.ts           check; exits 1 naming every block that differs
 *   npx tsx scripts/docs/examples.ts --write   rewrite the blocks from their files
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** The package name a reader imports; the examples import the entry point by relative path. */
export const PACKAGE_NAME = 'cdktf-switchback';

/** Where example files live (every file here must be embedded somewhere). */
export const EXAMPLES_DIR = 'examples/docs';

const OPEN = /^<!-- example: (\S+) -->$/;
const CLOSE = '<!-- /example -->';
const FENCE = /^(`{3,}|~{3,})(\S*)/;

/** One embedded example: where it is and what it holds. */
export interface ExampleBlock {
  /** The example file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening marker. */
  readonly line: number;
  /** The fence's language (`ts`). */
  readonly language: string;
  /** The code between the fences, with its final newline. */
  readonly code: string;
  /** Line indexes (0-based) of the opening marker and the closing marker. */
  readonly openIndex: number;
  readonly closeIndex: number;
}

/** A problem found in one Markdown file. */
export interface ExampleProblem {
  /** The Markdown file (or example file), relative to the repository root. */
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** The parse of one Markdown file: its embedded examples, and what is wrong with its markers. */
export interface ParsedMarkdown {
  readonly blocks: ExampleBlock[];
  readonly problems: ExampleProblem[];
}

/** Finds the embedded examples in `markdown` (named `name` in problems). Pure. */
export function parseExamples(name: string, markdown: string): ParsedMarkdown {
  const lines = markdown.split('\n');
  const blocks: ExampleBlock[] = [];
  const problems: ExampleProblem[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    const open = OPEN.exec(line.trim());
    const fence = FENCE.exec(line.trim());
    if (open) {
      const openIndex = index;
      const fenceIndex = nextNonBlank(lines, index + 1);
      const start = FENCE.exec(lines[fenceIndex]?.trim() ?? '');
      if (!start) {
        problems.push({
          file: name,
          line: index + 1,
          message: `the example marker for ${open[1]} is not followed by a code fence`,
        });
        index += 1;
        continue;
      }
      const end = findFenceEnd(lines, fenceIndex, start[1]);
      if (end < 0) {
        problems.push({
          file: name,
          line: fenceIndex + 1,
          message: `the code fence of ${open[1]} is never closed`,
        });
        break;
      }
      const closeIndex = nextNonBlank(lines, end + 1);
      if (lines[closeIndex]?.trim() !== CLOSE) {
        problems.push({
          file: name,
          line: end + 2,
          message: `the example ${open[1]} must end with ${CLOSE} after its fence`,
        });
        index = end + 1;
        continue;
      }
      const code = lines.slice(fenceIndex + 1, end).join('\n');
      blocks.push({
        file: open[1],
        line: openIndex + 1,
        language: start[2],
        code: code === '' ? '' : `${code}\n`,
        openIndex,
        closeIndex,
      });
      index = closeIndex + 1;
    } else if (fence) {
      const end = findFenceEnd(lines, index, fence[1]);
      if (isTypeScript(fence[2])) {
        problems.push({
          file: name,
          line: index + 1,
          message: `a ${fence[2]} block outside <!-- example: … --> markers: move it into ${EXAMPLES_DIR}/ and embed it`,
        });
      }
      index = end < 0 ? lines.length : end + 1;
    } else {
      if (line.trim() === CLOSE) {
        problems.push({ file: name, line: index + 1, message: `${CLOSE} without an opening marker` });
      }
      index += 1;
    }
  }
  return { blocks, problems };
}

function nextNonBlank(lines: string[], from: number): number {
  let index = from;
  while (index < lines.length && lines[index].trim() === '') index += 1;
  return index;
}

function findFenceEnd(lines: string[], fenceIndex: number, fence: string): number {
  for (let index = fenceIndex + 1; index < lines.length; index += 1) {
    const trimmed = lines[index].trim();
    if (trimmed.startsWith(fence[0].repeat(fence.length)) && trimmed.replace(/^[`~]+/, '') === '')
      return index;
  }
  return -1;
}

function isTypeScript(language: string): boolean {
  return ['ts', 'typescript', 'tsx'].includes(language.toLowerCase());
}

/**
 * Formats an example's code as Prettier formats a code block in Markdown (the package name is longer
 * than the relative import, so an import line may wrap in the page and not in the file).
 */
export type FormatCode = (code: string, language: string) => Promise<string>;

/** Formats TypeScript with the repository's Prettier settings; other languages are left as they are. */
export async function prettierFormat(root: string = REPO_ROOT): Promise<FormatCode> {
  // Loaded when used: Prettier loads its core as an ES module, which Jest's CommonJS runtime cannot.
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(join(root, 'README.md'))) ?? {};
  return async (code, language) =>
    isTypeScript(language) ? prettier.format(code, { ...config, parser: 'typescript' }) : code;
}

/** The file as a reader of the package sees it: no leading file comment, the package by name. Pure. */
export function renderExample(source: string): string {
  const withoutHeader = source.replace(/^\/\*\*[\s\S]*?\*\/\n/, '');
  return withoutHeader.replace(/from '(?:\.\.\/)+index'/g, `from '${PACKAGE_NAME}'`);
}

/**
 * Checks `markdown` (named `name`) against the example files `read` returns (undefined: no such
 * file). Returns every problem; none means each block equals its file. Pure given `read`.
 */
export async function checkMarkdown(
  name: string,
  markdown: string,
  read: (file: string) => string | undefined,
  format: FormatCode = async (code) => code,
): Promise<ExampleProblem[]> {
  const { blocks, problems } = parseExamples(name, markdown);
  const found = [...problems];
  for (const block of blocks) {
    const source = read(block.file);
    if (source === undefined) {
      found.push({ file: name, line: block.line, message: `the example file ${block.file} does not exist` });
      continue;
    }
    const expected = await format(renderExample(source), block.language);
    if (block.code !== expected) {
      found.push({
        file: name,
        line: block.line,
        message: `the block differs from ${block.file}${firstDifference(block.code, expected)}`,
      });
    }
  }
  return found;
}

/** `markdown` with every embedded block replaced by its file (blocks whose file is missing are kept). Pure given `read`. */
export async function refreshMarkdown(
  name: string,
  markdown: string,
  read: (file: string) => string | undefined,
  format: FormatCode = async (code) => code,
): Promise<string> {
  const { blocks } = parseExamples(name, markdown);
  const lines = markdown.split('\n');
  // From the last block back, so earlier indexes stay valid.
  for (const block of [...blocks].reverse()) {
    const source = read(block.file);
    if (source === undefined) continue;
    const code = (await format(renderExample(source), block.language)).replace(/\n$/, '');
    const fence = FENCE.exec(lines[nextNonBlank(lines, block.openIndex + 1)].trim())?.[1] ?? '```';
    // Blank lines around the fence, as Prettier writes Markdown.
    const body = ['', `${fence}${block.language}`, ...code.split('\n'), fence, ''];
    lines.splice(block.openIndex + 1, block.closeIndex - block.openIndex - 1, ...body);
  }
  return lines.join('\n');
}

function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let index = 0; index < Math.max(a.length, e.length); index += 1) {
    if (a[index] !== e[index]) {
      return ` at its line ${index + 1}: the doc has ${JSON.stringify(a[index] ?? '(end)')}, the file ${JSON.stringify(e[index] ?? '(end)')}`;
    }
  }
  return '';
}

/** The Markdown files holding examples: README.md and docs/**.md. */
export function markdownFiles(root: string = REPO_ROOT): string[] {
  const found = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.name.endsWith('.md')) {
        found.push(path);
      }
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  return found;
}

/** Example files under `examples/docs` that no Markdown file embeds. */
export function unembeddedExamples(root: string, embedded: ReadonlySet<string>): string[] {
  const dir = join(root, EXAMPLES_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${EXAMPLES_DIR}/${name}`)
    .filter((file) => !embedded.has(file))
    .sort();
}

function fileReader(root: string): (file: string) => string | undefined {
  return (file) => {
    const path = resolve(root, file);
    if (!path.startsWith(root + sep) || !existsSync(path)) return undefined;
    return readFileSync(path, 'utf8');
  };
}

/** Every example file the Markdown under `root` embeds, rendered (for a formatter that works in batches). */
export function renderedExamples(root: string = REPO_ROOT): string[] {
  const read = fileReader(root);
  const rendered = new Set<string>();
  for (const name of markdownFiles(root)) {
    for (const block of parseExamples(name, readFileSync(join(root, name), 'utf8')).blocks) {
      const source = read(block.file);
      if (source !== undefined) rendered.add(renderExample(source));
    }
  }
  return [...rendered];
}

/**
 * Checks every Markdown file under `root` (`formatter`: how a block is formatted, by default
 * Prettier). Returns every problem (empty: the docs are current).
 */
export async function checkExamples(
  root: string = REPO_ROOT,
  formatter?: FormatCode,
): Promise<ExampleProblem[]> {
  const read = fileReader(root);
  const format = formatter ?? (await prettierFormat(root));
  const problems: ExampleProblem[] = [];
  const embedded = new Set<string>();
  for (const name of markdownFiles(root)) {
    const markdown = readFileSync(join(root, name), 'utf8');
    for (const block of parseExamples(name, markdown).blocks) embedded.add(block.file);
    problems.push(...(await checkMarkdown(name, markdown, read, format)));
  }
  for (const file of unembeddedExamples(root, embedded)) {
    problems.push({ file, line: 1, message: 'no page embeds this example: embed it or remove it' });
  }
  return problems;
}

/** Rewrites every embedded block from its file. Returns the Markdown files changed. */
export async function writeExamples(root: string = REPO_ROOT): Promise<string[]> {
  const read = fileReader(root);
  const format = await prettierFormat(root);
  const changed: string[] = [];
  for (const name of markdownFiles(root)) {
    const path = join(root, name);
    const markdown = readFileSync(path, 'utf8');
    const refreshed = await refreshMarkdown(name, markdown, read, format);
    if (refreshed !== markdown) {
      writeFileSync(path, refreshed);
      changed.push(name);
    }
  }
  return changed;
}

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--write');
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown option ${unknown.join(' ')}; usage: tsx scripts/docs/examples.ts [--write]\n`,
    );
    return 2;
  }
  if (argv.includes('--write')) {
    const changed = await writeExamples();
    process.stdout.write(
      changed.length ? `refreshed the examples in ${changed.join(', ')}\n` : 'every example is current\n',
    );
  }
  const problems = await checkExamples();
  for (const problem of problems) {
    process.stderr.write(
      `${relative(REPO_ROOT, join(REPO_ROOT, problem.file))}:${problem.line}: ${problem.message}\n`,
    );
  }
  if (problems.length > 0) {
    process.stderr.write(
      `${problems.length} example problem(s); run: npx tsx scripts/docs/examples.ts --write \n`,
    );
    return 1;
  }
  process.stdout.write('every code example in the docs equals its file\n');
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
