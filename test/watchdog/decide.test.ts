import type { CurrentRelease, WatchdogState } from '../../lib';
import {
  decideOnAlarm,
  decideOnHealthBreach,
  MAX_CLOCK_SKEW_MS,
  protectedAlarmOf,
  screenAlarmEvent,
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

  /** The check that fails, as the audit record names it, for each reason. */
  const failingCheck: Record<string, string> = {
    'not-in-alarm': 'event-is-alarm',
    'unprotected-alarm': 'alarm-is-protected',
    'event-too-old': 'event-is-fresh',
    'no-release': 'release-captured',
    'predates-release': 'trigger-after-release',
    'outside-evaluation-window': 'inside-evaluation-window',
    'alarm-not-found': 'alarm-still-in-alarm',
    'alarm-recovered': 'alarm-still-in-alarm',
    'already-rolled-back': 'not-latched',
    cooldown: 'outside-cooldown',
    'budget-exhausted': 'within-budget',
  };

  it.each(skips)('does not act when %s', (_case, eventOverrides, now, factOverrides, reason) => {
    const decision = decideOnAlarm(event(eventOverrides), CONFIG, now, facts(factOverrides));

    expect(decision).toEqual(expect.objectContaining({ act: false, reason }));
    // The failed check is the last one, by name, with the same detail as the decision.
    expect(decision.checks.at(-1)).toEqual({
      name: failingCheck[reason],
      passed: false,
      detail: !decision.act ? decision.detail : undefined,
    });
    expect(decision.checks.slice(0, -1).every((c) => c.passed)).toBe(true);
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

describe('screening an alarm event at its boundaries', () => {
  const changedAt = T0 + minutes(10);
  const limitMs = POLICY.maxEventAgeSeconds * 1000;

  it('accepts an event exactly as old as the limit, and says how old it is', () => {
    const decision = screenAlarmEvent(event(), CONFIG, POLICY, changedAt + limitMs);

    expect(decision.act).toBe(true);
    expect(decision.checks.at(-1)).toEqual({
      name: 'event-is-fresh',
      passed: true,
      detail: `${POLICY.maxEventAgeSeconds} s old`,
    });
  });

  it('rejects an event a millisecond older than the limit, giving its age and the limit', () => {
    const decision = screenAlarmEvent(event(), CONFIG, POLICY, changedAt + limitMs + 1000);

    expect(decision).toEqual({
      act: false,
      reason: 'event-too-old',
      detail: `the state change is ${POLICY.maxEventAgeSeconds + 1} s old; the limit is ${POLICY.maxEventAgeSeconds} s`,
      checks: [
        { name: 'event-is-alarm', passed: true },
        { name: 'alarm-is-protected', passed: true },
        { name: 'event-not-future-dated', passed: true },
        {
          name: 'event-is-fresh',
          passed: false,
          detail: `the state change is ${POLICY.maxEventAgeSeconds + 1} s old; the limit is ${POLICY.maxEventAgeSeconds} s`,
        },
      ],
    });
    expect(screenAlarmEvent(event(), CONFIG, POLICY, changedAt + limitMs + 1).act).toBe(false);
  });

  it('accepts an old state change found by the schedule tick (the tick read it just now)', () => {
    const decision = screenAlarmEvent(event({ source: 'tick' }), CONFIG, POLICY, changedAt + minutes(45));

    expect(decision.act).toBe(true);
    expect(decision.checks.at(-1)?.detail).toBe('2700 s old');
  });

  it('accepts a state change dated up to the clock skew ahead, calling it 0 s old', () => {
    const now = changedAt - MAX_CLOCK_SKEW_MS;
    const decision = screenAlarmEvent(event(), CONFIG, POLICY, now);

    expect(decision.act).toBe(true);
    expect(decision.checks.at(-1)).toEqual({ name: 'event-is-fresh', passed: true, detail: '0 s old' });
  });

  it('rejects a state change dated beyond the clock skew, saying by how much', () => {
    const decision = screenAlarmEvent(event(), CONFIG, POLICY, changedAt - MAX_CLOCK_SKEW_MS - 30_000);

    expect(decision).toEqual(
      expect.objectContaining({
        act: false,
        reason: 'event-from-the-future',
        detail: `the state change is dated ${iso(changedAt)}, 90 s ahead of the watchdog's clock; at most 60 s of clock skew is accepted`,
      }),
    );
    expect(
      screenAlarmEvent(event(), CONFIG, POLICY, changedAt - MAX_CLOCK_SKEW_MS - 30_000).checks.at(-1)?.name,
    ).toBe('event-not-future-dated');
    expect(screenAlarmEvent(event(), CONFIG, POLICY, changedAt - MAX_CLOCK_SKEW_MS - 1).act).toBe(false);
  });

  it('names the new state and the unprotected alarm in the reason', () => {
    expect(screenAlarmEvent(event({ state: 'OK' }), CONFIG, POLICY, changedAt)).toEqual(
      expect.objectContaining({ detail: 'the alarm changed to OK' }),
    );
    expect(
      screenAlarmEvent(
        event({ alarmName: 'someone-else', alarmArn: alarmArn('someone-else') }),
        CONFIG,
        POLICY,
        changedAt,
      ),
    ).toEqual(expect.objectContaining({ detail: 'someone-else is not one of the protected alarms' }));
  });
});

describe('finding the protected alarm an event is about', () => {
  const TWO = {
    alarms: [
      { name: 'checkout-latency', arn: alarmArn('checkout-latency') },
      { name: ALARM, arn: alarmArn(ALARM) },
    ],
  };

  it('finds any of several protected alarms, not only the first', () => {
    expect(protectedAlarmOf({ alarmName: ALARM, alarmArn: alarmArn(ALARM) }, TWO)).toEqual(TWO.alarms[1]);
    expect(decideOnAlarm(event(), TWO, alarmNow(), facts()).act).toBe(true);
  });

  it('finds the alarm by name when the event carries no ARN', () => {
    const { alarmArn: _none, ...withoutArn } = event();

    expect(protectedAlarmOf(withoutArn, TWO)).toEqual(TWO.alarms[1]);
    expect(decideOnAlarm(withoutArn, TWO, alarmNow(), facts()).act).toBe(true);
    expect(protectedAlarmOf({ alarmName: 'someone-else' }, TWO)).toBeUndefined();
  });

  it('does not match by name when the event carries another ARN', () => {
    expect(protectedAlarmOf({ alarmName: ALARM, alarmArn: alarmArn('checkout-latency') }, TWO)).toEqual(
      TWO.alarms[0],
    );
  });
});

describe('reading the alarm back', () => {
  it('refuses an alarm read back under another ARN (same name, another account)', () => {
    const other = 'arn:aws:cloudwatch:us-east-1:210987654321:alarm:checkout-5xx';
    const decision = decideOnAlarm(event(), CONFIG, { ...alarmNow(), arn: other }, facts());

    expect(decision).toEqual(
      expect.objectContaining({
        act: false,
        reason: 'alarm-not-found',
        detail: `the alarm named ${ALARM} read back is ${other}, not the protected ${alarmArn(ALARM)}`,
      }),
    );
    expect(decision.checks.at(-1)?.name).toBe('alarm-still-in-alarm');
  });

  it('says which alarm was not found or recovered', () => {
    expect(decideOnAlarm(event(), CONFIG, undefined, facts())).toEqual(
      expect.objectContaining({ detail: `${ALARM} was not found when read back` }),
    );
    expect(decideOnAlarm(event(), CONFIG, alarmNow('INSUFFICIENT_DATA'), facts())).toEqual(
      expect.objectContaining({ detail: `${ALARM} is INSUFFICIENT_DATA when read back` }),
    );
  });
});

describe('the release checks at their boundaries', () => {
  it('acts on a trigger exactly at capture, and not a millisecond before', () => {
    const atCapture = event({ stateChangedAt: iso(T0) });

    expect(decideOnAlarm(atCapture, CONFIG, alarmNow(), facts({ now: T0 + 1000 })).act).toBe(true);
    expect(decideOnHealthBreach(facts(), T0).act).toBe(true);
    expect(decideOnHealthBreach(facts(), T0 - 1)).toEqual({
      act: false,
      reason: 'predates-release',
      detail: 'the breach began before release r42 was captured',
      checks: [
        { name: 'health-ping-breached', passed: true },
        { name: 'release-captured', passed: true, detail: 'r42' },
        {
          name: 'trigger-after-release',
          passed: false,
          detail: 'the breach began before release r42 was captured',
        },
      ],
    });
  });

  it('acts when now is exactly the end of the evaluation window, and not a millisecond after', () => {
    const end = T0 + minutes(60);

    expect(decideOnHealthBreach(facts({ now: end }), T0 + minutes(59)).act).toBe(true);
    expect(decideOnHealthBreach(facts({ now: end + 1 }), T0 + minutes(59))).toEqual(
      expect.objectContaining({
        act: false,
        reason: 'outside-evaluation-window',
        detail: `the evaluation window of r42 ended at ${iso(end)}`,
      }),
    );
  });

  it('says there is nothing to go back to without a release', () => {
    expect(decideOnHealthBreach(facts({ release: undefined }), T0)).toEqual({
      act: false,
      reason: 'no-release',
      detail: 'no release has been captured, so there is nothing to go back to',
      checks: [
        { name: 'health-ping-breached', passed: true },
        {
          name: 'release-captured',
          passed: false,
          detail: 'no release has been captured, so there is nothing to go back to',
        },
      ],
    });
  });
});

describe('the guards at their boundaries', () => {
  const now = T0 + minutes(30);
  const breach = (state: WatchdogState) => decideOnHealthBreach(facts({ now, state }), T0 + minutes(5));

  it('records every check of a health breach it acts on, with the budget used', () => {
    expect(breach(EMPTY_STATE)).toEqual({
      act: true,
      checks: [
        { name: 'health-ping-breached', passed: true },
        { name: 'release-captured', passed: true, detail: 'r42' },
        { name: 'trigger-after-release', passed: true },
        { name: 'inside-evaluation-window', passed: true },
        { name: 'not-latched', passed: true },
        { name: 'no-unfinished-rollback', passed: true },
        { name: 'outside-cooldown', passed: true },
        { name: 'within-budget', passed: true, detail: `0 of ${POLICY.maxAutomaticRollbacks}` },
      ],
    });
  });

  it('says when the release was latched', () => {
    expect(breach(latched)).toEqual(
      expect.objectContaining({
        reason: 'already-rolled-back',
        detail: `release r42 was already rolled back at ${iso(T0 + minutes(5))}`,
      }),
    );
  });

  it('leaves an unfinished rollback of this release to the tick, and acts despite one of another', () => {
    const unfinished = (releaseId: string): WatchdogState => ({
      ...EMPTY_STATE,
      unfinished: {
        releaseId,
        decisionId: 'd1',
        since: iso(T0 + minutes(6)),
        detail: 'blue has no healthy targets',
        lastPagedAt: iso(T0 + minutes(6)),
        attempts: 2,
      },
    });

    expect(breach(unfinished('r42'))).toEqual(
      expect.objectContaining({
        act: false,
        reason: 'already-rolled-back',
        detail: `the rollback of r42 begun at ${iso(T0 + minutes(6))} is unfinished; the schedule tick is finishing it`,
      }),
    );
    expect(breach(unfinished('r42')).checks.at(-1)?.name).toBe('no-unfinished-rollback');
    expect(breach(unfinished('r41')).act).toBe(true);
  });

  it('ends the cooldown exactly when it has lasted its minutes', () => {
    const at = (ms: number): WatchdogState => ({ ...EMPTY_STATE, lastRollbackAt: iso(ms) });
    const cooldown = minutes(POLICY.cooldownMinutes);

    expect(breach(at(now - cooldown)).act).toBe(true);
    expect(breach(at(now - cooldown + 1))).toEqual(
      expect.objectContaining({
        act: false,
        reason: 'cooldown',
        detail: `the last rollback was at ${iso(now - cooldown + 1)}; the cooldown is ${POLICY.cooldownMinutes} min`,
      }),
    );
  });

  it('counts a rollback exactly at the start of the budget window, and not one a millisecond before', () => {
    const windowStart = now - minutes(POLICY.budgetWindowMinutes);
    const spent = (first: number): WatchdogState => ({
      ...EMPTY_STATE,
      automaticRollbacks: [iso(first), iso(now - minutes(120)), iso(now - minutes(60))],
    });

    expect(breach(spent(windowStart))).toEqual(
      expect.objectContaining({
        act: false,
        reason: 'budget-exhausted',
        detail: `3 automatic rollbacks in the last ${POLICY.budgetWindowMinutes} min; the budget is 3`,
      }),
    );
    expect(breach(spent(windowStart - 1)).act).toBe(true);
    expect(breach(spent(windowStart - 1)).checks.at(-1)).toEqual({
      name: 'within-budget',
      passed: true,
      detail: '2 of 3',
    });
  });
});
