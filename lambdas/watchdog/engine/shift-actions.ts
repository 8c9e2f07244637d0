/**
 * An operator's `pause`, `resume` and `promote` of the current release's traffic shift, under the
 * service's lock, each audited and answered. A request the shift's phase does not allow is refused
 * with {@link ShiftRefusedError}, which the handler answers as a rejection (not a failed invocation).
 */
import { SHIFT_ACTION_PHASES, type ShiftActionResult, type ShiftState } from '../../../lib';
import type { ShiftRequest } from '../events';
import { auditRecord, recordDecision } from './audit';
import {
  acquireLock,
  readCurrentRelease,
  readVersionedState,
  releaseLockQuietly,
  writeState,
} from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import { manifestOf } from './facts';
import { candidatesWithoutHealthyTargets, promoted } from './shift';
import { readShiftListeners, setCandidateWeight } from './shift-traffic';
import { originOf } from './trigger';

/** The request makes no sense for the shift as it stands: answered with the reason, never retried. */
export class ShiftRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShiftRefusedError';
  }
}

/** The phases each action may start from. */

export async function shiftAction(context: EngineContext, request: ShiftRequest): Promise<ShiftActionResult> {
  const coord = coordination(context);
  const lease = await acquireLock(coord, context.lockWaitMs);
  if (!lease) throw new Error(`another watchdog run holds the lock of ${context.config.service}; try again`);
  const startedAt = isoNow(context);
  try {
    const [pointer, { state, condition }] = await Promise.all([
      readCurrentRelease(coord),
      readVersionedState(coord),
    ]);
    const shift = state.shift;
    if (!shift || !pointer || shift.releaseId !== pointer.releaseId) {
      throw new ShiftRefusedError(
        `${request.kind} refused: ${context.config.service} has no traffic shift in progress${pointer ? ` (release ${pointer.releaseId} has no shifting plan)` : ''}`,
      );
    }
    if (state.latched?.releaseId === shift.releaseId) {
      throw new ShiftRefusedError(
        `${request.kind} refused: release ${shift.releaseId} was rolled back; acknowledge it or deploy a new release`,
      );
    }
    // A rollback owns the release until it is finished or acknowledged (the tick is finishing it).
    if (state.unfinished?.releaseId === shift.releaseId) {
      throw new ShiftRefusedError(
        `${request.kind} refused: release ${shift.releaseId} has an unfinished rollback (${state.unfinished.detail || 'in progress'}); the schedule tick is finishing it`,
      );
    }
    const allowed = SHIFT_ACTION_PHASES[request.kind];
    if (!allowed.includes(shift.phase)) {
      throw new ShiftRefusedError(
        `${request.kind} refused: the shift of ${shift.releaseId} is ${shift.phase}${shift.reason ? ` (${shift.reason})` : ''}; ${request.kind} is allowed when it is ${allowed.join(', ')}`,
      );
    }
    const trigger = {
      kind: request.kind,
      source: 'manual',
      reason: request.reason,
      requestedBy: request.requestedBy,
      ...originOf(request),
    } as const;
    const answer = (next: ShiftState, decisionId: string): ShiftActionResult => ({
      releaseId: next.releaseId,
      phase: next.phase,
      candidateWeightPercent: next.candidateWeightPercent,
      decisionId,
    });

    if (request.kind === 'pause' || request.kind === 'resume') {
      const next = request.kind === 'pause' ? paused(shift, request, startedAt) : resumed(shift, startedAt);
      await writeState(coord, { ...state, shift: next }, condition);
      const record = auditRecord(context, startedAt, {
        trigger,
        releaseId: shift.releaseId,
        checks: [{ name: 'phase-allows', passed: true, detail: `was ${shift.phase}` }],
        decision: request.kind,
        reason: request.reason,
        outcome: request.kind === 'pause' ? 'paused' : 'resumed',
      });
      await recordDecision(context, record, true);
      return answer(next, record.decisionId);
    }

    // Promote: the remaining steps are skipped; the candidate takes all traffic now. As on the tick,
    // never to a group that cannot serve it.
    const manifest = await manifestOf(context, pointer);
    const [empty, live] = await Promise.all([
      candidatesWithoutHealthyTargets(context, manifest),
      readShiftListeners(context, manifest),
    ]);
    if (empty.length > 0) {
      throw new ShiftRefusedError(
        `promote refused: candidate target groups of ${shift.releaseId} without healthy targets: ${empty.join(', ')}; nothing was changed`,
      );
    }
    const weights = await setCandidateWeight(context, manifest, live, 100, shift.markerSeq);
    if (!weights.ok || weights.markerSeq === undefined) {
      const failed = weights.steps.filter((s) => s.outcome !== 'applied' && s.outcome !== 'unchanged');
      const reason = `promotion by ${request.requestedBy} did not complete: ${failed.map((s) => `${s.target}: ${s.detail ?? s.outcome}`).join('; ')}`;
      const stopped: ShiftState = { ...shift, phase: 'stopped', reason, updatedAt: isoNow(context) };
      await writeState(coord, { ...state, shift: stopped }, condition);
      const record = auditRecord(context, startedAt, {
        trigger,
        releaseId: shift.releaseId,
        checks: [{ name: 'phase-allows', passed: true, detail: `was ${shift.phase}` }],
        decision: 'stop',
        reason,
        steps: weights.steps,
        outcome: 'stopped',
      });
      await recordDecision(context, record, true);
      return answer(stopped, record.decisionId);
    }
    const outcome = await promoted(context, {
      state,
      condition,
      shift,
      manifest,
      markerSeq: weights.markerSeq,
      steps: weights.steps,
      startedAt,
      by: request.requestedBy,
      reason: `promoted by ${request.requestedBy} at ${shift.candidateWeightPercent}% (${request.reason})`,
      trigger,
    });
    return {
      releaseId: outcome.releaseId,
      phase: outcome.phase,
      candidateWeightPercent: outcome.candidateWeightPercent,
      decisionId: outcome.decisionId ?? context.invocationId,
    };
  } finally {
    await releaseLockQuietly(coord, lease, context.log);
  }
}

function paused(shift: ShiftState, request: ShiftRequest, at: string): ShiftState {
  return {
    ...shift,
    phase: 'paused',
    paused: { at, by: request.requestedBy, reason: request.reason },
    updatedAt: at,
  };
}

/**
 * Back to where the shift was. The step's bake continues from its start (`stepStartedAt` is kept):
 * the alarms watched the step's traffic while it was paused, so that time counts; a step that baked
 * during the pause moves on at the next tick (with the alarms OK and the checks passing).
 */
function resumed(shift: ShiftState, at: string): ShiftState {
  const { paused: _cleared, ...rest } = shift;
  return { ...rest, phase: shift.stepIndex < 0 ? 'pre-traffic' : 'shifting', updatedAt: at };
}
