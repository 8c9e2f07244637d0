/**
 * A trigger, from delivery to audit: lock, receipt (duplicates acknowledged), decision, plan,
 * execution, state, audit record, notification. Automatic and manual rollbacks take this same path.
 * Each step lives in its own module; this one says their order.
 */
import type { CurrentRelease } from '../../../lib';
import { acquireLockFast, createReceipt, releaseLockQuietly } from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import {
  completedDuplicate,
  factsUnderLock,
  receiptUnderLock,
  settleDelivery,
  type LockHold,
  type Resumed,
} from './delivery';
import { manifestOf, readFacts, startCapacityReads, type CapacityReads, type Facts } from './facts';
import { rollBack } from './restore-release';
import { describeTrigger, type Trigger, type TriggerOptions, type TriggerOutcome } from './trigger';
import { decideTrigger, isFinishing } from './trigger-decision';
import { capturedNothing, recordDryRun, recordNoAction, recordNothingCaptured } from './without-acting';

// The trigger's types and errors live in ./trigger; callers import them from here.
export { LockBusyError, PartialRollbackError } from './trigger';
export type { FinishUnfinished, HealthBreach, Trigger, TriggerOptions, TriggerOutcome } from './trigger';

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
  const alarmName = trigger.kind === 'alarm' ? trigger.alarmName : undefined;
  const capacityAhead = capacityReadsAhead(context, trigger);
  const [locked, received, read] = await Promise.allSettled([
    acquireLockFast(coord),
    eventId !== undefined ? createReceipt(coord, eventId) : Promise.resolve(undefined),
    readFacts(context, alarmName),
  ]);
  const hold: LockHold = { lease: locked.status === 'fulfilled' ? locked.value : undefined };
  try {
    if (locked.status === 'rejected') throw locked.reason;
    if (received.status === 'rejected') throw received.reason;
    const { facts, seen } = await factsUnderLock(context, hold, eventId, alarmName, received.value, read);
    const { duplicate, resumed } = await receiptUnderLock(context, eventId, seen);
    if (duplicate) return duplicate;
    const result = await decideAndAct(context, trigger, facts, eventId, resumed, capacityAhead, options);
    await settleDelivery(context, eventId, result, options);
    return result;
  } finally {
    if (hold.lease) await releaseLockQuietly(coord, hold.lease, context.log);
  }
}

/** The remembered release's groups: their health is read now, in case the decision is to act on it. */
function capacityReadsAhead(context: EngineContext, trigger: Trigger): CapacityReads | undefined {
  const dryRun = trigger.kind === 'rollback' && trigger.dryRun;
  const remembered = context.warm?.release;
  return remembered && !dryRun ? startCapacityReads(context, remembered.manifest) : undefined;
}

async function decideAndAct(
  context: EngineContext,
  trigger: Trigger,
  facts: Facts,
  eventId: string | undefined,
  resumed: Resumed | undefined,
  capacityAhead: CapacityReads | undefined,
  options: TriggerOptions,
): Promise<TriggerOutcome> {
  const { release } = facts;
  const startedAt = isoNow(context);
  if (resumed !== undefined && eventId !== undefined) {
    const duplicate = await completedDuplicate(context, facts.state, eventId, release?.releaseId, resumed);
    if (duplicate) return duplicate;
  }
  const finishing = isFinishing(trigger, facts, eventId, resumed);
  const decision = decideTrigger(context, trigger, facts, finishing);
  const shared = {
    trigger: describeTrigger(trigger),
    ...(release ? { releaseId: release.releaseId } : {}),
    checks: [...decision.checks],
  };
  if (!decision.act) return recordNoAction(context, trigger, facts, decision, shared, startedAt, options);

  const manifest = await manifestOf(context, release as CurrentRelease);
  if (capturedNothing(manifest)) return recordNothingCaptured(context, manifest, shared, startedAt);
  const recoveryPoints = manifest.backups.flatMap((b) =>
    b.recoveryPointArn ? [b.recoveryPointArn] : [b.backupJobId],
  );
  const withRecoveryPoints = { ...shared, recoveryPoints };
  if (trigger.kind === 'rollback' && trigger.dryRun) {
    return recordDryRun(context, trigger, manifest, withRecoveryPoints, startedAt);
  }
  return rollBack(context, {
    trigger,
    facts,
    manifest,
    shared: withRecoveryPoints,
    startedAt,
    finishing,
    eventId,
    capacityAhead,
  });
}
