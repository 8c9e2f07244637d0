/**
 * How the CLI reads and words a release's traffic shift: which shift the operator's commands act on,
 * which phases allow which action, and the lines `status`, `pause`, `resume` and `promote` print.
 */
import {
  SHIFT_ACTION_PHASES,
  type ServiceStatusAnswer,
  type ShiftAction,
  type ShiftPhase,
  type ShiftState,
  type ShiftingPlan,
} from '../lib';
import { duration, relativeTime, type Colors } from './output';

export type { ShiftAction };

/**
 * The phases in which each action makes sense (lib's, which the watchdog enforces under its lock).
 * The CLI checks first so that a command that cannot work fails at once, with the reason, without an
 * invoke.
 */
export const PHASES_ALLOWING = SHIFT_ACTION_PHASES;

/** The shift of the current release, or why there is none to act on. */
export type CurrentShift =
  | { readonly found: true; readonly shift: ShiftState; readonly plan?: ShiftingPlan }
  | { readonly found: false; readonly why: string };

/**
 * The shift the operator's commands act on: the one recorded for the current release. A shift
 * recorded for an earlier release is history, not something to pause.
 */
export function currentShift(status: ServiceStatusAnswer): CurrentShift {
  const shift = status.state.shift;
  const releaseId = status.release?.releaseId;
  if (!releaseId) return { found: false, why: 'no release is captured yet' };
  if (!shift) {
    return {
      found: false,
      why: status.shifting
        ? `release ${releaseId} has a shifting plan, but the watchdog has not started its shift`
        : `release ${releaseId} shifts no traffic in steps (its configuration has no shifting plan)`,
    };
  }
  if (shift.releaseId !== releaseId) {
    return {
      found: false,
      why: `the last shift was of release ${shift.releaseId}; the current release ${releaseId} has none`,
    };
  }
  return { found: true, shift, ...(status.shifting ? { plan: status.shifting } : {}) };
}

/** "step 2 of 4", or "before the first step". */
export function stepLabel(shift: ShiftState, plan: ShiftingPlan | undefined): string {
  if (shift.stepIndex < 0) return 'before the first step';
  return `step ${shift.stepIndex + 1}${plan ? ` of ${plan.steps.length}` : ''}`;
}

/** How much longer the current step bakes, in ms (0 when baked), or undefined when unknown. */
export function bakeLeftMs(
  shift: ShiftState,
  plan: ShiftingPlan | undefined,
  now: number,
): number | undefined {
  const step = plan?.steps[shift.stepIndex];
  if (!step) return undefined;
  return Math.max(0, Date.parse(shift.stepStartedAt) + step.bakeMinutes * 60_000 - now);
}

/** `10% 5m → [20% 5m] → 100% 5m, then promote`: the plan with the current step marked. */
export function describePlan(plan: ShiftingPlan, currentIndex: number, c?: Colors): string {
  const steps = plan.steps.map((step, i) => {
    const text = `${step.weightPercent}% ${step.bakeMinutes}m`;
    if (i !== currentIndex) return text;
    return c ? c.bold(`[${text}]`) : `[${text}]`;
  });
  return `${steps.join(' → ')}, then ${plan.promote ? 'promote' : 'hold (no promotion)'}`;
}

/** One line on the shift's state, for `status` and for the answer to `pause`/`resume`/`promote`. */
export function describeShift(
  shift: ShiftState,
  plan: ShiftingPlan | undefined,
  now: number,
  c: Colors,
): string {
  const at = `${shift.candidateWeightPercent}%`;
  const where = `candidate at ${at} (${stepLabel(shift, plan)})`;
  switch (shift.phase) {
    case 'pre-traffic':
      return `release ${shift.releaseId} pre-traffic: candidate at ${at}; the pre-traffic checks run on the next tick (waiting since ${relativeTime(shift.stepStartedAt, now)})`;
    case 'shifting': {
      const left = bakeLeftMs(shift, plan, now);
      const bake =
        left === undefined
          ? `step began ${relativeTime(shift.stepStartedAt, now)}`
          : left > 0
            ? `bakes ${duration(left)} more`
            : 'baked; the next step on the next tick with every alarm OK';
      return `release ${shift.releaseId} shifting: ${where}, ${bake}`;
    }
    case 'paused': {
      const by = shift.paused
        ? ` by ${shift.paused.by} ${relativeTime(shift.paused.at, now)}: "${shift.paused.reason}"`
        : '';
      return c.yellow(
        `release ${shift.releaseId} paused: ${where}${by}; \`switchback resume\` continues (a breach still rolls back)`,
      );
    }
    case 'promoted':
      return c.green(
        `release ${shift.releaseId} promoted: the candidate has all traffic and is the known-good color (${relativeTime(shift.updatedAt, now)})`,
      );
    case 'completed':
      return `release ${shift.releaseId} completed: ${where}; the plan does not promote, \`switchback promote\` makes the candidate known-good`;
    case 'stopped':
      return c.red(
        `release ${shift.releaseId} stopped at ${at} (${stepLabel(shift, plan)}) ${relativeTime(shift.updatedAt, now)}: ${shift.reason ?? 'no reason recorded'}; the watchdog takes no more steps, a person decides: \`switchback rollback\` or \`switchback promote\``,
      );
    case 'rolled-back':
      return c.yellow(
        `release ${shift.releaseId} rolled back at ${stepLabel(shift, plan)} ${relativeTime(shift.updatedAt, now)}: ${shift.reason ?? 'no reason recorded'}`,
      );
  }
}

/** Why an action cannot act on a shift in this phase, and what can. */
export function phaseRefusal(action: ShiftAction, shift: ShiftState, plan: ShiftingPlan | undefined): string {
  const allowed = PHASES_ALLOWING[action].join(', ');
  const now = `the shift of release ${shift.releaseId} is ${shift.phase} (${stepLabel(shift, plan)}, candidate at ${shift.candidateWeightPercent}%)`;
  const hint: Record<ShiftPhase, string> = {
    'pre-traffic': '',
    shifting: action === 'resume' ? ' It is not paused: nothing to resume.' : '',
    paused:
      action === 'pause'
        ? ` It is already paused${shift.paused ? ` by ${shift.paused.by}` : ''}: \`switchback resume\` continues it.`
        : '',
    promoted: ' The candidate already has all traffic and is the known-good color.',
    completed: action === 'pause' ? ' Every step has baked: nothing is left to pause.' : '',
    stopped: ` It stopped (${shift.reason ?? 'no reason recorded'}): the watchdog takes no more steps; \`switchback rollback\` or \`switchback promote\` decides.`,
    'rolled-back':
      ' It was rolled back: `switchback promote --ack` lifts the hold for a new deploy of the release, or deploy a new release id.',
  };
  return `cannot ${action}: ${now}. ${action} is allowed while a shift is ${allowed}.${hint[shift.phase]}`;
}
