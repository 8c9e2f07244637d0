/**
 * A trigger's delivery: the lock, the receipt that turns redeliveries into acknowledged duplicates,
 * and the facts as they are under the lock. Every trigger path is at-least-once; effects are not.
 */
import { auditRecordSchema, decisionRecordKey, type WatchdogState } from '../../../lib';
import {
  acquireLock,
  checkReceipt,
  receiptUntouched,
  settleReceipt,
  type ActingDecision,
  type createReceipt,
  type Lease,
} from './coordination';
import { coordination, type EngineContext } from './context';
import { readFacts, type Facts } from './facts';
import { LockBusyError, PartialRollbackError, type TriggerOptions, type TriggerOutcome } from './trigger';

/** The lock this run holds, if any; whoever takes it sets it here, so a later throw still releases it. */
export interface LockHold {
  lease?: Lease;
}

/** A trigger seen before whose run did not finish: it crashed (`in-progress`) or was partial (`failed`). */
export interface Resumed {
  readonly previous: 'in-progress' | 'failed';
  /** The run that began acting on the trigger, if one did. */
  readonly acted?: ActingDecision;
}

type Received = Awaited<ReturnType<typeof createReceipt>>;

/**
 * The facts to decide on, with the lock held. On the fast path the lock and the facts came in the
 * first wave; otherwise this waits for the lock and reads again, and tells whether the receipt this
 * run created was seen by another run meanwhile.
 */
export async function factsUnderLock(
  context: EngineContext,
  hold: LockHold,
  eventId: string | undefined,
  alarmName: string | undefined,
  received: Received | undefined,
  read: PromiseSettledResult<Facts>,
): Promise<{ readonly facts: Facts; readonly seen: boolean }> {
  // A receipt this run created outside the lock stays new on the fast path (no run held the lock
  // since this container last did). Otherwise another delivery of the trigger may have taken the
  // lock first, found the receipt in progress and acted: the receipt must still be as created.
  const seen = received?.status === 'seen';
  if (hold.lease) {
    if (read.status === 'rejected') throw read.reason;
    return { facts: read.value, seen };
  }
  const coord = coordination(context);
  hold.lease = await acquireLock(coord, context.lockWaitMs);
  if (!hold.lease) throw new LockBusyError(context.config.service);
  // Another run held the lock since this container last did: read what it may have changed.
  const created = received?.status === 'new' ? received.etag : undefined;
  const [facts, untouched] = await Promise.all([
    readFacts(context, alarmName),
    eventId !== undefined && created !== undefined
      ? receiptUntouched(coord, eventId, created)
      : Promise.resolve(true),
  ]);
  return { facts, seen: seen || !untouched };
}

/**
 * What the receipt of a trigger seen before says, read under the lock: a finished trigger is a
 * duplicate (acknowledged, not thrown: a throw buys two more retries); an unfinished one is resumed.
 */
export async function receiptUnderLock(
  context: EngineContext,
  eventId: string | undefined,
  seen: boolean,
): Promise<{ readonly duplicate?: TriggerOutcome; readonly resumed?: Resumed }> {
  if (eventId === undefined || !seen) return {};
  const receipt = await checkReceipt(coordination(context), eventId);
  if (receipt.status === 'duplicate') {
    context.log.info('duplicate delivery acknowledged', {
      eventId,
      decisionId: receipt.receipt.decisionId,
    });
    return {
      duplicate: {
        outcome: 'duplicate',
        ...(receipt.receipt.decisionId ? { decisionId: receipt.receipt.decisionId } : {}),
        steps: [],
      },
    };
  }
  if (receipt.status === 'resume') return { resumed: { previous: receipt.previous, acted: receipt.acted } };
  return {};
}

/**
 * A run that completed this trigger's rollback and its audit record but died before settling the
 * receipt: the redelivery is a duplicate, not a second rollback (nor a second notification). That
 * holds whatever the receipt last said: a partial run marks it failed, and the run that finished
 * that rollback may have died before marking it done. It holds too when other rollbacks, or a new
 * release, came in between: the receipt names the run that acted (see markActing).
 */
export async function completedDuplicate(
  context: EngineContext,
  state: WatchdogState,
  eventId: string,
  releaseId: string | undefined,
  resumed: Resumed,
): Promise<TriggerOutcome | undefined> {
  const completed = await completedRollbackOf(context, state, eventId, releaseId, resumed.acted);
  if (!completed) return undefined;
  context.log.info('duplicate delivery acknowledged: its rollback was completed and audited', {
    eventId,
    decisionId: completed,
  });
  return { decisionId: completed, outcome: 'duplicate', steps: [] };
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
  // Kill switches alone (mode `instead-of-traffic`) complete a trigger as a rollback does.
  const completed =
    record.success &&
    ((record.data.decision === 'rollback' && record.data.outcome === 'rolled-back') ||
      (record.data.decision === 'kill-switch' && record.data.outcome === 'kill-switched'));
  return completed ? candidate.decisionId : undefined;
}

/**
 * Settles the receipt with the outcome (a recorded decision is done; a partial one failed, so its
 * redelivery finishes it), then fails the invocation on a partial rollback, unless the tick retries it.
 */
export async function settleDelivery(
  context: EngineContext,
  eventId: string | undefined,
  result: TriggerOutcome,
  options: TriggerOptions,
): Promise<void> {
  if (eventId !== undefined && result.outcome !== 'dismissed')
    await settleReceipt(
      coordination(context),
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
}
