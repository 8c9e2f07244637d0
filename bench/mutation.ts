/**
 * Mutation testing of the watchdog's engine: how many deliberate bugs (mutants) the fast unit tests
 * catch. StrykerJS (jest runner, TypeScript checker) mutates the chosen files in a sandbox under
 * .stryker-tmp/ and runs only the unit tests of those files against each mutant; the figures are read
 * back from Stryker's JSON report (reports/mutation/mutation.json; an HTML report sits next to it).
 * A benchmark, not part of CI: a run takes minutes per file on a small machine.
 *
 *   npm run mutation                                      # decide, plan, events and retry
 *   npm run mutation -- --files engine/decide.ts,events.ts
 *   npm run mutation -- --files engine/retry.ts --survivors   # also list each surviving mutant
 *   npm run mutation -- --report-only                      # print the table of the last run again
 *   npm run mutation -- --files events.ts --report-dir reports/mutation/events   # runs side by side
 *
 * Files are named relative to lambdas/watchdog/. Each file is tested by its own unit tests:
 * test/watchdog/<name>.test.ts and test/watchdog/engine/<name>.test.ts, whichever exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(__dirname, '..');
const SOURCE_DIR = 'lambdas/watchdog';
const DEFAULT_REPORT_DIR = 'reports/mutation';
const DEFAULT_FILES = ['engine/decide.ts', 'engine/plan.ts', 'events.ts', 'engine/retry.ts'];

/** The slice of Stryker's JSON report (mutation-testing-report-schema) this script reads. */
interface MutationReport {
  readonly files: Record<
    string,
    {
      readonly mutants: readonly {
        readonly mutatorName: string;
        readonly replacement?: string;
        readonly status: string;
        readonly location: { readonly start: { readonly line: number; readonly column: number } };
      }[];
    }
  >;
}

interface Row {
  readonly file: string;
  readonly killed: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly timeout: number;
  readonly errors: number;
  readonly score: number;
}

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run mutation -- [--files a.ts,engine/b.ts] [--survivors] [--report-only]`,
  );
  process.exit(2);
}

/** `engine/decide.ts`, `decide`, or `lambdas/watchdog/engine/decide.ts` -> the repository path. */
function sourcePath(name: string): string {
  const trimmed = name.trim().replace(/^\.\//, '');
  const candidates = [trimmed, `${SOURCE_DIR}/${trimmed}`, `${SOURCE_DIR}/engine/${trimmed}`].flatMap((p) =>
    p.endsWith('.ts') ? [p] : [`${p}.ts`],
  );
  const found = candidates.find((p) => p.startsWith(`${SOURCE_DIR}/`) && existsSync(path.join(ROOT, p)));
  if (!found) usage(`no watchdog source file ${JSON.stringify(name)} (looked for ${candidates.join(', ')})`);
  return found;
}

/** The fast unit tests of a source file. */
function unitTestsOf(source: string): string[] {
  const name = path.basename(source, '.ts');
  return [`test/watchdog/${name}.test.ts`, `test/watchdog/engine/${name}.test.ts`].filter((p) =>
    existsSync(path.join(ROOT, p)),
  );
}

function tabulate(report: MutationReport, files: readonly string[] | undefined): Row[] {
  return Object.entries(report.files)
    .filter(([file]) => !files || files.includes(file))
    .map(([file, { mutants }]) => {
      const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
      const killed = count('Killed');
      const survived = count('Survived');
      const noCoverage = count('NoCoverage');
      const timeout = count('Timeout');
      const detected = killed + timeout;
      const valid = detected + survived + noCoverage;
      return {
        file: path.relative(SOURCE_DIR, file),
        killed,
        survived,
        noCoverage,
        timeout,
        errors: count('CompileError', 'RuntimeError'),
        score: valid === 0 ? NaN : (100 * detected) / valid,
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

function printTable(rows: readonly Row[]): void {
  const total = rows.reduce(
    (sum, r) => ({
      ...sum,
      killed: sum.killed + r.killed,
      survived: sum.survived + r.survived,
      noCoverage: sum.noCoverage + r.noCoverage,
      timeout: sum.timeout + r.timeout,
      errors: sum.errors + r.errors,
    }),
    { file: 'all files', killed: 0, survived: 0, noCoverage: 0, timeout: 0, errors: 0, score: NaN },
  );
  const valid = total.killed + total.timeout + total.survived + total.noCoverage;
  const all = { ...total, score: valid === 0 ? NaN : (100 * (total.killed + total.timeout)) / valid };
  const header = ['file', 'killed', 'survived', 'no coverage', 'timeout', 'score %', 'compile errors'];
  const cells = [...rows, all].map((r) => [
    r.file,
    String(r.killed),
    String(r.survived),
    String(r.noCoverage),
    String(r.timeout),
    Number.isNaN(r.score) ? 'n/a' : r.score.toFixed(1),
    String(r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) =>
    `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const c of cells) console.log(line(c));
  console.log(
    '(score = (killed + timeout) / (killed + timeout + survived + no coverage); compile errors are not counted)',
  );
}

function printSurvivors(report: MutationReport, files: readonly string[] | undefined): void {
  for (const [file, { mutants }] of Object.entries(report.files)) {
    if (files && !files.includes(file)) continue;
    for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
      const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100);
      console.log(
        `${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName} -> ${replacement}`,
      );
    }
  }
}

function readReport(report: string): MutationReport {
  const file = path.join(ROOT, report);
  if (!existsSync(file)) usage(`no report at ${report}: run without --report-only first`);
  return JSON.parse(readFileSync(file, 'utf8')) as MutationReport;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: 'string' },
      survivors: { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '2' },
      'report-dir': { type: 'string', default: DEFAULT_REPORT_DIR },
    },
    strict: true,
  });
  const files = (values.files ? values.files.split(',').filter((f) => f.trim() !== '') : DEFAULT_FILES).map(
    sourcePath,
  );
  process.chdir(ROOT);
  const reportDir = values['report-dir'].replace(/\/+$/, '');
  const report = `${reportDir}/mutation.json`;

  if (!values['report-only']) {
    const tests = [...new Set(files.flatMap(unitTestsOf))];
    const untested = files.filter((f) => unitTestsOf(f).length === 0);
    if (untested.length > 0)
      console.log(`no unit tests of their own (every mutant will survive): ${untested.join(', ')}`);
    if (tests.length === 0) usage('none of these files has unit tests to run');
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) usage(`--concurrency must be a positive integer`);
    console.log(`mutating ${files.join(', ')}\ntesting with ${tests.join(', ')}\n`);

    // Stryker is an ES module; tsx runs this file as CommonJS.
    const { Stryker } = await import('@stryker-mutator/core');
    const stryker = new Stryker({
      configFile: 'stryker.config.mjs',
      mutate: files,
      concurrency,
      jsonReporter: { fileName: report },
      htmlReporter: { fileName: `${reportDir}/mutation.html` },
      jest: {
        projectType: 'custom',
        configFile: 'bench/mutation/jest.config.cjs',
        enableFindRelatedTests: true,
        config: { testMatch: tests.map((t) => `<rootDir>/${t}`) },
      },
    });
    const started = Date.now();
    await stryker.runMutationTest();
    console.log(`\nStryker took ${Math.round((Date.now() - started) / 1000)} s (report: ${report})\n`);
  }

  const results = readReport(report);
  printTable(tabulate(results, values['report-only'] && !values.files ? undefined : files));
  if (values.survivors) {
    console.log('');
    printSurvivors(results, values['report-only'] && !values.files ? undefined : files);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
