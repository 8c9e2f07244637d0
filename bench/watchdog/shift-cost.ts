/**
 * Case 6: the schedule tick's cost in AWS calls, counted from the emulator's request log (real
 * runtime, real SDK clients and adapters), on a world of LISTENERS production listeners:
 *   - idle: a release without a shifting plan, every alarm OK;
 *   - baking: a shift whose current step has not baked yet (nothing to do);
 *   - per step taken: pre-traffic to step 1, step 1 to step 2, and the promotion (no smoke checks
 *     configured: a check adds its own request, not an AWS call, or one Lambda Invoke).
 * Time is the runtime's injected clock, moved past each bake. The idle and baking ticks come a
 * minute after the previous invocation, so both include the reload of the configuration (cached for a
 * minute per container), as most ticks of a real schedule do. The notes list the last run's calls.
 */
import { isWriteCall, type Emulator, type RequestLogEntry } from '../../test/emulator/index';
import { createWorld, type World } from '../../test/watchdog/harness';
import type { BenchRecord } from '../record';
import { ALARM, describeCalls, medianRecord, RUNS, tick } from './scenario';

const LISTENERS = 10;
const BAKE_MINUTES = 5;
const SHIFTING = {
  steps: [
    { weightPercent: 10, bakeMinutes: BAKE_MINUTES },
    { weightPercent: 50, bakeMinutes: BAKE_MINUTES },
  ],
  promote: true,
};

/** A clock that runs with real time plus an offset the benchmark moves forward. */
class SteppedClock {
  private offset = 0;
  now = (): number => Date.now() + this.offset;
  sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  advanceMinutes(n: number): void {
    this.offset += n * 60_000;
  }
}

const CASES = [
  'idle (no shift)',
  'step baking',
  'pre-traffic to step 1',
  'step 1 to step 2',
  'promotion',
] as const;
type Case = (typeof CASES)[number];

export async function shiftTickCost(emulator: Emulator, records: BenchRecord[]): Promise<void> {
  const calls = new Map<Case, RequestLogEntry[][]>(CASES.map((c) => [c, []]));
  for (let run = 0; run < RUNS; run++) {
    emulator.reset();
    const idle = await capturedWorld(emulator, undefined, `idle${run}`);
    // A minute after the capture, as the baking tick below: both reload the configuration (cached a minute).
    idle.clock.advanceMinutes(1);
    calls.get('idle (no shift)')?.push(await tickCalls(idle.world));

    emulator.reset();
    const { world, clock } = await capturedWorld(emulator, SHIFTING, `shift${run}`);
    calls.get('pre-traffic to step 1')?.push(await tickCalls(world));
    clock.advanceMinutes(1);
    calls.get('step baking')?.push(await tickCalls(world));
    clock.advanceMinutes(BAKE_MINUTES);
    calls.get('step 1 to step 2')?.push(await tickCalls(world));
    clock.advanceMinutes(BAKE_MINUTES);
    calls.get('promotion')?.push(await tickCalls(world));
    const weights = await world.weights();
    if (weights.some(([blue, green]) => blue !== 0 || green !== 100)) {
      throw new Error(`the shift did not promote the candidate: weights ${JSON.stringify(weights)}`);
    }
    tick();
  }
  for (const name of CASES) {
    const runs = calls.get(name) ?? [];
    const last = runs[runs.length - 1] ?? [];
    const label = `tick: ${name}, ${LISTENERS} listeners`;
    records.push(
      ...medianRecord(
        label,
        'aws_calls_median',
        'calls',
        runs.map((r) => r.length),
      ).map((r) => ({ ...r, note: describeCalls(last) })),
      ...medianRecord(
        label,
        'writes_median',
        'calls',
        runs.map((r) => r.filter(isWriteCall).length),
      ).map((r) => ({ ...r, note: describeCalls(last.filter(isWriteCall), { keys: true }) })),
    );
  }
  process.stderr.write('\n');
}

async function capturedWorld(
  emulator: Emulator,
  shifting: typeof SHIFTING | undefined,
  releaseId: string,
): Promise<{ world: World; clock: SteppedClock }> {
  const clock = new SteppedClock();
  const world = await createWorld(emulator, {
    listeners: LISTENERS,
    clock,
    ...(shifting ? { extraConfig: { shifting } } : {}),
  });
  world.setAlarm(ALARM, 'OK');
  await world.invoke({ action: 'capture', releaseId });
  return { world, clock };
}

async function tickCalls(world: World): Promise<RequestLogEntry[]> {
  world.emulator.requestLog.clear();
  const answer = (await world.invoke({ action: 'tick' })) as { status: string; reason?: string };
  if (answer.status !== 'ok') throw new Error(`the tick was rejected: ${answer.reason ?? ''}`);
  return [...world.emulator.requestLog.entries()];
}
