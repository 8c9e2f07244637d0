/**
 * `switchback pause`, `switchback resume`, and `switchback promote` while a release shifts traffic:
 * the watchdog's manual `pause`, `resume` and `promote` actions, through the watchdog (same lock, IAM
 * gate and audit as its own steps). The CLI reads the shift first and refuses, without an invoke, an
 * action the shift's phase does not allow; the watchdog checks again under its lock.
 */
import {
  parseWatchdogAnswer,
  shiftActionResultSchema,
  type ServiceStatusAnswer,
  type ShiftState,
  type ShiftingPlan,
} from '../../lib';
import type { CommandContext, Target } from '../context';
import { CliError, EXIT } from '../errors';
import {
  PHASES_ALLOWING,
  currentShift,
  describePlan,
  phaseRefusal,
  stepLabel,
  type ShiftAction,
} from '../shift-view';
import { readServiceStatus } from '../status-reader';
import { checkReason, checkRequestedBy } from './rollback';

export interface ShiftActionOptions {
  readonly reason?: string;
  readonly requestedBy?: string;
}

export interface ShiftPromoteOptions extends ShiftActionOptions {
  /** Skip the confirmation. */
  readonly yes?: boolean;
}

export function pauseCommand(ctx: CommandContext, options: ShiftActionOptions): Promise<number> {
  return shiftActionCommand(ctx, 'pause', options);
}

export function resumeCommand(ctx: CommandContext, options: ShiftActionOptions): Promise<number> {
  return shiftActionCommand(ctx, 'resume', options);
}

async function shiftActionCommand(
  ctx: CommandContext,
  action: ShiftAction,
  options: ShiftActionOptions,
): Promise<number> {
  const reason = checkReason(options.reason);
  const requestedBy = checkRequestedBy(options.requestedBy ?? ctx.operator);
  const target = await ctx.target();
  const status = await ctx.out.waitFor(`Reading the shift of ${target.service}`, () =>
    readServiceStatus(target.gateway, target.service, ctx.now()),
  );
  const { shift, plan } = shiftToActOn(action, target.service, status);
  return invokeShiftAction(ctx, target, action, { shift, plan, reason, requestedBy });
}

/**
 * `promote` while the current release shifts traffic: skip the remaining steps. It cannot be taken
 * back by the watchdog (the candidate becomes the known-good color), so it asks first unless `--yes`.
 */
export async function promoteShiftCommand(
  ctx: CommandContext,
  target: Target,
  status: ServiceStatusAnswer,
  options: ShiftPromoteOptions,
): Promise<number> {
  const { shift, plan } = shiftToActOn('promote', target.service, status);
  if (options.reason === undefined) {
    throw new CliError(
      `release ${shift.releaseId} is shifting traffic (${shift.phase}, ${stepLabel(shift, plan)}, candidate at ${shift.candidateWeightPercent}%): promote skips the remaining steps and needs --reason "<why it is safe now>" for the audit trail.`,
      EXIT.usage,
    );
  }
  const reason = checkReason(options.reason);
  const requestedBy = checkRequestedBy(options.requestedBy ?? ctx.operator);
  if (options.yes !== true) {
    const what = `Promote release ${shift.releaseId} of ${target.service} now: the candidate goes from ${shift.candidateWeightPercent}% to 100% and becomes the known-good color${remainingSteps(shift, plan)}`;
    const confirmed = await ctx.confirm(`${what}?`);
    if (confirmed === undefined) {
      throw new CliError(`${what}. There is no terminal to confirm on: add --yes to promote.`, EXIT.usage);
    }
    if (!confirmed) throw new CliError('not confirmed: nothing changed.', EXIT.failed);
  }
  return invokeShiftAction(ctx, target, 'promote', { shift, plan, reason, requestedBy });
}

/** The current release's shift, when `action` may act on it now; else a CliError saying why not. */
function shiftToActOn(
  action: ShiftAction,
  service: string,
  status: ServiceStatusAnswer,
): { shift: ShiftState; plan?: ShiftingPlan } {
  const current = currentShift(status);
  if (!current.found) {
    throw new CliError(
      `cannot ${action}: ${service} has no traffic shift in progress (${current.why}). ${action} acts on a release that shifts traffic in steps, while its shift is ${PHASES_ALLOWING[action].join(', ')}; \`switchback status\` shows the shift.`,
      EXIT.failed,
    );
  }
  if (!PHASES_ALLOWING[action].includes(current.shift.phase)) {
    throw new CliError(phaseRefusal(action, current.shift, current.plan), EXIT.failed);
  }
  return { shift: current.shift, ...(current.plan ? { plan: current.plan } : {}) };
}

/** ", skipping …" for the confirmation: what the promotion leaves out. */
function remainingSteps(shift: ShiftState, plan: ShiftingPlan | undefined): string {
  if (!plan) return ', skipping the remaining steps';
  const taken = shift.phase === 'pre-traffic' ? 0 : Math.max(0, shift.stepIndex + 1);
  const left = plan.steps.length - taken;
  if (left <= 0) return '';
  const checks = shift.phase === 'pre-traffic' ? ' and the pre-traffic checks' : '';
  return `, skipping ${left} remaining step(s)${checks} of ${describePlan(plan, shift.stepIndex)}`;
}

async function invokeShiftAction(
  ctx: CommandContext,
  target: Target,
  action: ShiftAction,
  request: {
    readonly shift: ShiftState;
    readonly plan?: ShiftingPlan;
    readonly reason: string;
    readonly requestedBy: string;
  },
): Promise<number> {
  const { reason, requestedBy } = request;
  const doing = { pause: 'Pausing', resume: 'Resuming', promote: 'Promoting' }[action];
  const answer = await ctx.out.waitFor(`${doing} the shift of ${target.service}`, () =>
    target.gateway.invoke({ action, requestedBy, reason }),
  );
  // A refusal (the shift changed since it was read) comes back rejected: the gateway says why, exit 1.
  const result = parseWatchdogAnswer(action, shiftActionResultSchema, answer.result);
  // A promotion whose weights did not all land stops the shift: the operator must look (exit 1).
  const failed = action === 'promote' && result.phase !== 'promoted';
  if (ctx.out.json) {
    ctx.out.data({ service: target.service, action, ...result, requestedBy, reason });
    return failed ? EXIT.failed : EXIT.ok;
  }
  const c = ctx.out.colors;
  const at = `${result.candidateWeightPercent}%`;
  const headline: Record<ShiftAction, string> = {
    pause: c.yellow(
      `paused the shift of release ${result.releaseId} at ${at}: no step is taken until \`switchback resume\`; a breach still rolls back.`,
    ),
    resume: c.green(
      `resumed the shift of release ${result.releaseId} at ${at}: the next step follows once this one has baked with every alarm OK.`,
    ),
    promote: failed
      ? c.red(
          `the promotion of release ${result.releaseId} did not complete: the shift is ${result.phase} at ${at}; \`switchback history\` shows the steps that failed.`,
        )
      : c.green(
          `promoted release ${result.releaseId}: the candidate has ${at} of the traffic and is the known-good color.`,
        ),
  };
  ctx.out.line(headline[action]);
  ctx.out.line(c.dim(`decision ${result.decisionId}; see \`switchback history\``));
  return failed ? EXIT.failed : EXIT.ok;
}
