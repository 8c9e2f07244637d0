/**
 * The docs checks (scripts/docs): an embedded example must equal its file, and the committed API
 * reference (API.md) must equal what jsii-docgen generates. Pure functions only: jsii and jsii-docgen
 * run in `npm run docs:check`, not here.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  type FormatCode,
  checkExamples,
  renderedExamples,
  checkMarkdown,
  parseExamples,
  refreshMarkdown,
  renderExample,
} from '../../scripts/docs/examples';
import { describeDifference, REFERENCE_FILE, REPO_ROOT } from '../../scripts/docs/reference';

const FILE =
  "/** What this file is for. */\nimport { App } from 'cdktf';\nimport { SwitchbackService } from '../../index';\n\nnew App();\n";
const RENDERED =
  "import { App } from 'cdktf';\nimport { SwitchbackService } from 'cdktf-switchback';\n\nnew App();\n";

function page(code: string): string {
  return [
    '# Page',
    '',
    '<!-- example: examples/docs/a.ts -->',
    '',
    '```ts',
    code.replace(/\n$/, ''),
    '```',
    '',
    '<!-- /example -->',
    '',
  ].join('\n');
}

/**
 * Prettier, as the docs script formats blocks, run in a child process: Prettier loads its core as an
 * ES module, which Jest's CommonJS runtime cannot. One process formats every example of `root`.
 */
function prettierInChildProcess(root: string): FormatCode {
  const codes = renderedExamples(root);
  const script = [
    "const prettier = require('prettier');",
    "let input = '';",
    "process.stdin.on('data', (d) => (input += d)).on('end', async () => {",
    "  const config = (await prettier.resolveConfig(process.cwd() + '/README.md')) ?? {};",
    '  const out = [];',
    "  for (const code of JSON.parse(input)) out.push(await prettier.format(code, { ...config, parser: 'typescript' }));",
    '  process.stdout.write(JSON.stringify(out));',
    '});',
  ].join('\n');
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: REPO_ROOT,
    input: JSON.stringify(codes),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`prettier failed: ${run.stderr}`);
  const formatted = new Map(codes.map((code, index) => [code, (JSON.parse(run.stdout) as string[])[index]]));
  return async (code) => formatted.get(code) ?? code;
}

const read = (files: Record<string, string>) => (file: string) => files[file];

describe('embedded examples', () => {
  it('render the file as a reader of the package writes it: no header comment, the package by name', () => {
    expect(renderExample(FILE)).toBe(RENDERED);
    expect(renderExample("import { X } from '../index';\n")).toBe("import { X } from 'cdktf-switchback';\n");
  });

  it('pass when the block equals its file', async () => {
    expect(await checkMarkdown('page.md', page(RENDERED), read({ 'examples/docs/a.ts': FILE }))).toEqual([]);
  });

  it('fail when the block differs from its file, naming the page, the file and the first different line', async () => {
    const stale = page(RENDERED.replace('new App();', 'new App({ outdir: "x" });'));
    const problems = await checkMarkdown('page.md', stale, read({ 'examples/docs/a.ts': FILE }));
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'page.md',
        line: 3,
        message: expect.stringContaining('differs from examples/docs/a.ts at its line 4'),
      }),
    ]);
  });

  it('fail when the example file is missing', async () => {
    const problems = await checkMarkdown('page.md', page(RENDERED), read({}));
    expect(problems[0].message).toContain('examples/docs/a.ts does not exist');
  });

  it('fail on a ts block outside the markers, and on unbalanced markers', async () => {
    const loose = '# Page\n\n```ts\nconst x = 1;\n```\n\n```sh\nnpm test\n```\n\n<!-- /example -->\n';
    const problems = await checkMarkdown('page.md', loose, read({}));
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('a ts block outside <!-- example: … --> markers'),
      expect.stringContaining('without an opening marker'),
    ]);
  });

  it('refresh a stale block from its file, and a refreshed page passes', async () => {
    const refreshed = await refreshMarkdown(
      'page.md',
      page('old code\n'),
      read({ 'examples/docs/a.ts': FILE }),
    );
    expect(refreshed).toBe(page(RENDERED));
    expect(parseExamples('page.md', refreshed).blocks).toEqual([
      expect.objectContaining({ file: 'examples/docs/a.ts', language: 'ts', code: RENDERED }),
    ]);
  });

  it('fail, in a copy of the repository docs, when a page differs from its file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchback-docs-'));
    try {
      for (const dir of ['docs', 'examples'])
        cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
      cpSync(join(REPO_ROOT, 'README.md'), join(root, 'README.md'));
      cpSync(join(REPO_ROOT, '.prettierrc.json'), join(root, '.prettierrc.json'));
      expect(await checkExamples(root, prettierInChildProcess(root))).toEqual([]);

      const example = join(root, 'examples', 'docs', 'rollback-alarms.ts');
      writeFileSync(
        example,
        readFileSync(example, 'utf8').replace('errorRatePercent: 2', 'errorRatePercent: 3'),
      );
      const problems = await checkExamples(root, prettierInChildProcess(root));
      expect(problems).toEqual([
        expect.objectContaining({
          file: 'docs/constructs/rollback-alarms.md',
          message: expect.stringContaining('differs from examples/docs/rollback-alarms.ts'),
        }),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the API reference check', () => {
  const committed = readFileSync(join(REPO_ROOT, REFERENCE_FILE), 'utf8');

  it('is committed, generated by jsii-docgen, with every construct and its props', () => {
    for (const name of [
      'SwitchbackService',
      'RollbackWatchdog',
      'RollbackWatchdogProps',
      'BlueGreenListener',
    ]) {
      expect(committed).toContain(`### ${name} <a name="${name}" id="cdktf-switchback.${name}"></a>`);
    }
  });

  it('finds nothing stale when the regenerated reference equals the committed one', () => {
    expect(describeDifference(committed, committed)).toBeUndefined();
  });

  it('names the first line that differs, both versions and the command that fixes it', () => {
    const generated = committed.replace('CloudWatch', 'CloudWatch metric');
    const line = committed.split('\n').findIndex((text) => text.includes('CloudWatch')) + 1;
    const message = describeDifference(committed, generated);
    expect(message).toContain(`API.md is stale: line ${line} differs from what the JSDoc generates`);
    expect(message).toContain('generated: ');
    expect(message).toContain('CloudWatch metric');
    expect(message).toContain('npx tsx scripts/docs/reference.ts --write');
    expect(describeDifference(undefined, generated)).toContain('API.md is not committed');
  });
});
