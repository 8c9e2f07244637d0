/**
 * The schedule tick (every minute): level-triggered re-evaluation, so a lost delivery, an alarm that
 * was already in ALARM, or a rollback that was blocked or partial is never given up on. An all-clear
 * tick costs two reads (the protected alarms' states and the service's state) and writes nothing;
 * so does a tick while a shift step bakes, and one while a rollback's verification waits for the
 * alarms (it is given the alarms this tick read). The tick carries a traffic shift on (shift.ts) only after
 * looking at the alarms: a breach rolls back, and no step is taken while any protected alarm is not OK.
 */
import type { AlarmEvent } from '../events';
import { alarmEventId } from '../events';
import type { AlarmState } from '../ports';
import { readCurrentRelease, readState } from './coordination';
import { coordination, type EngineContext } from './context';
import { decideOnAlarm } from './decide';
import { isProtectedAlarm } from './protected-alarms';
import { handleTrigger, LockBusyError, type Trigger, type TriggerOutcome } from './rollback';
import { withRetry } from './retry';
import { followRestoreJobs, type RestoreJobsOutcome } from './restore-jobs';
import { continueShift, type ShiftTickOutcome } from './shift';
import { continueVerification, type VerificationOutcome } from './verify';

export interface TickOutcome {
  /** Protected alarms found in ALARM. */
  readonly alarmsInAlarm: string[];
  /** The unfinished rollback the tick tried to finish, if there was one. */
  readonly finishing?: TriggerOutcome;
  /** What the tick did about an alarm in ALARM, if it acted. */
  readonly acted?: TriggerOutcome;
  /** What the tick did about a rollback's pending verification, when it finished it. */
  readonly verified?: VerificationOutcome;
  /** What the tick did about the traffic shift in progress, if there is one. */
  readonly shift?: ShiftTickOutcome;
  /** What the tick did about restore jobs `restore-data` started, when any are pending. */
  readonly restores?: RestoreJobsOutcome;
}

export async function handleTick(context: EngineContext): Promise<TickOutcome> {
  const { config } = context;
  const coord = coordination(context);
  const [alarms, state] = await Promise.all([
    config.alarms.length > 0
      ? withRetry(() => context.ports.alarms.alarmStates(config.alarms.map((a) => a.name)), {
          budgetMs: config.policy.stepTimeBudgetMs,
          clock: context.clock,
        }).then((r) => r.value)
      : Promise.resolve([] as AlarmState[]),
    readState(coord),
  ]);
  // By ARN: the alarm answering to a protected name must be the protected alarm.
  const breached = alarms.filter(
    (alarm) => alarm.value === 'ALARM' && isProtectedAlarm(config.alarms, alarm),
  );
  const alarmsInAlarm = breached.map((a) => a.name);

  let finishing: TriggerOutcome | undefined;
  if (state.unfinished) {
    context.log.warn('tick: finishing an unfinished rollback', {
      releaseId: state.unfinished.releaseId,
      since: state.unfinished.since,
      attempts: state.unfinished.attempts,
    });
    finishing = await quietlyIfBusy(context, { kind: 'finish', releaseId: state.unfinished.releaseId });
  }
  // A rollback's verification waits for the alarms (in ALARM or not): it takes the lock itself, and
  // judges by the alarms this tick has just read.
  const verified = state.verifying ? await verifyQuietlyIfBusy(context, state, alarms) : undefined;
  const done = { alarmsInAlarm, ...(finishing ? { finishing } : {}), ...(verified ? { verified } : {}) };
  // Restore jobs are followed last, after anything that moves traffic (and not at all when none is pending).
  const withRestores = async (outcome: TickOutcome): Promise<TickOutcome> => {
    const restores = await restoresQuietly(context, state);
    return restores ? { ...outcome, restores } : outcome;
  };
  if (breached.length === 0) {
    // Never advance a shift in the tick that finished a rollback: read again on the next one.
    const shift = finishing || verified ? undefined : await continueShift(context, state, alarms);
    return withRestores({ ...done, ...(shift ? { shift } : {}) });
  }

  // Same checks as a delivered alarm, without writing anything unless they say act.
  // After finishing, the state has changed: read it again (once) with the release.
  const [release, current] = await Promise.all([
    readCurrentRelease(coord),
    finishing ? readState(coord) : Promise.resolve(state),
  ]);
  const now = context.clock.now();
  for (const alarm of breached) {
    const event: AlarmEvent = {
      kind: 'alarm',
      source: 'tick',
      alarmName: alarm.name,
      alarmArn: alarm.arn,
      state: 'ALARM',
      stateChangedAt: alarm.updatedAt,
      // The id every delivery of this state change has (by ARN): a redelivery later is a duplicate.
      eventId: alarmEventId(alarm.arn, alarm.updatedAt, 'ALARM'),
    };
    const decision = decideOnAlarm(event, config, alarm, {
      now,
      policy: config.policy,
      release,
      state: current,
    });
    if (!decision.act) {
      context.log.info('tick: alarm in ALARM, no action', { alarm: alarm.name, reason: decision.detail });
      continue;
    }
    const acted = await quietlyIfBusy(context, event);
    return withRestores({ ...done, acted });
  }
  return withRestores(done);
}

/** Following restore jobs never fails the tick: what it could not do, the next tick does. */
async function restoresQuietly(
  context: EngineContext,
  state: Parameters<typeof followRestoreJobs>[1],
): Promise<RestoreJobsOutcome | undefined> {
  if (!state.restores?.length) return undefined;
  try {
    return await followRestoreJobs(context, state);
  } catch (error) {
    context.log.error('tick: following restore jobs failed; the next tick looks again', {
      error: String(error),
    });
    return undefined;
  }
}

async function verifyQuietlyIfBusy(
  context: EngineContext,
  state: Parameters<typeof continueVerification>[1],
  alarms: readonly AlarmState[],
): Promise<VerificationOutcome | undefined> {
  try {
    return await continueVerification(context, state, alarms);
  } catch (error) {
    if (!(error instanceof LockBusyError)) throw error;
    context.log.info('tick: another run holds the lock; the verification waits for the next tick');
    return undefined;
  }
}

/** Another run holds the lock: it is acting already, and the next tick looks again. */
async function quietlyIfBusy(context: EngineContext, trigger: Trigger): Promise<TriggerOutcome> {
  try {
    return await handleTrigger(context, trigger, { fromTick: true });
  } catch (error) {
    if (!(error instanceof LockBusyError)) throw error;
    context.log.info('tick: another run holds the lock; the next tick looks again');
    return { outcome: 'dismissed', reason: error.message, steps: [] };
  }
}
