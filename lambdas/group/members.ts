/**
 * Talking to the members' watchdogs: a signed request, invoked synchronously, retried while the
 * watchdog is busy (throttled, or another run holds its lock), and its answer classified.
 */
import * as z from 'zod/mini';
import {
  ALREADY_ROLLED_BACK_REASON,
  triggerOutcomeSchema,
  type GroupConfig,
  type GroupMember,
} from '../../lib';
import type { Log } from '../watchdog/engine/context';
import { RetriesExhausted, withRetry, type Clock } from '../watchdog/engine/retry';
import { AwsCallError } from '../watchdog/ports';
import type { GroupPorts, MemberAnswer } from './ports';

/** What the coordinator runs with. */
export interface GroupContext {
  readonly config: GroupConfig;
  readonly ports: GroupPorts;
  readonly clock: Clock;
  readonly log: Log;
  /** When the invocation times out (epoch ms on `clock`). @default - no deadline */
  readonly deadline?: number;
}

/** How long a busy member (throttled, or its lock held by another run) is tried again. */
export const MEMBER_BUSY_RETRY_MS = 30_000;
/** No member is invoked with less time than this left: the run fails and Lambda retries it. */
export const DEADLINE_MARGIN_MS = 10_000;

/**
 * The coordinator's own time ran out before the group's work was done: thrown (nothing recorded), so
 * that Lambda retries the report; the retry asks again with the same request ids, the members that
 * already acted answer `duplicate`, and it carries on from there.
 */
export class GroupDeadlineError extends Error {
  constructor(what: string) {
    super(`the coordinator ran out of time before ${what}; the report will be retried`);
    this.name = 'GroupDeadlineError';
  }
}

/** A member's answer, when it answered as a watchdog does. */
export type MemberCall =
  | { readonly ok: true; readonly kind: string; readonly result: unknown }
  | { readonly ok: false; readonly detail: string; readonly decisionId?: string };

const answerSchema = z.union([
  z.object({ status: z.literal('ok'), kind: z.string(), result: z.unknown() }),
  z.object({ status: z.literal('rejected'), reason: z.string() }),
]);
const functionErrorSchema = z.object({
  errorType: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
});

/**
 * Signs `request` as the coordinator, invokes the member's watchdog with it and classifies the answer.
 * Never throws for what a member answers or for a failed call: those are the member's outcome. Throws
 * {@link GroupDeadlineError} when the coordinator's own time is running out.
 */
export async function callMember(
  context: GroupContext,
  member: GroupMember,
  request: Record<string, unknown>,
): Promise<MemberCall> {
  const what = `${String(request.action)} of ${member.service}`;
  ensureTime(context, what);
  let payload: Record<string, unknown>;
  try {
    payload = {
      ...request,
      callerProof: await context.ports.proofs.sign(request, member.watchdogFunctionArn),
    };
  } catch (error) {
    return { ok: false, detail: `the caller proof could not be signed: ${messageOf(error)}` };
  }
  let answer: MemberAnswer;
  try {
    ({ value: answer } = await withRetry(
      async () => {
        ensureTime(context, what);
        const remaining = context.deadline === undefined ? undefined : context.deadline - context.clock.now();
        const got = await context.ports.members.invoke(
          member.watchdogFunctionArn,
          payload,
          remaining === undefined ? {} : { signal: AbortSignal.timeout(Math.max(1, remaining - 2_000)) },
        );
        // Another run holds the member's lock (its tick, an alarm): the same as being throttled.
        const failure = got.functionError ? functionErrorSchema.safeParse(got.result) : undefined;
        if (failure?.success && failure.data.errorType === 'LockBusyError') {
          throw new AwsCallError('throttled', 'Invoke', 'LockBusyError', failure.data.errorMessage ?? 'busy');
        }
        return got;
      },
      { budgetMs: MEMBER_BUSY_RETRY_MS, clock: context.clock, baseDelayMs: 500, maxDelayMs: 5_000 },
    ));
  } catch (error) {
    const cause = error instanceof RetriesExhausted ? error.lastError : error;
    if (cause instanceof GroupDeadlineError) throw cause;
    // Given up waiting because the coordinator's time ran out: the member may still be acting.
    if (isAbort(cause) || outOfTime(context)) throw new GroupDeadlineError(`${what} answered`);
    return { ok: false, detail: `the invoke failed: ${messageOf(cause)}` };
  }
  return classify(answer);
}

function classify(answer: MemberAnswer): MemberCall {
  if (answer.functionError) {
    const error = functionErrorSchema.safeParse(answer.result);
    const type = error.success ? (error.data.errorType ?? answer.functionError) : answer.functionError;
    const message = error.success ? (error.data.errorMessage ?? '') : '';
    // A partial rollback is audited before the watchdog throws: its message names the decision.
    const decisionId = /^rollback (\S+) is partial/.exec(message)?.[1];
    return {
      ok: false,
      detail: `the watchdog failed: ${type}${message ? `: ${message.slice(0, 500)}` : ''}`,
      ...(decisionId ? { decisionId } : {}),
    };
  }
  const parsed = answerSchema.safeParse(answer.result);
  if (!parsed.success)
    return { ok: false, detail: 'the watchdog answered something that is not a watchdog answer' };
  if (parsed.data.status === 'rejected') return { ok: false, detail: `rejected: ${parsed.data.reason}` };
  return { ok: true, kind: parsed.data.kind, result: parsed.data.result };
}

/** A follower's rollback, as the group's record says it. */
export function rollbackOutcomeOf(call: MemberCall): {
  readonly outcome: 'rolled-back' | 'already-rolled-back' | 'failed';
  readonly decisionId?: string;
  readonly detail?: string;
} {
  if (!call.ok)
    return {
      outcome: 'failed',
      detail: call.detail,
      ...(call.decisionId ? { decisionId: call.decisionId } : {}),
    };
  const parsed = triggerOutcomeSchema.safeParse(call.result);
  if (!parsed.success)
    return { outcome: 'failed', detail: 'the watchdog answered the rollback with no outcome' };
  const { outcome, decisionId, reason } = parsed.data;
  const linked = decisionId !== undefined ? { decisionId } : {};
  switch (outcome) {
    case 'rolled-back':
      return { outcome: 'rolled-back', ...linked };
    case 'rolled-back-unverified':
      return {
        outcome: 'rolled-back',
        ...linked,
        detail: 'rolled back; reading it back was not possible (unverified)',
      };
    case 'duplicate':
      return {
        outcome: 'already-rolled-back',
        ...linked,
        detail: 'this rollback was already made (a retried request)',
      };
    case 'skipped':
      if (reason?.startsWith(ALREADY_ROLLED_BACK_REASON))
        return { outcome: 'already-rolled-back', ...linked, detail: reason };
      return {
        outcome: 'failed',
        ...linked,
        detail: `its rollback was skipped${reason ? `: ${reason}` : ''}`,
      };
    default:
      return {
        outcome: 'failed',
        ...linked,
        detail: `its rollback came to ${outcome}${reason ? `: ${reason}` : ''}`,
      };
  }
}

/** A member's freeze or unfreeze, as the group's record says it (with the member's decision, if it made one). */
export function freezeOutcomeOf(call: MemberCall): {
  readonly ok: boolean;
  readonly detail: string;
  readonly decisionId?: string;
} {
  if (!call.ok) return { ok: false, detail: call.detail };
  const parsed = z
    .object({ outcome: z.string(), until: z.optional(z.string()), decisionId: z.optional(z.string()) })
    .safeParse(call.result);
  if (!parsed.success) return { ok: false, detail: 'the watchdog answered with no outcome' };
  const { outcome, until, decisionId } = parsed.data;
  if (outcome === 'frozen' || outcome === 'unfrozen' || outcome === 'unchanged') {
    return {
      ok: true,
      detail: `${outcome}${until ? ` until ${until}` : ''}`,
      ...(decisionId ? { decisionId } : {}),
    };
  }
  return { ok: false, detail: `the watchdog answered ${outcome}` };
}

function outOfTime(context: GroupContext): boolean {
  return context.deadline !== undefined && context.clock.now() > context.deadline - DEADLINE_MARGIN_MS;
}

function ensureTime(context: GroupContext, what: string): void {
  if (outOfTime(context)) throw new GroupDeadlineError(what);
}

function isAbort(error: unknown): boolean {
  const names = [
    (error as { name?: unknown } | null)?.name,
    error instanceof AwsCallError ? error.code : undefined,
  ];
  return names.some((name) => name === 'TimeoutError' || name === 'AbortError');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
