/**
 * Deploy freezes: while a rollback is unacknowledged, capture of a new release of the service is
 * refused, so a pipeline does not push the next release on top of the one that just failed. A freeze
 * is this service's own (its latch, for `policy.freezeMinutes` after the rollback) or a rollback
 * group's (a member this service depends on rolled back: the group coordinator sends `freeze`, and
 * `unfreeze` once that rollback is acknowledged).
 */
import type { DeployFreeze, ReleaseOverride, WatchdogState } from '../../../lib';
import type { GroupFreezeRequest } from '../events';
import { auditRecord, recordDecision } from './audit';
import { overriddenBy, refuseCapture, type GateCheck } from './backup-readiness';
import { acquireLock, readState, releaseLockQuietly, writeState } from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import { LockBusyError } from './trigger';

/** The answer to a group's `freeze` or `unfreeze`. */
export interface GroupFreezeResult {
  /** `unchanged`: the freeze was already so (a repeated request, or an unfreeze of a cause not frozen for). */
  readonly outcome: 'frozen' | 'unfrozen' | 'unchanged';
  /**
   * A freeze: when the freeze of its cause ends. An unfreeze that changes nothing: when the group
   * freezes still in force end (the last of them), if any is.
   */
  readonly until?: string;
  /** The audit record of the change, when something changed. */
  readonly decisionId?: string;
}

/** Capture refused: deploys of the service are frozen. */
export class CaptureFrozenError extends Error {
  constructor(
    readonly releaseId: string,
    readonly freezes: readonly DeployFreeze[],
  ) {
    super(
      `capture of release ${releaseId} refused: ${freezes.map(describeFreeze).join('; ')}. ` +
        `${freezes.map(howToEnd).join(' ')} ` +
        'Or let this release through with overrides.freeze and a reason (the capture override of the ' +
        'watchdog construct, or `switchback capture --override-freeze <reason>`).',
    );
    this.name = 'CaptureFrozenError';
  }
}

/**
 * Pure: the freezes in force at `now`. Own: the latched (unacknowledged) rollback, for `freezeMinutes`
 * after it (0: never). Group: each freeze a group coordinator set (one per cause), until its end.
 */
export function freezesInForce(
  state: WatchdogState,
  service: string,
  freezeMinutes: number,
  now: number,
): DeployFreeze[] {
  const freezes: DeployFreeze[] = [];
  const { latched } = state;
  if (latched && freezeMinutes > 0) {
    const until = Date.parse(latched.rolledBackAt) + freezeMinutes * 60_000;
    if (until > now)
      freezes.push({
        cause: 'rollback',
        service,
        releaseId: latched.releaseId,
        decisionId: latched.decisionId,
        since: latched.rolledBackAt,
        until: new Date(until).toISOString(),
      });
  }
  freezes.push(...(state.groupFreezes ?? []).filter((f) => Date.parse(f.until) > now));
  return freezes;
}

/** Pure: the freeze `status` shows: of those in force, the one that ends last (own first on a tie). */
export function freezeInForce(
  state: WatchdogState,
  service: string,
  freezeMinutes: number,
  now: number,
): DeployFreeze | undefined {
  return freezesInForce(state, service, freezeMinutes, now).reduce<DeployFreeze | undefined>(
    (longest, freeze) =>
      !longest || Date.parse(freeze.until) > Date.parse(longest.until) ? freeze : longest,
    undefined,
  );
}

/** What the freeze gate found for a capture. */
export interface FreezeGate {
  readonly check: GateCheck;
  /** The freezes that stop this release (its own rollback does not stop capturing it again). */
  readonly freezes: DeployFreeze[];
  readonly refused: boolean;
  readonly overridden: boolean;
}

/**
 * Pure: whether a capture of `releaseId` (a release not captured yet) may go ahead. The latch of the
 * same release id never freezes it; `override` lets it through, recorded in the check.
 */
export function freezeGate(
  state: WatchdogState,
  context: Pick<EngineContext, 'config' | 'clock'>,
  releaseId: string,
  override: ReleaseOverride | undefined,
): FreezeGate {
  const { config, clock } = context;
  const freezes = freezesInForce(state, config.service, config.policy.freezeMinutes, clock.now()).filter(
    (f) => f.cause === 'group' || f.releaseId !== releaseId,
  );
  const name = 'deploy-not-frozen';
  if (freezes.length === 0)
    return { check: { name, passed: true }, freezes, refused: false, overridden: false };
  const why = freezes.map(describeFreeze).join('; ');
  return {
    check: { name, passed: false, detail: override ? `${overriddenBy(override)}; ${why}` : why },
    freezes,
    refused: override === undefined,
    overridden: override !== undefined,
  };
}

/** {@link freezeGate}, refusing the capture (audited, notified, {@link CaptureFrozenError}) when it says so. */
export async function passFreezeGate(
  context: EngineContext,
  state: WatchdogState,
  releaseId: string,
  override: ReleaseOverride | undefined,
  startedAt: string,
): Promise<FreezeGate> {
  const gate = freezeGate(state, context, releaseId, override);
  if (gate.refused)
    await refuseCapture(
      context,
      startedAt,
      releaseId,
      [gate.check],
      new CaptureFrozenError(releaseId, gate.freezes),
    );
  return gate;
}

function describeFreeze(freeze: DeployFreeze): string {
  return freeze.cause === 'rollback'
    ? `release ${freeze.releaseId} of ${freeze.service} was rolled back at ${freeze.since} (decision ${freeze.decisionId}) and is not acknowledged: deploys are frozen until ${freeze.until}`
    : `group ${freeze.group ?? '?'}: ${freeze.service} rolled back release ${freeze.releaseId} (decision ${freeze.decisionId}): deploys are frozen until ${freeze.until}`;
}

function howToEnd(freeze: DeployFreeze): string {
  const ack = `\`switchback promote --ack --release ${freeze.releaseId} --reason <why>\``;
  return freeze.cause === 'rollback'
    ? `Acknowledge the rollback (${ack}) or wait until ${freeze.until}.`
    : `The group lifts it when ${freeze.service} acknowledges its rollback (${ack} for ${freeze.service}), or at ${freeze.until}.`;
}

/** Whether `freeze` is the one a group set for `cause`: a group freeze is keyed by (group, cause decision). */
function isFreezeOf(freeze: DeployFreeze, group: string, cause: GroupFreezeRequest['cause']): boolean {
  return freeze.group === group && freeze.decisionId === cause.decisionId;
}

/** The end of the group freeze in force that ends last, if one is. */
function lastEnd(freezes: readonly DeployFreeze[], now: number): string | undefined {
  return freezes
    .filter((f) => Date.parse(f.until) > now)
    .reduce<string | undefined>(
      (last, f) => (!last || Date.parse(f.until) > Date.parse(last) ? f.until : last),
      undefined,
    );
}

/**
 * A group coordinator's `freeze` (a member this service depends on rolled back) or `unfreeze` (that
 * rollback was acknowledged). Under the service's lock. The state holds one group freeze per (group,
 * cause decision), so a service depending on several members that rolled back stays frozen until
 * each is acknowledged. Idempotent: a repeated freeze of a cause still in force changes nothing (its
 * first end stands), and an unfreeze lifts only the freeze of its own cause. Freezes that have ended
 * are dropped when the list is written.
 */
export async function groupFreezeAction(
  context: EngineContext,
  event: GroupFreezeRequest,
): Promise<GroupFreezeResult> {
  const coord = coordination(context);
  const lease = await acquireLock(coord, context.lockWaitMs);
  // The coordinator retries a member that answers LockBusyError (another run holds its lock).
  if (!lease) throw new LockBusyError(context.config.service);
  const startedAt = isoNow(context);
  const now = context.clock.now();
  try {
    const state = await readState(coord);
    const freezes = state.groupFreezes ?? [];
    const own = freezes.find((f) => isFreezeOf(f, event.group, event.cause));
    const ownInForce = own !== undefined && Date.parse(own.until) > now;
    const others = freezes.filter(
      (f) => !isFreezeOf(f, event.group, event.cause) && Date.parse(f.until) > now,
    );
    const unchanged = (): GroupFreezeResult => {
      context.log.info(`${event.kind} changes nothing`, {
        group: event.group,
        cause: event.cause.decisionId,
        inForce: freezes.filter((f) => Date.parse(f.until) > now).map((f) => f.decisionId),
      });
      const until = event.kind === 'freeze' && ownInForce ? own.until : lastEnd(freezes, now);
      return { outcome: 'unchanged', ...(until ? { until } : {}) };
    };
    const trigger = {
      kind: 'group' as const,
      source: 'group',
      requestedBy: `group:${event.group}`,
      ...(event.caller ? { caller: event.caller } : {}),
      group: { name: event.group, cause: event.cause.decisionId },
    };
    const { service, releaseId, decisionId } = event.cause;
    const withGroupFreezes = (list: DeployFreeze[]) => {
      const { groupFreezes: _previous, ...rest } = state;
      return list.length > 0 ? { ...rest, groupFreezes: list } : rest;
    };
    const stillFrozenBy = others.map((f) => `${f.service}'s decision ${f.decisionId} (until ${f.until})`);

    if (event.kind === 'unfreeze') {
      if (!own) return unchanged();
      await writeState(coord, withGroupFreezes(others));
      await recordDecision(
        context,
        auditRecord(context, startedAt, {
          trigger,
          checks: [
            { name: 'freeze-of-this-cause', passed: true, detail: `frozen since ${own.since}` },
            ...(stillFrozenBy.length > 0
              ? [
                  {
                    name: 'other-group-freezes',
                    passed: false,
                    detail: `still frozen by ${stillFrozenBy.join('; ')}`,
                  },
                ]
              : []),
          ],
          decision: 'unfreeze',
          reason:
            `group ${event.group}: ${service} acknowledged the rollback of release ${releaseId} (decision ${decisionId})` +
            (stillFrozenBy.length > 0
              ? `: its freeze is lifted; deploys of ${context.config.service} stay frozen by ${stillFrozenBy.join('; ')}`
              : `: deploys of ${context.config.service} may go ahead`),
          outcome: 'unfrozen',
        }),
        true,
      );
      return { outcome: 'unfrozen', decisionId: context.invocationId };
    }

    const until = event.until;
    if (until === undefined) throw new Error('a freeze needs the time it ends');
    if (ownInForce || Date.parse(until) <= now) return unchanged();
    const freeze: DeployFreeze = {
      cause: 'group',
      service,
      releaseId,
      decisionId,
      group: event.group,
      since: startedAt,
      until: new Date(until).toISOString(),
    };
    await writeState(coord, withGroupFreezes([...others, freeze]));
    await recordDecision(
      context,
      auditRecord(context, startedAt, {
        trigger,
        checks:
          stillFrozenBy.length > 0
            ? [
                {
                  name: 'other-group-freezes',
                  passed: true,
                  detail: `also frozen by ${stillFrozenBy.join('; ')}`,
                },
              ]
            : [],
        decision: 'freeze',
        reason: `group ${event.group}: ${service} rolled back release ${releaseId} (decision ${decisionId}): new releases of ${context.config.service} are refused until ${freeze.until} or its acknowledgement`,
        outcome: 'frozen',
      }),
      true,
    );
    return { outcome: 'frozen', until: freeze.until, decisionId: context.invocationId };
  } finally {
    await releaseLockQuietly(coord, lease, context.log);
  }
}
