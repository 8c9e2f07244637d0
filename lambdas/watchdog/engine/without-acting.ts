/**
 * Decisions that move nothing, and their records: a skip, a release captured before anything it
 * protects existed, and a dry run's plan.
 */
import type { AuditRecord, ReleaseManifest } from '../../../lib';
import type { RollbackRequest } from '../events';
import { auditRecord, recordDecision } from './audit';
import { writeState } from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import type { Decision } from './decide';
import { describePlan } from './execute';
import { readLiveState, type Facts } from './facts';
import { plannedKillSwitches, withoutKillSwitchParameters } from './kill-switches';
import { planRestore } from './plan';
import type { Trigger, TriggerOptions, TriggerOutcome } from './trigger';

/** What every record of one decision shares; auditRecord fills in the invocation's fields. */
export type SharedFields = Pick<AuditRecord, 'trigger' | 'checks'> & Partial<Pick<AuditRecord, 'releaseId'>>;

/** A decision not to act: audited and (unless routine) notified, or only logged on the tick. */
export async function recordNoAction(
  context: EngineContext,
  trigger: Trigger,
  facts: Facts,
  decision: Extract<Decision, { act: false }>,
  shared: SharedFields,
  startedAt: string,
  options: TriggerOptions,
): Promise<TriggerOutcome> {
  if (trigger.kind === 'finish' && facts.state.unfinished) {
    // A newer release (or an acknowledgement) overtook the unfinished rollback: nothing to finish.
    await writeState(coordination(context), { ...facts.state, unfinished: undefined }, facts.stateCondition);
  }
  if (options.fromTick) {
    // The tick re-evaluates every minute: a standing reason not to act is not news each time.
    context.log.info('tick: no action', { reason: decision.detail });
    return { outcome: 'dismissed', reason: decision.detail, steps: [] };
  }
  // An OK or INSUFFICIENT_DATA transition is routine; an alarm the watchdog did not act on is news.
  const notify = !(trigger.kind === 'alarm' && decision.reason === 'not-in-alarm');
  await recordDecision(
    context,
    auditRecord(context, startedAt, {
      ...shared,
      decision: 'skip',
      reason: decision.detail,
      outcome: 'skipped',
    }),
    notify,
  );
  return { decisionId: context.invocationId, outcome: 'skipped', reason: decision.detail, steps: [] };
}

/** Whether the manifest captured nothing to restore (the first release of a service). */
export function capturedNothing(manifest: ReleaseManifest): boolean {
  return (
    manifest.listeners.length +
      manifest.aliases.length +
      manifest.parameters.length +
      manifest.artifacts.length ===
    0
  );
}

/** A first release has no way back: say so loudly instead of reporting a rollback of nothing. */
export async function recordNothingCaptured(
  context: EngineContext,
  manifest: ReleaseManifest,
  shared: SharedFields,
  startedAt: string,
): Promise<TriggerOutcome> {
  const detail = `release ${manifest.releaseId} was captured before anything it protects existed: there is nothing to restore`;
  await recordDecision(
    context,
    auditRecord(context, startedAt, {
      ...shared,
      checks: [...shared.checks, { name: 'something-captured', passed: false, detail }],
      decision: 'skip',
      reason: detail,
      outcome: 'skipped',
    }),
    true,
  );
  return { decisionId: context.invocationId, outcome: 'skipped', reason: detail, steps: [] };
}

/** A dry run is not in a hurry: it reads the live state and lists only what would change. */
export async function recordDryRun(
  context: EngineContext,
  request: RollbackRequest,
  manifest: ReleaseManifest,
  shared: SharedFields & Pick<AuditRecord, 'recoveryPoints'>,
  startedAt: string,
): Promise<TriggerOutcome> {
  const now = isoNow(context);
  // The kill switches come first in a real rollback, so first in its plan too.
  const steps = [
    ...plannedKillSwitches(context, manifest, now),
    ...describePlan(
      withoutKillSwitchParameters(context, planRestore(manifest, await readLiveState(context, manifest))),
      now,
    ),
  ];
  await recordDecision(
    context,
    auditRecord(context, startedAt, {
      ...shared,
      decision: 'plan',
      reason: request.reason,
      steps,
      outcome: 'planned',
    }),
    false,
  );
  return { decisionId: context.invocationId, outcome: 'planned', steps };
}
