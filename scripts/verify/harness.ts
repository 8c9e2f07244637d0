/**
 * The bookkeeping of `npm run verify:terraform`: one row per stack, each step's ✓/✗ and time in its
 * cell, every failure once, and the report printed at the end (the table, what moto-patch.ts changed,
 * the hold proof's steps).
 */
import { pinnedMotoVersion } from '../../test/moto/server';
import type { HoldStep } from './hold-proof';
import { MOTO_GAPS, type PatchReport } from './moto-patch';
import { lastLines, TofuStack } from './tofu';
import type { ToolchainManifest } from './toolchain';

type Cell = string;
interface Row {
  stack: string;
  validate: Cell;
  plan: Cell;
  apply: Cell;
  replan: Cell;
  hold: Cell;
  destroy: Cell;
  ms: number;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export class Harness {
  readonly rows = new Map<string, Row>();
  readonly patches = new Map<string, PatchReport>();
  readonly failures: string[] = [];
  /** Errors a step has already reported (so a caller's catch does not report them twice). */
  private readonly reported = new WeakSet<object>();
  holdSteps: HoldStep[] = [];

  constructor(
    readonly work: string,
    readonly tofuBinary: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  row(stack: string): Row {
    let row = this.rows.get(stack);
    if (!row) {
      row = { stack, validate: '–', plan: '–', apply: '–', replan: '–', hold: '–', destroy: '–', ms: 0 };
      this.rows.set(stack, row);
    }
    return row;
  }

  /**
   * Runs one step of one stack, recording ✓/✗ and time in its row; rethrows a failure. Steps of
   * different stacks may run at once: each writes only its own row.
   */
  async step(stack: string, column: keyof Omit<Row, 'stack' | 'ms'>, run: () => Promise<string | void>) {
    const row = this.row(stack);
    const started = Date.now();
    try {
      const note = await run();
      const cell = `✓ ${seconds(Date.now() - started)}${note ? ` ${note}` : ''}`;
      row[column] = row[column] === '–' ? cell : `${row[column]}; ${cell}`;
    } catch (error) {
      row[column] = `✗ ${seconds(Date.now() - started)}`;
      this.fail(error, `${stack} ${column}: `);
      throw error;
    } finally {
      row.ms += Date.now() - started;
    }
  }

  /** Records `error` as a failure unless a step already did. */
  fail(error: unknown, prefix = ''): void {
    if (error instanceof Object) {
      if (this.reported.has(error)) return;
      this.reported.add(error);
    }
    const text =
      error instanceof Error ? (prefix ? error.message : (error.stack ?? error.message)) : String(error);
    this.failures.push(`${prefix}${text}`);
  }

  tofuStack(name: string, dir: string): TofuStack {
    return new TofuStack(name, dir, this.tofuBinary, this.env);
  }
}

export function printReport(harness: Harness, manifest: ToolchainManifest, totalMs: number): void {
  console.log('');
  console.log(
    `OpenTofu ${manifest.tofu.version}; hashicorp/aws offered as ${manifest.awsProvider.registeredVersion}, ` +
      `built from ${manifest.awsProvider.sourceVersion} (${manifest.awsProvider.moduleVersion}); moto ${pinnedMotoVersion()}`,
  );
  const header = ['stack', 'validate', 'plan', 'apply', 're-plan', 'hold', 'destroy', 'time'];
  const rows = [...harness.rows.values()].map((row) => [
    row.stack,
    row.validate,
    row.plan,
    row.apply,
    row.replan,
    row.hold,
    row.destroy,
    seconds(row.ms),
  ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, index) => cell.padEnd(widths[index])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  rows.forEach((row) => console.log(line(row)));

  console.log('\nNot applied as synthesized (scripts/verify/moto-patch.ts, MOTO_GAPS):');
  for (const [stack, report] of [...harness.patches].sort(([a], [b]) => a.localeCompare(b))) {
    for (const item of report.replaced)
      console.log(`  ${stack}: ${item.address} → stand-in ${item.by} (${item.gap})`);
    for (const item of report.adjusted) console.log(`  ${stack}: ${item.address} adjusted (${item.gap})`);
    for (const item of report.dropped) console.log(`  ${stack}: ${item.address} not applied (${item.gap})`);
  }
  console.log(`  (types on the list: ${[...new Set(MOTO_GAPS.map((gap) => gap.type))].join(', ')})`);

  if (harness.holdSteps.length > 0) {
    console.log('\nThe hold, proven by plan (checkout service):');
    for (const step of harness.holdSteps)
      console.log(`  ${step.ok ? '✓' : '✗'} ${step.step}: ${step.detail}`);
  }
  if (harness.failures.length > 0) {
    console.log('\nFailures:');
    for (const failure of harness.failures) console.log(`  - ${lastLines(failure, 25)}`);
  }
  console.log(
    `\nverify:terraform ${harness.failures.length === 0 ? 'passed' : 'FAILED'} in ${seconds(totalMs)}`,
  );
}
