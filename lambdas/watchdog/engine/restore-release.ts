/**
 * The rollback itself, in a fixed order: read the known-good groups' capacity, write the latch, the
 * hold and the traffic marker ahead, issue the kill switches' writes, move traffic, restore
 * configuration only once traffic has landed (while the switches are read back), then settle what is
 * left for the tick, write the audit record, and verify (after the critical path: time-to-rollback
 * does not wait for it).
 *
 * Kill switches in mode `instead-of-traffic`: an automatic trigger turns the switches off and moves
 * nothing else (outcome `kill-switched`); the release is latched, so later alarms of it are
 * acknowledged. The rule that keeps this safe: traffic still rolls back when the switches are not
 * the whole answer. If a switch cannot be turned off (outcome `partial`), or the protected alarms
 * are not all OK within `verification.alarmsOkWithinMinutes` (verification fails), the release is
 * recorded as an unfinished rollback and the schedule tick's finish path rolls traffic back. A
 * finish, and an operator's manual rollback, always move traffic (switches first): a person asking
 * for a rollback means traffic, and a finish follows a kill switch that did not do the job.
 */
import {
  acknowledgementKey,
  rollbackMarkerKey,
  type AuditRecord,
  type ReleaseManifest,
  type ShiftState,
  type StepRecord,
  type Verification,
  type WatchdogState,
} from '../../../lib';
import { auditRecord, recordDecision } from './audit';
import { markActing, writeState } from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import {
  capacityVerdicts,
  heldBackConfiguration,
  readCapacity,
  restoreConfiguration,
  restoreTraffic,
  type ExecutionContext,
} from './execute';
import {
  executionContext,
  groupsOf,
  NOTHING_READ,
  readConfigurationState,
  type CapacityReads,
  type Facts,
} from './facts';
import { applyKillSwitches, issueKillSwitches, withoutKillSwitchParameters } from './kill-switches';
import { planRestore, type RestorePlan } from './plan';
import { candidateSharesOf, groupsOfListener } from './shift-decision';
import { pageMissingMarker, resolveBlue, writeRollbackMarker, type ResolvedBlue } from './rollback-marker';
import { ROLLBACK_MARKER_SEQ } from './traffic-markers';
import type { Trigger, TriggerOutcome } from './trigger';
import { settleUnfinished } from './unfinished';
import { verifyAfterRollback, type VerificationRequest } from './verify';
import type { SharedFields } from './without-acting';

/** A decision to roll back, with what it was decided on. */
export interface RollbackOrder {
  readonly trigger: Trigger;
  readonly facts: Facts;
  readonly manifest: ReleaseManifest;
  readonly shared: SharedFields & Pick<AuditRecord, 'recoveryPoints'>;
  readonly startedAt: string;
  /** Finishing a rollback that began before (see isFinishing). */
  readonly finishing: boolean;
  readonly eventId: string | undefined;
  /** Target health read ahead in the first wave, for the remembered release. */
  readonly capacityAhead: CapacityReads | undefined;
}

type Outcome = 'rolled-back' | 'rolled-back-unverified' | 'partial';

/** Whether a step did what it had to (a switch already off counts). */
const landed = (step: StepRecord): boolean => step.outcome === 'applied' || step.outcome === 'unchanged';

/**
 * Whether this trigger gets the kill switches only (see the module comment): mode
 * `instead-of-traffic`, and an automatic trigger (an alarm or a health ping, redeliveries included:
 * a redelivery repeats what its first run began), not the tick finishing an unfinished rollback.
 */
export function switchesOnly(context: Pick<EngineContext, 'config'>, trigger: Trigger): boolean {
  return (
    context.config.killSwitches?.mode === 'instead-of-traffic' &&
    trigger.kind !== 'rollback' &&
    trigger.kind !== 'finish'
  );
}

/** Rolls the release back to its manifest and records the decision. */
export async function rollBack(context: EngineContext, order: RollbackOrder): Promise<TriggerOutcome> {
  if (switchesOnly(context, order.trigger)) return switchOffInstead(context, order);
  const { trigger, facts, manifest } = order;
  const execution = executionContext(context);
  const plan = withoutKillSwitchParameters(context, planRestore(manifest, NOTHING_READ));
  // Started now, in parallel with the capacity reads and the write-ahead; only the traffic marker
  // needs it (by name, it is a DescribeTargetGroups), so nothing on the critical path waits for it.
  const blue = resolveBlue(context, manifest);
  const capacity = await capacityOf(context, plan, order, execution);

  const decidedAt = isoNow(context);
  // When every traffic step would be blocked, nothing will move. A hold now would make the next deploy
  // send all traffic to those same unhealthy groups, so the release is left as it is; the state
  // records the rollback as unfinished and the schedule tick tries again every minute.
  const nothingCanMove =
    plan.traffic.length > 0 && plan.traffic.every((step) => capacity.blocked.has(step.target));
  const latchedState = nothingCanMove
    ? facts.state
    : nextState(facts.state, manifest.releaseId, trigger, decidedAt, context.invocationId, order, {
        phase: 'rolled-back',
        candidateWeightPercent: restoredCandidateWeightPercent(manifest),
      });
  const missingMarker = nothingCanMove
    ? undefined
    : await writeAhead(context, order, latchedState, decidedAt, blue);

  // The switches' writes go first, whatever traffic can do (turning a feature off needs no healthy
  // group); traffic does not wait for their read-backs (an AppConfig deployment can take minutes).
  const switches = context.config.killSwitches ? await issueKillSwitches(context, manifest) : undefined;
  const traffic = await restoreTraffic(plan.traffic, capacity.blocked, execution);
  // The kill-switch parameters are left out of the configuration restore: the two do not meet.
  const [switchSteps, configurationSteps] = await Promise.all([
    switches ? switches.readBack : Promise.resolve([]),
    restoreConfigurationAfter(context, traffic.steps, plan, manifest, execution),
  ]);
  const steps = [...switchSteps, ...traffic.steps, ...configurationSteps];
  const outcome: Outcome = steps.every(landed)
    ? 'rolled-back'
    : steps.every((s) => landed(s) || s.outcome === 'unverified')
      ? 'rolled-back-unverified'
      : 'partial';
  // A missing marker is in the record, but not in the outcome: traffic and configuration are restored
  // whether or not a later `cdktf deploy` of the release would keep them (that is paged apart).
  const result = await recordRollback(
    context,
    order,
    latchedState,
    decidedAt,
    traffic,
    steps,
    outcome,
    missingMarker,
  );
  if (missingMarker) await pageMissingMarker(context, manifest.releaseId, missingMarker);
  if (outcome === 'rolled-back') {
    await verifyQuietly(context, manifest, result, afterSettling(latchedState), {
      switchesOnly: false,
      readBack: true,
      trafficReadBack: traffic.steps,
    });
  }
  return result;
}

/**
 * Mode `instead-of-traffic`: the kill switches, and nothing else. The latch goes down first (later
 * alarms of the release are acknowledged, and a redelivery finishes what a dying run began); no hold
 * and no traffic marker, because traffic stays where it is.
 */
async function switchOffInstead(context: EngineContext, order: RollbackOrder): Promise<TriggerOutcome> {
  const { trigger, facts, manifest, shared, startedAt, eventId } = order;
  const decidedAt = isoNow(context);
  const latchedState = nextState(
    facts.state,
    manifest.releaseId,
    trigger,
    decidedAt,
    context.invocationId,
    order,
    {
      phase: 'stopped',
    },
  );
  const coord = coordination(context);
  await Promise.all([
    writeState(coord, latchedState, facts.stateCondition),
    eventId ? markActing(coord, eventId, { decisionId: context.invocationId, decidedAt }) : undefined,
  ]);
  const steps = await applyKillSwitches(context, manifest);
  // An AppConfig switch still deploying (`unverified`) is complete for now: verification waits for it.
  const complete = steps.every((s) => landed(s) || s.outcome === 'unverified');
  // A switch that could not be turned off leaves traffic as the only lever: the tick finishes with it.
  const paging = await settleUnfinished(
    context,
    latchedState,
    manifest.releaseId,
    complete ? 'rolled-back' : 'partial',
    steps,
    trigger,
  );
  const outcome = complete ? ('kill-switched' as const) : ('partial' as const);
  // No timeToRollbackMs: traffic did not move, and the metric of that name measures traffic.
  await recordDecision(
    context,
    auditRecord(context, startedAt, {
      ...shared,
      decidedAt,
      decision: 'kill-switch',
      reason: complete
        ? 'kill switches turned off instead of moving traffic; traffic rolls back if the alarms are not OK in time'
        : 'a kill switch could not be turned off: the schedule tick rolls traffic back',
      steps,
      outcome,
      verification: pendingVerification(steps.every(landed), decidedAt),
    }),
    paging.page,
  );
  const result: TriggerOutcome = { decisionId: context.invocationId, outcome, steps };
  if (complete) {
    // Read back, or still deploying: the verification's diff reads the switches again, on each tick
    // until its deadline, and fails only then.
    await verifyQuietly(context, manifest, result, afterSettling(latchedState), {
      switchesOnly: true,
      readBack: true,
    });
  }
  return result;
}

/** The state once a complete rollback has been settled (settleUnfinished clears `unfinished`). */
function afterSettling(latchedState: WatchdogState): WatchdogState {
  return { ...latchedState, unfinished: undefined };
}

/** What the rollback's own record says of its verification: it follows in a record of its own. */
function pendingVerification(readBack: boolean, at: string): Verification {
  return { status: 'pending', readBack, smokeChecks: [], alarmsNotOk: [], diff: [], checkedAt: at };
}

/** Verification never fails the rollback it follows: its own failure is logged and paged by the tick. */
async function verifyQuietly(
  context: EngineContext,
  manifest: ReleaseManifest,
  result: TriggerOutcome,
  state: WatchdogState,
  how: Pick<VerificationRequest, 'switchesOnly' | 'readBack' | 'trafficReadBack'>,
): Promise<void> {
  if (result.decisionId === undefined) return;
  try {
    await verifyAfterRollback(context, { manifest, decisionId: result.decisionId, ...how }, state);
  } catch (error) {
    context.log.error('verification after the rollback failed to run', {
      decisionId: result.decisionId,
      error: String(error),
    });
  }
}

/**
 * The candidate's share once the manifest's default actions are restored, from the manifest's
 * candidate groups (the candidate is blue after a promotion of green; 0 when nothing is shiftable).
 */
function restoredCandidateWeightPercent(manifest: ReleaseManifest): number {
  const listener = manifest.listeners[0];
  if (!listener) return 0;
  return candidateSharesOf(listener.defaultActions, groupsOfListener(listener))[0] ?? 0;
}

/** Which traffic steps the known-good groups' health blocks (read ahead when it could be). */
async function capacityOf(
  context: EngineContext,
  plan: RestorePlan,
  { manifest, capacityAhead }: RollbackOrder,
  execution: ExecutionContext,
): Promise<ReturnType<typeof capacityVerdicts>> {
  const health = await (capacityAhead?.releaseId === manifest.releaseId
    ? capacityAhead.readings
    : readCapacity(groupsOf(plan.traffic).knownGood, groupsOf(plan.traffic).candidates, execution));
  const capacity = capacityVerdicts(plan.traffic, health, context.config.policy);
  if (capacity.unknown.length > 0)
    context.log.warn('target health could not be read; not counted as unhealthy', {
      targetGroups: capacity.unknown,
    });
  return capacity;
}

/**
 * Write ahead: the latch and the hold go down before anything moves, so a run that dies half-way
 * still keeps the next deploy on blue, and its redelivery finishes the rollback (see isFinishing).
 * Answers a failed traffic-marker step when blue could not be resolved (no marker then), else nothing.
 */
async function writeAhead(
  context: EngineContext,
  { facts, manifest, eventId }: RollbackOrder,
  latchedState: WatchdogState,
  decidedAt: string,
  blue: Promise<ResolvedBlue>,
): Promise<StepRecord | undefined> {
  const coord = coordination(context);
  const { service } = context.config;
  const [missingMarker] = await Promise.all([
    // The rollback's traffic marker: `cdktf deploy` of this release keeps the restored weights.
    writeRollbackMarker(context, manifest, blue),
    writeState(coord, latchedState, facts.stateCondition),
    eventId ? markActing(coord, eventId, { decisionId: context.invocationId, decidedAt }) : undefined,
    context.ports.store.putJson(rollbackMarkerKey(service, manifest.releaseId), {
      releaseId: manifest.releaseId,
      decisionId: context.invocationId,
      rolledBackAt: decidedAt,
    }),
    // An acknowledgement covered the previous rollback of this release, not this one.
    context.ports.store.deleteObject(acknowledgementKey(service, manifest.releaseId)),
  ]);
  return missingMarker;
}

/**
 * Old configuration served by the new release would be a third state nobody tested: configuration
 * is restored only once every traffic write has landed, and held back otherwise.
 */
async function restoreConfigurationAfter(
  context: EngineContext,
  trafficSteps: readonly StepRecord[],
  plan: RestorePlan,
  manifest: ReleaseManifest,
  execution: ExecutionContext,
): Promise<StepRecord[]> {
  const trafficWritten = trafficSteps.every((s) => s.outcome === 'applied' || s.outcome === 'unverified');
  if (!trafficWritten) return heldBackConfiguration(plan.configuration, execution);
  const live = { ...(await readConfigurationState(context, manifest)), listeners: new Map() };
  return restoreConfiguration(
    withoutKillSwitchParameters(context, planRestore(manifest, live)).configuration,
    execution,
  );
}

/** After traffic: record what is left for the tick (or that nothing is), and page at an interval. */
async function recordRollback(
  context: EngineContext,
  { trigger, manifest, shared, startedAt }: RollbackOrder,
  latchedState: WatchdogState,
  decidedAt: string,
  traffic: Awaited<ReturnType<typeof restoreTraffic>>,
  steps: StepRecord[],
  outcome: Outcome,
  missingMarker: StepRecord | undefined,
): Promise<TriggerOutcome> {
  const triggeredAt = trigger.kind === 'alarm' ? Date.parse(trigger.stateChangedAt) : Date.parse(startedAt);
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
      decidedAt,
      decision: 'rollback',
      ...(trigger.kind === 'rollback' ? { reason: trigger.reason } : {}),
      steps: missingMarker ? [...steps, missingMarker] : steps,
      outcome,
      ...(traffic.verifiedAt !== undefined ? { timeToRollbackMs: traffic.verifiedAt - triggeredAt } : {}),
      verification: pendingVerification(
        traffic.steps.every((s) => s.outcome === 'applied'),
        decidedAt,
      ),
    }),
    paging.page,
  );
  if (shared.recoveryPoints.length > 0) {
    context.log.warn("data was not restored: restoring a recovery point is the operator's decision", {
      recoveryPoints: shared.recoveryPoints,
    });
  }
  return { decisionId: context.invocationId, outcome, steps };
}

/** The release's shift, ended by this decision (in the same state write as the latch). */
function endedShift(
  shift: ShiftState | undefined,
  releaseId: string,
  trigger: Trigger,
  at: string,
  end: { readonly phase: 'rolled-back' | 'stopped'; readonly candidateWeightPercent?: number },
): ShiftState | undefined {
  if (shift?.releaseId !== releaseId) return shift;
  const why = describeCause(trigger);
  return {
    ...shift,
    phase: end.phase,
    reason:
      end.phase === 'rolled-back'
        ? `rolled back: ${why}`
        : `kill switches turned off (${why}); traffic left at ${shift.candidateWeightPercent}% for a person to decide`,
    updatedAt: at,
    ...(end.phase === 'rolled-back'
      ? { markerSeq: ROLLBACK_MARKER_SEQ, candidateWeightPercent: end.candidateWeightPercent ?? 0 }
      : {}),
  };
}

function describeCause(trigger: Trigger): string {
  switch (trigger.kind) {
    case 'alarm':
      return `alarm ${trigger.alarmName}`;
    case 'health-ping':
      return `health ping: ${trigger.detail}`;
    case 'rollback':
      return `requested by ${trigger.requestedBy}: ${trigger.reason}`;
    case 'finish':
      return 'finishing an unfinished rollback';
  }
}

/** The state with the rollback latched (and counted against the budget when automatic). */
function nextState(
  state: WatchdogState,
  releaseId: string,
  trigger: Trigger,
  at: string,
  decisionId: string,
  { finishing, eventId }: Pick<RollbackOrder, 'finishing' | 'eventId'>,
  shiftEnd: Parameters<typeof endedShift>[4],
): WatchdogState {
  const shift = endedShift(state.shift, releaseId, trigger, at, shiftEnd);
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
    ...(shift ? { shift } : {}),
    // A promoted release rolled back inside its window: its color is known-good no longer.
    ...(shiftEnd.phase === 'rolled-back' && state.promotion?.releaseId === releaseId
      ? { promotion: undefined }
      : {}),
    // This rollback's verification replaces any earlier one's; it is written once known.
    verifying: undefined,
  };
}
