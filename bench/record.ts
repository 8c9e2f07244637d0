/** The record format every benchmark in bench/ writes to bench/results/<name>.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchRecord {
  readonly case: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** The same metric of the baseline case, measured in the same run. */
  readonly baseline?: number;
  /** value / baseline. */
  readonly ratio?: number;
  /** What the number alone does not say (an outcome's tally, runs without a value, calls made). */
  readonly note?: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Writes the records to bench/results/<name>.json and prints them as a table. */
export function writeResults(name: string, records: readonly BenchRecord[]): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(records, null, 2)}\n`);
  const notes = records.some((r) => r.note !== undefined);
  console.table(
    records.map((r) => ({
      case: r.case,
      metric: r.metric,
      value: `${r.value} ${r.unit}`,
      baseline: r.baseline === undefined ? '' : `${r.baseline} ${r.unit}`,
      ratio: r.ratio === undefined ? '' : `${r.ratio}x`,
      ...(notes ? { note: r.note ?? '' } : {}),
    })),
  );
  return file;
}
