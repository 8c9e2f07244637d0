/**
 * The traffic shift's decisions, pure: what the schedule tick does next for a shift (given its state,
 * the plan, the protected alarms and the time), the production actions that give the candidate a
 * weight, and the candidate's share of live actions (the drift check). No I/O.
 */
import type {
  CapturedListener,
  ListenerAction,
  ShiftingPlan,
  ShiftPhase,
  ShiftState,
  SmokeCheck,
  DeliveryHooks,
  ProtectedAlarm,
} from '../../../lib';
import type { AlarmState } from '../ports';
import { protectedAlarmsNotOk } from './protected-alarms';

/** The phases in which the tick carries the plan on. */
export const ACTIVE_SHIFT_PHASES: readonly ShiftPhase[] = ['pre-traffic', 'shifting'];

/** What the tick does about a shift now. */
export type ShiftAction =
  /** Nothing to do: no shift in progress (paused, finished, stopped, rolled back). */
  | { readonly kind: 'none'; readonly reason: string }
  /** Wait: a protected alarm is not OK (a bake needs OK), or the step is still baking. */
  | { readonly kind: 'wait'; readonly reason: string; readonly until?: number }
  /** The evaluation window is over before the shift finished: stop (a person decides). */
  | { readonly kind: 'stop'; readonly reason: string }
  /** Run `checks`, then set step `stepIndex`'s weight. */
  | {
      readonly kind: 'step';
      readonly stepIndex: number;
      readonly weightPercent: number;
      readonly stage: 'pre-traffic' | 'after-step';
      readonly checks: readonly SmokeCheck[];
    }
  /** Run `checks`, then give the candidate all traffic and make it the known-good color. */
  | { readonly kind: 'promote'; readonly checks: readonly SmokeCheck[] }
  /** Run `checks`, then hold the last step's weight: the plan does not promote. */
  | { readonly kind: 'complete'; readonly checks: readonly SmokeCheck[] };

export interface ShiftInput {
  readonly shift: ShiftState;
  readonly plan: ShiftingPlan;
  readonly hooks?: DeliveryHooks;
  /** The protected alarms' states as read now; a protected alarm missing from them is not OK. */
  readonly alarms: readonly AlarmState[];
  readonly protectedAlarms: readonly ProtectedAlarm[];
  readonly now: number;
  /** When the release's evaluation window ends; unknown (a cheap look before reading it) skips the check. */
  readonly evaluationWindowEndsAt?: number;
}

/**
 * The next thing to do for a shift. Order matters: a shift that is not active does nothing; past the
 * evaluation window it stops (breaches would no longer roll back, so it must not advance); with any
 * protected alarm not OK it waits (the tick's alarm path rolls back a breach); a step bakes until its
 * bake time has passed; then the next step, or the end of the plan.
 */
export function decideShift(input: ShiftInput): ShiftAction {
  const { shift, plan, now } = input;
  if (!ACTIVE_SHIFT_PHASES.includes(shift.phase)) {
    return { kind: 'none', reason: `the shift of ${shift.releaseId} is ${shift.phase}` };
  }
  if (input.evaluationWindowEndsAt !== undefined && now >= input.evaluationWindowEndsAt) {
    return {
      kind: 'stop',
      reason: `the evaluation window of ${shift.releaseId} ended at ${new Date(input.evaluationWindowEndsAt).toISOString()} before the shift finished; the candidate stays at ${shift.candidateWeightPercent}%`,
    };
  }
  const notOk = alarmsNotOk(input.protectedAlarms, input.alarms);
  if (notOk.length > 0) {
    return { kind: 'wait', reason: `protected alarms not OK: ${notOk.join(', ')}` };
  }
  const afterEachStep = input.hooks?.afterEachStep ?? [];
  if (shift.phase === 'pre-traffic') {
    const first = plan.steps[0];
    if (!first) return { kind: 'none', reason: 'the shifting plan has no steps' };
    return {
      kind: 'step',
      stepIndex: 0,
      weightPercent: first.weightPercent,
      stage: 'pre-traffic',
      checks: input.hooks?.preTraffic ?? [],
    };
  }
  const current = plan.steps[shift.stepIndex];
  if (!current) {
    return {
      kind: 'stop',
      reason: `the shift is at step ${shift.stepIndex + 1}, but the plan has ${plan.steps.length} steps`,
    };
  }
  const bakedAt = Date.parse(shift.stepStartedAt) + current.bakeMinutes * 60_000;
  if (now < bakedAt) {
    return {
      kind: 'wait',
      reason: `step ${shift.stepIndex + 1} (${current.weightPercent}%) bakes until ${new Date(bakedAt).toISOString()}`,
      until: bakedAt,
    };
  }
  const next = plan.steps[shift.stepIndex + 1];
  if (next) {
    return {
      kind: 'step',
      stepIndex: shift.stepIndex + 1,
      weightPercent: next.weightPercent,
      stage: 'after-step',
      checks: afterEachStep,
    };
  }
  return plan.promote
    ? { kind: 'promote', checks: afterEachStep }
    : { kind: 'complete', checks: afterEachStep };
}

/** The names of the protected alarms that are not OK (ALARM, INSUFFICIENT_DATA, or missing), by ARN. */
export function alarmsNotOk(
  protectedAlarms: readonly ProtectedAlarm[],
  alarms: readonly AlarmState[],
): string[] {
  return protectedAlarmsNotOk(protectedAlarms, alarms).map(({ alarm }) => alarm.name);
}

/** The target groups a shift moves traffic between, for one captured listener. */
export interface ShiftGroups {
  readonly knownGood: readonly string[];
  readonly candidate: readonly string[];
}

export const groupsOfListener = (listener: CapturedListener): ShiftGroups => ({
  knownGood: listener.knownGoodTargetGroupArns,
  candidate: listener.candidateTargetGroupArns,
});

/** Whether a forward action sends traffic only between the shift's groups (others are left alone). */
function isShiftable(action: ListenerAction, groups: ShiftGroups): boolean {
  if (action.type !== 'forward' || groups.candidate.length === 0 || groups.knownGood.length === 0)
    return false;
  const ours = new Set([...groups.knownGood, ...groups.candidate]);
  return action.forwardConfig.targetGroups.every((g) => ours.has(g.targetGroupArn));
}

/**
 * The captured actions with each shiftable forward sending `candidatePercent` to the candidate and the
 * rest to the known-good groups; stickiness and order as captured, other actions untouched. With n
 * known-good and m candidate groups, weights are scaled so the candidate's share is exactly the percent
 * (ELBv2 weights go to 999; a forward holds at most 5 groups).
 */
export function shiftedActions(
  captured: readonly ListenerAction[],
  groups: ShiftGroups,
  candidatePercent: number,
): ListenerAction[] {
  const n = groups.knownGood.length;
  const m = groups.candidate.length;
  return captured.map((action) => {
    if (action.type !== 'forward' || !isShiftable(action, groups)) return action;
    return {
      ...action,
      forwardConfig: {
        ...action.forwardConfig,
        targetGroups: [
          ...groups.knownGood.map((arn) => ({ targetGroupArn: arn, weight: (100 - candidatePercent) * m })),
          ...groups.candidate.map((arn) => ({ targetGroupArn: arn, weight: candidatePercent * n })),
        ],
      },
    };
  });
}

/**
 * The candidate's share (percent, rounded) of each shiftable forward in the live actions; `undefined`
 * for actions with nothing shiftable. Used to see whether someone changed the weights by hand.
 */
export function candidateSharesOf(actions: readonly ListenerAction[], groups: ShiftGroups): number[] {
  const candidate = new Set(groups.candidate);
  return actions.flatMap((action) => {
    if (action.type !== 'forward' || !isShiftable(action, groups)) return [];
    const total = action.forwardConfig.targetGroups.reduce((sum, g) => sum + g.weight, 0);
    const share = action.forwardConfig.targetGroups
      .filter((g) => candidate.has(g.targetGroupArn))
      .reduce((sum, g) => sum + g.weight, 0);
    return [total === 0 ? 0 : Math.round((share * 100) / total)];
  });
}
