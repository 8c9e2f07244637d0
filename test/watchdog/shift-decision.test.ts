/**
 * The shift's decisions, pure: the next action for a shift given its state, the plan, the alarms and
 * the time; the actions that give the candidate a weight; the candidate's share of live actions.
 */
import type { ShiftingPlan, ShiftState, SmokeCheck } from '../../lib';
import type { AlarmState } from '../../lambdas/watchdog/ports';
import {
  candidateSharesOf,
  decideShift,
  shiftedActions,
  type ShiftAction,
} from '../../lambdas/watchdog/engine/shift-decision';
import { alarmArn, BLUE, GREEN, iso, minutes, T0, targetGroupArn, weighted } from './fixtures';

const CANARY: ShiftingPlan = { steps: [{ weightPercent: 10, bakeMinutes: 5 }], promote: true };
const LINEAR: ShiftingPlan = {
  steps: [10, 20, 30].map((weightPercent) => ({ weightPercent, bakeMinutes: 1 })),
  promote: false,
};
const PRE: SmokeCheck = {
  kind: 'http',
  url: 'https://test.example.com/health',
  expectedStatus: 200,
  timeoutMs: 1000,
};
const AFTER: SmokeCheck = {
  kind: 'lambda',
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:smoke',
  timeoutMs: 1000,
};

const shift = (overrides: Partial<ShiftState> = {}): ShiftState => ({
  releaseId: 'r42',
  phase: 'shifting',
  stepIndex: 0,
  candidateWeightPercent: 10,
  stepStartedAt: iso(T0),
  markerSeq: 1,
  updatedAt: iso(T0),
  ...overrides,
});
const alarm = (value: AlarmState['value']): AlarmState => ({
  name: 'checkout-5xx',
  arn: alarmArn('checkout-5xx'),
  value,
  updatedAt: iso(T0),
});

interface Row {
  readonly given: string;
  readonly shift: ShiftState;
  readonly plan?: ShiftingPlan;
  readonly alarms?: AlarmState[];
  readonly at: number;
  readonly windowEndsAt?: number;
  readonly expected: Partial<ShiftAction> & { kind: ShiftAction['kind'] };
}

const rows: Row[] = [
  {
    given: 'pre-traffic with the alarms OK: run the pre-traffic checks, then step 1',
    shift: shift({ phase: 'pre-traffic', stepIndex: -1, candidateWeightPercent: 0 }),
    at: T0,
    expected: { kind: 'step', stepIndex: 0, weightPercent: 10, stage: 'pre-traffic', checks: [PRE] },
  },
  {
    given: 'a step still baking',
    shift: shift(),
    at: T0 + minutes(5) - 1,
    expected: { kind: 'wait', until: T0 + minutes(5) },
  },
  {
    given: 'the last canary step baked: promote, after the after-step checks',
    shift: shift(),
    at: T0 + minutes(5),
    expected: { kind: 'promote', checks: [AFTER] },
  },
  {
    given: 'a linear step baked: the next step',
    shift: shift(),
    plan: LINEAR,
    at: T0 + minutes(1),
    expected: { kind: 'step', stepIndex: 1, weightPercent: 20, stage: 'after-step', checks: [AFTER] },
  },
  {
    given: 'the last step of a plan that does not promote',
    shift: shift({ stepIndex: 2, candidateWeightPercent: 30 }),
    plan: LINEAR,
    at: T0 + minutes(1),
    expected: { kind: 'complete' },
  },
  {
    given: 'a protected alarm in ALARM: wait (the alarm path rolls back)',
    shift: shift(),
    alarms: [alarm('ALARM')],
    at: T0 + minutes(10),
    expected: { kind: 'wait', reason: expect.stringContaining('checkout-5xx') as unknown as string },
  },
  {
    given: 'a protected alarm with INSUFFICIENT_DATA: a bake needs OK',
    shift: shift({ phase: 'pre-traffic', stepIndex: -1, candidateWeightPercent: 0 }),
    alarms: [alarm('INSUFFICIENT_DATA')],
    at: T0,
    expected: { kind: 'wait' },
  },
  {
    given: 'a protected alarm missing',
    shift: shift(),
    alarms: [],
    at: T0 + minutes(10),
    expected: { kind: 'wait' },
  },
  {
    given: 'an OK alarm of the protected name but another ARN: the protected alarm is missing, wait',
    shift: shift(),
    alarms: [{ ...alarm('OK'), arn: alarmArn('checkout-5xx').replace('123456789012', '210987654321') }],
    at: T0 + minutes(10),
    expected: { kind: 'wait', reason: expect.stringContaining('checkout-5xx') as unknown as string },
  },
  {
    given: 'the evaluation window is over: stop, even with every alarm OK',
    shift: shift(),
    at: T0 + minutes(10),
    windowEndsAt: T0 + minutes(9),
    expected: { kind: 'stop', reason: expect.stringContaining('evaluation window') as unknown as string },
  },
  ...(['paused', 'promoted', 'completed', 'stopped', 'rolled-back'] as const).map((phase): Row => ({
    given: `a shift that is ${phase}: nothing`,
    shift: shift({ phase }),
    at: T0 + minutes(10),
    expected: { kind: 'none' },
  })),
];

describe('the next action of a shift', () => {
  it.each(rows.map((row) => [row.given, row] as const))('%s', (_given, row) => {
    const action = decideShift({
      shift: row.shift,
      plan: row.plan ?? CANARY,
      hooks: { preTraffic: [PRE], afterEachStep: [AFTER] },
      alarms: row.alarms ?? [alarm('OK')],
      protectedAlarms: [{ name: 'checkout-5xx', arn: alarmArn('checkout-5xx') }],
      now: row.at,
      ...(row.windowEndsAt !== undefined ? { evaluationWindowEndsAt: row.windowEndsAt } : {}),
    });
    expect(action).toEqual(expect.objectContaining(row.expected));
  });
});

describe('the weights a step sets', () => {
  it('forwards the percent to the candidate and the rest to the known-good group, keeping stickiness', () => {
    const captured = weighted(100, 0).map((action) =>
      action.type === 'forward'
        ? {
            ...action,
            forwardConfig: { ...action.forwardConfig, stickiness: { enabled: true, durationSeconds: 60 } },
          }
        : action,
    );
    expect(shiftedActions(captured, { knownGood: [BLUE], candidate: [GREEN] }, 30)).toEqual([
      {
        type: 'forward',
        forwardConfig: {
          targetGroups: [
            { targetGroupArn: BLUE, weight: 70 },
            { targetGroupArn: GREEN, weight: 30 },
          ],
          stickiness: { enabled: true, durationSeconds: 60 },
        },
      },
    ]);
  });

  it('gives the candidate exactly its share with more known-good groups than candidates', () => {
    const other = targetGroupArn('checkout-blue-2');
    const groups = { knownGood: [BLUE, other], candidate: [GREEN] };
    const actions = shiftedActions(weighted(100, 0), groups, 10);
    expect(candidateSharesOf(actions, groups)).toEqual([10]);
  });

  it('leaves actions that forward elsewhere, or do not forward, as they are', () => {
    const elsewhere = [
      {
        type: 'forward' as const,
        forwardConfig: { targetGroups: [{ targetGroupArn: targetGroupArn('admin'), weight: 1 }] },
      },
      {
        type: 'fixed-response' as const,
        fixedResponseConfig: { statusCode: '503' },
      },
    ];
    expect(shiftedActions(elsewhere, { knownGood: [BLUE], candidate: [GREEN] }, 50)).toEqual(elsewhere);
  });

  it('reads a forward that names only the known-good group as 0% to the candidate', () => {
    const onlyBlue = [
      { type: 'forward' as const, forwardConfig: { targetGroups: [{ targetGroupArn: BLUE, weight: 1 }] } },
    ];
    expect(candidateSharesOf(onlyBlue, { knownGood: [BLUE], candidate: [GREEN] })).toEqual([0]);
    expect(candidateSharesOf(weighted(75, 25), { knownGood: [BLUE], candidate: [GREEN] })).toEqual([25]);
  });
});
