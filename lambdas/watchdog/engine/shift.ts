/**
 * The traffic shift on the schedule tick: one step at a time, only while every protected alarm is OK
 * and the step has baked. A tick with nothing to do (a step baking, an alarm not OK) costs nothing
 * beyond the tick's own two reads: it decides from the state and the plan it already has. Acting
 * takes the service's lock and decides again on what it reads under it.
 *
 * A step: check the live weights are what the watchdog last set (else stop and page, never
 * overwrite), run the hooks' smoke checks (a failure rolls back through the normal rollback path),
 * set the weight on every production listener and rule, read it back, write the traffic marker,
 * then the state, one audit record and one notification.
 */
import type { AlarmState } from '../ports';
import {
  type AuditRecord,
  type ReleaseManifest,
  type ShiftingPlan,
  type ShiftState,
  type StepRecord,
  type WatchdogState,
} from '../../../lib';
import { auditRecord, recordDecision } from './audit';
import {
  acquireLock,
  acquireLockFast,
  readCurrentRelease,
  readVersionedState,
  releaseLockQuietly,
  writeState,
} from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import { manifestOf } from './facts';
import { handleTrigger, LockBusyError, type TriggerOutcome } from './rollback';
import { withRetry } from './retry';
import { alarmsNotOk, decideShift, type ShiftAction, ACTIVE_SHIFT_PHASES } from './shift-decision';
import {
  candidateColor,
  readShiftListeners,
  setCandidateWeight,
  unreadListeners,
  weightDrift,
} from './shift-traffic';
import { checkSteps, describeFailedChecks, runSmokeChecks } from './smoke-checks';

/** What the tick did about the shift. */
export interface ShiftTickOutcome {
  readonly releaseId: string;
  /** `busy`: another run held the lock (the next tick looks again). */
  readonly action: ShiftAction['kind'] | 'busy' | 'drift' | 'checks-failed' | 'failed';
  readonly reason?: string;
  readonly phase: ShiftState['phase'];
  readonly candidateWeightPercent: number;
  readonly decisionId?: string;
  /** The rollback a failed smoke check started. */
  readonly rolledBack?: TriggerOutcome;
}

/**
 * Carries the shift on, if one is in progress and the alarms allow. `alarms`: the protected alarms as
 * the tick read them. Resolves undefined when there is no shift in progress (nothing was read).
 */
export async function continueShift(
  context: EngineContext,
  state: WatchdogState,
  alarms: readonly AlarmState[],
): Promise<ShiftTickOutcome | undefined> {
  const shift = state.shift;
  if (!shift || !ACTIVE_SHIFT_PHASES.includes(shift.phase)) return undefined;
  // A rollback owns the release until it is finished or acknowledged.
  if (state.latched?.releaseId === shift.releaseId || state.unfinished) return undefined;

  // The cheap look: the plan this container knows (the remembered manifest's, else the configuration's).
  // It only decides to do nothing; whether to act is decided again under the lock, on the manifest's plan.
  const remembered =
    context.warm?.release?.releaseId === shift.releaseId ? context.warm.release.manifest : undefined;
  const knownPlan = remembered ? remembered.shifting : context.config.shifting;
  if (knownPlan) {
    const cheap = decideShift({
      ...decisionInputs(context, shift, knownPlan, alarms),
      ...(remembered ? { evaluationWindowEndsAt: Date.parse(remembered.evaluationWindowEndsAt) } : {}),
    });
    if (cheap.kind === 'wait' || cheap.kind === 'none') return quietly(shift, cheap);
  }

  const coord = coordination(context);
  // The tick does not wait for the lock: whoever holds it is acting, and the next tick looks again.
  const lease = (await acquireLockFast(coord)) ?? (await acquireLock(coord, 0));
  if (!lease) return { ...summary(shift), action: 'busy', reason: 'another run holds the lock' };
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await releaseLockQuietly(coord, lease, context.log);
  };
  try {
    return await stepUnderLock(context, alarms, release);
  } finally {
    await release();
  }
}

function decisionInputs(
  context: EngineContext,
  shift: ShiftState,
  plan: ShiftingPlan,
  alarms: readonly AlarmState[],
) {
  return {
    shift,
    plan,
    ...(context.config.hooks ? { hooks: context.config.hooks } : {}),
    alarms,
    protectedAlarms: context.config.alarms,
    now: context.clock.now(),
  };
}

function summary(shift: ShiftState) {
  return {
    releaseId: shift.releaseId,
    phase: shift.phase,
    candidateWeightPercent: shift.candidateWeightPercent,
  };
}

function quietly(
  shift: ShiftState,
  action: Extract<ShiftAction, { kind: 'wait' | 'none' }>,
): ShiftTickOutcome {
  return { ...summary(shift), action: action.kind, reason: action.reason };
}

async function stepUnderLock(
  context: EngineContext,
  alarms: readonly AlarmState[],
  releaseLock: () => Promise<void>,
): Promise<ShiftTickOutcome | undefined> {
  const coord = coordination(context);
  const [pointer, versioned] = await Promise.all([readCurrentRelease(coord), readVersionedState(coord)]);
  const { state, condition } = versioned;
  const shift = state.shift;
  if (!shift || !ACTIVE_SHIFT_PHASES.includes(shift.phase)) return undefined;
  if (state.latched?.releaseId === shift.releaseId || state.unfinished) return undefined;
  if (!pointer || pointer.releaseId !== shift.releaseId) {
    // A newer capture replaces the shift; this one is no longer the current release's.
    return { ...summary(shift), action: 'none', reason: 'the shift is not the current release’s' };
  }
  const manifest = await manifestOf(context, pointer);
  const startedAt = isoNow(context);
  const stop = (reason: string, steps: StepRecord[] = [], decisionChecks: AuditRecord['checks'] = []) =>
    stopShift(context, { state, condition, shift, reason, steps, checks: decisionChecks, startedAt });

  if (!manifest.shifting) return stop(`the manifest of ${shift.releaseId} has no shifting plan`);
  const decision = decideShift({
    ...decisionInputs(context, shift, manifest.shifting, alarms),
    evaluationWindowEndsAt: Date.parse(manifest.evaluationWindowEndsAt),
  });
  if (decision.kind === 'wait' || decision.kind === 'none') return quietly(shift, decision);
  if (decision.kind === 'stop') return stop(decision.reason);

  // Before each step: the live weights must be what the watchdog last set; else someone changed them.
  const live = await readShiftListeners(context, manifest);
  const unread = unreadListeners(manifest, live);
  if (unread.length > 0) {
    return { ...summary(shift), action: 'wait', reason: `listeners not read: ${unread.join(', ')}` };
  }
  const drift = weightDrift(manifest, live, shift.candidateWeightPercent);
  if (drift.length > 0) {
    const outcome = await stop(
      `the live weights are not what the watchdog last set (${shift.candidateWeightPercent}%): ${drift.join('; ')}; the shift stops and leaves them as they are`,
      [],
      [{ name: 'weights-as-last-set', passed: false, detail: drift.join('; ') }],
    );
    return { ...outcome, action: 'drift' };
  }
  if (decision.kind === 'step' && decision.stage === 'pre-traffic') {
    const empty = await candidatesWithoutHealthyTargets(context, manifest);
    if (empty.length > 0) {
      // Never send production traffic to a group that cannot serve it: wait for the deploy to finish.
      return {
        ...summary(shift),
        action: 'wait',
        reason: `candidate target groups without healthy targets: ${empty.join(', ')}`,
      };
    }
  }

  const stage = decision.kind === 'step' ? decision.stage : 'after-step';
  const results = await runSmokeChecks(context, decision.checks, stage, shift.releaseId);
  const checkRecords = checkSteps(results, startedAt);
  if (results.some((r) => !r.passed)) {
    return failedChecks(
      context,
      { state, condition, shift, startedAt, stage, results, checkRecords },
      releaseLock,
    );
  }
  if (results.length > 0) {
    // Checks may take seconds: the alarms are read again before traffic moves.
    const now = await readAlarms(context);
    const notOk = alarmsNotOk(context.config.alarms, now);
    if (notOk.length > 0) {
      return { ...summary(shift), action: 'wait', reason: `protected alarms not OK: ${notOk.join(', ')}` };
    }
  }

  if (decision.kind === 'complete') {
    const completed: ShiftState = { ...shift, phase: 'completed', updatedAt: isoNow(context) };
    await writeState(coord, { ...state, shift: completed }, condition);
    const record = auditRecord(context, startedAt, {
      trigger: tickTrigger(`step ${shift.stepIndex + 1} baked; the plan does not promote`),
      releaseId: shift.releaseId,
      checks: [alarmsOkCheck(), weightsCheck()],
      decision: 'shift',
      reason: `the shift of ${shift.releaseId} is complete: the candidate holds ${shift.candidateWeightPercent}%`,
      steps: checkRecords,
      outcome: 'shifted',
    });
    await recordDecision(context, record, true);
    return { ...summary(completed), action: 'complete', decisionId: record.decisionId };
  }

  const percent = decision.kind === 'promote' ? 100 : decision.weightPercent;
  const weights = await setCandidateWeight(context, manifest, live, percent, shift.markerSeq);
  const steps = [...checkRecords, ...weights.steps];
  if (!weights.ok || weights.markerSeq === undefined) {
    const failed = weights.steps.filter((s) => s.outcome !== 'applied' && s.outcome !== 'unchanged');
    const outcome = await stop(
      `setting the candidate to ${percent}% did not complete: ${failed.map((s) => `${s.target}: ${s.detail ?? s.outcome}`).join('; ')}`,
      steps,
    );
    return { ...outcome, action: 'failed' };
  }
  const now = isoNow(context);
  if (decision.kind === 'promote') {
    return promoted(context, {
      state,
      condition,
      shift,
      manifest,
      markerSeq: weights.markerSeq,
      steps,
      startedAt,
      by: 'watchdog',
      reason: `the last step baked with every protected alarm OK: ${shift.releaseId} is promoted`,
      trigger: tickTrigger(`step ${shift.stepIndex + 1} baked`),
    });
  }
  const shifted: ShiftState = {
    ...shift,
    phase: 'shifting',
    stepIndex: decision.stepIndex,
    candidateWeightPercent: percent,
    stepStartedAt: now,
    markerSeq: weights.markerSeq,
    updatedAt: now,
  };
  await writeState(coord, { ...state, shift: shifted }, condition);
  const record = auditRecord(context, startedAt, {
    trigger: tickTrigger(
      decision.stage === 'pre-traffic' ? 'pre-traffic phase done' : `step ${shift.stepIndex + 1} baked`,
    ),
    releaseId: shift.releaseId,
    checks: [alarmsOkCheck(), weightsCheck()],
    decision: 'shift',
    reason: `step ${decision.stepIndex + 1} of ${manifest.shifting.steps.length}: the candidate takes ${percent}% of production traffic`,
    steps,
    outcome: 'shifted',
  });
  await recordDecision(context, record, true);
  return { ...summary(shifted), action: 'step', decisionId: record.decisionId };
}

const tickTrigger = (reason: string): AuditRecord['trigger'] => ({
  kind: 'tick',
  source: 'schedule',
  reason,
});
const alarmsOkCheck = () => ({ name: 'protected-alarms-ok', passed: true });
const weightsCheck = () => ({ name: 'weights-as-last-set', passed: true });

/** The shift's state as it stands, with what to write. */
export interface ShiftFrame {
  readonly state: WatchdogState;
  readonly condition: Parameters<typeof writeState>[2];
  readonly shift: ShiftState;
  readonly startedAt: string;
}

/** Stops the shift where it stands (phase `stopped`), audits and pages: a person decides. */
async function stopShift(
  context: EngineContext,
  frame: ShiftFrame & {
    readonly reason: string;
    readonly steps: StepRecord[];
    readonly checks: AuditRecord['checks'];
  },
): Promise<ShiftTickOutcome> {
  const stopped: ShiftState = {
    ...frame.shift,
    phase: 'stopped',
    reason: frame.reason,
    updatedAt: isoNow(context),
  };
  // Traffic the failed step did move is recorded: the next look compares against what is live.
  await writeState(coordination(context), { ...frame.state, shift: stopped }, frame.condition);
  const record = auditRecord(context, frame.startedAt, {
    trigger: tickTrigger('shift step'),
    releaseId: frame.shift.releaseId,
    checks: frame.checks,
    decision: 'stop',
    reason: frame.reason,
    steps: frame.steps,
    outcome: 'stopped',
  });
  await recordDecision(context, record, true);
  return { ...summary(stopped), action: 'stop', reason: frame.reason, decisionId: record.decisionId };
}

/**
 * A smoke check failed: the shift stops (so a rollback that does not act leaves it for a person, not
 * for the next tick to run the checks again), its checks are audited, and the release is rolled back
 * through the normal path once this run has let go of the lock (the rollback takes it itself).
 */
async function failedChecks(
  context: EngineContext,
  frame: ShiftFrame & {
    readonly stage: 'pre-traffic' | 'after-step';
    readonly results: Awaited<ReturnType<typeof runSmokeChecks>>;
    readonly checkRecords: StepRecord[];
  },
  releaseLock: () => Promise<void>,
): Promise<ShiftTickOutcome> {
  const reason = `${frame.stage} smoke checks failed: ${describeFailedChecks(frame.results)}`;
  const stopped: ShiftState = { ...frame.shift, phase: 'stopped', reason, updatedAt: isoNow(context) };
  await writeState(coordination(context), { ...frame.state, shift: stopped }, frame.condition);
  // Its own decision id: the rollback that follows is this invocation's decision.
  const record = auditRecord(context, frame.startedAt, {
    decisionId: `${context.invocationId}.${frame.stage}-checks`,
    trigger: tickTrigger(`${frame.stage} smoke checks`),
    releaseId: frame.shift.releaseId,
    checks: frame.results.map((r) => ({
      name: `${r.kind} ${r.target}`,
      passed: r.passed,
      ...(r.detail ? { detail: r.detail } : {}),
    })),
    decision: 'stop',
    reason,
    steps: frame.checkRecords,
    outcome: 'stopped',
  });
  // The rollback's notification is the page: this record is for the trail.
  await recordDecision(context, record, false);
  await releaseLock();
  let rolledBack: TriggerOutcome;
  try {
    rolledBack = await handleTrigger(
      context,
      { kind: 'rollback', reason, requestedBy: `watchdog:${frame.stage}-check`, dryRun: false },
      { fromTick: true },
    );
  } catch (error) {
    if (!(error instanceof LockBusyError)) throw error;
    rolledBack = { outcome: 'dismissed', reason: error.message, steps: [] };
  }
  return { ...summary(stopped), action: 'checks-failed', reason, decisionId: record.decisionId, rolledBack };
}

/**
 * The candidate took all traffic (marker written): it becomes the known-good color. Shared with an
 * operator's `promote`.
 */
export async function promoted(
  context: EngineContext,
  frame: ShiftFrame & {
    readonly manifest: ReleaseManifest;
    readonly markerSeq: number;
    readonly steps: StepRecord[];
    readonly by: string;
    readonly reason: string;
    readonly trigger: AuditRecord['trigger'];
  },
): Promise<ShiftTickOutcome> {
  const now = isoNow(context);
  const color = await candidateColor(context, frame.manifest);
  const shift: ShiftState = {
    ...frame.shift,
    phase: 'promoted',
    candidateWeightPercent: 100,
    markerSeq: frame.markerSeq,
    stepStartedAt: now,
    updatedAt: now,
  };
  // A pause or a stop is over once the candidate is promoted.
  const { paused: _paused, reason: _reason, ...withoutPause } = shift;
  await writeState(
    coordination(context),
    {
      ...frame.state,
      shift: withoutPause,
      promotion: { releaseId: frame.shift.releaseId, color, promotedAt: now, by: frame.by },
    },
    frame.condition,
  );
  const record = auditRecord(context, frame.startedAt, {
    trigger: frame.trigger,
    releaseId: frame.shift.releaseId,
    checks: [],
    decision: 'promote',
    reason: `${frame.reason}; ${color} is the known-good color from now on`,
    steps: frame.steps,
    outcome: 'promoted',
  });
  await recordDecision(context, record, true);
  return { ...summary(withoutPause), action: 'promote', decisionId: record.decisionId };
}

/**
 * The candidate groups of the release's listeners that have no healthy target (one whose health
 * cannot be read counts as none). Shared with an operator's `promote`.
 */
export async function candidatesWithoutHealthyTargets(
  context: EngineContext,
  manifest: ReleaseManifest,
): Promise<string[]> {
  const groups = [...new Set(manifest.listeners.flatMap((l) => l.candidateTargetGroupArns))];
  const health = await Promise.all(
    groups.map((arn) =>
      withRetry(() => context.ports.traffic.targetHealth(arn), {
        budgetMs: context.config.policy.stepTimeBudgetMs,
        clock: context.clock,
      }).then(
        (r) => r.value.healthy,
        () => 0,
      ),
    ),
  );
  return groups.filter((_, i) => (health[i] ?? 0) < 1);
}

async function readAlarms(context: EngineContext): Promise<AlarmState[]> {
  const names = context.config.alarms.map((a) => a.name);
  if (names.length === 0) return [];
  const { value } = await withRetry(() => context.ports.alarms.alarmStates(names), {
    budgetMs: context.config.policy.stepTimeBudgetMs,
    clock: context.clock,
  });
  return value;
}
