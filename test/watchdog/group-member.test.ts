/**
 * A watchdog in a rollback group: it tells the group's coordinator of each rollback it makes (after
 * traffic is restored and audited) and of each acknowledgement, never fails a rollback for it, and
 * records who asked (the verified caller) and for which group in the audit of manual actions.
 */
import { callerRequestDigest } from '../../lib/caller-proof';
import type { ShiftingPlan, WatchdogConfigInput } from '../../lib';
import { ALARM, awsError, createFakeWorld, SERVICE, type FakeWorld } from './fakes';
import { fakeCallerProof } from './fake-release-safety';
import { ACCOUNT, minutes, snsAlarmEvent } from './fixtures';

const COORDINATOR = `arn:aws:lambda:us-west-2:${ACCOUNT}:function:switchback-shop-coordinator`;
const GROUP: Partial<WatchdogConfigInput> = { group: { name: 'shop', coordinatorFunctionArn: COORDINATOR } };
const OPERATOR = `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice`;

type Answer = { status: string; result: { outcome: string; decisionId?: string } };

function groupWorld(options: Parameters<typeof createFakeWorld>[0] = {}): FakeWorld {
  return createFakeWorld({ ...options, extraConfig: { ...GROUP, ...options.extraConfig } });
}

/** Given: release r1 captured on blue, then the deploy moved traffic to green. */
async function capturedAndShifted(world: FakeWorld, releaseId = 'r1'): Promise<void> {
  await world.invoke({ action: 'capture', releaseId });
  world.shiftToGreen();
  world.clock.advance(minutes(2));
}

function alarmFires(world: FakeWorld) {
  world.alarms.set(ALARM, 'ALARM');
  return snsAlarmEvent(ALARM, 'ALARM', world.clock.now());
}

/** A manual request signed as `arn` (what the CLI or a coordinator sends). */
function signed(request: Record<string, unknown>, arn = OPERATOR): Record<string, unknown> {
  return { ...request, callerProof: fakeCallerProof(arn, callerRequestDigest(request)) };
}

describe('a group member reports its rollbacks', () => {
  it('tells the coordinator of an automatic rollback after traffic is restored and the decision audited', async () => {
    // Given a member of group shop with a release on green
    const world = groupWorld();
    await capturedAndShifted(world);

    // When its alarm fires
    const answer = (await world.invoke(alarmFires(world))) as Answer;

    // Then the coordinator hears of the rollback, once, naming the member's decision
    expect(answer.result.outcome).toBe('rolled-back');
    expect(world.group.reports).toEqual([
      {
        coordinatorFunctionArn: COORDINATOR,
        report: {
          action: 'member-rolled-back',
          group: 'shop',
          service: SERVICE,
          releaseId: 'r1',
          decisionId: answer.result.decisionId,
          at: new Date(world.clock.now()).toISOString(),
          outcome: 'rolled-back',
          byGroup: false,
        },
      },
    ]);
    // And only after traffic moved and the audit record was written
    const operations = world.journal.calls.map((c) => c.operation);
    const reported = operations.indexOf('group.report');
    const recorded = world.journal.calls.findIndex(
      (c) => c.operation === 'store.putJson' && String(c.args[0]).includes('/decisions/'),
    );
    expect(operations.lastIndexOf('traffic.restoreListenerActions')).toBeLessThan(reported);
    expect(recorded).toBeGreaterThanOrEqual(0);
    expect(recorded).toBeLessThan(reported);
  });

  it('reports a partial rollback too, before the run fails for Lambda to retry it', async () => {
    // Given the known-good group has no healthy target: nothing can move
    const world = groupWorld();
    await capturedAndShifted(world);
    world.traffic.setTargetHealth(world.pairs[0].blueArn, 'unhealthy');

    // When the alarm fires, the run fails after its audit ...
    await expect(world.invoke(alarmFires(world))).rejects.toMatchObject({ name: 'PartialRollbackError' });

    // ... and the group was told of the partial rollback
    expect(world.group.reports.map((r) => [r.report.action, r.report.outcome])).toEqual([
      ['member-rolled-back', 'partial'],
    ]);
  });

  it('reports the tick finishing it once traffic is back, and not each blocked retry', async () => {
    // Given a rollback that could move nothing (reported as partial)
    const world = groupWorld();
    await capturedAndShifted(world);
    world.traffic.setTargetHealth(world.pairs[0].blueArn, 'unhealthy');
    await expect(world.invoke(alarmFires(world))).rejects.toMatchObject({ name: 'PartialRollbackError' });

    // When the tick retries while blue is still unhealthy, then after it recovered
    world.clock.advance(minutes(1));
    await world.invoke({ action: 'tick' });
    const whileBlocked = world.group.reports.length;
    world.traffic.setTargetHealth(world.pairs[0].blueArn, 'healthy');
    world.clock.advance(minutes(1));
    await world.invoke({ action: 'tick' });

    // Then the group heard of the partial start and of the finish, not of the blocked retry
    expect(whileBlocked).toBe(1);
    expect(world.weights()).toEqual([[100, 0]]);
    expect(world.group.reports.map((r) => r.report.outcome)).toEqual(['partial', 'rolled-back']);
    // ... both as the same rollback (the first run's decision and time), which the coordinator's record
    // key is made of: the finish is already decided there, no second cause
    const [start, finish] = world.group.reports.map((r) => r.report);
    expect(finish.decisionId).toBe(start.decisionId);
    expect(finish.at).toBe(start.at);
  });

  it('reports the finish of a partial rollback that moved some traffic as the first rollback', async () => {
    // Given a rollback that moved one listener but not the other (latched, unfinished)
    const world = groupWorld({ listeners: 2, policy: { stepTimeBudgetMs: 500 } });
    await capturedAndShifted(world);
    const broken = world.pairs[1].listenerArn;
    const fault = world.journal.addFault({
      operation: 'traffic.restoreListenerActions',
      match: ([arn]) => arn === broken,
      error: awsError('transient', 'ModifyListener', 'InternalFailure'),
    });
    await expect(world.invoke(alarmFires(world))).rejects.toMatchObject({ name: 'PartialRollbackError' });
    fault.remove();
    const start = world.group.reports[0]?.report;
    expect(start?.outcome).toBe('partial');

    // When the tick finishes it
    world.clock.advance(minutes(1));
    await world.invoke({ action: 'tick' });

    // Then the finish is reported under the first rollback's decision and time
    expect(world.group.reports.map((r) => r.report.outcome)).toEqual(['partial', 'rolled-back']);
    expect(world.group.reports[1]?.report).toEqual({ ...start, outcome: 'rolled-back' });
  });

  it('reports the finish as the first rollback when the first report was lost: the group is still told', async () => {
    // Given a rollback that could move nothing, whose report did not reach the coordinator
    const world = groupWorld();
    await capturedAndShifted(world);
    world.traffic.setTargetHealth(world.pairs[0].blueArn, 'unhealthy');
    world.group.failWith = new Error('Invoke failed (ServiceException)');
    await expect(world.invoke(alarmFires(world))).rejects.toMatchObject({ name: 'PartialRollbackError' });
    const decisionId = world.auditRecords().find((r) => r.decision === 'rollback')?.decisionId;
    expect(decisionId).toEqual(expect.any(String));

    // When the coordinator answers again and the tick finishes the rollback
    world.group.failWith = undefined;
    world.traffic.setTargetHealth(world.pairs[0].blueArn, 'healthy');
    world.clock.advance(minutes(1));
    await world.invoke({ action: 'tick' });

    // Then the group hears of it, as the first rollback
    expect(world.group.reports.map((r) => [r.report.decisionId, r.report.outcome])).toEqual([
      [decisionId, 'rolled-back'],
    ]);
  });

  it('marks a rollback the group asked for as its byproduct, and records the group and the caller', async () => {
    // Given a member that follows another
    const world = groupWorld({ policy: { verifiedCallers: 'required' } });
    await capturedAndShifted(world);
    const coordinatorRole = `arn:aws:sts::${ACCOUNT}:assumed-role/shop-coordinator/switchback-shop-coordinator`;

    // When the coordinator asks for its rollback, signed with its own credentials
    const answer = (await world.invoke(
      signed(
        {
          action: 'rollback',
          reason: 'group shop: api rolled back (dec-api-1)',
          requestedBy: 'group:shop',
          requestId: 'g-0123456789abcdef',
          group: { name: 'shop', cause: 'dec-api-1' },
        },
        coordinatorRole,
      ),
    )) as Answer;

    // Then it rolls back, its record names the group, the cause and the verified caller
    expect(answer.result.outcome).toBe('rolled-back');
    const record = world.auditRecords().find((r) => r.decision === 'rollback');
    expect(record?.trigger).toEqual(
      expect.objectContaining({
        kind: 'rollback',
        requestedBy: 'group:shop',
        group: { name: 'shop', cause: 'dec-api-1' },
        caller: expect.objectContaining({ arn: coordinatorRole, verified: true }),
      }),
    );
    expect(record?.checks).toContainEqual(
      expect.objectContaining({
        name: 'manual-request',
        detail: `by group:shop (verified: ${coordinatorRole}) for group shop (cause dec-api-1)`,
      }),
    );
    // And the coordinator is told it was its own request: a byproduct that starts nothing
    expect(world.group.reports.map((r) => r.report)).toEqual([
      expect.objectContaining({ action: 'member-rolled-back', byGroup: true, outcome: 'rolled-back' }),
    ]);
  });

  it('tells nothing of a dry run, a skip or a duplicate', async () => {
    const world = groupWorld();
    // Nothing captured yet: a rollback is skipped
    const skipped = (await world.invoke({
      action: 'rollback',
      reason: 'early',
      requestedBy: 'alice',
    })) as Answer;
    expect(skipped.result.outcome).toBe('skipped');
    await capturedAndShifted(world);
    const request = {
      action: 'rollback',
      reason: 'by hand',
      requestedBy: 'alice',
      requestId: 'req-00000001',
    };

    // A dry run plans; a rollback acts (one report); the same request again is a duplicate
    await world.invoke({ ...request, dryRun: true, requestId: 'req-00000000' });
    expect(world.group.reports).toEqual([]);
    await world.invoke(request);
    const again = (await world.invoke(request)) as Answer;

    expect(again.result.outcome).toBe('duplicate');
    expect(world.group.reports.map((r) => r.report.action)).toEqual(['member-rolled-back']);
  });

  it('never fails a rollback because the coordinator could not be told: logged and paged', async () => {
    // Given the coordinator cannot be invoked
    const world = groupWorld();
    await capturedAndShifted(world);
    world.group.failWith = new Error('Invoke failed (AccessDeniedException): not authorized');

    // When the alarm fires
    const answer = (await world.invoke(alarmFires(world))) as Answer;

    // Then traffic is back and the rollback audited as usual
    expect(answer.result.outcome).toBe('rolled-back');
    expect(world.weights()).toEqual([[100, 0]]);
    // And the failure is logged and paged with the command that tells the coordinator by hand
    expect(world.log.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'the rollback group could not be told' }),
    );
    const page = world.published.find((n) => n.subject.includes('NOT told'));
    expect(page?.subject).toBe(
      '[switchback] checkout: group shop NOT told of the rollback of r1, action needed',
    );
    expect(page?.message).toEqual(
      expect.objectContaining({
        error: expect.stringContaining('AccessDeniedException'),
        command: expect.stringContaining(
          `aws lambda invoke --function-name ${COORDINATOR} --invocation-type Event`,
        ),
      }),
    );
  });

  it('reports nothing when the service is in no group', async () => {
    const world = createFakeWorld();
    await capturedAndShifted(world);

    await world.invoke(alarmFires(world));

    expect(world.group.reports).toEqual([]);
    expect(world.journal.callsOf('group.report')).toEqual([]);
  });
});

describe('a group member reports its acknowledgements', () => {
  it('tells the coordinator after the acknowledgement is audited, with the verified caller in the record', async () => {
    // Given a rolled-back release of a member that requires caller proofs
    const world = groupWorld({ policy: { verifiedCallers: 'required' } });
    await capturedAndShifted(world);
    await world.invoke(alarmFires(world));

    // When alice acknowledges it with the CLI (a signed request)
    const answer = (await world.invoke(
      signed({ action: 'acknowledge', releaseId: 'r1', requestedBy: 'alice', reason: 'fixed forward' }),
    )) as Answer;

    // Then the record names alice as STS verified her, beside what she claimed
    expect(answer.status).toBe('ok');
    const record = world.auditRecords().find((r) => r.decision === 'acknowledge');
    expect(record?.trigger).toEqual(
      expect.objectContaining({
        requestedBy: 'alice',
        caller: expect.objectContaining({
          arn: OPERATOR,
          account: ACCOUNT,
          userId: expect.any(String),
          verified: true,
        }),
      }),
    );
    // And the coordinator hears of the acknowledgement, naming its decision
    expect(world.group.reports.map((r) => r.report)).toEqual([
      expect.objectContaining({ action: 'member-rolled-back' }),
      {
        action: 'member-acknowledged',
        group: 'shop',
        service: SERVICE,
        releaseId: 'r1',
        decisionId: record?.decisionId,
        at: expect.any(String),
        byGroup: false,
      },
    ]);
  });

  it('records an unverified caller as such when the policy only records callers', async () => {
    const world = groupWorld();
    await capturedAndShifted(world);
    await world.invoke(alarmFires(world));

    await world.invoke({ action: 'acknowledge', releaseId: 'r1', requestedBy: 'bob', reason: 'ok now' });

    const record = world.auditRecords().find((r) => r.decision === 'acknowledge');
    expect(record?.trigger.caller).toEqual({ verified: false, detail: 'no caller proof' });
  });
});

describe('the verified caller of shift actions', () => {
  const LINEAR: ShiftingPlan = {
    steps: [10, 50, 100].map((weightPercent) => ({ weightPercent, bakeMinutes: 5 })),
    promote: true,
  };

  it('is recorded in the audit of a pause', async () => {
    // Given a release shifting at its first step
    const world = createFakeWorld({
      policy: { verifiedCallers: 'required' },
      extraConfig: { shifting: LINEAR },
    });
    await world.invoke({ action: 'capture', releaseId: 'r42' });
    await world.invoke({ action: 'tick' });

    // When alice pauses it with a signed request
    const answer = (await world.invoke(
      signed({ action: 'pause', requestedBy: 'alice', reason: 'looking at a graph' }),
    )) as Answer;

    // Then the pause is audited with alice's verified identity
    expect(answer.status).toBe('ok');
    expect(world.auditRecords().find((r) => r.decision === 'pause')?.trigger).toEqual(
      expect.objectContaining({
        kind: 'pause',
        caller: expect.objectContaining({ arn: OPERATOR, verified: true }),
      }),
    );
  });
});
