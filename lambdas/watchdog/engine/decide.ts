/**
 * Whether a trigger should roll the current release back: pure, over plain data. Every check is
 * recorded, passed or not, so the audit trail says exactly why the watchdog acted or did not.
 */
import type { CurrentRelease, RollbackPolicy, WatchdogConfig, WatchdogState } from '../../../lib';
import type { AlarmEvent } from '../events';
import type { AlarmState } from '../ports';

/** One check the decision made. */
export interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly detail?: string;
}

/** Why an automatic trigger did not lead to a rollback. */
export type SkipReason =
  | 'not-in-alarm'
  | 'unprotected-alarm'
  | 'event-too-old'
  | 'event-from-the-future'
  | 'no-release'
  | 'predates-release'
  | 'outside-evaluation-window'
  | 'alarm-not-found'
  | 'alarm-recovered'
  | 'already-rolled-back'
  | 'cooldown'
  | 'budget-exhausted';

export type Decision =
  | { readonly act: true; readonly checks: readonly Check[] }
  | {
      readonly act: false;
      readonly reason: SkipReason;
      readonly detail: string;
      readonly checks: readonly Check[];
    };

/** Records checks in order; `skip` ends the decision with the failed check as its reason. */
class CheckRecorder {
  readonly checks: Check[] = [];

  pass(name: string, detail?: string): void {
    this.checks.push({ name, passed: true, ...(detail ? { detail } : {}) });
  }

  skip(reason: SkipReason, name: string, detail: string): Decision {
    this.checks.push({ name, passed: false, detail });
    return { act: false, reason, detail, checks: this.checks };
  }
}

/** What a decision on an automatic trigger looks at. */
export interface AutomaticTriggerFacts {
  readonly now: number;
  readonly policy: RollbackPolicy;
  readonly release: CurrentRelease | undefined;
  readonly state: WatchdogState;
}

/** How far ahead of the watchdog's clock a state change may be dated (clocks differ a little). */
export const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * The checks an alarm event must pass before the watchdog spends anything on it: it is an ALARM
 * transition, of a protected alarm (by ARN when the event has one), dated neither in the future
 * beyond clock skew nor older than the policy allows. Pure: the handler runs it before any AWS call,
 * so events it will not act on cost nothing but a log line.
 */
export function screenAlarmEvent(
  event: AlarmEvent,
  config: Pick<WatchdogConfig, 'alarms'>,
  policy: Pick<RollbackPolicy, 'maxEventAgeSeconds'>,
  now: number,
): Decision {
  const record = new CheckRecorder();

  if (event.state !== 'ALARM')
    return record.skip('not-in-alarm', 'event-is-alarm', `the alarm changed to ${event.state}`);
  record.pass('event-is-alarm');

  if (protectedAlarmOf(event, config) === undefined)
    return record.skip(
      'unprotected-alarm',
      'alarm-is-protected',
      `${event.alarmName} is not one of the protected alarms`,
    );
  record.pass('alarm-is-protected');

  const changedAt = Date.parse(event.stateChangedAt);
  if (changedAt - now > MAX_CLOCK_SKEW_MS) {
    return record.skip(
      'event-from-the-future',
      'event-not-future-dated',
      `the state change is dated ${event.stateChangedAt}, ${Math.round((changedAt - now) / 1000)} s ahead of the watchdog's clock; at most ${MAX_CLOCK_SKEW_MS / 1000} s of clock skew is accepted`,
    );
  }
  record.pass('event-not-future-dated');

  const ageSeconds = (now - changedAt) / 1000;
  // The tick read the alarm's state just now: how long ago it changed is not the age of a delivery.
  if (event.source !== 'tick' && ageSeconds > policy.maxEventAgeSeconds) {
    return record.skip(
      'event-too-old',
      'event-is-fresh',
      `the state change is ${Math.round(ageSeconds)} s old; the limit is ${policy.maxEventAgeSeconds} s`,
    );
  }
  record.pass('event-is-fresh', `${Math.max(0, Math.round(ageSeconds))} s old`);
  return { act: true, checks: record.checks };
}

/**
 * The protected alarm an event is about: by ARN when the event has one (a same-named alarm of
 * another account or region is not ours), else by name.
 */
export function protectedAlarmOf(
  event: Pick<AlarmEvent, 'alarmName' | 'alarmArn'>,
  config: Pick<WatchdogConfig, 'alarms'>,
): WatchdogConfig['alarms'][number] | undefined {
  return config.alarms.find((a) =>
    event.alarmArn !== undefined ? a.arn === event.alarmArn : a.name === event.alarmName,
  );
}

/** Decides on an alarm state change, with the alarm's state as read back from CloudWatch now. */
export function decideOnAlarm(
  event: AlarmEvent,
  config: Pick<WatchdogConfig, 'alarms'>,
  alarmNow: AlarmState | undefined,
  facts: AutomaticTriggerFacts,
): Decision {
  const screened = screenAlarmEvent(event, config, facts.policy, facts.now);
  if (!screened.act) return screened;
  const record = new CheckRecorder();
  record.checks.push(...screened.checks);

  const releaseDecision = checkRelease(facts, Date.parse(event.stateChangedAt), record);
  if (releaseDecision) return releaseDecision;

  if (alarmNow === undefined)
    return record.skip(
      'alarm-not-found',
      'alarm-still-in-alarm',
      `${event.alarmName} was not found when read back`,
    );
  // The alarm read back must be the event's alarm: same name is not enough (another account's or
  // region's alarm, or one deleted and created again, answers to the same name).
  const expectedArn = protectedAlarmOf(event, config)?.arn;
  if (alarmNow.arn !== expectedArn) {
    return record.skip(
      'alarm-not-found',
      'alarm-still-in-alarm',
      `the alarm named ${event.alarmName} read back is ${alarmNow.arn}, not the protected ${expectedArn ?? '(unknown)'}`,
    );
  }
  if (alarmNow.value !== 'ALARM') {
    return record.skip(
      'alarm-recovered',
      'alarm-still-in-alarm',
      `${event.alarmName} is ${alarmNow.value} when read back`,
    );
  }
  record.pass('alarm-still-in-alarm');

  return checkGuards(facts, record);
}

/** Decides on a failed health-ping run (k consecutive failures observed by this invocation). */
export function decideOnHealthBreach(facts: AutomaticTriggerFacts, breachedAt: number): Decision {
  const record = new CheckRecorder();
  record.pass('health-ping-breached');
  return checkRelease(facts, breachedAt, record) ?? checkGuards(facts, record);
}

function checkRelease(
  facts: AutomaticTriggerFacts,
  triggeredAt: number,
  record: CheckRecorder,
): Decision | undefined {
  const { release } = facts;
  if (!release) {
    return record.skip(
      'no-release',
      'release-captured',
      'no release has been captured, so there is nothing to go back to',
    );
  }
  record.pass('release-captured', release.releaseId);
  if (triggeredAt < Date.parse(release.capturedAt)) {
    return record.skip(
      'predates-release',
      'trigger-after-release',
      `the breach began before release ${release.releaseId} was captured`,
    );
  }
  record.pass('trigger-after-release');
  if (facts.now > Date.parse(release.evaluationWindowEndsAt)) {
    return record.skip(
      'outside-evaluation-window',
      'inside-evaluation-window',
      `the evaluation window of ${release.releaseId} ended at ${release.evaluationWindowEndsAt}`,
    );
  }
  record.pass('inside-evaluation-window');
  return undefined;
}

function checkGuards(facts: AutomaticTriggerFacts, record: CheckRecorder): Decision {
  const { state, policy, now, release } = facts;
  if (state.latched && state.latched.releaseId === release?.releaseId) {
    return record.skip(
      'already-rolled-back',
      'not-latched',
      `release ${state.latched.releaseId} was already rolled back at ${state.latched.rolledBackAt}`,
    );
  }
  record.pass('not-latched');

  if (state.unfinished && state.unfinished.releaseId === release?.releaseId) {
    return record.skip(
      'already-rolled-back',
      'no-unfinished-rollback',
      `the rollback of ${state.unfinished.releaseId} begun at ${state.unfinished.since} is unfinished; the schedule tick is finishing it`,
    );
  }
  record.pass('no-unfinished-rollback');

  if (
    state.lastRollbackAt !== undefined &&
    now - Date.parse(state.lastRollbackAt) < policy.cooldownMinutes * 60_000
  ) {
    return record.skip(
      'cooldown',
      'outside-cooldown',
      `the last rollback was at ${state.lastRollbackAt}; the cooldown is ${policy.cooldownMinutes} min`,
    );
  }
  record.pass('outside-cooldown');

  const windowStart = now - policy.budgetWindowMinutes * 60_000;
  const recent = state.automaticRollbacks.filter((at) => Date.parse(at) >= windowStart).length;
  if (recent >= policy.maxAutomaticRollbacks) {
    return record.skip(
      'budget-exhausted',
      'within-budget',
      `${recent} automatic rollbacks in the last ${policy.budgetWindowMinutes} min; the budget is ${policy.maxAutomaticRollbacks}`,
    );
  }
  record.pass('within-budget', `${recent} of ${policy.maxAutomaticRollbacks}`);
  return { act: true, checks: record.checks };
}
