/**
 * A trigger, from delivery to audit: lock, receipt (duplicates acknowledged), decision, plan,
 * execution, state, audit record, notification. Automatic and manual rollbacks take this same path.
 */
import {
  acknowledgementKey,
  auditRecordSchema,
  decisionRecordKey,
  parseReleaseManifest,
  rollbackMarkerKey,
  type AuditRecord,
  type CurrentRelease,
  type ReleaseManifest,
  type WatchdogState,
} from '../../../lib';
import type { AlarmEvent, RollbackRequest } from '../events';
import type { AlarmState } from '../ports';
import { auditRecord, recordDecision } from './audit';
import {
  acquireLock,
  checkReceipt,
  readCurrentRelease,
  readState,
  releaseLockQuietly,
  settleReceipt,
  writeState,
} from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import { decideOnAlarm, decideOnHealthBreach, type Check, type Decision } from './decide';
import { describePlan, executePlan, findUnhealthyTargetGroups } from './execute';
import { aliasKey, forwardedTargetGroups, planRestore, type LiveState } from './plan';
import { withRetry } from './retry';

/** A health-ping run saw enough consecutive failures. */
export interface HealthBreach {
  readonly kind: 'health-ping';
  readonly breachedAt: number;
  readonly detail: string;
  /** Set when the prober forwarded the breach: redeliveries of it are duplicates. */
  readonly eventId?: string;
}

export type Trigger = AlarmEvent | HealthBreach | RollbackRequest;

export interface TriggerOutcome {
  readonly decisionId?: string;
  readonly outcome: AuditRecord['outcome'] | 'duplicate';
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

export async function handleTrigger(context: EngineContext, trigger: Trigger): Promise<TriggerOutcome> {
  const coord = coordination(context);
  const lease = await acquireLock(coord, context.lockWaitMs);
  if (!lease) throw new LockBusyError(context.config.service);
  const eventId = 'eventId' in trigger ? trigger.eventId : undefined;
  try {
    let resumed: 'in-progress' | 'failed' | undefined;
    if (eventId) {
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
      if (receipt.status === 'resume') resumed = receipt.previous;
    }
    const result = await decideAndAct(context, trigger, eventId, resumed);
    if (eventId)
      await settleReceipt(
        coord,
        eventId,
        result.outcome === 'partial' ? 'failed' : 'done',
        result.decisionId ?? context.invocationId,
      );
    if (result.outcome === 'partial') {
      throw new PartialRollbackError(
        context.invocationId,
        result.steps
          .filter((s) => s.outcome !== 'applied' && s.outcome !== 'unchanged')
          .map((s) => `${s.kind} ${s.target}: ${s.outcome}${s.detail ? ` (${s.detail})` : ''}`),
      );
    }
    return result;
  } finally {
    await releaseLockQuietly(coordination(context), lease, context.log);
  }
}

async function decideAndAct(
  context: EngineContext,
  trigger: Trigger,
  eventId: string | undefined,
  resumed: 'in-progress' | 'failed' | undefined,
): Promise<TriggerOutcome> {
  const { config } = context;
  const startedAt = isoNow(context);
  const coord = coordination(context);
  // Independent reads go out together: every round trip is on the path to the switch.
  const [release, state, alarmNow] = await Promise.all([
    readCurrentRelease(coord),
    readState(coord),
    trigger.kind === 'alarm' ? readAlarm(context, trigger.alarmName) : Promise.resolve(undefined),
  ]);
  // A run that completed this trigger's rollback and its audit record but died before settling the
  // receipt: the redelivery is a duplicate, not a second rollback (nor a second notification).
  if (resumed === 'in-progress' && eventId !== undefined && release !== undefined) {
    const completed = await completedRollbackOf(context, state, eventId, release.releaseId);
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
  // release's).
  const finishing =
    resumed !== undefined &&
    release !== undefined &&
    eventId !== undefined &&
    state.latched?.releaseId === release.releaseId &&
    state.latched.eventId === eventId;
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

  const manifest = await loadManifest(context, release as CurrentRelease);
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
  // The health of every group the manifest sends traffic to is read alongside the live state.
  const knownGood = [
    ...new Set(
      manifest.listeners.flatMap((l) =>
        forwardedTargetGroups([...l.defaultActions, ...l.rules.flatMap((r) => r.actions)]),
      ),
    ),
  ];
  const dryRun = trigger.kind === 'rollback' && trigger.dryRun;
  const [live, unhealthy] = await Promise.all([
    readLiveState(context, manifest),
    dryRun
      ? Promise.resolve(new Set<string>())
      : findUnhealthyTargetGroups(knownGood, executionContext(context)),
  ]);
  const plan = planRestore(manifest, live);
  const recoveryPoints = manifest.backups.flatMap((b) =>
    b.recoveryPointArn ? [b.recoveryPointArn] : [b.backupJobId],
  );

  if (dryRun) {
    const steps = describePlan(plan, isoNow(context));
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

  const decidedAt = isoNow(context);
  // When every traffic step would be blocked (no known-good group has healthy targets), nothing will
  // move. A hold now would make the next deploy send all traffic to those same unhealthy groups, so
  // the release is left as it is; the run is audited as partial and Lambda's retries try again.
  const nothingCanMove =
    plan.traffic.length > 0 &&
    plan.traffic.every((step) => step.knownGoodTargetGroupArns.some((arn) => unhealthy.has(arn)));
  // Write ahead: the latch and the hold go down before anything moves, so a run that dies half-way
  // still keeps the next deploy on blue, and its redelivery finishes the rollback (see finishing).
  if (!nothingCanMove)
    await Promise.all([
      writeState(
        coord,
        nextState(state, manifest.releaseId, trigger, decidedAt, context.invocationId, finishing, eventId),
      ),
      context.ports.store.putJson(rollbackMarkerKey(config.service, manifest.releaseId), {
        releaseId: manifest.releaseId,
        decisionId: context.invocationId,
        rolledBackAt: decidedAt,
      }),
      // An acknowledgement covered the previous rollback of this release, not this one.
      context.ports.store.deleteObject(acknowledgementKey(config.service, manifest.releaseId)),
    ]);
  const result = await executePlan(plan, executionContext(context), unhealthy);
  const outcome = result.complete ? 'rolled-back' : 'partial';
  const triggeredAt = trigger.kind === 'alarm' ? Date.parse(trigger.stateChangedAt) : Date.parse(startedAt);
  await recordDecision(
    context,
    auditRecord(context, startedAt, {
      ...shared,
      recoveryPoints,
      decidedAt,
      decision: 'rollback',
      ...(trigger.kind === 'rollback' ? { reason: trigger.reason } : {}),
      steps: result.steps,
      outcome,
      ...(result.trafficVerifiedAt !== undefined
        ? { timeToRollbackMs: result.trafficVerifiedAt - triggeredAt }
        : {}),
    }),
    true,
  );
  if (recoveryPoints.length > 0) {
    context.log.warn("data was not restored: restoring a recovery point is the operator's decision", {
      recoveryPoints,
    });
  }
  return { decisionId: context.invocationId, outcome, steps: result.steps };
}

/**
 * The decision id of the completed rollback this trigger latched on the current release, if its
 * audit record says `rolled-back` (the latch names the decision and when it was made, which is
 * where its record is).
 */
async function completedRollbackOf(
  context: EngineContext,
  state: WatchdogState,
  eventId: string,
  releaseId: string,
): Promise<string | undefined> {
  const { latched } = state;
  if (!latched || latched.eventId !== eventId || latched.releaseId !== releaseId) return undefined;
  const stored = await context.ports.store.getJson(
    decisionRecordKey(context.config.service, latched.rolledBackAt, latched.decisionId),
  );
  const record = auditRecordSchema.safeParse(stored?.body);
  return record.success && record.data.decision === 'rollback' && record.data.outcome === 'rolled-back'
    ? latched.decisionId
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

async function readAlarm(context: EngineContext, alarmName: string): Promise<AlarmState | undefined> {
  const { value } = await withRetry(() => context.ports.alarms.alarmStates([alarmName]), {
    budgetMs: context.config.policy.stepTimeBudgetMs,
    clock: context.clock,
  });
  return value.find((s) => s.name === alarmName);
}

async function loadManifest(context: EngineContext, release: CurrentRelease): Promise<ReleaseManifest> {
  const stored = await context.ports.store.getJson(release.manifestKey, release.manifestVersionId);
  if (!stored)
    throw new Error(`the manifest of release ${release.releaseId} (${release.manifestKey}) is missing`);
  return parseReleaseManifest(stored.body);
}

async function readLiveState(context: EngineContext, manifest: ReleaseManifest): Promise<LiveState> {
  const { ports } = context;
  const retry = <T>(fn: () => Promise<T>) =>
    withRetry(fn, { budgetMs: context.config.policy.stepTimeBudgetMs, clock: context.clock }).then(
      (r) => r.value,
    );
  // A read that fails leaves the item out of the live state; the plan then restores it (and verifies).
  const settle = async <T>(fn: () => Promise<T>): Promise<T | undefined> => retry(fn).catch(() => undefined);
  const [listeners, aliases, parameters, artifacts] = await Promise.all([
    Promise.all(manifest.listeners.map((l) => settle(() => ports.traffic.describeListener(l.listenerArn)))),
    Promise.all(
      manifest.aliases.map((a) => settle(() => ports.aliases.describeAlias(a.functionName, a.aliasName))),
    ),
    Promise.all(
      manifest.parameters.map((p) => settle(() => ports.parameters.matchesVersion(p.name, p.version))),
    ),
    Promise.all(
      manifest.artifacts.map((a) => settle(() => ports.artifacts.matchesVersion(a.key, a.versionId))),
    ),
  ]);
  return {
    listeners: new Map(listeners.flatMap((l) => (l ? [[l.listenerArn, l] as const] : []))),
    aliases: new Map(
      aliases.flatMap((a) => (a ? [[aliasKey(a.functionName, a.aliasName), a] as const] : [])),
    ),
    parametersAtCapturedVersion: new Map(manifest.parameters.map((p, i) => [p.name, parameters[i] === true])),
    artifactsAtCapturedVersion: new Map(manifest.artifacts.map((a, i) => [a.key, artifacts[i] === true])),
  };
}

function executionContext(context: EngineContext) {
  return { ports: context.ports, policy: context.config.policy, clock: context.clock };
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
  const automatic = trigger.kind !== 'rollback' && !finishing;
  return {
    ...state,
    latched: {
      releaseId,
      rolledBackAt: at,
      decisionId,
      trigger: trigger.kind === 'alarm' ? `alarm ${trigger.alarmName}` : trigger.kind,
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
