/**
 * `switchback promote`: after a rollback, let the candidate go live again. Without `--ack` it shows
 * what holds the release on the known-good color and the two ways forward; with `--ack` it records the
 * operator's acknowledgement through the watchdog (audited), so the next `cdktf deploy` of the same
 * release sends traffic to the candidate again.
 */
import { RELEASE_ID_PATTERN, acknowledgeResultSchema, parseWatchdogAnswer } from '../../lib';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../errors';
import { relativeTime } from '../output';
import { checkReason, checkRequestedBy } from './rollback';
import { readServiceStatus } from '../status-reader';

export interface PromoteOptions {
  readonly ack: boolean;
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
  // The CLI is the same in cdktf-switchback and cdktn-switchback: name both frameworks' command.
  const deploy = 'cdktf deploy` or `cdktn deploy';

  if (!options.ack) {
    const next = latched
      ? [
          `switchback promote --ack --reason "<why it is safe now>"${options.release ? ` --release ${releaseId}` : ''}, then \`${deploy}\` (the same release goes live again)`,
          `or deploy a fixed build under a new release id (\`SWITCHBACK_RELEASE_ID=<new id> ${deploy}\`): a new release is never held`,
        ]
      : [`nothing holds release ${releaseId}: \`${deploy}\` moves traffic as the stack says`];
    if (ctx.out.json) {
      ctx.out.data({ service: target.service, releaseId, held: latched !== undefined, latched, next });
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
