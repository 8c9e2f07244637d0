/**
 * Case 2: the switch under ELBv2's Describe rate limit. A token bucket (40 tokens, 10 a second,
 * full when the alarm arrives) throttles the ELBv2 Describe* calls, on top of 20 ms per call; the
 * baseline is the same world with the latency only, measured in the same runs.
 */
import type { Emulator, FaultRule } from '../../test/emulator/index';
import type { BenchRecord } from '../record';
import {
  countRecord,
  invokeAlarm,
  LATENCY_MS,
  medianRecord,
  released,
  RUNS,
  tally,
  tick,
  type AlarmRun,
  type ReleaseOptions,
} from './scenario';

/** ELBv2's documented Describe* bucket. */
export const DESCRIBE_BUCKET = { capacity: 40, refillPerSecond: 10 } as const;

/** Every ELBv2 Describe* action (a rule's `action` matches names exactly, so the filter is `match`). */
const DESCRIBE_THROTTLE: FaultRule = {
  service: 'elbv2',
  match: (call) => call.action.startsWith('Describe'),
  throttle: { kind: 'tokenBucket', ...DESCRIBE_BUCKET },
};

const SHAPES: ReadonlyArray<{ readonly name: string; readonly options: ReleaseOptions }> = [
  { name: '50 listener(s)', options: { listeners: 50 } },
  { name: '5 listener(s) x 40 rules', options: { listeners: 5, rulesPerListener: 40 } },
];

async function measure(emulator: Emulator, options: ReleaseOptions, throttled: boolean): Promise<AlarmRun> {
  const { world } = await released(emulator, options);
  const faults = [
    emulator.faults.add({ latencyMs: LATENCY_MS }),
    ...(throttled ? [emulator.faults.add(DESCRIBE_THROTTLE)] : []),
  ];
  try {
    return await invokeAlarm(world);
  } finally {
    for (const f of faults) f.remove();
  }
}

const describes = (run: AlarmRun) =>
  run.calls.filter((c) => c.service === 'elbv2' && c.action.startsWith('Describe')).length;
const throttledCalls = (run: AlarmRun) => run.calls.filter((c) => c.faults.includes('throttle')).length;

export async function describeThrottle(emulator: Emulator, records: BenchRecord[]): Promise<void> {
  for (const shape of SHAPES) {
    const plain: AlarmRun[] = [];
    const limited: AlarmRun[] = [];
    for (let run = 0; run < RUNS; run++) {
      emulator.reset();
      // A world each; which goes first alternates.
      for (const throttled of run % 2 === 0 ? [false, true] : [true, false]) {
        const result = await measure(emulator, { ...shape.options, releaseId: `r${run}` }, throttled);
        (throttled ? limited : plain).push(result);
      }
      tick();
    }
    const name = `Describe bucket ${DESCRIBE_BUCKET.capacity}/${DESCRIBE_BUCKET.refillPerSecond} per s, ${shape.name}, ${LATENCY_MS} ms per call`;
    const of = (runs: AlarmRun[], f: (r: AlarmRun) => number | undefined) => runs.map(f);
    const figure = (metric: string, unit: string, f: (r: AlarmRun) => number | undefined) =>
      medianRecord(name, metric, unit, of(limited, f), of(plain, f));
    const rolledBack = (runs: AlarmRun[]) => runs.filter((r) => r.outcome === 'rolled-back').length;
    const verified = (runs: AlarmRun[]) => runs.filter((r) => r.verifiedMs !== undefined).length;
    // The error's name only: a partial rollback's message lists every target.
    const outcomes = (runs: AlarmRun[]) =>
      tally(runs.map((r) => r.outcome + (r.error ? ` (threw ${r.error.split(':')[0]})` : '')));
    records.push(
      ...figure('event_to_traffic_moved_median', 'ms', (r) => r.trafficMovedMs),
      ...figure('start_to_verified_median', 'ms', (r) => r.verifiedMs),
      ...figure('invocation_median', 'ms', (r) => r.invocationMs),
      countRecord(
        name,
        'rolled_back_runs',
        rolledBack(limited),
        rolledBack(plain),
        `outcomes: ${outcomes(limited)}; baseline: ${outcomes(plain)}`,
      ),
      countRecord(
        name,
        'verified_runs',
        verified(limited),
        verified(plain),
        'runs whose audit record has timeToRollbackMs',
      ),
      ...figure('targets_moved_median', 'targets', (r) => r.targetsMoved).map((r) => ({
        ...r,
        note: 'listeners and rules with a successful Modify* call',
      })),
      ...figure('elbv2_describe_calls_median', 'calls', describes),
      ...medianRecord(name, 'throttled_calls_median', 'calls', of(limited, throttledCalls)),
    );
  }
  process.stderr.write('\n');
}
