/**
 * A trigger, from delivery to audit: lock, receipt (duplicates acknowledged), decision, plan,
 * execution, state, audit record, notification. Automatic and manual rollbacks take this same path.
 * Each step lives in its own module; this one says their order.
 */
import type { CurrentRelease, MemberReport } from '../../../lib';
import { acquireLockFast, createReceipt, readState, releaseLockQuietly } from './coordination';
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
    // Traffic is restored and audited by now: the group hears of it after, never before.
    if (facts.release && result.decisionId !== undefined && reportsToGroup(trigger, result)) {
      const rollback = await reportedRollback(
        context,
        facts,
        facts.release.releaseId,
        result.decisionId,
        result,
      );
      await reportToGroup(context, {
        action: 'member-rolled-back',
        releaseId: facts.release.releaseId,
        ...rollback,
        outcome: result.outcome,
        byGroup: trigger.kind === 'rollback' && trigger.group !== undefined,
      });
    }
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

/** The outcomes of a rollback this run made (a skip, a dry run's plan or a duplicate made none). */
const ROLLBACK_OUTCOMES: ReadonlySet<TriggerOutcome['outcome']> = new Set([
  'rolled-back',
  'rolled-back-unverified',
  'partial',
]);

/**
 * Whether the rollback group hears of this outcome: a rollback this run made, partial or not. The
 * schedule tick finishing an unfinished rollback reports only once traffic is back: the group may not
 * have heard of it yet (kill switches went first, and traffic follows now that they did not do), and
 * a finish still blocked, retried every minute, is not news each time.
 */
function reportsToGroup(trigger: Trigger, result: TriggerOutcome): boolean {
  return (
    ROLLBACK_OUTCOMES.has(result.outcome) &&
    !(trigger.kind === 'finish' && result.outcome === 'partial') &&
    !(trigger.kind === 'rollback' && trigger.dryRun)
  );
}

/**
 * Which rollback the group is told of: its decision id and time. A rollback that did not complete is
 * one rollback from its first run to the run that finishes it (the schedule tick's, or a redelivery's):
 * the state's `unfinished` keeps the first run's decision id and time across every attempt, and each
 * report of it carries those. The coordinator keys its record by them (groupRecordKey of the report's
 * `at` and decision), so the report of the finish is the same report as the first: `already-decided`
 * when the first reached it, and decided then when the first was lost (so the group is still told).
 * A rollback that completed at once has no such record: its own decision, `at` now.
 */
async function reportedRollback(
  context: EngineContext,
  facts: Facts,
  releaseId: string,
  decisionId: string,
  result: TriggerOutcome,
): Promise<{ readonly decisionId: string; readonly at?: string }> {
  if (!context.config.group) return { decisionId };
  // Finishing (or repeating) a rollback that began before: the state read under the lock has it.
  const before = facts.state.unfinished;
  if (before?.releaseId === releaseId) return { decisionId: before.decisionId, at: before.since };
  if (result.outcome === 'rolled-back') return { decisionId };
  // Incomplete: this run recorded it as unfinished just now (settleUnfinished): its time is there.
  try {
    const after = (await readState(coordination(context))).unfinished;
    if (after?.releaseId === releaseId && after.decisionId === decisionId)
      return { decisionId, at: after.since };
  } catch (error) {
    context.log.warn('the unfinished rollback could not be read back for the group report', {
      decisionId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return { decisionId };
}

/**
 * How long the report may take: queueing an asynchronous invoke takes milliseconds, and the run still
 * holds the service's lock (its receipt is settled after), so a hung connection must not hold it.
 */
const GROUP_REPORT_TIMEOUT_MS = 10_000;

/** `work`, or a rejection with `why` after `ms` (the work itself is not cancelled). */
async function withinMs<T>(ms: number, work: Promise<T>, why: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(why)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Tells the service's rollback group (its coordinator, an asynchronous invoke) of a rollback or an
 * acknowledgement, when the service is in one. Never fails what it reports on: a failure is logged
 * and paged with the command that tells the coordinator by hand.
 */
export async function reportToGroup(
  context: EngineContext,
  fields: Pick<MemberReport, 'action' | 'releaseId' | 'decisionId'> &
    Partial<Pick<MemberReport, 'outcome' | 'byGroup' | 'at'>>,
): Promise<void> {
  const { group, service } = context.config;
  if (!group) return;
  const report: MemberReport = {
    action: fields.action,
    group: group.name,
    service,
    releaseId: fields.releaseId,
    decisionId: fields.decisionId,
    at: fields.at ?? isoNow(context),
    ...(fields.outcome !== undefined ? { outcome: fields.outcome } : {}),
    byGroup: fields.byGroup ?? false,
  };
  try {
    if (!context.ports.group) throw new Error('no client for the group coordinator was built');
    await withinMs(
      GROUP_REPORT_TIMEOUT_MS,
      context.ports.group.report(group.coordinatorFunctionArn, report),
      `the coordinator's Lambda API did not answer within ${GROUP_REPORT_TIMEOUT_MS / 1000} s`,
    );
    context.log.info('group told', {
      group: group.name,
      action: report.action,
      decisionId: report.decisionId,
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    context.log.error('the rollback group could not be told', {
      group: group.name,
      coordinatorFunctionArn: group.coordinatorFunctionArn,
      report,
      error: detail,
    });
    try {
      await context.ports.notify.publish(
        `[switchback] ${service}: group ${group.name} NOT told of ${report.action === 'member-acknowledged' ? 'the acknowledgement' : 'the rollback'} of ${report.releaseId}, action needed`,
        {
          service,
          group: group.name,
          coordinatorFunctionArn: group.coordinatorFunctionArn,
          report,
          error: detail,
          command: `aws lambda invoke --function-name ${group.coordinatorFunctionArn} --invocation-type Event --cli-binary-format raw-in-base64-out --payload '${JSON.stringify(report)}' /dev/null`,
        },
      );
    } catch (notifyError) {
      context.log.error('notification failed', { decisionId: report.decisionId, error: String(notifyError) });
    }
  }
}
