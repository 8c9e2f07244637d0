/**
 * A trigger, from delivery to audit: lock, receipt (duplicates acknowledged), decision, plan,
 * execution, state, audit record, notification. Automatic and manual rollbacks take this same path.
 */
import {
  acknowledgementKey,
  auditRecordSchema,
  decisionRecordKey,
  rollbackMarkerKey,
  type AuditRecord,
  type CurrentRelease,
  type WatchdogState,
} from '../../../lib';
import type { AlarmEvent, RollbackRequest } from '../events';
import type { AlarmState } from '../ports';
import { auditRecord, recordDecision } from './audit';
import {
  acquireLock,
  acquireLockFast,
  checkReceipt,
  createReceipt,
  markActing,
  receiptUntouched,
  releaseLockQuietly,
  settleReceipt,
  writeState,
  type ActingDecision,
} from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import { decideOnAlarm, decideOnHealthBreach, type Check, type Decision } from './decide';
import {
  capacityVerdicts,
  describePlan,
  heldBackConfiguration,
  readCapacity,
  restoreConfiguration,
  restoreTraffic,
} from './execute';
import {
  executionContext,
  groupsOf,
  manifestOf,
  NOTHING_READ,
  readConfigurationState,
  readFacts,
  readLiveState,
  startCapacityReads,
  type CapacityReads,
  type Facts,
} from './facts';
import { planRestore } from './plan';
import { settleUnfinished } from './unfinished';

/** A health-ping run saw enough consecutive failures. */
export interface HealthBreach {
  readonly kind: 'health-ping';
  readonly breachedAt: number;
  readonly detail: string;
  /** Set when the prober forwarded the breach: redeliveries of it are duplicates. */
  readonly eventId?: string;
}

/** The schedule tick finishing the unfinished rollback the state records. */
export interface FinishUnfinished {
  readonly kind: 'finish';
  readonly releaseId: string;
}

export type Trigger = AlarmEvent | HealthBreach | RollbackRequest | FinishUnfinished;

export interface TriggerOptions {
  /**
   * The schedule tick found this trigger: a decision not to act is logged, not audited or notified
   * (it would repeat every minute), and a partial outcome does not fail the invocation (the next
   * tick tries again).
   */
  readonly fromTick?: boolean;
}

export interface TriggerOutcome {
  readonly decisionId?: string;
  /** `dismissed`: not acted on and not recorded (screened out, or a tick with nothing to do). */
  readonly outcome: AuditRecord['outcome'] | 'duplicate' | 'dismissed';
  readonly reason?: string;
  readonly steps: AuditRecord['steps'];
}

/** The lock stayed busy: the invocation fails so Lambda retries it later. */
export class LockBusyError extends Error {
  constructor(service: string) {
    super(`another watchdog run holds the lock of ${service}; this delivery will be retried`);
    this.name = 'LockBusyError';
  }
}

/** Some steps failed or were blocked: raised after the audit so the invocation reaches the on-failure destination. */
export class PartialRollbackError extends Error {
  constructor(
    readonly decisionId: string,
    readonly failedSteps: readonly string[],
  ) {
    super(`rollback ${decisionId} is partial: ${failedSteps.join('; ')}`);
    this.name = 'PartialRollbackError';
  }
}

/**
 * A trigger, from delivery to audit, with as few sequential round trips as it can take before
 * traffic is verified:
 *   1. one parallel wave: the lock (one conditional write in a warm container), the receipt, the
 *      release pointer (with its manifest), the state, the alarm read back, and the target health of
 *      the groups the remembered release needs;
 *   2. the latch and the hold (a conditional write);
 *   3. every ModifyListener and ModifyRule at once, without reading the live actions first;
 *   4. one batched read-back.
 * Audit, notification, receipt and lock release come after. Automatic and manual rollbacks, and the
 * schedule tick's retries, take this same path.
 */
export async function handleTrigger(
  context: EngineContext,
  trigger: Trigger,
  options: TriggerOptions = {},
): Promise<TriggerOutcome> {
  const coord = coordination(context);
  const eventId = 'eventId' in trigger ? trigger.eventId : undefined;
  const dryRun = trigger.kind === 'rollback' && trigger.dryRun;
  // The remembered release's groups: their health is read now, in case the decision is to act on it.
  const remembered = context.warm?.release;
  const capacityAhead = remembered && !dryRun ? startCapacityReads(context, remembered.manifest) : undefined;
  const [locked, received, read] = await Promise.allSettled([
    acquireLockFast(coord),
    eventId !== undefined ? createReceipt(coord, eventId) : Promise.resolve(undefined),
    readFacts(context, trigger.kind === 'alarm' ? trigger.alarmName : undefined),
  ]);
  let lease = locked.status === 'fulfilled' ? locked.value : undefined;
  try {
    if (locked.status === 'rejected') throw locked.reason;
    if (received.status === 'rejected') throw received.reason;
    let facts: Facts;
    // A receipt this run created outside the lock stays new on the fast path (no run held the lock
    // since this container last did). Otherwise another delivery of the trigger may have taken the
    // lock first, found the receipt in progress and acted: the receipt must still be as created.
    let seen = received.value?.status === 'seen';
    if (lease) {
      if (read.status === 'rejected') throw read.reason;
      facts = read.value;
    } else {
      lease = await acquireLock(coord, context.lockWaitMs);
      if (!lease) throw new LockBusyError(context.config.service);
      // Another run held the lock since this container last did: read what it may have changed.
      const created = received.value?.status === 'new' ? received.value.etag : undefined;
      const [reread, untouched] = await Promise.all([
        readFacts(context, trigger.kind === 'alarm' ? trigger.alarmName : undefined),
        eventId !== undefined && created !== undefined
          ? receiptUntouched(coord, eventId, created)
          : Promise.resolve(true),
      ]);
      facts = reread;
      seen ||= !untouched;
    }
    let resumed: 'in-progress' | 'failed' | undefined;
    let acted: ActingDecision | undefined;
    if (eventId !== undefined && seen) {
      const receipt = await checkReceipt(coord, eventId);
      if (receipt.status === 'duplicate') {
        context.log.info('duplicate delivery acknowledged', {
          eventId,
          decisionId: receipt.receipt.decisionId,
        });
        return {
          outcome: 'duplicate',
          ...(receipt.receipt.decisionId ? { decisionId: receipt.receipt.decisionId } : {}),
          steps: [],
        };
      }
      if (receipt.status === 'resume') {
        resumed = receipt.previous;
        acted = receipt.acted;
      }
    }
    const result = await decideAndAct(
      context,
      trigger,
      facts,
      eventId,
      resumed,
      acted,
      capacityAhead,
      options,
    );
    if (eventId !== undefined && result.outcome !== 'dismissed')
      await settleReceipt(
        coord,
        eventId,
        result.outcome === 'partial' ? 'failed' : 'done',
        result.decisionId ?? context.invocationId,
      );
    if (result.outcome === 'partial' && !options.fromTick) {
      throw new PartialRollbackError(
        context.invocationId,
        result.steps
          .filter((s) => s.outcome !== 'applied' && s.outcome !== 'unchanged')
          .map((s) => `${s.kind} ${s.target}: ${s.outcome}${s.detail ? ` (${s.detail})` : ''}`),
      );
    }
    return result;
  } finally {
    if (lease) await releaseLockQuietly(coord, lease, context.log);
  }
}

async function decideAndAct(
  context: EngineContext,
  trigger: Trigger,
  facts: Facts,
  eventId: string | undefined,
  resumed: 'in-progress' | 'failed' | undefined,
  acted: ActingDecision | undefined,
  capacityAhead: CapacityReads | undefined,
  options: TriggerOptions,
): Promise<TriggerOutcome> {
  const { config } = context;
  const { release, state, alarmNow } = facts;
  const startedAt = isoNow(context);
  const coord = coordination(context);
  // A run that completed this trigger's rollback and its audit record but died before settling the
  // receipt: the redelivery is a duplicate, not a second rollback (nor a second notification). That
  // holds whatever the receipt last said: a partial run marks it failed, and the run that finished
  // that rollback may have died before marking it done. It holds too when other rollbacks, or a new
  // release, came in between: the receipt names the run that acted (see markActing).
  if (resumed !== undefined && eventId !== undefined) {
    const completed = await completedRollbackOf(context, state, eventId, release?.releaseId, acted);
    if (completed) {
      context.log.info('duplicate delivery acknowledged: its rollback was completed and audited', {
        eventId,
        decisionId: completed,
      });
      return { decisionId: completed, outcome: 'duplicate', steps: [] };
    }
  }
  // A redelivery of a trigger whose rollback began (its latch was written ahead) but did not finish —
  // it was partial, or its run died — finishes that rollback, as long as the release is still the
  // one it began on: a half-restored release is worse than either state, so the latch, cooldown and
  // budget do not apply to it. The latch must name this very trigger: a run that could move nothing
  // writes no latch, and another trigger's later rollback is not this one's to finish (nor is a newer
  // release's). The schedule tick finishes the unfinished rollback the state records, likewise.
  const finishing =
    release !== undefined &&
    (trigger.kind === 'finish'
      ? state.unfinished?.releaseId === release.releaseId && state.unfinished.releaseId === trigger.releaseId
      : resumed !== undefined &&
        eventId !== undefined &&
        ((state.latched?.releaseId === release.releaseId && state.latched.eventId === eventId) ||
          // a rollback that could move nothing wrote no latch, only its unfinished record
          state.unfinished?.releaseId === release.releaseId));
  const decision: Decision =
    finishing && release
      ? {
          act: true,
          checks: [
            { name: 'finishing-partial-rollback', passed: true, detail: `release ${release.releaseId}` },
          ],
        }
      : decide(context, trigger, release, state, alarmNow);
  // What every record of this decision shares; auditRecord fills in the invocation's fields.
  const shared = {
    trigger: describeTrigger(trigger),
    ...(release ? { releaseId: release.releaseId } : {}),
    checks: [...decision.checks],
  };

  if (!decision.act) {
    if (trigger.kind === 'finish' && state.unfinished) {
      // A newer release (or an acknowledgement) overtook the unfinished rollback: nothing to finish.
      await writeState(coord, { ...state, unfinished: undefined }, facts.stateCondition);
    }
    if (options.fromTick) {
      // The tick re-evaluates every minute: a standing reason not to act is not news each time.
      context.log.info('tick: no action', { reason: decision.detail });
      return { outcome: 'dismissed', reason: decision.detail, steps: [] };
    }
    // An OK or INSUFFICIENT_DATA transition is routine; an alarm the watchdog did not act on is news.
    const notify = !(trigger.kind === 'alarm' && decision.reason === 'not-in-alarm');
    await recordDecision(
      context,
      auditRecord(context, startedAt, {
        ...shared,
        decision: 'skip',
        reason: decision.detail,
        outcome: 'skipped',
      }),
      notify,
    );
    return { decisionId: context.invocationId, outcome: 'skipped', reason: decision.detail, steps: [] };
  }

  const current = release as CurrentRelease;
  const manifest = await manifestOf(context, current);
  if (
    manifest.listeners.length +
      manifest.aliases.length +
      manifest.parameters.length +
      manifest.artifacts.length ===
    0
  ) {
    // A first release has no way back: say so loudly instead of reporting a rollback of nothing.
    const detail = `release ${manifest.releaseId} was captured before anything it protects existed: there is nothing to restore`;
    await recordDecision(
      context,
      auditRecord(context, startedAt, {
        ...shared,
        checks: [...shared.checks, { name: 'something-captured', passed: false, detail }],
        decision: 'skip',
        reason: detail,
        outcome: 'skipped',
      }),
      true,
    );
    return { decisionId: context.invocationId, outcome: 'skipped', reason: detail, steps: [] };
  }
  const recoveryPoints = manifest.backups.flatMap((b) =>
    b.recoveryPointArn ? [b.recoveryPointArn] : [b.backupJobId],
  );
  const execution = executionContext(context);

  if (trigger.kind === 'rollback' && trigger.dryRun) {
    // A dry run is not in a hurry: it reads the live state and lists only what would change.
    const steps = describePlan(
      planRestore(manifest, await readLiveState(context, manifest)),
      isoNow(context),
    );
    await recordDecision(
      context,
      auditRecord(context, startedAt, {
        ...shared,
        recoveryPoints,
        decision: 'plan',
        reason: trigger.reason,
        steps,
        outcome: 'planned',
      }),
      false,
    );
    return { decisionId: context.invocationId, outcome: 'planned', steps };
  }

  const plan = planRestore(manifest, NOTHING_READ);
  const health = await (capacityAhead?.releaseId === manifest.releaseId
    ? capacityAhead.readings
    : readCapacity(groupsOf(plan.traffic).knownGood, groupsOf(plan.traffic).candidates, execution));
  const capacity = capacityVerdicts(plan.traffic, health, config.policy);
  if (capacity.unknown.length > 0)
    context.log.warn('target health could not be read; not counted as unhealthy', {
      targetGroups: capacity.unknown,
    });

  const decidedAt = isoNow(context);
  // When every traffic step would be blocked, nothing will move. A hold now would make the next deploy
  // send all traffic to those same unhealthy groups, so the release is left as it is; the state
  // records the rollback as unfinished and the schedule tick tries again every minute.
  const nothingCanMove =
    plan.traffic.length > 0 && plan.traffic.every((step) => capacity.blocked.has(step.target));
  // Write ahead: the latch and the hold go down before anything moves, so a run that dies half-way
  // still keeps the next deploy on blue, and its redelivery finishes the rollback (see finishing).
  const latchedState = nothingCanMove
    ? state
    : nextState(state, manifest.releaseId, trigger, decidedAt, context.invocationId, finishing, eventId);
  if (!nothingCanMove)
    await Promise.all([
      writeState(coord, latchedState, facts.stateCondition),
      eventId ? markActing(coord, eventId, { decisionId: context.invocationId, decidedAt }) : undefined,
      context.ports.store.putJson(rollbackMarkerKey(config.service, manifest.releaseId), {
        releaseId: manifest.releaseId,
        decisionId: context.invocationId,
        rolledBackAt: decidedAt,
      }),
      // An acknowledgement covered the previous rollback of this release, not this one.
      context.ports.store.deleteObject(acknowledgementKey(config.service, manifest.releaseId)),
    ]);
  const traffic = await restoreTraffic(plan.traffic, capacity.blocked, execution);
  // Old configuration served by the new release would be a third state nobody tested: configuration
  // is restored only once every traffic write has landed.
  const trafficWritten = traffic.steps.every((s) => s.outcome === 'applied' || s.outcome === 'unverified');
  const configurationSteps = trafficWritten
    ? await restoreConfiguration(
        planRestore(manifest, { ...(await readConfigurationState(context, manifest)), listeners: new Map() })
          .configuration,
        execution,
      )
    : heldBackConfiguration(plan.configuration, execution);
  const steps = [...traffic.steps, ...configurationSteps];
  const outcome = steps.every((s) => s.outcome === 'applied')
    ? 'rolled-back'
    : steps.every((s) => s.outcome === 'applied' || s.outcome === 'unverified')
      ? 'rolled-back-unverified'
      : 'partial';
  const triggeredAt = trigger.kind === 'alarm' ? Date.parse(trigger.stateChangedAt) : Date.parse(startedAt);

  // After traffic: record what is left for the tick (or that nothing is), and page at an interval.
  const paging = await settleUnfinished(context, latchedState, manifest.releaseId, outcome, steps, trigger);
  if (
    trigger.kind === 'finish' &&
    outcome !== 'rolled-back' &&
    !paging.page &&
    traffic.steps.every((s) => s.outcome === 'blocked')
  ) {
    // Still blocked, nothing moved, paged recently: the attempt is in the log, not another record.
    context.log.warn('unfinished rollback still blocked', { releaseId: manifest.releaseId, steps });
    return { decisionId: context.invocationId, outcome, steps };
  }
  await recordDecision(
    context,
    auditRecord(context, startedAt, {
      ...shared,
      recoveryPoints,
      decidedAt,
      decision: 'rollback',
      ...(trigger.kind === 'rollback' ? { reason: trigger.reason } : {}),
      steps,
      outcome,
      ...(traffic.verifiedAt !== undefined ? { timeToRollbackMs: traffic.verifiedAt - triggeredAt } : {}),
    }),
    paging.page,
  );
  if (recoveryPoints.length > 0) {
    context.log.warn("data was not restored: restoring a recovery point is the operator's decision", {
      recoveryPoints,
    });
  }
  return { decisionId: context.invocationId, outcome, steps };
}

/**
 * The decision id of this trigger's completed rollback, if its audit record says `rolled-back`. The
 * receipt names the run that acted on the trigger (`acted`, written before it acted); a receipt from
 * before that was written falls back to the latch, which names only the latest rollback of the
 * current release.
 */
async function completedRollbackOf(
  context: EngineContext,
  state: WatchdogState,
  eventId: string,
  releaseId: string | undefined,
  acted: ActingDecision | undefined,
): Promise<string | undefined> {
  const { latched } = state;
  const candidate =
    acted ??
    (latched && latched.eventId === eventId && latched.releaseId === releaseId
      ? { decisionId: latched.decisionId, decidedAt: latched.rolledBackAt }
      : undefined);
  if (!candidate) return undefined;
  const stored = await context.ports.store.getJson(
    decisionRecordKey(context.config.service, candidate.decidedAt, candidate.decisionId),
  );
  const record = auditRecordSchema.safeParse(stored?.body);
  return record.success && record.data.decision === 'rollback' && record.data.outcome === 'rolled-back'
    ? candidate.decisionId
    : undefined;
}

function decide(
  context: EngineContext,
  trigger: Trigger,
  release: CurrentRelease | undefined,
  state: WatchdogState,
  alarmNow: AlarmState | undefined,
): Decision {
  const facts = { now: context.clock.now(), policy: context.config.policy, release, state };
  switch (trigger.kind) {
    case 'alarm':
      return decideOnAlarm(trigger, context.config, alarmNow, facts);
    case 'health-ping':
      return decideOnHealthBreach(facts, trigger.breachedAt);
    case 'finish':
      return {
        act: false,
        reason: 'already-rolled-back',
        detail: `the unfinished rollback of ${trigger.releaseId} is not the current release's, or was acknowledged`,
        checks: [{ name: 'unfinished-rollback-current', passed: false }],
      };
    case 'rollback': {
      const checks: Check[] = [{ name: 'manual-request', passed: true, detail: `by ${trigger.requestedBy}` }];
      return release
        ? {
            act: true,
            checks: [...checks, { name: 'release-captured', passed: true, detail: release.releaseId }],
          }
        : {
            act: false,
            reason: 'no-release',
            detail: 'no release has been captured, so there is nothing to go back to',
            checks,
          };
    }
  }
}

function nextState(
  state: WatchdogState,
  releaseId: string,
  trigger: Trigger,
  at: string,
  decisionId: string,
  finishing: boolean,
  eventId: string | undefined,
): WatchdogState {
  // Finishing a partial rollback is the same rollback: it does not count against the budget again.
  const automatic = trigger.kind !== 'rollback' && trigger.kind !== 'finish' && !finishing;
  return {
    ...state,
    latched: {
      releaseId,
      rolledBackAt: at,
      decisionId,
      trigger:
        trigger.kind === 'alarm'
          ? `alarm ${trigger.alarmName}`
          : trigger.kind === 'finish'
            ? (state.latched?.trigger ?? 'tick')
            : trigger.kind,
      ...(eventId ? { eventId } : {}),
    },
    lastRollbackAt: at,
    // Keep the list short: only what a budget window can still count.
    automaticRollbacks: automatic ? [...state.automaticRollbacks, at].slice(-100) : state.automaticRollbacks,
  };
}

function describeTrigger(trigger: Trigger): AuditRecord['trigger'] {
  switch (trigger.kind) {
    case 'alarm':
      return {
        kind: 'alarm',
        source: trigger.source,
        alarmName: trigger.alarmName,
        alarmState: trigger.state,
        stateChangedAt: trigger.stateChangedAt,
      };
    case 'health-ping':
      return { kind: 'health-ping', reason: trigger.detail };
    case 'finish':
      return {
        kind: 'tick',
        source: 'schedule',
        reason: `finishing the unfinished rollback of ${trigger.releaseId}`,
      };
    case 'rollback':
      return {
        kind: 'rollback',
        source: 'manual',
        reason: trigger.reason,
        requestedBy: trigger.requestedBy,
        dryRun: trigger.dryRun,
      };
  }
}
