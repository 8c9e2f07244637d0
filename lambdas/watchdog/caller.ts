/**
 * Who sent a manual action. The event carries a caller proof (a presigned sts:GetCallerIdentity bound
 * to the request's digest); STS, not the watchdog, checks its signature. Checked at the edge, before
 * the engine reads or writes anything: a proof that fails, or a missing one where the policy requires
 * it, rejects the event with the reason.
 */
import type { CallerProof, WatchdogConfig } from '../../lib';
import { isManualAction, type ManualAction, type WatchdogEvent } from './events';
import { AwsCallError, type IdentityPort } from './ports';

export type CallerCheck =
  { readonly ok: true; readonly event: WatchdogEvent } | { readonly ok: false; readonly reason: string };

/** The event with its `caller` set, or the reason it is rejected. Other events pass unchanged. */
export async function establishCaller(
  event: WatchdogEvent,
  config: WatchdogConfig,
  identity: IdentityPort | undefined,
): Promise<CallerCheck> {
  if (!isManualAction(event)) return { ok: true, event };
  const required = config.policy.verifiedCallers === 'required';
  if (!event.proof) {
    if (required) {
      return {
        ok: false,
        reason:
          `a ${event.kind} request must carry a caller proof (policy.verifiedCallers is required): ` +
          'send it with the switchback CLI, which signs one with your AWS credentials',
      };
    }
    return groupRequestAllowed(withCaller(event, { verified: false, detail: 'no caller proof' }), config);
  }
  if (!identity) return { ok: false, reason: 'caller proofs cannot be checked: no STS client is available' };
  let who: Awaited<ReturnType<IdentityPort['verify']>>;
  try {
    who = await verifyOnceMore(identity, event.proof.callerProof, event.proof.digest);
  } catch (error) {
    // A proof STS refuses is a rejected request (never retried).
    if (error instanceof AwsCallError && (error.kind === 'access-denied' || error.kind === 'invalid')) {
      return {
        ok: false,
        reason: `the caller proof of the ${event.kind} request was refused: ${error.detail}`,
      };
    }
    // STS out of reach: where proofs are optional the action runs, marked unverified, with why.
    if (!required) {
      return {
        ok: true,
        event: withCaller(event, {
          verified: false,
          detail: `STS could not be reached: ${(error as Error).message}`,
        }),
      };
    }
    throw error;
  }
  const caller = { arn: who.arn, account: who.account, userId: who.userId, verified: true as const };
  const session = ASSUMED_ROLE.exec(who.arn);
  const checked = withCaller(
    event,
    session
      ? {
          ...caller,
          // Whoever assumes a role names the session: the role is what STS proves.
          detail: `verified: role ${session[1]}; the session name ${session[2]} is the assumer's choice`,
        }
      : caller,
  );
  return groupRequestAllowed(checked, config);
}

/** `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
const ASSUMED_ROLE = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/([^/]+)\/(.+)$/;

/**
 * A rollback that says a group asked for it is reported to the coordinator as the group's own (and so
 * starts nothing there): only the coordinator may say so. Lambda names a function's role session after
 * the function, so the verified caller must be a session named like the configured coordinator.
 */
function groupRequestAllowed(event: ManualAction, config: WatchdogConfig): CallerCheck {
  if (event.kind !== 'rollback' || !event.group) return { ok: true, event };
  const coordinator = config.group?.coordinatorFunctionArn.split(':')[6];
  const session =
    event.caller?.verified && event.caller.arn ? ASSUMED_ROLE.exec(event.caller.arn)?.[2] : undefined;
  if (coordinator !== undefined && session === coordinator && config.group?.name === event.group.name) {
    return { ok: true, event };
  }
  return {
    ok: false,
    reason: `a rollback for group ${event.group.name} must come from its coordinator${coordinator ? ` (${coordinator})` : ''} with a verified caller proof; this one ${event.caller?.verified ? `comes from ${event.caller.arn}` : 'is not verified'}`,
  };
}

/** STS once more after a transient failure (a blip must not fail an operator's rollback). */
async function verifyOnceMore(identity: IdentityPort, proof: CallerProof, digest: string) {
  try {
    return await identity.verify(proof, digest);
  } catch (error) {
    if (error instanceof AwsCallError && error.retryable) return identity.verify(proof, digest);
    throw error;
  }
}

function withCaller(event: ManualAction, caller: NonNullable<ManualAction['caller']>): ManualAction {
  const { proof: _proof, ...rest } = event;
  return { ...rest, caller } as ManualAction;
}
