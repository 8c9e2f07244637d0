/**
 * Case 3: events the watchdog has nothing to do about, on a released world of 10 listeners (the
 * release on green, nothing to roll back for these events): an alarm it does not protect going to
 * ALARM, and its protected alarm going back to OK. Counted from the emulator's request log: every
 * AWS call of the invocation, and the writes among them (whatever the emulator models as a write:
 * S3 Put/Copy/Delete, SNS Publish, Modify*...; a conditional put answered 412 counts, it was sent).
 * The notes list the last run's calls. In a warm container (configuration cached by the
 * capture) and in a cold one (a new runtime that loads it).
 */
import { isWriteCall, type Emulator } from '../../test/emulator/index';
import type { BenchRecord } from '../record';
import {
  ALARM,
  describeCalls,
  invokeEvent,
  medianRecord,
  released,
  RUNS,
  tick,
  type AlarmRun,
} from './scenario';

const LISTENERS = 10;
const UNPROTECTED_ALARM = 'payments-latency';

const EVENTS = [
  { name: 'an unprotected alarm to ALARM', alarm: UNPROTECTED_ALARM, state: 'ALARM' },
  { name: 'the protected alarm to OK', alarm: ALARM, state: 'OK' },
] as const;

export async function irrelevantEvents(emulator: Emulator, records: BenchRecord[]): Promise<void> {
  for (const event of EVENTS) {
    for (const coldContainer of [false, true]) {
      const runs: AlarmRun[] = [];
      for (let run = 0; run < RUNS; run++) {
        emulator.reset();
        const { world } = await released(emulator, { listeners: LISTENERS, releaseId: `r${run}` });
        // The service is healthy: its protected alarm is OK in both cases.
        world.setAlarm(ALARM, 'OK');
        const result = await invokeEvent(world, event.alarm, event.state, { coldContainer });
        if (result.error) throw new Error(`${event.name}: the handler threw ${result.error}`);
        runs.push(result);
        tick();
      }
      const name = `irrelevant: ${event.name}, ${coldContainer ? 'cold' : 'warm'} container, ${LISTENERS} listeners`;
      const calls = runs.map((r) => r.calls);
      const writes = calls.map((c) => c.filter(isWriteCall));
      const counts = (lists: (typeof calls)[number][]) => lists.map((l) => l.length);
      // The notes list the last run's calls.
      const withNote = (note: string) => (r: BenchRecord) => ({ ...r, note });
      records.push(
        ...medianRecord(name, 'aws_calls_median', 'calls', counts(calls)).map(
          withNote(describeCalls(calls[calls.length - 1])),
        ),
        ...medianRecord(name, 'writes_median', 'calls', counts(writes)).map(
          withNote(describeCalls(writes[writes.length - 1], { keys: true })),
        ),
      );
    }
  }
  process.stderr.write('\n');
}
