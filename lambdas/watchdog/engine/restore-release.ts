/**
 * The rollback itself, in a fixed order: read the known-good groups' capacity, write the latch and the
 * hold ahead, move traffic, restore configuration only once traffic has landed, then settle what is
 * left for the tick and write the audit record.
 */
import {
  acknowledgementKey,
  rollbackMarkerKey,
  type AuditRecord,
  type ReleaseManifest,
  type StepRecord,
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
import { planRestore, type RestorePlan } from './plan';
import type { Trigger, TriggerOutcome } from './trigger';
import { settleUnfinished } from './unfinished';
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

/** Rolls the release back to its manifest and records the decision. */
export async function rollBack(context: EngineContext, order: RollbackOrder): Promise<TriggerOutcome> {
  const { trigger, facts, manifest } = order;
  const execution = executionContext(context);
  const plan = planRestore(manifest, NOTHING_READ);
  const capacity = await capacityOf(context, plan, order, execution);

  const decidedAt = isoNow(context);
  // When every traffic step would be blocked, nothing will move. A hold now would make the next deploy
  // send all traffic to those same unhealthy groups, so the release is left as it is; the state
  // records the rollback as unfinished and the schedule tick tries again every minute.
  const nothingCanMove =
    plan.traffic.length > 0 && plan.traffic.every((step) => capacity.blocked.has(step.target));
  const latchedState = nothingCanMove
    ? facts.state
    : nextState(facts.state, manifest.releaseId, trigger, decidedAt, context.invocationId, order);
  if (!nothingCanMove) await writeAhead(context, order, latchedState, decidedAt);

  const traffic = await restoreTraffic(plan.traffic, capacity.blocked, execution);
  const configurationSteps = await restoreConfigurationAfter(
    context,
    traffic.steps,
    plan,
    manifest,
    execution,
  );
  const steps = [...traffic.steps, ...configurationSteps];
  const outcome: Outcome = steps.every((s) => s.outcome === 'applied')
    ? 'rolled-back'
    : steps.every((s) => s.outcome === 'applied' || s.outcome === 'unverified')
      ? 'rolled-back-unverified'
      : 'partial';
  return recordRollback(context, order, latchedState, decidedAt, traffic, steps, outcome);
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
 */
async function writeAhead(
  context: EngineContext,
  { facts, manifest, eventId }: RollbackOrder,
  latchedState: WatchdogState,
  decidedAt: string,
): Promise<void> {
  const coord = coordination(context);
  const { service } = context.config;
  await Promise.all([
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
  return restoreConfiguration(planRestore(manifest, live).configuration, execution);
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
      steps,
      outcome,
      ...(traffic.verifiedAt !== undefined ? { timeToRollbackMs: traffic.verifiedAt - triggeredAt } : {}),
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

/** The state with the rollback latched (and counted against the budget when automatic). */
function nextState(
  state: WatchdogState,
  releaseId: string,
  trigger: Trigger,
  at: string,
  decisionId: string,
  { finishing, eventId }: RollbackOrder,
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
