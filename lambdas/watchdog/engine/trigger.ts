/**
 * What reaches the rollback path (an alarm, a health-ping breach, an operator's request, the schedule
 * tick finishing an unfinished rollback), what it comes to, and the errors that make Lambda retry.
 */
import type { TriggerOutcomeAnswer } from '../../../lib';
import type { AuditRecord } from '../../../lib';
import type { AlarmEvent, ManualOrigin, RollbackRequest } from '../events';

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

/**
 * The answer to a trigger, in lib's answer shape (the CLI parses it with the same schema);
 * `dismissed`: not acted on and not recorded (screened out, or a tick with nothing to do).
 */
export type TriggerOutcome = TriggerOutcomeAnswer;

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

/** The trigger as its audit record names it. */
export function describeTrigger(trigger: Trigger): AuditRecord['trigger'] {
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
        ...originOf(trigger),
      };
  }
}

/**
 * Who sent a manual action (the caller the handler established: verified by STS, or the claimed name
 * only) and, for a rollback a group asked for, the group and the member decision that caused it: the
 * parts of an audit record's trigger beside the self-asserted `requestedBy`.
 */
export function originOf(
  request: ManualOrigin & Pick<RollbackRequest, 'group'>,
): Pick<AuditRecord['trigger'], 'caller' | 'group'> {
  return {
    ...(request.caller ? { caller: request.caller } : {}),
    ...(request.group ? { group: { name: request.group.name, cause: request.group.cause } } : {}),
  };
}

/** How a manual request names its sender in a check's detail: the claim, and what STS said of it. */
export function describeRequester(request: ManualOrigin & { readonly requestedBy: string }): string {
  const { caller, requestedBy } = request;
  if (!caller) return requestedBy;
  return caller.verified
    ? `${requestedBy} (verified: ${caller.arn ?? 'unknown ARN'})`
    : `${requestedBy} (not verified${caller.detail ? `: ${caller.detail}` : ''})`;
}
