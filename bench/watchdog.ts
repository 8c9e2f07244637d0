/**
 * Watchdog benchmark.
 *
 * (a) Switch latency: a release on 1, 10 and 50 listeners is rolled back by an alarm event through
 *     the watchdog's real runtime against the local emulator, with 20 ms of latency injected into
 *     every API call. Measured: from the handler's start to all listeners verified (the audit
 *     record's timeToRollbackMs, with the state change stamped at the handler's start), and the
 *     whole invocation. Baseline, same run, same latency: the floor of two round trips — every
 *     listener read in parallel, then every listener written in parallel.
 * (b) Bundle: size of dist/watchdog/index.js as built by scripts/bundle-watchdog.ts, and module
 *     init time in a fresh Node process (median of runs) of the bundle vs requiring the same six
 *     SDK clients unbundled from node_modules and constructing them.
 *
 *   npx tsx bench/watchdog.ts          # 5 runs per case (BENCH_RUNS to change)
 */
import { DescribeListenersCommand, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { watchdogBuildOptions } from '../scripts/bundle-watchdog';
import { startEmulator } from '../test/emulator/index';
import { createWorld, snsAlarmEvent } from '../test/watchdog/harness';
import { median, round, writeResults, type BenchRecord } from './record';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The watchdog's logs and metrics would drown the figures.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const RUNS = Number(process.env.BENCH_RUNS ?? '5');
const LATENCY_MS = 20;
const LISTENER_COUNTS = [1, 10, 50];

async function switchLatency(records: BenchRecord[]): Promise<void> {
  const emulator = await startEmulator();
  try {
    for (const listeners of LISTENER_COUNTS) {
      const switchMs: number[] = [];
      const invocationMs: number[] = [];
      const floorMs: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        emulator.reset();
        const world = await createWorld(emulator, { listeners });
        await world.invoke({ action: 'capture', releaseId: `r${run}` });
        await world.shiftToGreen();
        world.setAlarm('checkout-5xx', 'ALARM');
        const latency = emulator.faults.add({ latencyMs: LATENCY_MS });

        // The floor: one parallel read round and one parallel write round, nothing else.
        const floorStart = performance.now();
        const current = await Promise.all(
          world.pairs.map((p) =>
            world.elbv2.send(new DescribeListenersCommand({ ListenerArns: [p.listenerArn] })),
          ),
        );
        await Promise.all(
          current.map((out) =>
            world.elbv2.send(
              new ModifyListenerCommand({
                ListenerArn: out.Listeners?.[0]?.ListenerArn,
                DefaultActions: out.Listeners?.[0]?.DefaultActions,
              }),
            ),
          ),
        );
        floorMs.push(performance.now() - floorStart);

        const startedAt = Date.now();
        const started = performance.now();
        await world.invoke(snsAlarmEvent('checkout-5xx', 'ALARM', startedAt));
        invocationMs.push(performance.now() - started);
        latency.remove();

        const rollback = (await world.auditRecords()).find((r) => r.decision === 'rollback');
        if (rollback?.outcome !== 'rolled-back' || rollback.timeToRollbackMs === undefined) {
          throw new Error(
            `run ${run} with ${listeners} listeners did not roll back: ${JSON.stringify(rollback)}`,
          );
        }
        switchMs.push(rollback.timeToRollbackMs);
        process.stderr.write('.');
      }
      const floor = round(median(floorMs), 0);
      const name = `switch ${listeners} listener(s), ${LATENCY_MS} ms per call`;
      records.push({
        case: name,
        metric: 'start_to_verified_median',
        value: round(median(switchMs), 0),
        unit: 'ms',
        baseline: floor,
        ratio: round(median(switchMs) / floor, 2),
      });
      records.push({
        case: name,
        metric: 'invocation_median',
        value: round(median(invocationMs), 0),
        unit: 'ms',
        baseline: floor,
        ratio: round(median(invocationMs) / floor, 2),
      });
      records.push({ case: name, metric: 'two_round_trip_floor_median', value: floor, unit: 'ms' });
    }
  } finally {
    await emulator.stop();
  }
  process.stderr.write('\n');
}

async function bundle(records: BenchRecord[]): Promise<void> {
  const dir = join(__dirname, '..', 'node_modules', '.cache', 'switchback-bench');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'watchdog', 'index.js');
  await build({ ...watchdogBuildOptions, outfile });
  records.push({
    case: 'watchdog bundle',
    metric: 'size',
    value: round(statSync(outfile).size / 1024, 0),
    unit: 'KiB',
  });

  const unbundled = join(dir, 'unbundled-clients.js');
  const clients = [
    'client-cloudwatch',
    'client-elastic-load-balancing-v2',
    'client-lambda',
    'client-s3',
    'client-sns',
    'client-ssm',
  ];
  writeFileSync(
    unbundled,
    clients
      .map((c) => {
        const mod = `require(${JSON.stringify(`@aws-sdk/${c}`)})`;
        return `{ const m = ${mod}; const C = Object.values(m).find((v) => typeof v === 'function' && /Client$/.test(v.name) && v.name !== 'Client'); new C({ region: 'us-east-1' }); }`;
      })
      .join('\n'),
  );
  const env = {
    ...process.env,
    SWITCHBACK_CONFIG_BUCKET: 'bench-bucket',
    SWITCHBACK_CONFIG_KEY: 'config/bench/watchdog.json',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const initMs = (file: string): number => {
    const script = `const t = performance.now(); require(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
    const result = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env,
      cwd: join(__dirname, '..'),
    });
    if (result.status !== 0) throw new Error(`init of ${file} failed: ${result.stderr}`);
    return Number(result.stdout);
  };
  const bundled: number[] = [];
  const plain: number[] = [];
  for (let run = 0; run < Math.max(RUNS, 9); run++) {
    bundled.push(initMs(outfile));
    plain.push(initMs(unbundled));
  }
  const baseline = round(median(plain), 1);
  records.push({
    case: 'watchdog bundle',
    metric: 'module_init_median',
    value: round(median(bundled), 1),
    unit: 'ms',
    baseline,
    ratio: round(median(bundled) / median(plain), 2),
  });
  records.push({
    case: 'six SDK clients, unbundled',
    metric: 'module_init_median',
    value: baseline,
    unit: 'ms',
  });
}

async function main(): Promise<void> {
  const records: BenchRecord[] = [];
  await switchLatency(records);
  await bundle(records);
  records.push({ case: 'runs per case', metric: 'runs', value: RUNS, unit: 'count' });
  console.log(`wrote ${writeResults('watchdog', records)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
