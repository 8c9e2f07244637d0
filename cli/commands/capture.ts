/**
 * `switchback capture --release <id>`: capture the live state by hand, e.g. from CI before `cdktf
 * deploy`. A release refused by a gate (the backup readiness gate, a deploy freeze) may be let through
 * with `--override-backup-readiness <reason>` or `--override-freeze <reason>`: the watchdog records
 * the override, its reason and who asked in the capture's audit record, and notifies.
 */
import {
  RELEASE_ID_PATTERN,
  captureResultSchema,
  parseWatchdogAnswer,
  type CaptureOverrides,
  type ReleaseOverride,
} from '../../lib';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../errors';
import { relativeTime } from '../output';
import { checkRequestedBy } from './rollback';

export interface CaptureOptions {
  readonly release?: string;
  readonly overrideBackupReadiness?: string;
  readonly overrideFreeze?: string;
  readonly requestedBy?: string;
}

/** The overrides a capture request declares, each with its reason and who asked. */
function overridesOf(options: CaptureOptions, requestedBy: string): CaptureOverrides | undefined {
  const override = (flag: string, reason: string | undefined): ReleaseOverride | undefined => {
    if (reason === undefined) return undefined;
    const trimmed = reason.trim();
    if (trimmed.length === 0 || trimmed.length > 500) {
      throw new CliError(
        `${flag} needs the reason, 1-500 characters (got ${trimmed.length}): say why the release may go out anyway, for the audit trail`,
        EXIT.usage,
      );
    }
    return { reason: trimmed, requestedBy };
  };
  const backupReadiness = override('--override-backup-readiness', options.overrideBackupReadiness);
  const freeze = override('--override-freeze', options.overrideFreeze);
  if (!backupReadiness && !freeze) return undefined;
  return { ...(backupReadiness ? { backupReadiness } : {}), ...(freeze ? { freeze } : {}) };
}

export async function captureCommand(ctx: CommandContext, options: CaptureOptions): Promise<number> {
  const releaseId = options.release;
  if (releaseId === undefined || !RELEASE_ID_PATTERN.test(releaseId)) {
    throw new CliError(
      `--release must be a release id of 1-128 letters, digits, dots, underscores or hyphens, starting with a letter or digit (got ${JSON.stringify(releaseId ?? '')}), e.g. --release "$GIT_COMMIT"`,
      EXIT.usage,
    );
  }
  const overrides = overridesOf(options, checkRequestedBy(options.requestedBy ?? ctx.operator));
  const target = await ctx.target();
  const answer = await ctx.out.waitFor(`Capturing the live state of ${target.service} for ${releaseId}`, () =>
    target.gateway.invoke({ action: 'capture', releaseId, ...(overrides ? { overrides } : {}) }),
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
    for (const gate of result.overridden ?? []) {
      const reason = overrides?.[gate as keyof CaptureOverrides]?.reason;
      ctx.out.line(
        ctx.out.colors.yellow(
          `  overridden ${GATE_NAMES[gate] ?? gate}${reason ? `: "${reason}"` : ''} (audited and notified)`,
        ),
      );
    }
    if (overrides && result.status === 'captured' && (result.overridden ?? []).length === 0) {
      ctx.out.line(ctx.out.colors.dim('  no gate needed the override: every gate passed'));
    }
  }
  return EXIT.ok;
}

const GATE_NAMES: Record<string, string> = {
  backupReadiness: 'the backup readiness gate',
  freeze: 'the deploy freeze',
};
