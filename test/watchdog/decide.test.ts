import type { CurrentRelease, WatchdogState } from '../../lib';
import {
  decideOnAlarm,
  decideOnHealthBreach,
  type AutomaticTriggerFacts,
} from '../../lambdas/watchdog/engine/decide';
import type { AlarmEvent } from '../../lambdas/watchdog/events';
import type { AlarmState } from '../../lambdas/watchdog/ports';
import { alarmArn, EMPTY_STATE, iso, minutes, POLICY, T0 } from './fixtures';

const ALARM = 'checkout-5xx';
const CONFIG = { alarms: [{ name: ALARM, arn: alarmArn(ALARM) }] };
const RELEASE: CurrentRelease = {
  releaseId: 'r42',
  manifestKey: 'manifests/checkout/r42.json',
  capturedAt: iso(T0),
  evaluationWindowEndsAt: iso(T0 + minutes(60)),
};

function event(overrides: Partial<AlarmEvent> = {}): AlarmEvent {
  return {
    kind: 'alarm',
    source: 'sns',
    alarmName: ALARM,
    alarmArn: alarmArn(ALARM),
    state: 'ALARM',
    stateChangedAt: iso(T0 + minutes(10)),
    eventId: 'e1',
    ...overrides,
  };
}

function alarmNow(value: AlarmState['value'] = 'ALARM'): AlarmState {
  return { name: ALARM, arn: alarmArn(ALARM), value, updatedAt: iso(T0 + minutes(10)) };
}

function facts(overrides: Partial<AutomaticTriggerFacts> = {}): AutomaticTriggerFacts {
  return { now: T0 + minutes(11), policy: POLICY, release: RELEASE, state: EMPTY_STATE, ...overrides };
}

const latched: WatchdogState = {
  ...EMPTY_STATE,
  latched: { releaseId: 'r42', rolledBackAt: iso(T0 + minutes(5)), decisionId: 'd1', trigger: 'alarm' },
};

describe('deciding on an alarm', () => {
  it('rolls back a protected alarm still in ALARM, inside the window, with every check recorded', () => {
    const decision = decideOnAlarm(event(), CONFIG, alarmNow(), facts());

    expect(decision.act).toBe(true);
    expect(decision.checks.map((c) => c.name)).toEqual([
      'event-is-alarm',
      'alarm-is-protected',
      'event-not-future-dated',
      'event-is-fresh',
      'release-captured',
      'trigger-after-release',
      'inside-evaluation-window',
      'alarm-still-in-alarm',
      'not-latched',
      'no-unfinished-rollback',
      'outside-cooldown',
      'within-budget',
    ]);
    expect(decision.checks.every((c) => c.passed)).toBe(true);
  });

  it('does not take a same-named alarm of another account for a protected one', () => {
    const foreign = event({ alarmArn: 'arn:aws:cloudwatch:us-east-1:210987654321:alarm:checkout-5xx' });

    expect(decideOnAlarm(foreign, CONFIG, alarmNow(), facts())).toEqual(
      expect.objectContaining({ act: false, reason: 'unprotected-alarm' }),
    );
  });

  it('matches a protected alarm by ARN when the name differs (renamed alarm, same ARN)', () => {
    expect(
      decideOnAlarm(
        event({ alarmName: 'other-name' }),
        CONFIG,
        { ...alarmNow(), name: 'other-name' },
        facts(),
      ).act,
    ).toBe(true);
  });

  // Table: what breaks, and the reason the watchdog gives for not acting.
  const skips: [
    string,
    Partial<AlarmEvent>,
    AlarmState | undefined,
    Partial<AutomaticTriggerFacts>,
    string,
  ][] = [
    ['the alarm went back to OK', { state: 'OK' }, alarmNow('OK'), {}, 'not-in-alarm'],
    [
      'the alarm went to INSUFFICIENT_DATA',
      { state: 'INSUFFICIENT_DATA' },
      alarmNow('INSUFFICIENT_DATA'),
      {},
      'not-in-alarm',
    ],
    [
      'the alarm is not protected',
      { alarmName: 'someone-else', alarmArn: alarmArn('someone-else') },
      alarmNow(),
      {},
      'unprotected-alarm',
    ],
    [
      'the event is older than the maximum age',
      {},
      alarmNow(),
      { now: T0 + minutes(10) + POLICY.maxEventAgeSeconds * 1000 + 1 },
      'event-too-old',
    ],
    ['no release was captured', {}, alarmNow(), { release: undefined }, 'no-release'],
    [
      'the breach began before the release',
      { stateChangedAt: iso(T0 - 1000) },
      alarmNow(),
      { now: T0 + 1000 },
      'predates-release',
    ],
    [
      'the evaluation window has ended',
      { stateChangedAt: iso(T0 + minutes(61)) },
      alarmNow(),
      { now: T0 + minutes(61) + 1000 },
      'outside-evaluation-window',
    ],
    ['the alarm no longer exists', {}, undefined, {}, 'alarm-not-found'],
    ['the alarm recovered before processing', {}, alarmNow('OK'), {}, 'alarm-recovered'],
    ['the release is already rolled back', {}, alarmNow(), { state: latched }, 'already-rolled-back'],
    [
      'the last rollback is within the cooldown',
      {},
      alarmNow(),
      { state: { ...EMPTY_STATE, lastRollbackAt: iso(T0 + minutes(1)) } },
      'cooldown',
    ],
    [
      'the budget of automatic rollbacks is spent',
      {},
      alarmNow(),
      {
        state: {
          ...EMPTY_STATE,
          automaticRollbacks: [iso(T0 - minutes(300)), iso(T0 - minutes(200)), iso(T0 - minutes(100))],
        },
      },
      'budget-exhausted',
    ],
  ];

  it.each(skips)('does not act when %s', (_case, eventOverrides, now, factOverrides, reason) => {
    const decision = decideOnAlarm(event(eventOverrides), CONFIG, now, facts(factOverrides));

    expect(decision).toEqual(expect.objectContaining({ act: false, reason }));
    expect(decision.checks.at(-1)?.passed).toBe(false);
  });

  it('counts only automatic rollbacks inside the budget window', () => {
    const old = iso(T0 + minutes(11) - minutes(POLICY.budgetWindowMinutes) - 1);
    const state = {
      ...EMPTY_STATE,
      automaticRollbacks: [old, old, iso(T0 - minutes(30)), iso(T0 - minutes(20))],
    };

    expect(decideOnAlarm(event(), CONFIG, alarmNow(), facts({ state })).act).toBe(true);
  });

  it('acts again once a new release replaced the latched one', () => {
    const state = {
      ...latched,
      latched: { ...latched.latched!, releaseId: 'r41' },
      lastRollbackAt: iso(T0 - minutes(30)),
    };

    expect(decideOnAlarm(event(), CONFIG, alarmNow(), facts({ state })).act).toBe(true);
  });
});

describe('deciding on a health-ping breach', () => {
  it('rolls back inside the window', () => {
    expect(decideOnHealthBreach(facts(), T0 + minutes(5)).act).toBe(true);
  });

  it('respects the latch, like an alarm', () => {
    expect(decideOnHealthBreach(facts({ state: latched }), T0 + minutes(5))).toEqual(
      expect.objectContaining({ act: false, reason: 'already-rolled-back' }),
    );
  });

  it('does nothing outside the evaluation window', () => {
    expect(decideOnHealthBreach(facts({ now: T0 + minutes(90) }), T0 + minutes(90))).toEqual(
      expect.objectContaining({ act: false, reason: 'outside-evaluation-window' }),
    );
  });
});
