/**
 * Traffic shifting on the schedule tick, through the handler with in-memory ports: a canary that
 * promotes itself, a linear shift a breach rolls back, weights changed by hand stop the shift,
 * operators pause, resume and promote, a failed pre-traffic check rolls back before traffic moves,
 * and the traffic markers a re-apply of the same release reads.
 */
import {
  trafficMarkerPrefix,
  watchdogConfigKey,
  watchdogStateKey,
  type ShiftingPlan,
  type WatchdogConfigInput,
  type WatchdogState,
} from '../../lib';
import { ALARM, createFakeWorld, SERVICE, type FakeWorld } from './fakes';
import { minutes } from './fixtures';

const TEST_URL = 'https://test.checkout.example.com/health';
const SMOKE_FN = 'arn:aws:lambda:us-east-1:123456789012:function:checkout-smoke';

type Answer = { status: string; kind?: string; reason?: string; result: Record<string, unknown> };

function shiftingWorld(shifting: ShiftingPlan, extra: Partial<WatchdogConfigInput> = {}): FakeWorld {
  return createFakeWorld({
    extraConfig: {
      shifting,
      hooks: {
        preTraffic: [{ kind: 'http', url: TEST_URL, bodyPattern: 'ok' }],
        afterEachStep: [{ kind: 'lambda', functionArn: SMOKE_FN }],
      },
      ...extra,
    },
  });
}

const CANARY: ShiftingPlan = { steps: [{ weightPercent: 10, bakeMinutes: 5 }], promote: true };
const LINEAR: ShiftingPlan = {
  steps: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((weightPercent) => ({
    weightPercent,
    bakeMinutes: 1,
  })),
  promote: true,
};

const stateOf = (world: FakeWorld) => world.bucket.json(watchdogStateKey(SERVICE)) as WatchdogState;
const tick = (world: FakeWorld) => world.invoke({ action: 'tick' }) as Promise<Answer>;
const capture = (world: FakeWorld, releaseId = 'r42') => world.invoke({ action: 'capture', releaseId });
const markers = (world: FakeWorld, releaseId = 'r42') =>
  world.bucket
    .keys(trafficMarkerPrefix(SERVICE, releaseId))
    .map((key) => key.slice(key.lastIndexOf('.') + 1));
const operator = (world: FakeWorld, action: 'pause' | 'resume' | 'promote') =>
  world.invoke({ action, requestedBy: 'alice', reason: `${action} for the test` }) as Promise<Answer>;

describe('a canary that promotes itself', () => {
  it('runs the pre-traffic checks, sets 10%, bakes for 5 minutes with the alarms OK, then promotes green', async () => {
    const world = shiftingWorld(CANARY);
    await capture(world);
    expect(stateOf(world).shift).toEqual(
      expect.objectContaining({
        releaseId: 'r42',
        phase: 'pre-traffic',
        stepIndex: -1,
        candidateWeightPercent: 0,
      }),
    );

    await tick(world);
    expect(world.checks.requests).toEqual([TEST_URL]);
    expect(world.weights()).toEqual([[90, 10]]);
    expect(stateOf(world).shift).toEqual(
      expect.objectContaining({ phase: 'shifting', stepIndex: 0, candidateWeightPercent: 10, markerSeq: 1 }),
    );
    const step = world.auditRecords().find((r) => r.decision === 'shift');
    expect(step).toEqual(expect.objectContaining({ outcome: 'shifted', releaseId: 'r42' }));
    expect(step?.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['check', 'applied'],
      ['listener', 'applied'],
      ['marker', 'applied'],
    ]);

    // Four minutes later the step still bakes: the tick reads the alarms and the state, and nothing else.
    world.clock.advance(minutes(4));
    const calls = world.journal.calls.length;
    const writes = world.bucket.writes.length;
    await tick(world);
    expect(world.journal.calls.slice(calls).map((c) => c.operation)).toEqual([
      'alarms.alarmStates',
      'store.getJson',
    ]);
    expect(world.bucket.writes.length).toBe(writes);

    world.clock.advance(minutes(1));
    const answer = await tick(world);
    expect(answer.result.shift).toEqual(expect.objectContaining({ action: 'promote', phase: 'promoted' }));
    expect(world.weights()).toEqual([[0, 100]]);
    expect(world.checks.invocations).toEqual([
      { functionArn: SMOKE_FN, payload: { releaseId: 'r42', service: SERVICE, stage: 'after-step' } },
    ]);
    expect(stateOf(world).promotion).toEqual(
      expect.objectContaining({ releaseId: 'r42', color: 'green', by: 'watchdog' }),
    );
    expect(world.auditRecords().map((r) => r.decision)).toEqual(['capture', 'shift', 'promote']);
    expect(world.published.map((n) => n.subject)).toEqual([
      expect.stringContaining('shift (shifted)'),
      expect.stringContaining('promote (promoted)'),
    ]);

    // Done: later ticks cost the two reads again.
    world.clock.advance(minutes(1));
    const after = world.journal.calls.length;
    await tick(world);
    expect(world.journal.calls.slice(after).map((c) => c.operation)).toEqual([
      'alarms.alarmStates',
      'store.getJson',
    ]);
  });

  it('writes one marker per weight set, keyed so the newest holds blue’s weight for a re-apply', async () => {
    const world = shiftingWorld(CANARY);
    await capture(world);
    await tick(world);
    world.clock.advance(minutes(5));
    await tick(world);
    expect(markers(world)).toEqual(['traffic-0001-blue-090', 'traffic-0002-blue-000']);
  });

  it('does not restart the shift when the same release is captured again', async () => {
    const world = shiftingWorld(CANARY);
    await capture(world);
    await tick(world);
    const before = stateOf(world).shift;
    world.clock.advance(minutes(1));
    await capture(world);
    expect(stateOf(world).shift).toEqual(before);
    expect(world.weights()).toEqual([[90, 10]]);
  });

  it('does not take a step while a protected alarm has insufficient data', async () => {
    const world = shiftingWorld(CANARY);
    await capture(world);
    world.alarms.set(ALARM, 'INSUFFICIENT_DATA');
    await tick(world);
    expect(world.weights()).toEqual([[100, 0]]);
    expect(stateOf(world).shift?.phase).toBe('pre-traffic');
  });

  it('stops a shift that has not finished when the evaluation window ends', async () => {
    const world = shiftingWorld({ steps: [{ weightPercent: 10, bakeMinutes: 90 }], promote: true });
    await capture(world);
    await tick(world);
    world.clock.advance(minutes(95));
    await tick(world);
    expect(stateOf(world).shift).toEqual(
      expect.objectContaining({ phase: 'stopped', reason: expect.stringContaining('evaluation window') }),
    );
    expect(world.weights()).toEqual([[90, 10]]);
    expect(world.auditRecords().at(-1)).toEqual(
      expect.objectContaining({ decision: 'stop', outcome: 'stopped' }),
    );
  });
});

describe('a linear shift', () => {
  it('stops advancing at the breach, and the alarm path rolls it back', async () => {
    const world = shiftingWorld(LINEAR);
    await capture(world);
    for (let i = 0; i < 3; i++) {
      await tick(world);
      world.clock.advance(minutes(1));
    }
    expect(world.weights()).toEqual([[70, 30]]);

    world.alarms.set(ALARM, 'ALARM');
    const answer = await tick(world);

    expect(answer.result.acted).toEqual(expect.objectContaining({ outcome: 'rolled-back' }));
    expect(answer.result.shift).toBeUndefined();
    expect(world.weights()).toEqual([[100, 0]]);
    expect(stateOf(world).shift).toEqual(expect.objectContaining({ phase: 'rolled-back' }));
    // No step after the breach, on this tick or the next.
    world.clock.advance(minutes(1));
    await tick(world);
    expect(world.auditRecords().filter((r) => r.decision === 'shift')).toHaveLength(3);
    expect(world.weights()).toEqual([[100, 0]]);
  });
});

describe('a release whose stack did not follow a promotion', () => {
  const declaring = (world: FakeWorld, activeColor: 'blue' | 'green') => {
    const config = world.bucket.json(watchdogConfigKey(SERVICE)) as WatchdogConfigInput;
    world.bucket.put(
      watchdogConfigKey(SERVICE),
      JSON.stringify({ ...config, listeners: config.listeners.map((l) => ({ ...l, activeColor })) }),
    );
  };

  it('is refused at capture when its declared active color serves no traffic (the deploy stops)', async () => {
    const world = shiftingWorld(CANARY);
    declaring(world, 'green'); // live traffic is all on blue

    await expect(capture(world)).rejects.toThrow(
      /capture of release r42 refused: listener listener-0: the stack declares green active, but live traffic is all on blue/,
    );
    expect(world.auditRecords().map((r) => [r.decision, r.outcome])).toEqual([['refuse', 'refused']]);
    expect(stateOf(world)?.shift).toBeUndefined();
    expect(world.weights()).toEqual([[100, 0]]);
  });

  it('is captured when the declared color is the one serving traffic', async () => {
    const world = shiftingWorld(CANARY);
    declaring(world, 'blue');

    await capture(world);

    expect(stateOf(world).shift).toEqual(expect.objectContaining({ releaseId: 'r42', phase: 'pre-traffic' }));
  });
});

describe('a promoted release that breaches inside its window', () => {
  it('is rolled back to blue, and its promotion no longer names green known-good', async () => {
    const world = shiftingWorld(CANARY);
    await capture(world);
    await tick(world);
    world.clock.advance(minutes(5));
    await tick(world);
    expect(stateOf(world).promotion).toEqual(expect.objectContaining({ releaseId: 'r42', color: 'green' }));

    world.alarms.set(ALARM, 'ALARM');
    const answer = await tick(world);

    expect(answer.result.acted).toEqual(expect.objectContaining({ outcome: 'rolled-back' }));
    expect(world.weights()).toEqual([[100, 0]]);
    expect(stateOf(world).shift).toEqual(expect.objectContaining({ phase: 'rolled-back' }));
    expect(stateOf(world).promotion).toBeUndefined();
    expect(markers(world).at(-1)).toBe('traffic-9999-blue-100');
  });
});

describe('weights changed by hand', () => {
  it('stop the shift, audited and paged, and are never overwritten', async () => {
    const world = shiftingWorld(CANARY);
    await capture(world);
    await tick(world);
    const [pair] = world.pairs;
    world.traffic.setDefaultActions(pair!.listenerArn, [
      {
        type: 'forward',
        forwardConfig: {
          targetGroups: [
            { targetGroupArn: pair!.blueArn, weight: 50 },
            { targetGroupArn: pair!.greenArn, weight: 50 },
          ],
        },
      },
    ]);
    world.clock.advance(minutes(5));

    const answer = await tick(world);

    expect(answer.result.shift).toEqual(expect.objectContaining({ action: 'drift', phase: 'stopped' }));
    expect(world.weights()).toEqual([[50, 50]]);
    expect(world.journal.callsOf('traffic.restoreListenerActions')).toHaveLength(1); // step 1 only
    const stop = world.auditRecords().at(-1);
    expect(stop).toEqual(
      expect.objectContaining({
        decision: 'stop',
        outcome: 'stopped',
        reason: expect.stringContaining('50%'),
      }),
    );
    expect(world.published.at(-1)?.subject).toEqual(expect.stringContaining('stop (stopped)'));
    world.clock.advance(minutes(1));
    await tick(world);
    expect(world.weights()).toEqual([[50, 50]]);
  });
});

describe('operators', () => {
  it('pause a shift (no step while paused), resume it (the bake counts from the step’s start), and promote it', async () => {
    const world = shiftingWorld(LINEAR);
    await capture(world);
    await tick(world);

    const paused = await operator(world, 'pause');
    expect(paused).toEqual(
      expect.objectContaining({
        status: 'ok',
        kind: 'pause',
        result: expect.objectContaining({ releaseId: 'r42', phase: 'paused', candidateWeightPercent: 10 }),
      }),
    );
    expect(stateOf(world).shift?.paused).toEqual(expect.objectContaining({ by: 'alice' }));
    world.clock.advance(minutes(3));
    await tick(world);
    expect(world.weights()).toEqual([[90, 10]]);

    const resumed = await operator(world, 'resume');
    expect(resumed.result).toEqual(expect.objectContaining({ phase: 'shifting' }));
    expect(stateOf(world).shift?.paused).toBeUndefined();
    await tick(world); // step 1 baked during the pause: step 2 now
    expect(world.weights()).toEqual([[80, 20]]);

    const promoted = await operator(world, 'promote');
    expect(promoted.result).toEqual(
      expect.objectContaining({ phase: 'promoted', candidateWeightPercent: 100 }),
    );
    expect(world.weights()).toEqual([[0, 100]]);
    expect(stateOf(world).promotion).toEqual(expect.objectContaining({ color: 'green', by: 'alice' }));
    expect(markers(world)).toEqual([
      'traffic-0001-blue-090',
      'traffic-0002-blue-080',
      'traffic-0003-blue-000',
    ]);

    const trail = world.auditRecords().filter((r) => ['pause', 'resume', 'promote'].includes(r.decision));
    expect(trail.map((r) => [r.decision, r.outcome, r.trigger.kind, r.trigger.requestedBy])).toEqual([
      ['pause', 'paused', 'pause', 'alice'],
      ['resume', 'resumed', 'resume', 'alice'],
      ['promote', 'promoted', 'promote', 'alice'],
    ]);
  });

  it.each([
    ['resume a shift that is not paused', ['resume'], 'resume is allowed when it is paused'],
    ['pause a promoted shift', ['promote', 'pause'], 'is promoted'],
  ] as const)('are refused with a reason when they %s', async (_name, actions, reason) => {
    const world = shiftingWorld(CANARY);
    await capture(world);
    await tick(world);
    let answer: Answer | undefined;
    for (const action of actions) answer = await operator(world, action);
    expect(answer).toEqual({ status: 'rejected', reason: expect.stringContaining(reason) });
  });

  it('refuse to promote while the release has an unfinished rollback, and move nothing', async () => {
    const world = shiftingWorld(LINEAR);
    await capture(world);
    await tick(world);
    const at = new Date(world.clock.now()).toISOString();
    world.bucket.put(
      watchdogStateKey(SERVICE),
      JSON.stringify({
        ...stateOf(world),
        unfinished: {
          releaseId: 'r42',
          decisionId: 'run-0009',
          since: at,
          detail: 'listener blocked',
          lastPagedAt: at,
          attempts: 1,
        },
      }),
    );

    const answer = await operator(world, 'promote');

    expect(answer).toEqual({
      status: 'rejected',
      reason: expect.stringContaining('r42 has an unfinished rollback'),
    });
    expect(world.weights()).toEqual([[90, 10]]);
    expect(stateOf(world).promotion).toBeUndefined();
  });

  it('refuse to promote to a candidate group without healthy targets, naming it', async () => {
    const world = shiftingWorld(LINEAR);
    await capture(world);
    await tick(world);
    const [pair] = world.pairs;
    world.traffic.setTargets(pair!.greenArn, { 'i-1': 'unhealthy' });

    const answer = await operator(world, 'promote');

    expect(answer).toEqual({
      status: 'rejected',
      reason: expect.stringContaining(`without healthy targets: ${pair!.greenArn}`),
    });
    expect(world.weights()).toEqual([[90, 10]]);
    expect(stateOf(world).shift).toEqual(expect.objectContaining({ phase: 'shifting' }));
    expect(stateOf(world).promotion).toBeUndefined();
  });

  it('are refused when the release has no shifting plan', async () => {
    const world = createFakeWorld();
    await capture(world);
    const answer = await operator(world, 'pause');
    expect(answer).toEqual({
      status: 'rejected',
      reason: expect.stringContaining('no traffic shift in progress'),
    });
    expect(
      (world.bucket.json(watchdogStateKey(SERVICE)) as WatchdogState | undefined)?.shift,
    ).toBeUndefined();
  });
});

describe('a failed pre-traffic check', () => {
  it('rolls the release back through the rollback path, and production traffic never moves', async () => {
    const world = shiftingWorld(CANARY);
    await capture(world);
    world.checks.answer(TEST_URL, { status: 503, body: 'upstream down' });

    const answer = await tick(world);

    expect(answer.result.shift).toEqual(
      expect.objectContaining({
        action: 'checks-failed',
        rolledBack: expect.objectContaining({ outcome: 'rolled-back' }),
      }),
    );
    const rollback = world.auditRecords().find((r) => r.decision === 'rollback');
    expect(rollback?.trigger).toEqual(
      expect.objectContaining({ kind: 'rollback', requestedBy: 'watchdog:pre-traffic-check' }),
    );
    expect(rollback?.trigger.reason).toContain('status 503, expected 200');
    const stop = world.auditRecords().find((r) => r.decision === 'stop');
    expect(stop?.steps).toEqual([
      expect.objectContaining({ kind: 'check', outcome: 'failed', target: `http ${TEST_URL}` }),
    ]);
    // Every write of the production listener sent nothing to green.
    for (const call of world.journal.callsOf('traffic.restoreListenerActions')) {
      expect(JSON.stringify(call.args)).not.toMatch(/checkout0-green\/[^"]*","weight":[1-9]/);
    }
    expect(world.weights()).toEqual([[100, 0]]);
    expect(markers(world).filter((m) => !m.startsWith('traffic-9999'))).toEqual([]);
    world.clock.advance(minutes(1));
    await tick(world);
    expect(world.weights()).toEqual([[100, 0]]);
  });
});

describe('a failed after-step check', () => {
  it('rolls back from the step it baked, without taking the next', async () => {
    const world = shiftingWorld(LINEAR);
    await capture(world);
    await tick(world);
    world.checks.respond(SMOKE_FN, { result: { passed: false, why: 'checkout totals wrong' } });
    world.clock.advance(minutes(1));

    const answer = await tick(world);

    expect(answer.result.shift).toEqual(expect.objectContaining({ action: 'checks-failed' }));
    expect(world.weights()).toEqual([[100, 0]]);
    const rollback = world.auditRecords().find((r) => r.decision === 'rollback');
    expect(rollback?.trigger).toEqual(
      expect.objectContaining({
        requestedBy: 'watchdog:after-step-check',
        reason: expect.stringContaining('checkout totals wrong'),
      }),
    );
    expect(markers(world).filter((m) => !m.startsWith('traffic-9999'))).toEqual(['traffic-0001-blue-090']);
  });
});

describe('before the first step', () => {
  it('waits until the candidate has a healthy target: production traffic never goes to an empty group', async () => {
    const world = shiftingWorld(CANARY);
    await capture(world);
    world.traffic.setTargetHealth(world.pairs[0]!.greenArn, 'initial');

    const waiting = await tick(world);
    expect(waiting.result.shift).toEqual(
      expect.objectContaining({ action: 'wait', reason: expect.stringContaining('without healthy targets') }),
    );
    expect(world.weights()).toEqual([[100, 0]]);
    expect(world.checks.requests).toEqual([]);

    world.traffic.setTargetHealth(world.pairs[0]!.greenArn, 'healthy');
    world.clock.advance(minutes(1));
    await tick(world);
    expect(world.weights()).toEqual([[90, 10]]);
  });
});

describe('status', () => {
  it('shows the plan in force for the current release, and where its shift is', async () => {
    const world = shiftingWorld(CANARY);
    await capture(world);
    await tick(world);
    const answer = (await world.invoke({ action: 'status' })) as Answer;
    expect(answer.result).toEqual(
      expect.objectContaining({
        shifting: CANARY,
        state: expect.objectContaining({
          shift: expect.objectContaining({ phase: 'shifting', candidateWeightPercent: 10 }),
        }),
      }),
    );
  });
});
