/** `switchback capture --release <id>`: capture the live state by hand, e.g. from CI before `cdktf deploy`. */
import { RELEASE_ID_PATTERN, captureResultSchema, parseWatchdogAnswer } from '../../lib';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../errors';
import { relativeTime } from '../output';

export async function captureCommand(
  ctx: CommandContext,
  options: { readonly release?: string },
): Promise<number> {
  const releaseId = options.release;
  if (releaseId === undefined || !RELEASE_ID_PATTERN.test(releaseId)) {
    throw new CliError(
      `--release must be a release id of 1-128 letters, digits, dots, underscores or hyphens, starting with a letter or digit (got ${JSON.stringify(releaseId ?? '')}), e.g. --release "$GIT_COMMIT"`,
      EXIT.usage,
    );
  }
  const target = await ctx.target();
  const answer = await ctx.out.waitFor(`Capturing the live state of ${target.service} for ${releaseId}`, () =>
    target.gateway.invoke({ action: 'capture', releaseId }),
  );
  const result = parseWatchdogAnswer('capture', captureResultSchema, answer.result);
  if (ctx.out.json) ctx.out.data({ service: target.service, ...result });
  else {
    ctx.out.line(
      result.status === 'captured'
        ? ctx.out.colors.green(`captured release ${result.releaseId} of ${target.service}`)
        : `release ${result.releaseId} of ${target.service} was already captured; the manifest is unchanged`,
    );
    ctx.out.line(
      `  manifest   ${result.manifestKey}${result.manifestVersionId ? ` (version ${result.manifestVersionId})` : ''}`,
    );
    ctx.out.line(
      `  watching   until ${result.evaluationWindowEndsAt} (${relativeTime(result.evaluationWindowEndsAt, ctx.now())})`,
    );
  }
  return EXIT.ok;
}
