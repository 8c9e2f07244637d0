/**
 * Synth benchmark: median wall time and peak memory of synthesizing, with 1, 10 and 50 services, the
 * store and blue-green listener constructs alone and the example app (the composed SwitchbackService:
 * store, listener, alarms, watchdog); the 10-service example app with barrel imports as a ratio
 * to deep imports, and the 10- and 50-service example app with the policy checks (SwitchbackChecks) as
 * a ratio to the same app without them, each measured in the same run. Each synth runs in a fresh Node process, from JavaScript compiled
 * once up front, so TypeScript compilation is not part of the figures.
 *
 * A 200-service example app checks the scale goal (at most 10 s and 400 MB). With
 * `BENCH_COMPARE=<another checkout>`, the 50- and 200-service example apps are also synthesized from
 * that checkout's code (its constructs, its watchdog bundle, this checkout's node_modules) in the same
 * run, interleaved, and each is reported as a ratio to it: a before/after of a change.
 *
 *   npm run bench                   # 5 runs per case
 *   BENCH_RUNS=9 npm run bench      # more runs
 *   BENCH_COMPARE=/tmp/before tsx bench/synth.ts
 *   BENCH_ONLY='50 service' tsx bench/synth.ts   # only the cases whose name contains the text
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
  /** Synthesized from the BENCH_COMPARE checkout's code instead of this one's. @default false */
  readonly compare?: boolean;
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
  ...[1, 10, 50, 200].map((services): Case => ({
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
const COMPARE_TREE = process.env.BENCH_COMPARE;
const COMPARE_CASES: readonly Case[] = COMPARE_TREE
  ? [50, 200].map((services) => ({
      name: `example app (SwitchbackService), ${services} service(s), deep imports, BENCH_COMPARE checkout`,
      services,
      imports: 'deep',
      kind: 'composed',
      compare: true,
    }))
  : [];
const BARREL_BASELINE = 'example app (SwitchbackService), 10 service(s), deep imports';
/** The case a variant is measured against: the same app with deep imports and no checks. */
function baselineOf(benchCase: Case): string | undefined {
  if (benchCase.imports === 'barrel') return BARREL_BASELINE;
  if (benchCase.checks)
    return `example app (SwitchbackService), ${benchCase.services} service(s), deep imports`;
  if (COMPARE_TREE && benchCase.kind === 'composed' && benchCase.imports === 'deep' && !benchCase.compare) {
    return COMPARE_CASES.find((c) => c.services === benchCase.services)?.name;
  }
  return undefined;
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? '5');
  const work = mkdtempSync(join(tmpdir(), 'switchback-bench-'));
  try {
    // Compiled inside the project so the child resolves the project's node_modules.
    const cache = join(__dirname, '..', 'node_modules', '.cache', 'switchback-bench');
    const child = join(cache, 'synth-child.js');
    const compareChild = join(cache, 'synth-child-compare.js');
    const childBuild = (tree: string, outfile: string) =>
      build({
        entryPoints: [join(tree, 'bench', 'synth-child.ts')],
        outfile,
        bundle: true,
        platform: 'node',
        target: 'node20',
        packages: 'external',
        logLevel: 'warning',
      });
    await build(watchdogBuildOptions);
    await childBuild(join(__dirname, '..'), child);
    if (COMPARE_TREE) {
      const bundled = spawnSync('npx', ['tsx', 'scripts/bundle-watchdog.ts'], {
        cwd: COMPARE_TREE,
        stdio: 'inherit',
      });
      if (bundled.status !== 0) throw new Error(`bundling the watchdog of ${COMPARE_TREE} failed`);
      await childBuild(COMPARE_TREE, compareChild);
    }

    const only = process.env.BENCH_ONLY;
    const all = [...CASES, ...COMPARE_CASES].filter((c) => !only || c.name.includes(only));
    const samples = new Map<string, Sample[]>(all.map((c) => [c.name, []]));
    // Interleave the cases so drift in machine load spreads evenly over them.
    for (let run = 0; run < runs; run++) {
      for (const benchCase of all) {
        const [script, tree] = benchCase.compare
          ? [compareChild, COMPARE_TREE as string]
          : [child, join(__dirname, '..')];
        samples.get(benchCase.name)?.push(runOnce(script, tree, benchCase, join(work, `out-${run}`)));
        process.stderr.write('.');
      }
    }
    process.stderr.write('\n');

    const records: BenchRecord[] = [];
    const wall = (name: string) => round(median((samples.get(name) ?? []).map((s) => s.wallMs)), 0);
    const rss = (name: string) => round(median((samples.get(name) ?? []).map((s) => s.maxRssMb)), 0);
    for (const benchCase of all) {
      // A baseline left out by BENCH_ONLY gives no ratio.
      const found = baselineOf(benchCase);
      const baseline = found && samples.get(found)?.length ? found : undefined;
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
    const file = writeResults(only ? 'synth-partial' : 'synth', records);
    console.log(`wrote ${file}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function withBaseline(record: BenchRecord, baseline: number | undefined): BenchRecord {
  return baseline === undefined ? record : { ...record, baseline, ratio: round(record.value / baseline, 2) };
}

function runOnce(child: string, tree: string, benchCase: Case, outdir: string): Sample {
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
        SWITCHBACK_WATCHDOG_BUNDLE: join(tree, 'dist', 'watchdog'),
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
