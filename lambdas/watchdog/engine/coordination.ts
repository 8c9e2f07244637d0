/**
 * Exactly-once effects under at-least-once delivery, built on S3 conditional writes: a per-service
 * lock with expiry (compare-and-swap on its ETag), a receipt per delivered trigger (`If-None-Match`),
 * and the service's state document.
 */
import {
  currentReleaseKey,
  currentReleaseSchema,
  eventReceiptKey,
  eventReceiptSchema,
  watchdogLockKey,
  watchdogLockSchema,
  watchdogStateKey,
  watchdogStateSchema,
  type CurrentRelease,
  type EventReceipt,
  type WatchdogState,
} from '../../../lib';
import type { StorePort, WriteCondition } from '../ports';
import type { Clock } from './retry';
import type { WarmCache } from './warm';

export interface CoordinationContext {
  readonly store: StorePort;
  readonly service: string;
  readonly clock: Clock;
  /** Identifies this invocation as the lock owner. */
  readonly owner: string;
  readonly lockTtlSeconds: number;
  /** What this container remembers between runs (the lock's ETag). */
  readonly warm?: WarmCache;
}

/** A held lock; pass it back to {@link releaseLock}. */
export interface Lease {
  readonly etag: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function lockBody(context: CoordinationContext, now: number) {
  return {
    owner: context.owner,
    acquiredAt: iso(now),
    expiresAt: iso(now + context.lockTtlSeconds * 1000),
    released: false,
  };
}

/**
 * Takes the lock in one conditional write when this container released it last (its ETag is
 * remembered): then no other run has held it since, so nothing it guards changed since that release,
 * and reads made alongside this write are current. Resolves `undefined` otherwise (take it with
 * {@link acquireLock}, then read again).
 */
export async function acquireLockFast(context: CoordinationContext): Promise<Lease | undefined> {
  const etag = context.warm?.lockEtag;
  if (etag === undefined) return undefined;
  const taken = await context.store.putJson(
    watchdogLockKey(context.service),
    lockBody(context, context.clock.now()),
    {
      ifMatch: etag,
    },
  );
  if (taken === 'precondition-failed') {
    if (context.warm) context.warm.lockEtag = undefined;
    return undefined;
  }
  return { etag: taken.etag };
}

/**
 * Takes the service's lock, waiting up to `waitMs` for another run to finish. A lock past its expiry
 * (its owner crashed) is taken over. Resolves `undefined` if the lock stayed busy.
 */
export async function acquireLock(context: CoordinationContext, waitMs: number): Promise<Lease | undefined> {
  const { store, clock } = context;
  const key = watchdogLockKey(context.service);
  const deadline = clock.now() + waitMs;
  for (let delay = 25; ; delay = Math.min(delay * 2, 200)) {
    const now = clock.now();
    const lock = lockBody(context, now);
    const created = await store.putJson(key, lock, { ifNoneMatch: true });
    if (created !== 'precondition-failed') return { etag: created.etag };

    const current = await store.getJson(key);
    if (current) {
      const held = watchdogLockSchema.safeParse(current.body);
      const free = !held.success || held.data.released || Date.parse(held.data.expiresAt) <= now;
      if (free) {
        const taken = await store.putJson(key, lock, { ifMatch: current.etag });
        if (taken !== 'precondition-failed') return { etag: taken.etag };
      }
    }
    if (clock.now() + delay > deadline) return undefined;
    await clock.sleep(delay);
  }
}

/** Releases the lock if this run still holds it. */
export async function releaseLock(context: CoordinationContext, lease: Lease): Promise<void> {
  const now = context.clock.now();
  const released = await context.store.putJson(
    watchdogLockKey(context.service),
    { owner: context.owner, acquiredAt: iso(now), expiresAt: iso(now), released: true },
    { ifMatch: lease.etag },
  );
  // Remembered only when this run really released it: the next run here then takes it in one write.
  if (context.warm) context.warm.lockEtag = released === 'precondition-failed' ? undefined : released.etag;
}

/**
 * Releases the lock, logging instead of throwing on failure: a failed release must not replace the
 * run's outcome (a capture that stops the deploy, a rollback reported as failed), and the lease
 * expires on its own.
 */
export async function releaseLockQuietly(
  context: CoordinationContext,
  lease: Lease,
  log: { warn(message: string, extra?: Record<string, unknown>): void },
): Promise<void> {
  try {
    await releaseLock(context, lease);
  } catch (error) {
    log.warn('lock release failed; the lease expires on its own', { error: String(error) });
  }
}

/** What a trigger's receipt says about it. */
export type ReceiptCheck =
  | { readonly status: 'new'; readonly etag: string }
  /** Seen before and finished: acknowledge, do nothing. */
  | { readonly status: 'duplicate'; readonly receipt: EventReceipt }
  /**
   * Seen before but its run did not finish: it crashed (`in-progress`: decide again) or its rollback
   * was partial (`failed`: finish it). Safe either way, since restores are level-triggered. `acted`
   * names the run that began acting on it, if one did (see {@link markActing}).
   */
  | {
      readonly status: 'resume';
      readonly previous: 'in-progress' | 'failed';
      readonly etag: string;
      readonly acted?: ActingDecision;
    };

/** The decision of a run that began acting on a trigger, and when it decided (its audit record's key). */
export interface ActingDecision {
  readonly decisionId: string;
  readonly decidedAt: string;
}

/**
 * Creates the trigger's receipt if it has none: one conditional write, safe without the lock (only
 * one run can create it). `'seen'`: it exists; look at it with {@link checkReceipt} under the lock.
 * `'new'` holds only until another delivery takes the lock first: confirm it under the lock with
 * {@link receiptUntouched}.
 */
export async function createReceipt(
  context: CoordinationContext,
  eventId: string,
): Promise<{ readonly status: 'new'; readonly etag: string } | { readonly status: 'seen' }> {
  // The run's id makes its receipt's content, and so its entity tag, its own (see receiptUntouched).
  const receipt: EventReceipt = {
    eventId,
    status: 'in-progress',
    receivedAt: iso(context.clock.now()),
    decisionId: context.owner,
  };
  const created = await context.store.putJson(eventReceiptKey(context.service, eventId), receipt, {
    ifNoneMatch: true,
  });
  return created === 'precondition-failed' ? { status: 'seen' } : { status: 'new', etag: created.etag };
}

/**
 * Whether the receipt this run created outside the lock is still as it wrote it (`etag`): a
 * concurrent delivery of the trigger that took the lock first has rewritten it (and may have acted).
 * Call with the lock held.
 */
export async function receiptUntouched(
  context: CoordinationContext,
  eventId: string,
  etag: string,
): Promise<boolean> {
  const current = await context.store.getJson(eventReceiptKey(context.service, eventId));
  return current?.etag === etag;
}

/** Records the trigger as received; call with the lock held. */
export async function checkReceipt(context: CoordinationContext, eventId: string): Promise<ReceiptCheck> {
  const key = eventReceiptKey(context.service, eventId);
  const receipt: EventReceipt = {
    eventId,
    status: 'in-progress',
    receivedAt: iso(context.clock.now()),
    decisionId: context.owner,
  };
  const created = await context.store.putJson(key, receipt, { ifNoneMatch: true });
  if (created !== 'precondition-failed') return { status: 'new', etag: created.etag };
  const existing = await context.store.getJson(key);
  const parsed = eventReceiptSchema.safeParse(existing?.body);
  if (existing && parsed.success && parsed.data.status === 'done')
    return { status: 'duplicate', receipt: parsed.data };
  // A run that began acting is kept on the receipt until one settles it: its rollback may have
  // completed, and only its own audit record can say so.
  const acted =
    parsed.success && parsed.data.status === 'in-progress' && parsed.data.decisionId && parsed.data.decidedAt
      ? { decisionId: parsed.data.decisionId, decidedAt: parsed.data.decidedAt }
      : undefined;
  const resumed = await context.store.putJson(
    key,
    { ...receipt, ...acted },
    existing ? { ifMatch: existing.etag } : { ifNoneMatch: true },
  );
  if (resumed === 'precondition-failed')
    throw new Error(`the receipt of ${eventId} changed while the lock was held`);
  const previous = parsed.success && parsed.data.status === 'failed' ? 'failed' : 'in-progress';
  return { status: 'resume', previous, etag: resumed.etag, ...(acted ? { acted } : {}) };
}

/**
 * Records on the trigger's receipt that this run is about to act (written ahead, with the latch):
 * the latch names only the latest rollback, so a later trigger's rollback would hide this one's.
 */
export async function markActing(
  context: CoordinationContext,
  eventId: string,
  acting: ActingDecision,
): Promise<void> {
  const receipt: EventReceipt = { eventId, status: 'in-progress', receivedAt: acting.decidedAt, ...acting };
  await context.store.putJson(eventReceiptKey(context.service, eventId), receipt);
}

/** Marks the trigger's receipt done (or failed, so a retry acts again). */
export async function settleReceipt(
  context: CoordinationContext,
  eventId: string,
  status: 'done' | 'failed',
  decisionId: string,
): Promise<void> {
  const receipt: EventReceipt = { eventId, status, receivedAt: iso(context.clock.now()), decisionId };
  await context.store.putJson(eventReceiptKey(context.service, eventId), receipt);
}

/** The service's state, or the initial state. */
export async function readState(
  context: Pick<CoordinationContext, 'store' | 'service'>,
): Promise<WatchdogState> {
  return (await readVersionedState(context)).state;
}

/** The service's state and the condition under which it may be replaced (compare-and-swap). */
export async function readVersionedState(
  context: Pick<CoordinationContext, 'store' | 'service'>,
): Promise<{ readonly state: WatchdogState; readonly condition: WriteCondition }> {
  const stored = await context.store.getJson(watchdogStateKey(context.service));
  if (!stored)
    return { state: { schemaVersion: 1, automaticRollbacks: [] }, condition: { ifNoneMatch: true } };
  const parsed = watchdogStateSchema.safeParse(stored.body);
  if (!parsed.success)
    throw new Error(
      `the watchdog state of ${context.service} is corrupt; fix or delete ${watchdogStateKey(context.service)}`,
    );
  return { state: parsed.data, condition: { ifMatch: stored.etag } };
}

/** Another writer changed the state since it was read: the run stops and its delivery is retried. */
export class StateChangedError extends Error {
  constructor(service: string) {
    super(
      `the watchdog state of ${service} changed while this run held the lock; this delivery will be retried`,
    );
    this.name = 'StateChangedError';
  }
}

export async function writeState(
  context: Pick<CoordinationContext, 'store' | 'service'>,
  state: WatchdogState,
  condition?: WriteCondition,
): Promise<void> {
  const written = await context.store.putJson(watchdogStateKey(context.service), state, condition);
  if (written === 'precondition-failed') throw new StateChangedError(context.service);
}

/** The current release pointer, if a release has been captured. */
export async function readCurrentRelease(
  context: Pick<CoordinationContext, 'store' | 'service'>,
): Promise<CurrentRelease | undefined> {
  const stored = await context.store.getJson(currentReleaseKey(context.service));
  if (!stored) return undefined;
  const parsed = currentReleaseSchema.safeParse(stored.body);
  if (!parsed.success) throw new Error(`the current-release pointer of ${context.service} is corrupt`);
  return parsed.data;
}
