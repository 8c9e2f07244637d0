/**
 * Cases 1 and 4: the switch on 1, 10 and 50 listeners with 20 ms per call, in a warm container
 * (the runtime that captured the release, configuration cached) against the two-round-trip floor,
 * and in a cold one (a runtime built inside the timed span: new clients and connections, the
 * configuration loaded from the store) against the warm figure of the same runs (a world each,
 * warm and cold alternating which goes first).
 */
import { DescribeListenersCommand, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Emulator } from '../../test/emulator/index';
import type { World } from '../../test/watchdog/harness';
import type { BenchRecord } from '../record';
import { invokeAlarm, LATENCY_MS, medianRecord, released, RUNS, tick, type AlarmRun } from './scenario';

const LISTENER_COUNTS = [1, 10, 50];

/** One parallel read round and one parallel write round over the world's listeners, nothing else. */
async function twoRoundTrips(world: World): Promise<number> {
  const started = performance.now();
  const current = await Promise.all(
    world.pairs.map((p) => world.elbv2.send(new DescribeListenersCommand({ ListenerArns: [p.listenerArn] }))),
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
  return performance.now() - started;
}

function rolledBack(run: AlarmRun, what: string): AlarmRun & { readonly verifiedMs: number } {
  if (run.outcome !== 'rolled-back' || run.verifiedMs === undefined) {
    throw new Error(`${what} did not roll back: ${run.outcome}${run.error ? ` (${run.error})` : ''}`);
  }
  return { ...run, verifiedMs: run.verifiedMs };
}

export async function switchLatency(emulator: Emulator, records: BenchRecord[]): Promise<void> {
  for (const listeners of LISTENER_COUNTS) {
    const warm: AlarmRun[] = [];
    const cold: AlarmRun[] = [];
    const floorMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      emulator.reset();
      // Warm: the container that captured the release handles the alarm (after the floor, in its
      // world). Cold: a fresh container handles the alarm of another world just like it. Which
      // goes first alternates: the first of a pair tends to be the slower.
      const order = run % 2 === 0 ? ['warm', 'cold'] : ['cold', 'warm'];
      for (const container of order) {
        const { world } = await released(emulator, { listeners, releaseId: `r${run}` });
        const latency = emulator.faults.add({ latencyMs: LATENCY_MS });
        try {
          if (container === 'warm') floorMs.push(await twoRoundTrips(world));
          const result = await invokeAlarm(world, { coldContainer: container === 'cold' });
          (container === 'warm' ? warm : cold).push(
            rolledBack(result, `${container} run ${run} with ${listeners} listener(s)`),
          );
        } finally {
          latency.remove();
        }
      }
      tick();
    }
    const name = `switch ${listeners} listener(s), ${LATENCY_MS} ms per call`;
    const verified = warm.map((r) => r.verifiedMs);
    const invocation = warm.map((r) => r.invocationMs);
    records.push(...medianRecord(name, 'start_to_verified_median', 'ms', verified, floorMs));
    records.push(...medianRecord(name, 'invocation_median', 'ms', invocation, floorMs));
    records.push(...medianRecord(name, 'two_round_trip_floor_median', 'ms', floorMs));

    const coldName = `cold container, switch ${listeners} listener(s), ${LATENCY_MS} ms per call`;
    records.push(
      ...medianRecord(
        coldName,
        'start_to_verified_median',
        'ms',
        cold.map((r) => r.verifiedMs),
        verified,
      ),
    );
    records.push(
      ...medianRecord(
        coldName,
        'invocation_median',
        'ms',
        cold.map((r) => r.invocationMs),
        invocation,
      ),
    );
  }
  process.stderr.write('\n');
}
