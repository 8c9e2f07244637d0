/**
 * The watchdog's order of work and what it costs: events it will not act on are dismissed before any
 * call; a rollback takes the lock in one write in a warm container and writes traffic without reading
 * it first; the known-good color needs enough healthy capacity; a read-back that is only throttled is
 * "unverified", not "failed"; and the schedule tick finishes what could not be finished.
 */
import {
  auditKeyPrefix,
  watchdogLockKey,
  watchdogStateKey,
  type AuditRecord,
  type WatchdogState,
} from '../../lib';
import { ALARM, awsError, createFakeWorld, SERVICE, type FakeWorld } from './fakes';
import { alarmArn, minutes, snsAlarmEvent } from './fixtures';

type Answer = {
  status: string;
  reason?: string;
  result: { outcome: string; reason?: string; steps?: AuditRecord['steps'] };
};

async function capturedAndShifted(world: FakeWorld): Promise<void> {
  await world.invoke({ action: 'capture', releaseId: 'r1' });
  world.shiftToGreen();
  world.clock.advance(minutes(2));
}

const state = (world: FakeWorld) => world.bucket.json(watchdogStateKey(SERVICE)) as WatchdogState | undefined;
const tick = (world: FakeWorld) => world.invoke({ action: 'tick' }) as Promise<Answer>;

describe('events the watchdog will not act on cost nothing', () => {
  it.each([
    [
      'an alarm it does not protect',
      (w: FakeWorld) => snsAlarmEvent('someone-elses-alarm', 'ALARM', w.clock.now()),
    ],
    ['an OK transition of a protected alarm', (w: FakeWorld) => snsAlarmEvent(ALARM, 'OK', w.clock.now())],
    [
      'a state change dated in the future beyond clock skew',
      (w: FakeWorld) => snsAlarmEvent(ALARM, 'ALARM', w.clock.now() + minutes(5)),
    ],
    [
      'a protected name with another account’s ARN',
      (w: FakeWorld) =>
        snsAlarmEvent(
          ALARM,
          'ALARM',
          w.clock.now(),
          `arn:aws:cloudwatch:us-east-1:999999999999:alarm:${ALARM}`,
        ),
    ],
  ])('%s: no lock, no receipt, no record, no notification, no AWS call', async (_name, event) => {
    const world = createFakeWorld();
    await capturedAndShifted(world);
    const calls = world.journal.calls.length;
    const writes = world.bucket.writes.length;

    const answer = (await world.invoke(event(world))) as Answer;

    expect(answer.result.outcome).toBe('dismissed');
    expect(answer.result.reason).toEqual(expect.any(String));
    expect(world.journal.calls.slice(calls)).toEqual([]);
    expect(world.bucket.writes.length).toBe(writes);
    expect(world.published).toHaveLength(0);
    expect(world.log.entries.some((e) => e.message === 'event dismissed')).toBe(true);
  });

  it('rejects an event whose alarm ARN does not name its alarm, and one with an oversized name', async () => {
    const world = createFakeWorld();
    const calls = world.journal.calls.length;
    const mismatched = (await world.invoke(
      snsAlarmEvent(ALARM, 'ALARM', world.clock.now(), alarmArn('another-alarm')),
    )) as Answer;
    const oversized = (await world.invoke(
      snsAlarmEvent('x'.repeat(256), 'ALARM', world.clock.now()),
    )) as Answer;
    expect(mismatched).toEqual({
      status: 'rejected',
      reason: expect.stringContaining('does not name the alarm'),
    });
    expect(oversized).toEqual({ status: 'rejected', reason: expect.stringContaining('AlarmName') });
    expect(world.journal.calls.slice(calls)).toEqual([]);
    expect(world.configLoads()).toBe(0);
  });
});

describe('the critical path', () => {
  it('takes the lock in one conditional write in a warm container and never reads the live listener first', async () => {
    const world = createFakeWorld({ listeners: 2 });
    await capturedAndShifted(world);
    const lockWrites = world.bucket.writes.filter((w) => w.key === watchdogLockKey(SERVICE)).length;
    const calls = world.journal.calls.length;
    world.alarms.set(ALARM, 'ALARM');

    const answer = (await world.invoke(snsAlarmEvent(ALARM, 'ALARM', world.clock.now()))) as Answer;

    expect(answer.result.outcome).toBe('rolled-back');
    const ops = world.journal.calls.slice(calls).map((c) => c.operation);
    // Acquire and release: two lock writes, no failing create-then-read.
    expect(world.bucket.writes.filter((w) => w.key === watchdogLockKey(SERVICE)).length - lockWrites).toBe(2);
    // The manifest came with the pointer: no second manifest read.
    expect(ops.filter((op) => op === 'store.getJson').length).toBe(2);
    expect(ops).not.toContain('traffic.describeListener');
    const firstWrite = ops.findIndex((op) => op.startsWith('traffic.restore'));
    expect(ops.slice(0, firstWrite).filter((op) => op.startsWith('traffic.describe'))).toEqual([]);
    // One batched read-back for both listeners.
    expect(ops.filter((op) => op === 'traffic.describeDefaultActions')).toHaveLength(1);
    expect(world.weights()).toEqual([
      [100, 0],
      [100, 0],
    ]);
  });

  it('reads the alarm back by ARN: a same-named alarm that is not the protected one is not acted on', async () => {
    const world = createFakeWorld();
    await capturedAndShifted(world);
    // The alarm was deleted and created again in another account under the same name.
    world.alarms.set(ALARM, 'ALARM', `arn:aws:cloudwatch:us-east-1:999999999999:alarm:${ALARM}`);

    const answer = (await world.invoke(snsAlarmEvent(ALARM, 'ALARM', world.clock.now()))) as Answer;

    expect(answer.result).toEqual(
      expect.objectContaining({ outcome: 'skipped', reason: expect.stringContaining('not the protected') }),
    );
    expect(world.weights()).toEqual([[0, 100]]);
  });

  it('reports a write whose read-back was only throttled as unverified, not failed, and the tick verifies it', async () => {
    const world = createFakeWorld({ policy: { stepTimeBudgetMs: 500 } });
    await capturedAndShifted(world);
    const throttle = world.journal.addFault({
      operation: 'traffic.describeDefaultActions',
      error: awsError('throttled', 'DescribeListeners', 'Throttling', 'Rate exceeded'),
    });
    world.alarms.set(ALARM, 'ALARM');

    const answer = (await world.invoke(snsAlarmEvent(ALARM, 'ALARM', world.clock.now()))) as Answer;

    expect(answer.result.outcome).toBe('rolled-back-unverified');
    expect(answer.result.steps?.map((s) => s.outcome)).toEqual(['unverified']);
    expect(answer.result.steps?.[0]?.detail).toContain('verification delayed');
    expect(world.weights()).toEqual([[100, 0]]);
    expect(state(world)?.unfinished).toEqual(expect.objectContaining({ releaseId: 'r1', attempts: 1 }));

    throttle.remove();
    world.clock.advance(minutes(1));
    const next = await tick(world);
    expect(next.result).toEqual(
      expect.objectContaining({ finishing: expect.objectContaining({ outcome: 'rolled-back' }) }),
    );
    expect(state(world)?.unfinished).toBeUndefined();
  });
});

describe('healthy capacity of the known-good color', () => {
  it('blocks a flip to a blue with fewer than half the candidate’s healthy targets, pages once, and the tick finishes it when blue recovers', async () => {
    const world = createFakeWorld({ policy: { repageMinutes: 10 } });
    await capturedAndShifted(world);
    const [pair] = world.pairs;
    world.traffic.setTargets(pair.greenArn, { a: 'healthy', b: 'healthy', c: 'healthy', d: 'healthy' });
    world.traffic.setTargets(pair.blueArn, { a: 'healthy', b: 'unhealthy', c: 'unhealthy', d: 'unhealthy' });
    world.alarms.set(ALARM, 'ALARM');

    await expect(world.invoke(snsAlarmEvent(ALARM, 'ALARM', world.clock.now()))).rejects.toMatchObject({
      name: 'PartialRollbackError',
    });
    expect(world.weights()).toEqual([[0, 100]]);
    const blocked = world.auditRecords().at(-1);
    expect(blocked?.steps[0]).toEqual(
      expect.objectContaining({
        outcome: 'blocked',
        detail: expect.stringContaining("50% of the candidate's 4"),
      }),
    );
    expect(state(world)?.unfinished).toEqual(expect.objectContaining({ releaseId: 'r1' }));
    // Nothing moved, so nothing is held: the next deploy must not pin traffic to an unhealthy blue.
    expect(state(world)?.latched).toBeUndefined();
    expect(world.published).toHaveLength(1);

    // Still blocked a minute later: tried again, not paged again inside the interval
    world.clock.advance(minutes(1));
    await tick(world);
    expect(world.published).toHaveLength(1);
    expect(state(world)?.unfinished?.attempts).toBe(2);

    // Past the interval: paged again
    world.clock.advance(minutes(10));
    await tick(world);
    expect(world.published).toHaveLength(2);

    // Blue recovers to two healthy targets (half of four): the tick finishes the rollback
    world.traffic.setTargets(pair.blueArn, { a: 'healthy', b: 'healthy', c: 'unhealthy', d: 'unhealthy' });
    world.clock.advance(minutes(1));
    const done = await tick(world);
    expect(done.result).toEqual(
      expect.objectContaining({ finishing: expect.objectContaining({ outcome: 'rolled-back' }) }),
    );
    expect(world.weights()).toEqual([[100, 0]]);
    expect(state(world)?.unfinished).toBeUndefined();
    expect(world.published).toHaveLength(3);
  });

  it('does not count a target group whose health cannot be read as unhealthy', async () => {
    const world = createFakeWorld({ policy: { stepTimeBudgetMs: 300 } });
    await capturedAndShifted(world);
    world.journal.addFault({
      operation: 'traffic.targetHealth',
      error: awsError('throttled', 'DescribeTargetHealth', 'Throttling', 'Rate exceeded'),
    });
    world.alarms.set(ALARM, 'ALARM');

    const answer = (await world.invoke(snsAlarmEvent(ALARM, 'ALARM', world.clock.now()))) as Answer;

    expect(answer.result.outcome).toBe('rolled-back');
    expect(world.weights()).toEqual([[100, 0]]);
    expect(world.log.entries.some((e) => e.message.includes('not counted as unhealthy'))).toBe(true);
  });

  it('stops retrying when the operator acknowledges the release', async () => {
    const world = createFakeWorld();
    await capturedAndShifted(world);
    world.traffic.setTargetHealth(world.pairs[0].blueArn, 'unhealthy');
    world.alarms.set(ALARM, 'ALARM');
    await expect(world.invoke(snsAlarmEvent(ALARM, 'ALARM', world.clock.now()))).rejects.toMatchObject({
      name: 'PartialRollbackError',
    });

    // When the operator acknowledges the release (decides to keep it), the tick stops retrying
    await world.invoke({ action: 'acknowledge', releaseId: 'r1', requestedBy: 'alice', reason: 'keep it' });
    expect(state(world)?.unfinished).toBeUndefined();
    world.clock.advance(minutes(1));
    const calls = world.journal.calls.length;
    world.alarms.set(ALARM, 'OK');
    await tick(world);
    expect(world.journal.calls.slice(calls).filter((c) => c.operation.startsWith('traffic.'))).toEqual([]);
    expect(world.weights()).toEqual([[0, 100]]);
  });
});

describe('the schedule tick', () => {
  it('costs two reads and no writes when every protected alarm is OK', async () => {
    const world = createFakeWorld();
    await capturedAndShifted(world);
    world.alarms.set(ALARM, 'OK');
    const calls = world.journal.calls.length;
    const writes = world.bucket.writes.length;

    const answer = await tick(world);

    expect(answer.result).toEqual({ alarmsInAlarm: [] });
    expect(
      world.journal.calls
        .slice(calls)
        .map((c) => c.operation)
        .sort(),
    ).toEqual(['alarms.alarmStates', 'store.getJson']);
    expect(world.bucket.writes.length).toBe(writes);
  });

  it('reads the alarms once, and writes nothing, while a rollback’s verification waits for them', async () => {
    const world = createFakeWorld();
    await capturedAndShifted(world);
    world.alarms.set(ALARM, 'ALARM');
    await tick(world); // rolls back; the alarm is still in ALARM, so the verification waits
    expect(state(world)?.verifying).toEqual(expect.objectContaining({ releaseId: 'r1' }));
    world.clock.advance(minutes(1));
    const calls = world.journal.calls.length;
    const writes = world.bucket.writes.length;

    const answer = await tick(world);

    expect(answer.result).toEqual(
      expect.objectContaining({ verified: expect.objectContaining({ status: 'pending' }) }),
    );
    expect(world.journal.calls.slice(calls).filter((c) => c.operation === 'alarms.alarmStates')).toHaveLength(
      1,
    );
    expect(world.bucket.writes.length).toBe(writes);
  });

  it('acts on a protected alarm in ALARM whose delivery was lost, and a late delivery of it is a duplicate', async () => {
    const world = createFakeWorld();
    await capturedAndShifted(world);
    world.alarms.set(ALARM, 'ALARM'); // the SNS delivery never arrives

    const answer = await tick(world);

    expect(answer.result).toEqual(
      expect.objectContaining({
        alarmsInAlarm: [ALARM],
        acted: expect.objectContaining({ outcome: 'rolled-back' }),
      }),
    );
    expect(world.weights()).toEqual([[100, 0]]);
    const late = (await world.invoke(
      snsAlarmEvent(ALARM, 'ALARM', Date.parse((await world.alarms.alarmStates([ALARM]))[0].updatedAt)),
    )) as Answer;
    expect(late.result.outcome).toBe('duplicate');
    // A minute later the alarm is still in ALARM, but the release is latched: nothing written, nothing sent.
    world.clock.advance(minutes(1));
    const writes = world.bucket.writes.length;
    await tick(world);
    expect(world.bucket.writes.length).toBe(writes);
    expect(world.auditRecords().filter((r) => r.decision === 'rollback')).toHaveLength(1);
    expect(world.published).toHaveLength(1);
  });
});

describe('exactly once', () => {
  it('does not roll back twice when the run that finished a partial rollback died before marking its receipt done', async () => {
    // Given a manual rollback whose first run was partial (one listener write failed)...
    const world = createFakeWorld({ listeners: 2, policy: { stepTimeBudgetMs: 500 } });
    await capturedAndShifted(world);
    const broken = world.pairs[1].listenerArn;
    const fault = world.journal.addFault({
      operation: 'traffic.restoreListenerActions',
      match: ([arn]) => arn === broken,
      error: awsError('transient', 'ModifyListener', 'InternalFailure'),
    });
    const request = {
      action: 'rollback',
      reason: 'bad release',
      requestedBy: 'alice',
      requestId: 'req-00000001',
    };
    await expect(world.invoke(request)).rejects.toMatchObject({ name: 'PartialRollbackError' });
    fault.remove();
    // ...and whose retry finished the rollback but could not mark the receipt done
    const receiptDone = world.journal.addFault({
      operation: 'store.putJson',
      match: ([key, body]) =>
        String(key).startsWith(`${auditKeyPrefix(SERVICE)}events/`) &&
        (body as { status?: string }).status === 'done',
      error: awsError('transient', 'PutObject', 'InternalError'),
      times: 1,
    });
    await expect(world.invoke(request)).rejects.toThrow(/InternalError/);
    receiptDone.remove();
    expect(world.auditRecords().filter((r) => r.outcome === 'rolled-back')).toHaveLength(1);
    const writes = world.journal.calls.filter((c) => c.operation.startsWith('traffic.restore')).length;

    // When the client retries the same request once more
    const again = (await world.invoke(request)) as Answer;

    // Then it is a duplicate of the completed rollback: nothing written, one rollback on record
    expect(again.result.outcome).toBe('duplicate');
    expect(world.journal.calls.filter((c) => c.operation.startsWith('traffic.restore')).length).toBe(writes);
    expect(world.auditRecords().filter((r) => r.outcome === 'rolled-back')).toHaveLength(1);
  });
});
