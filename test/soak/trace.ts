/**
 * What the soak records for its failure reports: each invocation's id, and the watchdog's store
 * operations in the order they happened, each with the invocation that made it. The store is recorded
 * at its port (the watchdog's own vocabulary: a document put under a condition, read, or deleted), so
 * a trace shows which run wrote which receipt, latch, audit record or lock, and what each run read.
 */
import { auditKeyPrefix } from '../../lib';
import type { StorePort, WriteCondition } from '../../lambdas/watchdog/ports';

/** The invocation id the soak gives invocation `n` (and so the decision id of what it decides). */
export function invocationId(n: number): string {
  return `inv-${String(n).padStart(6, '0')}`;
}

/** One store operation of one invocation. */
export interface StoreOp {
  /** Order among every store operation of the soak (when it was made). */
  readonly seq: number;
  /** The invocation that made it. */
  readonly n: number;
  readonly op: 'get' | 'put' | 'delete';
  readonly key: string;
  readonly condition?: 'if-none-match' | 'if-match';
  /** What a put wrote, in short. */
  readonly wrote?: string;
  /** What a get read, or how a put or delete ended, in short; `pending` until it ends. */
  result: string;
}

/** The store operations of every invocation, in order. */
export class StoreTrace {
  private readonly ops: StoreOp[] = [];
  private readonly byInvocation = new Map<number, StoreOp[]>();

  constructor(private readonly service: string) {}

  /** Operations of invocation `n`, in the order made. */
  of(n: number): readonly StoreOp[] {
    return this.byInvocation.get(n) ?? [];
  }

  /**
   * The store as invocation `current()` uses it, recorded: every write, and the reads that decide
   * whether a trigger is new (its receipt) and what was rolled back (the state and its latch). Lock
   * polls and manifest reads are left out.
   */
  record(store: StorePort, current: () => number): StorePort {
    const audit = auditKeyPrefix(this.service);
    const traced = (key: string) => key.startsWith(`${audit}events/`) || key === `${audit}state.json`;
    const run = async <T>(
      fields: Omit<StoreOp, 'seq' | 'n' | 'result'>,
      call: () => Promise<T>,
      outcome: (value: T) => string,
    ): Promise<T> => {
      const op: StoreOp = { seq: this.ops.length + 1, n: current(), ...fields, result: 'pending' };
      this.ops.push(op);
      const list = this.byInvocation.get(op.n) ?? [];
      list.push(op);
      this.byInvocation.set(op.n, list);
      try {
        const value = await call();
        op.result = outcome(value);
        return value;
      } catch (error) {
        op.result = `threw ${error instanceof Error ? error.name : typeof error}`;
        throw error;
      }
    };
    return {
      getJson: (key, versionId) =>
        traced(key)
          ? run(
              { op: 'get', key },
              () => store.getJson(key, versionId),
              (stored) => (stored ? summarize(stored.body) : 'none'),
            )
          : store.getJson(key, versionId),
      putJson: (key, body, condition?: WriteCondition) =>
        run(
          {
            op: 'put',
            key,
            ...(condition ? { condition: 'ifMatch' in condition ? 'if-match' : 'if-none-match' } : {}),
            wrote: summarize(body),
          },
          () => store.putJson(key, body, condition),
          (result) => (result === 'precondition-failed' ? 'precondition failed' : 'ok'),
        ),
      deleteObject: (key) =>
        run(
          { op: 'delete', key },
          () => store.deleteObject(key),
          () => 'ok',
        ),
    };
  }
}

/** Whether two operations did the same (a lock wait polls alike many times). */
export function sameOp(a: StoreOp, b: StoreOp): boolean {
  return (
    a.n === b.n &&
    a.op === b.op &&
    a.key === b.key &&
    a.condition === b.condition &&
    a.wrote === b.wrote &&
    a.result === b.result
  );
}

/** One operation on a line: `12 put audit/checkout/state.json {latched r3 inv-000040 event e1} -> ok`. */
export function describeOp(op: StoreOp, service: string): string {
  const key = op.key.startsWith(auditKeyPrefix(service))
    ? op.key.slice(auditKeyPrefix(service).length)
    : op.key;
  const condition = op.condition ? ` ${op.condition}` : '';
  const wrote = op.wrote ? ` {${op.wrote}}` : '';
  return `${op.seq} ${op.op} ${key}${condition}${wrote} -> ${op.result}`;
}

/** The fields of a store document that tell what happened: a receipt's, a latch's, a lock's, a record's. */
export function summarize(body: unknown): string {
  if (body === null || typeof body !== 'object') return JSON.stringify(body) ?? '?';
  const b = body as Record<string, unknown>;
  const parts: string[] = [];
  if ('latched' in b || 'automaticRollbacks' in b) {
    const l = b.latched as Record<string, unknown> | undefined;
    parts.push(
      l
        ? `latched ${String(l.releaseId)} ${String(l.decisionId)} event ${String(l.eventId ?? '-')}`
        : 'not latched',
    );
  } else if (typeof b.owner === 'string') {
    parts.push(`${b.released ? 'released by' : 'held by'} ${b.owner}`);
  } else if (typeof b.status === 'string' && typeof b.eventId === 'string') {
    parts.push(b.status, ...(typeof b.decisionId === 'string' ? [b.decisionId] : []));
  } else if (typeof b.decision === 'string') {
    parts.push(`${b.decision}/${String(b.outcome)} ${String(b.releaseId ?? '-')}`);
  } else if (typeof b.rolledBackAt === 'string') {
    parts.push(`hold ${String(b.releaseId)} ${String(b.decisionId)}`);
  }
  return parts.join(' ') || Object.keys(b).slice(0, 4).join(',');
}
