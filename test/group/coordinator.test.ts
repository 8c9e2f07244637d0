/**
 * The rollback group's coordinator through its handler, over in-memory ports: who follows a member's
 * rollback and in which order, when the group freezes and pages instead, a failure that stops the
 * sequence, retries that do nothing twice, and the acknowledgement that lifts the freezes.
 */
import { ALREADY_ROLLED_BACK_REASON, followersOf, groupRecordKey, type GroupRecord } from '../../lib';
import { callerRequestDigest } from '../../lib/caller-proof';
import { followerRequestId, groupDecisionId } from '../../lambdas/group/plan';
import { freezeLedgerKey, type FreezeLedger } from '../../lambdas/group/records';
import { AwsCallError } from '../../lambdas/watchdog/ports';
import { minutes, T0 } from '../watchdog/fixtures';
import {
  createGroupWorld,
  GROUP,
  ok,
  report,
  SHOP_MEMBERS,
  watchdogArn,
  type GroupWorld,
} from './fake-group-world';

type Answer = {
  status: string;
  reason?: string;
  result: { decisionId?: string; outcome: string; members: GroupRecord['members']; commands?: string[] };
};

const invoke = (world: GroupWorld, event: unknown, remainingMs?: number) =>
  world.invoke(event, remainingMs) as Promise<Answer>;

const REASON = 'group shop: orders rolled back (orders-cause-1)';
const FREEZE_UNTIL = new Date(T0 + minutes(1440)).toISOString();

describe('a member rolls back and its dependents follow', () => {
  it('rolls the followers back callers first, each through its own watchdog, and records and notifies once', async () => {
    // Given web -> api -> orders and worker -> orders, callers first
    const world = createGroupWorld();

    // When orders reports its rollback
    const answer = await invoke(world, report('orders'));

    // Then web, worker and api are rolled back, in that order, as the group asks for it
    expect(answer.result.outcome).toBe('followed');
    expect(world.members.actions()).toEqual([
      ['web', 'rollback'],
      ['worker', 'rollback'],
      ['api', 'rollback'],
    ]);
    const [first] = world.members.calls;
    expect(first.payload).toEqual({
      action: 'rollback',
      reason: REASON,
      requestedBy: 'group:shop',
      requestId: followerRequestId(GROUP, { service: 'orders', decisionId: 'orders-cause-1' }, 'web'),
      group: { name: GROUP, cause: 'orders-cause-1' },
      callerProof: expect.objectContaining({ host: 'sts.us-east-1.amazonaws.com' }),
    });
    expect(first.payload.requestId).toMatch(/^[A-Za-z0-9-]{8,64}$/);
    // each request signed as sent (the proof binds the request without it), for its member's region
    expect(world.proofs.signed.map((s) => s.digest)).toEqual(
      world.members.calls.map((c) => callerRequestDigest(c.payload)),
    );
    expect(world.proofs.signed.map((s) => s.functionArn)).toEqual([
      watchdogArn('web'),
      watchdogArn('worker'),
      watchdogArn('api', 'eu-west-1'),
    ]);
    // And one record links every member's decision, the cause first
    const [record] = world.records();
    expect(record).toEqual(
      expect.objectContaining({
        group: GROUP,
        decisionId: groupDecisionId(report('orders')),
        trigger: {
          kind: 'member-rolled-back',
          service: 'orders',
          releaseId: 'r7',
          decisionId: 'orders-cause-1',
        },
        order: 'callers-first',
        outcome: 'followed',
      }),
    );
    expect(record.members.map((m) => [m.service, m.role, m.outcome, m.decisionId])).toEqual([
      ['orders', 'cause', 'rolled-back', 'orders-cause-1'],
      ['web', 'follower', 'rolled-back', 'web-dec-1'],
      ['worker', 'follower', 'rolled-back', 'worker-dec-2'],
      ['api', 'follower', 'rolled-back', 'api-dec-3'],
    ]);
    expect(world.published).toEqual([
      {
        subject: '[switchback] group shop: 3 followed the rollback of orders r7',
        message: expect.objectContaining({ outcome: 'followed' }),
      },
    ]);
  });

  it('rolls them back callees first when the group says so', async () => {
    const world = createGroupWorld({ order: 'callees-first' });

    await invoke(world, report('orders'));

    expect(world.members.actions()).toEqual([
      ['api', 'rollback'],
      ['worker', 'rollback'],
      ['web', 'rollback'],
    ]);
    expect(world.records()[0].order).toBe('callees-first');
  });

  it('follows only the members that depend on the cause, and lists the others as unaffected', async () => {
    const world = createGroupWorld();

    await invoke(world, report('api'));

    expect(world.members.actions()).toEqual([['web', 'rollback']]);
    expect(world.records()[0].members.map((m) => [m.service, m.role, m.outcome])).toEqual([
      ['api', 'cause', 'rolled-back'],
      ['web', 'follower', 'rolled-back'],
      ['worker', 'unaffected', 'skipped'],
      ['orders', 'unaffected', 'skipped'],
    ]);
  });

  it('records that nothing follows a member nobody depends on, without paging anyone', async () => {
    const world = createGroupWorld();

    const answer = await invoke(world, report('web'));

    expect(answer.result.outcome).toBe('nothing-to-follow');
    expect(world.members.calls).toEqual([]);
    expect(world.records().map((r) => r.outcome)).toEqual(['nothing-to-follow']);
    expect(world.published).toEqual([]);
  });

  it('retries a busy member (throttled, or its lock held by another run) and then goes on', async () => {
    const world = createGroupWorld();
    world.members.script(
      'web',
      'rollback',
      { throws: new AwsCallError('throttled', 'Invoke', 'TooManyRequestsException', 'Rate exceeded') },
      {
        answer: { functionError: 'Unhandled', result: { errorType: 'LockBusyError', errorMessage: 'busy' } },
      },
    );

    const answer = await invoke(world, report('orders'));

    expect(answer.result.outcome).toBe('followed');
    expect(world.members.actions().filter(([s]) => s === 'web')).toHaveLength(3);
  });
});

describe('a follower that may not revert alone, or a group that pages', () => {
  it('blocks the group rollback: nobody is rolled back, each follower is frozen, and a person is paged with the commands in order', async () => {
    // Given worker may not be reverted without a person
    const world = createGroupWorld({
      members: SHOP_MEMBERS.map((m) => (m.service === 'worker' ? { ...m, mayRevertAlone: false } : m)),
    });

    // When orders rolls back
    const answer = await invoke(world, report('orders'));

    // Then each follower is frozen for the cause, in order, until the freeze ends; nobody rolled back
    expect(answer.result.outcome).toBe('blocked');
    expect(world.members.actions()).toEqual([
      ['web', 'freeze'],
      ['worker', 'freeze'],
      ['api', 'freeze'],
    ]);
    expect(world.members.calls[0].payload).toEqual({
      action: 'freeze',
      group: GROUP,
      cause: { service: 'orders', releaseId: 'r7', decisionId: 'orders-cause-1' },
      until: FREEZE_UNTIL,
      callerProof: expect.any(Object),
    });
    const [record] = world.records();
    expect(record.outcome).toBe('blocked');
    expect(record.reason).toMatch(/^worker may not be reverted without a person/);
    expect(record.members.map((m) => [m.service, m.outcome])).toEqual([
      ['orders', 'rolled-back'],
      ['web', 'frozen'],
      ['worker', 'frozen'],
      ['api', 'frozen'],
    ]);
    // And the page says what to run, follower by follower
    const expected = ['web', 'worker', 'api'].map(
      (s) =>
        `switchback rollback --function ${SHOP_MEMBERS.find((m) => m.service === s)?.watchdogFunctionArn} --reason "${REASON}"`,
    );
    expect(answer.result.commands).toEqual(expected);
    expect(world.published).toEqual([
      {
        subject: '[switchback] group shop: rollback of orders r7 BLOCKED for its dependents, action needed',
        message: expect.objectContaining({ outcome: 'blocked', commands: expected }),
      },
    ]);
  });

  it("freezes and pages under the 'page' policy", async () => {
    const world = createGroupWorld({ onMemberRollback: 'page' });

    const answer = await invoke(world, report('api'));

    expect(answer.result.outcome).toBe('paged');
    expect(world.members.actions()).toEqual([['web', 'freeze']]);
    expect(world.published.map((n) => n.subject)).toEqual([
      '[switchback] group shop: api r7 rolled back, dependents frozen, action needed',
    ]);
  });

  it('records a follower it could not freeze as blocked, with the reason', async () => {
    const world = createGroupWorld({ onMemberRollback: 'page' });
    world.members.script('web', 'freeze', {
      answer: { result: { status: 'rejected', reason: 'caller proof refused' } },
    });

    await invoke(world, report('api'));

    expect(world.records()[0].members[1]).toEqual(
      expect.objectContaining({
        service: 'web',
        outcome: 'blocked',
        detail: 'not frozen: rejected: caller proof refused',
      }),
    );
    expect(world.bucket.json(freezeLedgerKey(GROUP, 'api', 'r7'))).toBeUndefined();
  });

  it('freezes nobody when the group turns freezes off', async () => {
    const world = createGroupWorld({ onMemberRollback: 'page', freezeMinutes: 0 });

    const answer = await invoke(world, report('api'));

    expect(answer.result.outcome).toBe('paged');
    expect(world.members.calls).toEqual([]);
    expect(world.records()[0].members[1]).toEqual(
      expect.objectContaining({ service: 'web', outcome: 'blocked' }),
    );
  });
});

describe('a follower whose rollback fails', () => {
  it.each([
    [
      'its watchdog rejects the request',
      { result: { status: 'rejected', reason: 'caller proof refused' } },
      /rejected: caller proof refused/,
    ],
    [
      'its rollback is partial (the watchdog throws after its audit)',
      {
        functionError: 'Unhandled',
        result: {
          errorType: 'PartialRollbackError',
          errorMessage: 'rollback worker-run-9 is partial: listener L: blocked',
        },
      },
      /PartialRollbackError: rollback worker-run-9 is partial/,
    ],
    [
      'its rollback is skipped',
      ok('rollback', { decisionId: 'w-1', outcome: 'skipped', reason: 'no release', steps: [] }),
      /skipped: no release/,
    ],
  ])('stops the sequence when %s: partial, the rest frozen, paged', async (_case, answer, detail) => {
    // Given worker's watchdog answers so
    const world = createGroupWorld();
    world.members.script('worker', 'rollback', { answer });

    // When orders rolls back
    const result = await invoke(world, report('orders'));

    // Then web rolled back, worker failed, api was not tried; worker and api are frozen
    expect(result.result.outcome).toBe('partial');
    expect(world.members.actions()).toEqual([
      ['web', 'rollback'],
      ['worker', 'rollback'],
      ['worker', 'freeze'],
      ['api', 'freeze'],
    ]);
    const [record] = world.records();
    expect(record.members.map((m) => [m.service, m.outcome])).toEqual([
      ['orders', 'rolled-back'],
      ['web', 'rolled-back'],
      ['worker', 'failed'],
      ['api', 'frozen'],
    ]);
    expect(record.members[2].detail).toMatch(detail);
    expect(result.result.commands).toEqual([
      expect.stringContaining(watchdogArn('worker')),
      expect.stringContaining(watchdogArn('api', 'eu-west-1')),
    ]);
    expect(world.published.map((n) => n.subject)).toEqual([
      '[switchback] group shop: PARTIAL group rollback after orders r7, action needed',
    ]);
  });

  it('links the decision of a partial follower rollback', async () => {
    const world = createGroupWorld();
    world.members.script('worker', 'rollback', {
      answer: {
        functionError: 'Unhandled',
        result: { errorType: 'PartialRollbackError', errorMessage: 'rollback w-9 is partial: x' },
      },
    });

    await invoke(world, report('orders'));

    expect(world.records()[0].members[2]).toEqual(
      expect.objectContaining({ service: 'worker', decisionId: 'w-9' }),
    );
  });

  it('counts a call Lambda refuses as a failure', async () => {
    const world = createGroupWorld();
    world.members.script('web', 'rollback', {
      throws: new AwsCallError('access-denied', 'Invoke', 'AccessDeniedException', 'not authorized'),
    });

    const answer = await invoke(world, report('orders'));

    expect(answer.result.outcome).toBe('partial');
    expect(world.records()[0].members[1]).toEqual(
      expect.objectContaining({
        service: 'web',
        outcome: 'failed',
        detail: expect.stringContaining('AccessDeniedException'),
      }),
    );
  });
});

describe("Lambda's retries of a report", () => {
  it('do nothing once the decision is recorded', async () => {
    const world = createGroupWorld();
    await invoke(world, report('orders'));
    const calls = world.members.calls.length;

    const again = await invoke(world, report('orders'));

    expect(again.result.outcome).toBe('already-decided');
    expect(world.members.calls).toHaveLength(calls);
    expect(world.records()).toHaveLength(1);
    expect(world.published).toHaveLength(1);
  });

  it('finish a run that died before its record: the followers that acted answer duplicate, one rollback each', async () => {
    // Given a run whose record could not be written after every follower rolled back
    const world = createGroupWorld();
    const key = groupRecordKey(GROUP, report('orders').at, groupDecisionId(report('orders')));
    world.failNextWrite(key, new Error('S3 is down'));
    await expect(invoke(world, report('orders'))).rejects.toThrow('S3 is down');

    // When Lambda retries the report
    const retried = await invoke(world, report('orders'));

    // Then the followers are asked again with the same request ids and answer duplicate
    expect(retried.result.outcome).toBe('followed');
    const requestIds = world.members.calls.map((c) => c.payload.requestId);
    expect(requestIds.slice(3)).toEqual(requestIds.slice(0, 3));
    expect(
      world
        .records()[0]
        .members.slice(1)
        .map((m) => m.outcome),
    ).toEqual(['already-rolled-back', 'already-rolled-back', 'already-rolled-back']);
    expect(world.published).toHaveLength(1);
  });

  it('records a follower its own alarm already rolled back as already rolled back, and goes on', async () => {
    const world = createGroupWorld();
    const follower = world.members.calls.length;
    // The first follower answers as a watchdog already latched for its release does
    const first = followersOf(world.config.members, 'orders', world.config.order)[0];
    world.members.script(first, 'rollback', {
      answer: {
        result: {
          status: 'ok',
          kind: 'rollback',
          result: {
            decisionId: 'own-1',
            outcome: 'skipped',
            reason: `${ALREADY_ROLLED_BACK_REASON}: release r1 was rolled back at … (decision own-alarm-1)`,
            steps: [],
          },
        },
      },
    });

    const answer = await invoke(world, report('orders'));

    expect(answer.result.outcome).toBe('followed');
    const record = world.records()[0].members.find((m) => m.service === first);
    expect(record?.outcome).toBe('already-rolled-back');
    expect(world.members.calls.slice(follower).filter((c) => c.payload.action === 'rollback').length).toBe(
      followersOf(world.config.members, 'orders', world.config.order).length,
    );
  });

  it('fail before a member is invoked with too little time left: nothing is recorded, and the retry carries on', async () => {
    const world = createGroupWorld();

    await expect(invoke(world, report('orders'), 5_000)).rejects.toMatchObject({
      name: 'GroupDeadlineError',
    });

    expect(world.members.calls).toEqual([]);
    expect(world.records()).toEqual([]);
  });
});

describe('an acknowledgement of the cause', () => {
  it('lifts exactly the freezes put for its rollback, with the cause they were put for', async () => {
    // Given orders' rollback froze web and api (page policy), and worker's freeze failed
    const world = createGroupWorld({ onMemberRollback: 'page' });
    world.members.script('worker', 'freeze', { answer: { result: { status: 'rejected', reason: 'no' } } });
    await invoke(world, report('orders'));
    const ledger = world.bucket.json(freezeLedgerKey(GROUP, 'orders', 'r7')) as FreezeLedger;
    expect(ledger.members.map((m) => m.service)).toEqual(['web', 'api']);
    world.clock.advance(minutes(30));

    // When orders' rollback is acknowledged
    const answer = await invoke(
      world,
      report('orders', {
        action: 'member-acknowledged',
        decisionId: 'orders-ack-1',
        outcome: undefined,
        at: new Date(world.clock.now()).toISOString(),
      }),
    );

    // Then web and api are unfrozen for the cause they were frozen for
    expect(answer.result.outcome).toBe('unfrozen');
    const unfreezes = world.members.calls.filter((c) => c.payload.action === 'unfreeze');
    expect(unfreezes.map((c) => [c.service, c.payload.cause])).toEqual([
      ['web', { service: 'orders', releaseId: 'r7', decisionId: 'orders-cause-1' }],
      ['api', { service: 'orders', releaseId: 'r7', decisionId: 'orders-cause-1' }],
    ]);
    const unfrozen = world.records().at(-1);
    expect(unfrozen).toEqual(
      expect.objectContaining({
        outcome: 'unfrozen',
        trigger: {
          kind: 'member-acknowledged',
          service: 'orders',
          releaseId: 'r7',
          decisionId: 'orders-ack-1',
        },
      }),
    );
    expect(unfrozen?.members.map((m) => [m.service, m.role, m.outcome])).toEqual([
      ['web', 'frozen', 'unfrozen'],
      ['api', 'frozen', 'unfrozen'],
    ]);
    expect(world.published.at(-1)?.subject).toBe(
      '[switchback] group shop: orders r7 acknowledged, dependents unfrozen',
    );
    expect((world.bucket.json(freezeLedgerKey(GROUP, 'orders', 'r7')) as FreezeLedger).lifted).toEqual({
      at: new Date(world.clock.now()).toISOString(),
      decisionId: unfrozen?.decisionId,
      stillFrozen: [],
    });

    // And a later acknowledgement of the same release finds nothing frozen
    const again = await invoke(
      world,
      report('orders', { action: 'member-acknowledged', decisionId: 'orders-ack-2', outcome: undefined }),
    );
    expect(again.result.outcome).toBe('nothing-frozen');
  });

  it('says which freeze it could not lift', async () => {
    const world = createGroupWorld({ onMemberRollback: 'page' });
    await invoke(world, report('api'));
    world.members.script('web', 'unfreeze', {
      throws: new AwsCallError('not-found', 'Invoke', 'ResourceNotFoundException', 'gone'),
    });

    const answer = await invoke(
      world,
      report('api', { action: 'member-acknowledged', decisionId: 'api-ack-1', outcome: undefined }),
    );

    expect(answer.result.outcome).toBe('partial');
    expect(world.records().at(-1)?.members).toEqual([
      expect.objectContaining({
        service: 'web',
        outcome: 'failed',
        detail: expect.stringMatching(/^still frozen until .*ResourceNotFoundException/),
      }),
    ]);
    expect(world.published.at(-1)?.subject).toBe(
      '[switchback] group shop: api r7 acknowledged, dependents STILL FROZEN, action needed',
    );
  });

  it('does nothing for a release nobody was frozen for', async () => {
    const world = createGroupWorld();
    await invoke(world, report('orders')); // followed: nobody frozen

    const answer = await invoke(
      world,
      report('orders', { action: 'member-acknowledged', decisionId: 'orders-ack-1', outcome: undefined }),
    );

    expect(answer.result.outcome).toBe('nothing-frozen');
    expect(world.members.calls.filter((c) => c.payload.action === 'unfreeze')).toEqual([]);
    expect(world.records()).toHaveLength(1);
  });
});

describe('reports that start nothing', () => {
  it("ignores a follower's report of the rollback the group asked for: no configuration, no call, no record", async () => {
    const world = createGroupWorld();

    const answer = await invoke(world, report('web', { byGroup: true }));

    expect(answer).toEqual({
      status: 'ok',
      kind: 'member-rolled-back',
      result: expect.objectContaining({ outcome: 'ignored' }),
    });
    expect(world.configLoads()).toBe(0);
    expect(world.members.calls).toEqual([]);
    expect(world.bucket.writes).toEqual([]);
  });

  it.each([
    ['not an object', null, /not a JSON object/],
    ['an array', [report('orders')], /not a JSON object/],
    ['a watchdog action', { action: 'rollback', reason: 'x', requestedBy: 'y' }, /unknown action "rollback"/],
    [
      'a report without its decision',
      { ...report('orders'), decisionId: undefined },
      /malformed member-rolled-back report: decisionId/,
    ],
    [
      'a report with an unknown field',
      { ...report('orders'), extra: 1 },
      /malformed member-rolled-back report/,
    ],
    [
      'a report with a bad group name',
      { ...report('orders'), group: 'Shop!' },
      /group: must be 1-40 lowercase/,
    ],
    ['a report with a local time', { ...report('orders'), at: '2026-11-21T12:00:00+01:00' }, /at:/],
    [
      'a rollback report without its outcome',
      { ...report('orders'), outcome: undefined },
      /outcome: the rollback outcome is missing/,
    ],
  ])('rejects %s with the reason, and calls nothing', async (_case, event, reason) => {
    const world = createGroupWorld();

    const answer = await invoke(world, event);

    expect(answer).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(world.configLoads()).toBe(0);
    expect(world.members.calls).toEqual([]);
    expect(world.bucket.writes).toEqual([]);
    expect(world.log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'event rejected' }),
    );
  });

  it.each([
    [
      'another group',
      report('orders', { group: 'billing' }),
      /a report for group billing reached the coordinator of group shop/,
    ],
    ['a service that is not a member', report('search'), /search is not a member of group shop/],
  ])('rejects a report from %s', async (_case, event, reason) => {
    const world = createGroupWorld();

    const answer = await invoke(world, event);

    expect(answer).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(world.members.calls).toEqual([]);
    expect(world.bucket.writes).toEqual([]);
  });
});
