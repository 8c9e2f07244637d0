/**
 * `switchback promote`. While the current release shifts traffic in steps, it skips the remaining
 * steps: the candidate takes all traffic and becomes the known-good color (the watchdog's `promote`,
 * confirmed first unless `--yes`). After a rollback, it lets the candidate go live again: without
 * `--ack` it shows what holds the release on the known-good color and the two ways forward; with
 * `--ack` it records the operator's acknowledgement through the watchdog (audited), so the next
 * `cdktf deploy` of the same release sends traffic to the candidate again.
 */
import { RELEASE_ID_PATTERN, acknowledgeResultSchema, parseWatchdogAnswer } from '../../lib';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../errors';
import { relativeTime } from '../output';
import { PHASES_ALLOWING, currentShift, stepLabel } from '../shift-view';
import { readServiceStatus } from '../status-reader';
import { checkReason, checkRequestedBy } from './rollback';
import { promoteShiftCommand } from './shift';

export interface PromoteOptions {
  readonly ack: boolean;
  /** During a shift: promote without asking. */
  readonly yes?: boolean;
  readonly reason?: string;
  readonly release?: string;
  readonly requestedBy?: string;
}

export async function promoteCommand(ctx: CommandContext, options: PromoteOptions): Promise<number> {
  if (options.release !== undefined && !RELEASE_ID_PATTERN.test(options.release)) {
    throw new CliError(
      `--release ${JSON.stringify(options.release)} is not a release id: use 1-128 letters, digits, dots, underscores or hyphens, starting with a letter or digit.`,
      EXIT.usage,
    );
  }
  const reason = options.ack ? checkReason(options.reason) : undefined;
  const requestedBy = checkRequestedBy(options.requestedBy ?? ctx.operator);
  const target = await ctx.target();
  const status = await ctx.out.waitFor(`Reading the state of ${target.service}`, () =>
    readServiceStatus(target.gateway, target.service, ctx.now()),
  );
  const releaseId = options.release ?? status.release?.releaseId;
  if (!releaseId) {
    throw new CliError(
      `${target.service} has no captured release: there is nothing to promote.`,
      EXIT.failed,
    );
  }
  const latched = status.state.latched?.releaseId === releaseId ? status.state.latched : undefined;
  const shifting = currentShift(status);
  // A latched release (rolled back, or its kill switches turned off) is the acknowledgement's business,
  // whatever its shift's phase says.
  const shiftInProgress =
    latched === undefined &&
    shifting.found &&
    shifting.shift.releaseId === releaseId &&
    PHASES_ALLOWING.promote.includes(shifting.shift.phase);
  if (shiftInProgress && !options.ack) return promoteShiftCommand(ctx, target, status, options);
  if (shiftInProgress && options.ack && !latched) {
    const { shift, plan } = shifting;
    throw new CliError(
      `release ${releaseId} is not rolled back: it is shifting traffic (${shift.phase}, ${stepLabel(shift, plan)}, candidate at ${shift.candidateWeightPercent}%), and --ack acknowledges a rollback. To skip the remaining steps, run \`switchback promote --reason "<why it is safe now>"\` without --ack.`,
      EXIT.failed,
    );
  }
  // The CLI is the same in cdktf-switchback and cdktn-switchback: name both frameworks' command.
  const deploy = 'cdktf deploy` or `cdktn deploy';

  // A shifting release is declared with the candidate at 0%: acknowledged, it stays on the known-good
  // color (a shift is not started again); a new release id shifts again.
  const shifted = shifting.found && shifting.shift.releaseId === releaseId;
  if (!options.ack) {
    const next = latched
      ? [
          shifted
            ? `switchback promote --ack --reason "<why it is safe now>"${options.release ? ` --release ${releaseId}` : ''} lifts the hold; the release was shifting, so \`${deploy}\` keeps the candidate at 0% (a shift does not start again)`
            : `switchback promote --ack --reason "<why it is safe now>"${options.release ? ` --release ${releaseId}` : ''}, then \`${deploy}\` (the same release goes live again)`,
          `or deploy a fixed build under a new release id (\`SWITCHBACK_RELEASE_ID=<new id> ${deploy}\`): a new release is never held`,
        ]
      : [`nothing holds release ${releaseId}: \`${deploy}\` moves traffic as the stack says`];
    // A shift that ended without a rollback: the release is promoted already.
    const ended = shifting.found && shifting.shift.releaseId === releaseId ? shifting.shift : undefined;
    if (ended?.phase === 'promoted') {
      next.unshift(`release ${releaseId} is already promoted: the candidate is the known-good color`);
    }
    if (ctx.out.json) {
      ctx.out.data({
        service: target.service,
        releaseId,
        held: latched !== undefined,
        latched,
        ...(ended ? { shiftPhase: ended.phase } : {}),
        next,
      });
    } else {
      ctx.out.line(
        latched
          ? ctx.out.colors.yellow(
              `release ${releaseId} was rolled back ${relativeTime(latched.rolledBackAt, ctx.now())} (${latched.trigger}) and is held on the known-good color.`,
            )
          : `release ${releaseId} is not rolled back.`,
      );
      for (const step of next) ctx.out.line(`  - ${step}`);
    }
    return EXIT.ok;
  }

  const answer = await ctx.out.waitFor(`Acknowledging the rollback of ${releaseId}`, () =>
    target.gateway.invoke({ action: 'acknowledge', releaseId, requestedBy, reason }),
  );
  const result = parseWatchdogAnswer('acknowledge', acknowledgeResultSchema, answer.result);
  if (ctx.out.json) ctx.out.data({ service: target.service, ...result, requestedBy, reason });
  else {
    ctx.out.line(ctx.out.colors.green(`release ${result.releaseId} acknowledged by ${requestedBy}.`));
    ctx.out.line(
      `The hold is lifted: the next \`${deploy}\` sends traffic to the candidate again, and the watchdog is armed for it.`,
    );
  }
  return EXIT.ok;
}
