/**
 * Synth benchmark: median wall time and peak memory of synthesizing, with 1, 10 and 50 services, the
 * store and blue-green listener constructs alone and the example app (the composed SwitchbackService:
 * store, listener, alarms, watchdog); the 10-service example app with barrel imports as a ratio
 * to deep imports, and the 10- and 50-service example app with the policy checks (SwitchbackChecks) as
 * a ratio to the same app without them, each measured in the same run. Each synth runs in a fresh Node process, from JavaScript compiled
 * once up front, so TypeScript compilation is not part of the figures.
 *
 *   npm run bench                   # 5 runs per case
 *   BENCH_RUNS=9 npm run bench      # more runs
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchdogBuildOptions } from '../scripts/bundle-watchdog';
import { median, round, writeResults, type BenchRecord } from './record';

interface Case {
  readonly name: string;
  readonly services: number;
  readonly imports: 'deep' | 'barrel';
  readonly kind: 'composed' | 'store-and-listener';
  /** Whether the policy checks run during synth. @default false */
  readonly checks?: boolean;
}

interface Sample {
  readonly wallMs: number;
  readonly maxRssMb: number;
  readonly resources: number;
}

const CASES: readonly Case[] = [
  ...[1, 10, 50].map((services): Case => ({
    name: `store + blue-green listener, ${services} service(s), deep imports`,
    services,
    imports: 'deep',
    kind: 'store-and-listener',
  })),
  ...[1, 10, 50].map((services): Case => ({
    name: `example app (SwitchbackService), ${services} service(s), deep imports`,
    services,
    imports: 'deep',
    kind: 'composed',
  })),
  {
    name: 'example app (SwitchbackService), 10 service(s), barrel imports',
    services: 10,
    imports: 'barrel',
    kind: 'composed',
  },
  ...[10, 50].map((services): Case => ({
    name: `example app (SwitchbackService), ${services} service(s), deep imports, policy checks`,
    services,
    imports: 'deep',
    kind: 'composed',
    checks: true,
  })),
];
const BARREL_BASELINE = 'example app (SwitchbackService), 10 service(s), deep imports';
/** The case a variant is measured against: the same app with deep imports and no checks. */
function baselineOf(benchCase: Case): string | undefined {
  if (benchCase.imports === 'barrel') return BARREL_BASELINE;
  if (benchCase.checks)
    return `example app (SwitchbackService), ${benchCase.services} service(s), deep imports`;
  return undefined;
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? '5');
  const work = mkdtempSync(join(tmpdir(), 'switchback-bench-'));
  try {
    // Compiled inside the project so the child resolves the project's node_modules.
    const child = join(__dirname, '..', 'node_modules', '.cache', 'switchback-bench', 'synth-child.js');
    await build(watchdogBuildOptions);
    await build({
      entryPoints: [join(__dirname, 'synth-child.ts')],
      outfile: child,
      bundle: true,
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });

    const samples = new Map<string, Sample[]>(CASES.map((c) => [c.name, []]));
    // Interleave the cases so drift in machine load spreads evenly over them.
    for (let run = 0; run < runs; run++) {
      for (const benchCase of CASES) {
        samples.get(benchCase.name)?.push(runOnce(child, benchCase, join(work, `out-${run}`)));
        process.stderr.write('.');
      }
    }
    process.stderr.write('\n');

    const records: BenchRecord[] = [];
    const wall = (name: string) => round(median((samples.get(name) ?? []).map((s) => s.wallMs)), 0);
    const rss = (name: string) => round(median((samples.get(name) ?? []).map((s) => s.maxRssMb)), 0);
    for (const benchCase of CASES) {
      const baseline = baselineOf(benchCase);
      const resources = samples.get(benchCase.name)?.[0]?.resources ?? 0;
      records.push(
        withBaseline(
          { case: benchCase.name, metric: 'wall_time_median', value: wall(benchCase.name), unit: 'ms' },
          baseline ? wall(baseline) : undefined,
        ),
      );
      records.push(
        withBaseline(
          { case: benchCase.name, metric: 'peak_rss_median', value: rss(benchCase.name), unit: 'MB' },
          baseline ? rss(baseline) : undefined,
        ),
      );
      records.push({ case: benchCase.name, metric: 'resources', value: resources, unit: 'count' });
    }
    records.push({ case: 'runs per case', metric: 'runs', value: runs, unit: 'count' });
    const file = writeResults('synth', records);
    console.log(`wrote ${file}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function withBaseline(record: BenchRecord, baseline: number | undefined): BenchRecord {
  return baseline === undefined ? record : { ...record, baseline, ratio: round(record.value / baseline, 2) };
}

function runOnce(child: string, benchCase: Case, outdir: string): Sample {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [
      child,
      String(benchCase.services),
      benchCase.imports,
      outdir,
      benchCase.kind,
      benchCase.checks ? 'checks' : '',
    ],
    {
      encoding: 'utf8',
      // The child is bundled, so the constructs cannot find the watchdog bundle from their own path.
      env: {
        ...process.env,
        CHECKPOINT_DISABLE: '1',
        SWITCHBACK_WATCHDOG_BUNDLE: join(__dirname, '..', 'dist', 'watchdog'),
      },
      cwd: join(__dirname, '..'),
    },
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`synth of '${benchCase.name}' failed (exit ${result.status}):\n${result.stderr}`);
  }
  const { maxRssMb, resources } = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Sample;
  return { wallMs, maxRssMb, resources };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
