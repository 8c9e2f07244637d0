/**
 * A rollback that could not complete (blocked by capacity, a failed step, writes not yet verified)
 * is recorded in the service's state; the schedule tick finishes it, paging at an interval.
 */
import type { StepRecord, WatchdogState } from '../../../lib';
import { writeState } from './coordination';
import { coordination, isoNow, type EngineContext } from './context';

/**
 * Records an incomplete rollback in the state for the schedule tick to finish (or clears the record
 * when it completed), and says whether to page: on the first incomplete outcome, on completion after
 * one, and otherwise at most every `repageMinutes`.
 */
export async function settleUnfinished(
  context: EngineContext,
  state: WatchdogState,
  releaseId: string,
  outcome: 'rolled-back' | 'rolled-back-unverified' | 'partial',
  steps: readonly StepRecord[],
  trigger: { readonly kind: string },
): Promise<{ readonly page: boolean }> {
  const coord = coordination(context);
  const now = isoNow(context);
  const previous = state.unfinished?.releaseId === releaseId ? state.unfinished : undefined;
  if (outcome === 'rolled-back') {
    if (state.unfinished) await writeState(coord, { ...state, unfinished: undefined });
    return { page: true };
  }
  const repage =
    previous === undefined ||
    context.clock.now() - Date.parse(previous.lastPagedAt) >= context.config.policy.repageMinutes * 60_000;
  const detail = steps
    .filter((s) => s.outcome !== 'applied')
    .map((s) => `${s.kind} ${s.target}: ${s.outcome}`)
    .join('; ')
    .slice(0, 2000);
  await writeState(coord, {
    ...state,
    unfinished: {
      releaseId,
      decisionId: previous?.decisionId ?? context.invocationId,
      since: previous?.since ?? now,
      detail,
      lastPagedAt: repage ? now : (previous?.lastPagedAt ?? now),
      attempts: (previous?.attempts ?? 0) + 1,
    },
  });
  return { page: repage || trigger.kind !== 'finish' };
}
