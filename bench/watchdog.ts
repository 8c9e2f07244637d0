/**
 * Watchdog benchmark. Every timed case runs the watchdog's real runtime (real SDK clients, real
 * adapters) against the local emulator, one fresh world per run: a release captured on blue and
 * moved to green, its alarm in ALARM. The alarm event is stamped with the time it is sent, so the
 * audit record's timeToRollbackMs runs from the handler's start. Figures are medians over
 * BENCH_RUNS runs; each ratio is against a baseline measured in the same run.
 *
 * 1. Switch (bench/watchdog/switch.ts): 1, 10 and 50 listeners, 20 ms added to every call. Start to
 *    verified (audit timeToRollbackMs) and the whole invocation, against the floor of two round
 *    trips: every listener read in parallel, then every listener written in parallel.
 * 2. Describe throttling (bench/watchdog/throttle.ts): ELBv2 Describe* behind a token bucket of 40,
 *    refilled 10 a second, plus the 20 ms; 50 listeners, and 5 listeners with 40 protected rules
 *    each. Event to traffic moved (the answer to the last successful ModifyListener/ModifyRule in
 *    the emulator's request log), start to verified when the audit record has it, the outcome, and
 *    the calls made and throttled; against the same world with the latency only.
 * 3. Irrelevant events (bench/watchdog/irrelevant.ts): an unprotected alarm to ALARM, the protected
 *    alarm to OK; AWS calls and writes the invocation made, warm and cold container.
 * 4. Cold container (bench/watchdog/switch.ts): a runtime built inside the timed span (new clients,
 *    configuration loaded from the store) handles the alarm; against the warm figure.
 * 6. Tick cost (bench/watchdog/shift-cost.ts): the schedule tick's AWS calls and writes when idle (no
 *    shift), while a shift step bakes, and per shift step taken (pre-traffic to step 1, step to step,
 *    promotion), 10 listeners.
 * 5. Bundle (bench/watchdog/bundle.ts): size of dist/watchdog/index.js and module init in a fresh
 *    Node process vs the same six SDK clients unbundled.
 *
 *   npx tsx bench/watchdog.ts          # 5 runs per case (BENCH_RUNS to change)
 */
import { startEmulator } from '../test/emulator/index';
import { writeResults, type BenchRecord } from './record';
import { bundle } from './watchdog/bundle';
import { irrelevantEvents } from './watchdog/irrelevant';
import { RUNS } from './watchdog/scenario';
import { shiftTickCost } from './watchdog/shift-cost';
import { switchLatency } from './watchdog/switch';
import { describeThrottle } from './watchdog/throttle';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The watchdog's logs and metrics would drown the figures.
process.env.SWITCHBACK_LOG_LEVEL = 'SILENT';
process.env.SWITCHBACK_METRICS_DISABLED = 'true';

async function main(): Promise<void> {
  const records: BenchRecord[] = [];
  const emulator = await startEmulator();
  try {
    await switchLatency(emulator, records);
    await describeThrottle(emulator, records);
    await irrelevantEvents(emulator, records);
    await shiftTickCost(emulator, records);
  } finally {
    await emulator.stop();
  }
  await bundle(records);
  records.push({ case: 'runs per case', metric: 'runs', value: RUNS, unit: 'count' });
  console.log(`wrote ${writeResults('watchdog', records)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
