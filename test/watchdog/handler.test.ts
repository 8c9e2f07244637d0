/**
 * The handler with in-memory ports: every behaviour through `createHandler`, no emulator, no SDK, no
 * network. Time is a manual clock; the ports are the fakes of `./fakes`.
 */
import {
  auditKeyPrefix,
  releaseHoldPrefix,
  rollbackMarkerKey,
  trafficMarkerKey,
  serviceStatusSchema,
  watchdogLockKey,
  watchdogStateKey,
  type WatchdogState,
} from '../../lib';
import { ALARM, awsError, createFakeWorld, SERVICE, type FakeWorld } from './fakes';
import { minutes, snsAlarmEvent } from './fixtures';

type Outcome = { status: string; kind?: string; result: { outcome: string; reason?: string } };

/** Given: release r1 captured on blue, then the deploy moved every listener to green. */
async function capturedAndShifted(world: FakeWorld, releaseId = 'r1'): Promise<void> {
  const captured = await world.invoke({ action: 'capture', releaseId });
  expect(captured).toEqual(expect.objectContaining({ status: 'ok', kind: 'capture' }));
  world.shiftToGreen();
  world.clock.advance(minutes(2));
}

/** The alarm goes to ALARM now, and CloudWatch's state change as SNS delivers it. */
function alarmFires(world: FakeWorld) {
  world.alarms.set(ALARM, 'ALARM');
  return snsAlarmEvent(ALARM, 'ALARM', world.clock.now());
}

const state = (world: FakeWorld) => world.bucket.json(watchdogStateKey(SERVICE)) as WatchdogState | undefined;
const trafficWrites = (world: FakeWorld) =>
  world.journal.calls.filter((c) => c.operation.startsWith('traffic.restore'));

describe('the handler rolls a bad release back', () => {
  it('restores traffic, latches and holds the release, audits it and notifies once when its alarm fires', async () => {
    // Given a captured release that moved two listeners to green
    const world = createFakeWorld({ listeners: 2 });
    await capturedAndShifted(world);
    expect(world.weights()).toEqual([
      [0, 100],
      [0, 100],
    ]);

    // When its alarm goes to ALARM and the state change is delivered
    const response = (await world.invoke(alarmFires(world))) as Outcome;

    // Then traffic is back on blue, the decision is on record and announced once
    expect(response).toEqual(
      expect.objectContaining({
        status: 'ok',
        kind: 'alarm',
        result: expect.objectContaining({ outcome: 'rolled-back' }),
      }),
    );
    expect(world.weights()).toEqual([
      [100, 0],
      [100, 0],
    ]);
    const records = world.auditRecords();
    expect(records.map((r) => [r.decision, r.outcome])).toEqual([
      ['capture', 'captured'],
      ['rollback', 'rolled-back'],
    ]);
    expect(records[1]).toEqual(
      expect.objectContaining({
        releaseId: 'r1',
        trigger: expect.objectContaining({
          kind: 'alarm',
          source: 'sns',
          alarmName: ALARM,
          alarmState: 'ALARM',
        }),
        timeToRollbackMs: 0,
      }),
    );
    expect(records[1].steps.map((s) => [s.kind, s.target, s.outcome])).toEqual(
      world.pairs.map((p) => ['listener', p.listenerArn, 'applied']),
    );
    expect(world.published.map((n) => n.subject)).toEqual(['[switchback] checkout: rolled back release r1']);
    expect(world.published[0].message).toEqual(records[1]);
    expect(state(world)?.latched).toEqual(
      expect.objectContaining({ releaseId: 'r1', trigger: `alarm ${ALARM}` }),
    );
    expect(state(world)?.automaticRollbacks).toHaveLength(1);
    // The rollback marker, and the traffic marker the listener's hold reads (all traffic on blue).
    expect(world.bucket.keys(releaseHoldPrefix(SERVICE))).toEqual([
      rollbackMarkerKey(SERVICE, 'r1'),
      trafficMarkerKey(SERVICE, 'r1', 9999, 100),
    ]);
    expect(world.bucket.json(watchdogLockKey(SERVICE))).toEqual(expect.objectContaining({ released: true }));
    expect(world.metrics.decisions).toEqual(['captured', 'rolled-back']);
  });

  it('acknowledges a duplicate delivery of the same state change without acting or writing again', async () => {
    // Given a state change that was delivered and acted on
    const world = createFakeWorld();
    await capturedAndShifted(world);
    const event = alarmFires(world);
    await world.invoke(event);
    const writesBefore = world.bucket.writes.length;
    const callsBefore = world.journal.calls.length;

    // When Lambda delivers it again
    const again = (await world.invoke(event)) as Outcome;

    // Then it is a duplicate: only the lock was written, nothing moved, nobody told twice
    expect(again.result).toEqual(expect.objectContaining({ outcome: 'duplicate', decisionId: 'run-0002' }));
    expect(world.bucket.writes.slice(writesBefore).map((w) => w.key)).toEqual([
      watchdogLockKey(SERVICE),
      watchdogLockKey(SERVICE),
    ]);
    // (the alarm and the known-good groups' health are read in the same parallel wave as the
    // receipt, before it is known to be a duplicate: reads only)
    const later = world.journal.calls.slice(callsBefore).map((c) => c.operation);
    expect(new Set(later.filter((op) => !op.startsWith('store.')))).toEqual(
      new Set(['alarms.alarmStates', 'traffic.targetHealth']),
    );
    expect(trafficWrites(world)).toHaveLength(1);
    expect(world.auditRecords().filter((r) => r.decision === 'rollback')).toHaveLength(1);
    expect(world.published).toHaveLength(1);
  });

  it('acts once for concurrent deliveries of the same state change', async () => {
    const world = createFakeWorld();
    await capturedAndShifted(world);
    const event = alarmFires(world);

    const responses = (await Promise.all(Array.from({ length: 4 }, () => world.invoke(event)))) as Outcome[];

    expect(responses.map((r) => r.result.outcome).sort()).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'rolled-back',
    ]);
    expect(trafficWrites(world)).toHaveLength(1);
    expect(world.published).toHaveLength(1);
  });

  it('restores the alias, parameter and artifact once traffic is back', async () => {
    // Given a release that changed an alias, a parameter and an artifact besides traffic
    const artifactKey = 'artifacts/checkout/app.zip';
    const world = createFakeWorld({
      extraConfig: {
        aliases: [{ functionName: 'checkout-api', aliasName: 'live' }],
        parameters: [{ name: '/checkout/flags' }],
        artifacts: [{ key: artifactKey }],
      },
    });
    world.aliases.addFunction('checkout-api', ['1', '2']);
    world.aliases.setAlias({
      functionName: 'checkout-api',
      aliasName: 'live',
      functionVersion: '1',
      additionalVersionWeights: {},
    });
    world.parameters.put('/checkout/flags', 'old');
    const blueBundle = world.bucket.put(artifactKey, 'bundle-1');
    await capturedAndShifted(world);
    world.aliases.setAlias({
      functionName: 'checkout-api',
      aliasName: 'live',
      functionVersion: '2',
      additionalVersionWeights: {},
    });
    world.parameters.put('/checkout/flags', 'new');
    world.bucket.put(artifactKey, 'bundle-2');

    // When the alarm fires
    const response = (await world.invoke(alarmFires(world))) as Outcome;

    // Then everything is as captured, traffic first
    expect(response.result.outcome).toBe('rolled-back');
    expect((await world.aliases.describeAlias('checkout-api', 'live')).functionVersion).toBe('1');
    expect(world.parameters.valueOf('/checkout/flags')).toBe('old');
    expect(world.bucket.current(artifactKey)?.body).toBe(blueBundle.body);
    const restores = world.journal.calls.map((c) => c.operation).filter((op) => /\.restore/.test(op));
    expect(restores[0]).toBe('traffic.restoreListenerActions');
    expect(restores.slice(1).sort()).toEqual([
      'aliases.restoreAlias',
      'artifacts.restoreVersion',
      'parameters.restoreVersion',
    ]);
  });
});

describe('the handler holds back', () => {
  it('skips, and says so, when the alarm is back to OK by the time it is read', async () => {
    // Given an ALARM state change whose alarm has recovered since
    const world = createFakeWorld();
    await capturedAndShifted(world);
    const event = alarmFires(world);
    world.alarms.set(ALARM, 'OK');

    // When it is delivered
    const response = (await world.invoke(event)) as Outcome;

    // Then nothing moves, and the skip is audited and announced
    expect(response.result).toEqual(
      expect.objectContaining({
        outcome: 'skipped',
        reason: expect.stringContaining('is OK when read back'),
      }),
    );
    expect(world.weights()).toEqual([[0, 100]]);
    expect(trafficWrites(world)).toEqual([]);
    expect(world.auditRecords().map((r) => r.outcome)).toEqual(['captured', 'skipped']);
    expect(world.published.map((n) => n.subject)).toEqual([
      '[switchback] checkout: skip (skipped) release r1',
    ]);
    expect(state(world)?.latched).toBeUndefined();
  });

  it('skips an alarm that fires after the release’s evaluation window', async () => {
    // Given a release captured more than its 30-minute window ago
    const world = createFakeWorld({ policy: { evaluationWindowMinutes: 30 } });
    await capturedAndShifted(world);
    world.clock.advance(minutes(29));

    // When its alarm fires
    const response = (await world.invoke(alarmFires(world))) as Outcome;

    // Then the watchdog leaves it alone
    expect(response.result).toEqual(
      expect.objectContaining({ outcome: 'skipped', reason: expect.stringContaining('evaluation window') }),
    );
    expect(world.weights()).toEqual([[0, 100]]);
    expect(trafficWrites(world)).toEqual([]);
  });

  it('skips a new release’s alarm during the cooldown after a rollback', async () => {
    // Given r1 rolled back, and r2 released five minutes later (no deploy freeze)
    const world = createFakeWorld({ policy: { cooldownMinutes: 10, freezeMinutes: 0 } });
    await capturedAndShifted(world, 'r1');
    await world.invoke(alarmFires(world));
    world.alarms.set(ALARM, 'OK');
    world.clock.advance(minutes(3));
    await capturedAndShifted(world, 'r2');

    // When r2's alarm fires
    const response = (await world.invoke(alarmFires(world))) as Outcome;

    // Then the cooldown holds it back
    expect(response.result.reason).toMatch(/the cooldown is 10 min/);
    expect(world.weights()).toEqual([[0, 100]]);
    expect(trafficWrites(world)).toHaveLength(1);
  });

  it('skips once the budget of automatic rollbacks is spent', async () => {
    // Given one automatic rollback already today, and a budget of one (no deploy freeze)
    const world = createFakeWorld({
      policy: { cooldownMinutes: 0, maxAutomaticRollbacks: 1, freezeMinutes: 0 },
    });
    await capturedAndShifted(world, 'r1');
    await world.invoke(alarmFires(world));
    world.alarms.set(ALARM, 'OK');
    world.clock.advance(minutes(60));
    await capturedAndShifted(world, 'r2');

    // When r2's alarm fires
    const response = (await world.invoke(alarmFires(world))) as Outcome;

    // Then the budget stops it
    expect(response.result.reason).toMatch(/1 automatic rollbacks in the last 1440 min; the budget is 1/);
    expect(world.weights()).toEqual([[0, 100]]);
  });

  it('moves nothing and holds nothing when no known-good group has healthy targets, and fails after the audit', async () => {
    // Given the blue target group has no healthy target left
    const world = createFakeWorld();
    await capturedAndShifted(world);
    world.traffic.setTargetHealth(world.pairs[0].blueArn, 'unhealthy');

    // When the alarm fires, the run fails (so Lambda retries it) ...
    await expect(world.invoke(alarmFires(world))).rejects.toMatchObject({
      name: 'PartialRollbackError',
      message: expect.stringMatching(/is partial: listener .*: blocked \(not applied/),
    });

    // ... after auditing the blocked step; traffic stays, and no hold or latch is written
    const [record] = world.auditRecords().filter((r) => r.decision === 'rollback');
    expect(record.outcome).toBe('partial');
    expect(record.steps).toEqual([
      expect.objectContaining({ outcome: 'blocked', detail: expect.stringContaining('healthy target') }),
    ]);
    expect(world.weights()).toEqual([[0, 100]]);
    expect(trafficWrites(world)).toEqual([]);
    expect(world.bucket.keysEverWritten(releaseHoldPrefix(SERVICE))).toEqual([]);
    expect(state(world)?.latched).toBeUndefined();
    expect(world.published.map((n) => n.subject)).toEqual([
      '[switchback] checkout: PARTIAL rollback release r1, action needed',
    ]);
  });
});

describe('manual requests', () => {
  it('plans a dry-run rollback without moving anything', async () => {
    // Given a captured release on green
    const world = createFakeWorld({ listeners: 2 });
    await capturedAndShifted(world);
    const writesBefore = world.bucket.writes.length;

    // When an operator asks for a dry run
    const response = (await world.invoke({
      action: 'rollback',
      reason: 'rehearsal',
      requestedBy: 'alice',
      dryRun: true,
    })) as { result: { outcome: string; steps: { kind: string; outcome: string }[] } };

    // Then the plan is answered and audited, and nothing else happens
    expect(response.result.outcome).toBe('planned');
    expect(response.result.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['listener', 'planned'],
      ['listener', 'planned'],
    ]);
    expect(world.weights()).toEqual([
      [0, 100],
      [0, 100],
    ]);
    expect(trafficWrites(world)).toEqual([]);
    const written = new Set(world.bucket.writes.slice(writesBefore).map((w) => w.key));
    expect([...written].filter((k) => k !== watchdogLockKey(SERVICE) && !k.includes('/decisions/'))).toEqual(
      [],
    );
    expect(world.published).toEqual([]);
    expect(world.auditRecords().at(-1)).toEqual(
      expect.objectContaining({ decision: 'plan', outcome: 'planned', reason: 'rehearsal' }),
    );
  });

  it('refuses to acknowledge a release that was not rolled back', async () => {
    const world = createFakeWorld();
    await capturedAndShifted(world);

    await expect(
      world.invoke({ action: 'acknowledge', releaseId: 'r1', requestedBy: 'alice', reason: 'looks fine' }),
    ).rejects.toThrow(/release r1 was not rolled back: there is nothing to acknowledge/);

    expect(world.bucket.keysEverWritten(releaseHoldPrefix(SERVICE))).toEqual([]);
    expect(world.auditRecords().map((r) => r.decision)).toEqual(['capture']);
    expect(world.bucket.json(watchdogLockKey(SERVICE))).toEqual(expect.objectContaining({ released: true }));
  });

  it('acknowledges a rolled-back release: the hold is lifted and the watchdog re-armed', async () => {
    const world = createFakeWorld();
    await capturedAndShifted(world);
    await world.invoke(alarmFires(world));

    const response = await world.invoke({
      action: 'acknowledge',
      releaseId: 'r1',
      requestedBy: 'alice',
      reason: 'fixed the config',
    });

    expect(response).toEqual({
      status: 'ok',
      kind: 'acknowledge',
      result: { releaseId: 'r1', wasRolledBack: true },
    });
    expect(world.bucket.keys(releaseHoldPrefix(SERVICE))).toEqual([
      `${releaseHoldPrefix(SERVICE)}r1.acknowledged`,
      rollbackMarkerKey(SERVICE, 'r1'),
      trafficMarkerKey(SERVICE, 'r1', 9999, 100),
    ]);
    expect(state(world)?.latched).toBeUndefined();
  });

  it('answers status in the shape the CLI reads', async () => {
    // Given a captured release on green, ten minutes in
    const world = createFakeWorld({ listeners: 2 });
    await capturedAndShifted(world);
    world.clock.advance(minutes(8));

    // When an operator asks for status
    const response = (await world.invoke({ action: 'status' })) as { status: string; result: unknown };

    // Then the answer parses with the CLI's schema and says where traffic is
    expect(response.status).toBe('ok');
    const status = serviceStatusSchema.parse(response.result);
    expect(status).toEqual(
      expect.objectContaining({
        service: SERVICE,
        release: expect.objectContaining({ releaseId: 'r1' }),
        evaluationWindowLeftSeconds: 50 * 60,
        lock: { held: false },
        alarms: [expect.objectContaining({ name: ALARM, value: 'OK' })],
      }),
    );
    expect(status.listeners.map((l) => [l.name, l.activeColor])).toEqual([
      ['listener-0', 'green'],
      ['listener-1', 'green'],
    ]);
    expect(world.bucket.writes.filter((w) => w.key === watchdogLockKey(SERVICE))).toHaveLength(2); // capture's
  });
});

describe('events the handler does not act on', () => {
  it.each([
    ['not an object', 'hello'],
    ['an unknown action', { action: 'destroy' }],
    ['a rollback without a reason', { action: 'rollback', requestedBy: 'alice' }],
    ['an SNS message that is not JSON', { Records: [{ EventSource: 'aws:sns', Sns: { Message: 'oops' } }] }],
  ])('rejects %s with a reason, touching no port', async (_what, event) => {
    const world = createFakeWorld();

    const response = await world.invoke(event);

    expect(response).toEqual({ status: 'rejected', reason: expect.any(String) });
    expect(world.journal.calls).toEqual([]);
    expect(world.configLoads()).toBe(0);
    expect(world.log.entries).toEqual([
      expect.objectContaining({ level: 'warn', message: 'event rejected' }),
    ]);
  });
});

describe('failures', () => {
  it('reports a failed listener write as partial, then finishes the rollback on redelivery', async () => {
    // Given two listeners on green, and ModifyListener failing for the second one
    const world = createFakeWorld({ listeners: 2, policy: { stepTimeBudgetMs: 1000 } });
    await capturedAndShifted(world);
    const broken = world.pairs[1].listenerArn;
    const fault = world.journal.addFault({
      operation: 'traffic.restoreListenerActions',
      match: ([arn]) => arn === broken,
      error: awsError('transient', 'ModifyListener', 'InternalFailure', 'We encountered an internal error'),
    });
    const event = alarmFires(world);

    // When the alarm is delivered, the run is partial and fails after its audit
    await expect(world.invoke(event)).rejects.toThrow(
      /rollback run-0002 is partial: listener .*: failed \(ModifyListener failed \(InternalFailure\)/,
    );
    expect(world.weights()).toEqual([
      [100, 0],
      [0, 100],
    ]);
    expect(world.auditRecords().at(-1)?.outcome).toBe('partial');
    expect(world.published.map((n) => n.subject)).toEqual([
      '[switchback] checkout: PARTIAL rollback release r1, action needed',
    ]);
    const receipts = world.bucket.keys(`${auditKeyPrefix(SERVICE)}events/`);
    expect(receipts.map((k) => world.bucket.json(k))).toEqual([
      expect.objectContaining({ status: 'failed' }),
    ]);

    // And when Lambda redelivers it after the fault cleared, even though the alarm recovered meanwhile
    fault.remove();
    world.alarms.set(ALARM, 'OK');
    world.clock.advance(minutes(1));
    const retried = (await world.invoke(event)) as Outcome;

    // Then the same rollback is finished, not counted against the budget again
    expect(retried.result.outcome).toBe('rolled-back');
    expect(world.weights()).toEqual([
      [100, 0],
      [100, 0],
    ]);
    const last = world.auditRecords().at(-1);
    expect(last?.checks.map((c) => c.name)).toEqual(['finishing-partial-rollback']);
    // (every captured listener is written again: writing the captured actions is idempotent)
    expect(last?.steps.map((s) => [s.target, s.outcome])).toEqual([
      [world.pairs[0].listenerArn, 'applied'],
      [broken, 'applied'],
    ]);
    expect(state(world)?.automaticRollbacks).toHaveLength(1);
    expect(world.bucket.json(receipts[0])).toEqual(expect.objectContaining({ status: 'done' }));
  });

  it('leaves configuration alone while traffic is not back on the known-good groups', async () => {
    // Given a release that also moved an alias, and ModifyListener failing
    const world = createFakeWorld({
      policy: { stepTimeBudgetMs: 500 },
      extraConfig: { aliases: [{ functionName: 'checkout-api', aliasName: 'live' }] },
    });
    const alias = (functionVersion: string) => ({
      functionName: 'checkout-api',
      aliasName: 'live',
      functionVersion,
      additionalVersionWeights: {},
    });
    world.aliases.addFunction('checkout-api', ['1', '2']);
    world.aliases.setAlias(alias('1'));
    await capturedAndShifted(world);
    world.aliases.setAlias(alias('2'));
    world.journal.addFault({
      operation: 'traffic.restoreListenerActions',
      error: awsError('access-denied', 'ModifyListener', 'AccessDenied', 'not authorized'),
    });

    // When the alarm fires
    await expect(world.invoke(alarmFires(world))).rejects.toThrow(/is partial/);

    // Then the alias still serves the release with the release's traffic: no third, untested state
    expect((await world.aliases.describeAlias('checkout-api', 'live')).functionVersion).toBe('2');
    expect(world.journal.callsOf('aliases.restoreAlias')).toEqual([]);
    expect(
      world
        .auditRecords()
        .at(-1)
        ?.steps.map((s) => [s.kind, s.outcome]),
    ).toEqual([
      ['listener', 'failed'],
      ['alias', 'blocked'],
    ]);
  });

  it('does not let the redelivery of a run that moved nothing "finish" a rollback another trigger made', async () => {
    // Given an alarm whose run was blocked (blue unhealthy), then a manual rollback once blue recovered
    const world = createFakeWorld();
    await capturedAndShifted(world);
    world.traffic.setTargetHealth(world.pairs[0].blueArn, 'unhealthy');
    const blocked = alarmFires(world);
    await expect(world.invoke(blocked)).rejects.toThrow(/partial/);
    world.traffic.setTargetHealth(world.pairs[0].blueArn, 'healthy');
    await world.invoke({ action: 'rollback', reason: 'by hand', requestedBy: 'oncall' });
    world.alarms.set(ALARM, 'OK');

    // When Lambda redelivers the blocked alarm
    const retried = (await world.invoke(blocked)) as Outcome;

    // Then it is decided afresh (and skipped), not taken for the rollback it did not make
    expect(retried.result.outcome).toBe('skipped');
    const records = world.auditRecords();
    expect(records.filter((r) => r.outcome === 'rolled-back')).toHaveLength(1);
    expect(records.flatMap((r) => r.checks.map((c) => c.name))).not.toContain('finishing-partial-rollback');
  });

  it('takes the redelivery of a run that rolled back but lost its receipt for a duplicate', async () => {
    // Given a run that rolled back and audited, then failed writing its receipt as done
    const world = createFakeWorld();
    await capturedAndShifted(world);
    const fault = world.journal.addFault({
      operation: 'store.putJson',
      match: ([key, body]) =>
        String(key).includes('/events/') && (body as { status?: string }).status === 'done',
      error: awsError('transient', 'PutObject', 'InternalError', 'We encountered an internal error'),
      times: 1,
    });
    const event = alarmFires(world);
    await expect(world.invoke(event)).rejects.toThrow(/InternalError/);
    fault.remove();
    expect(world.weights()).toEqual([[100, 0]]);

    // When Lambda redelivers the event
    const retried = (await world.invoke(event)) as Outcome;

    // Then it is acknowledged as the rollback already made: nothing moves, nobody is told twice
    expect(retried.result).toEqual(expect.objectContaining({ outcome: 'duplicate', decisionId: 'run-0002' }));
    expect(trafficWrites(world)).toHaveLength(1);
    expect(world.published).toHaveLength(1);
    expect(state(world)?.automaticRollbacks).toHaveLength(1);
  });

  it('fails with LockBusyError after waiting while another run holds the lock', async () => {
    // Given another run's lock, good for another minute
    const world = createFakeWorld({ lockWaitMs: 300 });
    await capturedAndShifted(world);
    world.holdLock('other-run', world.clock.now() + minutes(1));
    const before = world.clock.now();
    const callsBefore = world.journal.calls.length;

    // When a rollback is requested
    await expect(
      world.invoke({ action: 'rollback', reason: 'busy', requestedBy: 'alice' }),
    ).rejects.toMatchObject({
      name: 'LockBusyError',
      message: 'another watchdog run holds the lock of checkout; this delivery will be retried',
    });

    // Then it waited, then gave up without touching anything or the other run's lock
    expect(world.clock.now()).toBeGreaterThan(before);
    expect(world.weights()).toEqual([[0, 100]]);
    // (only the reads of the first parallel wave went out: target health, read ahead)
    expect(
      world.journal.calls
        .slice(callsBefore)
        .filter((c) => !c.operation.startsWith('store.') && c.operation !== 'traffic.targetHealth'),
    ).toEqual([]);
    expect(world.bucket.json(watchdogLockKey(SERVICE))).toEqual(
      expect.objectContaining({ owner: 'other-run', released: false }),
    );
    expect(world.auditRecords().map((r) => r.decision)).toEqual(['capture']);
  });

  it('takes over a lock whose owner crashed (its lease expired)', async () => {
    const world = createFakeWorld({ lockWaitMs: 300 });
    await capturedAndShifted(world);
    world.holdLock('crashed-run', world.clock.now() - 1000);

    const response = (await world.invoke({
      action: 'rollback',
      reason: 'after a crash',
      requestedBy: 'alice',
    })) as Outcome;

    expect(response.result.outcome).toBe('rolled-back');
    expect(world.bucket.json(watchdogLockKey(SERVICE))).toEqual(
      expect.objectContaining({ owner: 'run-0002', released: true }),
    );
  });
});
