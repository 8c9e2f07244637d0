/**
 * Regression (found by the soak): a run that completed a rollback and wrote its audit record, but
 * could not settle the trigger's receipt, failed; its redelivery rolled the same breach back a second
 * time (a second `rolled-back` record, a second notification).
 */
import { useEmulator } from '../emulator/testing';
import { createWorld, snsAlarmEvent, type World } from './harness';

const emulator = useEmulator();
const ALARM = 'checkout-5xx';

/** Fails every write that settles a trigger receipt (marks it done or failed). */
function failReceiptSettle(world: World) {
  return world.emulator.faults.add({
    service: 's3',
    action: 'PutObject',
    match: (call) =>
      String(call.params.Key ?? '').includes('/events/') &&
      /"status":"(done|failed)"/.test(String(call.params.$body ?? '')),
    error: { status: 500 },
  });
}

/** Release r1 captured and deployed, then rolled back by hand, but the write settling the receipt failed. */
async function rolledBackWithReceiptLost(requestId: string) {
  const world = await createWorld(emulator());
  await world.invoke({ action: 'capture', releaseId: 'r1' });
  await world.shiftToGreen();
  const request = { action: 'rollback', reason: 'bad release', requestedBy: 'oncall', requestId };
  const fault = failReceiptSettle(world);
  await expect(world.invoke(request)).rejects.toThrow(/PutObject failed/);
  fault.remove();
  return { world, request };
}

describe('a redelivery after the receipt was lost', () => {
  it('is a duplicate of the completed rollback: one rollback record, one notification', async () => {
    // Given a rollback that completed and was audited, but whose receipt was never settled
    const world = await createWorld(emulator());
    await world.invoke({ action: 'capture', releaseId: 'r1' });
    await world.shiftToGreen();
    world.setAlarm(ALARM, 'ALARM');
    const event = snsAlarmEvent(ALARM, 'ALARM', Date.now());
    const fault = failReceiptSettle(world);
    await expect(world.invoke(event)).rejects.toThrow(/PutObject failed/);
    fault.remove();
    const [first] = (await world.auditRecords()).filter((r) => r.decision === 'rollback');

    // When Lambda redelivers the event
    const retried = (await world.invoke(event)) as { result: { outcome: string; decisionId: string } };

    // Then it is acknowledged as a duplicate of that rollback, and nothing is recorded or sent twice
    expect(retried.result).toEqual(
      expect.objectContaining({ outcome: 'duplicate', decisionId: first.decisionId }),
    );
    expect((await world.auditRecords()).filter((r) => r.decision === 'rollback')).toHaveLength(1);
    expect(
      world.emulator.sns.publishedMessages(world.topicArn).filter((m) => m.subject?.includes('rolled back')),
    ).toHaveLength(1);
    expect(await world.weights()).toEqual([[100, 0]]);
    // ... and the receipt is settled now: a further delivery is a plain duplicate
    const again = (await world.invoke(event)) as { result: { outcome: string } };
    expect(again.result.outcome).toBe('duplicate');
  });

  it('is a duplicate even when another rollback of the release latched meanwhile', async () => {
    // Given a manual rollback that completed and was audited, but whose receipt was never settled
    const { world, request } = await rolledBackWithReceiptLost('req-0001-lost-receipt');
    const [first] = (await world.auditRecords()).filter((r) => r.decision === 'rollback');
    // ... and another request rolled the same release back before Lambda's retry came (its latch now)
    await world.invoke({ action: 'rollback', reason: 'second opinion', requestedBy: 'oncall' });

    // When Lambda redelivers the first request
    const retried = (await world.invoke(request)) as { result: { outcome: string; decisionId: string } };

    // Then it is a duplicate of its own completed rollback, not a second one
    expect(retried.result).toEqual(
      expect.objectContaining({ outcome: 'duplicate', decisionId: first.decisionId }),
    );
    expect(
      (await world.auditRecords()).filter(
        (r) => r.decision === 'rollback' && r.outcome === 'rolled-back' && r.reason === request.reason,
      ),
    ).toHaveLength(1);
  });

  it('is a duplicate after a new release, which it does not roll back', async () => {
    // Given a manual rollback of r1 that completed and was audited, but whose receipt was never settled
    const { world, request } = await rolledBackWithReceiptLost('req-0002-lost-receipt');
    // ... and a fix-forward release r2 was captured and deployed before Lambda's retry came
    await world.invoke({ action: 'acknowledge', releaseId: 'r1', requestedBy: 'oncall', reason: 'fixed' });
    await world.invoke({ action: 'capture', releaseId: 'r2' });
    await world.shiftToGreen();

    // When Lambda redelivers the request
    const retried = (await world.invoke(request)) as { result: { outcome: string } };

    // Then it is a duplicate: r2 keeps its traffic
    expect(retried.result.outcome).toBe('duplicate');
    expect(await world.weights()).toEqual([[0, 100]]);
  });

  it('still finishes a partial rollback whose receipt was lost', async () => {
    // Given a rollback left partial (one listener failing) whose receipt could not be marked failed
    const world = await createWorld(emulator(), { listeners: 2, policy: { stepTimeBudgetMs: 500 } });
    await world.invoke({ action: 'capture', releaseId: 'r1' });
    await world.shiftToGreen();
    world.setAlarm(ALARM, 'ALARM');
    const broken = world.pairs[1].listenerArn;
    const listenerFault = world.emulator.faults.add({
      service: 'elbv2',
      action: 'ModifyListener',
      match: (call) => call.params.ListenerArn === broken,
      error: { status: 500, code: 'InternalFailure' },
    });
    const receiptFault = failReceiptSettle(world);
    const event = snsAlarmEvent(ALARM, 'ALARM', Date.now());
    await expect(world.invoke(event)).rejects.toThrow();
    listenerFault.remove();
    receiptFault.remove();

    // When the event is redelivered
    const retried = (await world.invoke(event)) as { result: { outcome: string } };

    // Then the rollback is finished, not taken for a duplicate
    expect(retried.result.outcome).toBe('rolled-back');
    expect(await world.weights()).toEqual([
      [100, 0],
      [100, 0],
    ]);
    expect(
      (await world.auditRecords()).filter((r) => r.decision === 'rollback').map((r) => r.outcome),
    ).toEqual(expect.arrayContaining(['partial', 'rolled-back']));
  });
});
