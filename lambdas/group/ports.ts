/**
 * The ports the rollback group's coordinator acts through, named by intent: the members' watchdogs
 * (invoked synchronously), the group's store (records, with conditional writes) and its topic. The
 * store and the topic are the watchdog's own ports (the same S3 and SNS adapters serve both).
 */
import type { CallerProof } from '../../lib';
import type { NotifyPort, StorePort } from '../watchdog/ports';

export type { NotifyPort, StorePort };

/** What a member's watchdog answered to a synchronous invoke. */
export interface MemberAnswer {
  /** Lambda's `FunctionError` (`Unhandled`): the watchdog threw; `result` is `{ errorType, errorMessage }`. */
  readonly functionError?: string;
  /** The watchdog's answer (`{ status, kind, result }` or `{ status: 'rejected', reason }`), parsed JSON. */
  readonly result: unknown;
}

/** The members' watchdogs, each in its own region. */
export interface MemberPort {
  /**
   * Invokes the watchdog synchronously (RequestResponse) with `payload`. Rejects with an `AwsCallError`
   * when Lambda refuses the call (throttled, not found, access denied); `signal` gives up waiting.
   */
  invoke(
    functionArn: string,
    payload: Record<string, unknown>,
    options?: { readonly signal?: AbortSignal },
  ): Promise<MemberAnswer>;
}

/** Signs caller proofs with the coordinator's own credentials (its Lambda role). */
export interface ProofPort {
  /** A caller proof of `request` for the STS endpoint of the member watchdog `functionArn` checks with. */
  sign(request: Record<string, unknown>, functionArn: string): Promise<CallerProof>;
}

export interface GroupPorts {
  readonly members: MemberPort;
  readonly store: StorePort;
  readonly notify: NotifyPort;
  readonly proofs: ProofPort;
}
