/**
 * `switchback rollback`: an operator's rollback, through the watchdog itself (same code path, IAM gate
 * and audit as an automatic one). `--dry-run` prints the plan and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { parseWatchdogAnswer, triggerOutcomeSchema, type StepRecord } from '../../lib';
import type { CommandContext, Target } from '../context';
import { CliError, EXIT } from '../errors';
import { duration, type Output } from '../output';

export interface RollbackOptions {
  readonly reason?: string;
  readonly dryRun: boolean;
  readonly requestedBy?: string;
}

/** The limits the watchdog applies, checked here first so a typo fails fast and locally. */
export function checkReason(reason: string | undefined): string {
  const trimmed = reason?.trim() ?? '';
  if (trimmed.length === 0 || trimmed.length > 500) {
    throw new CliError(
      `--reason is required, 1-500 characters (got ${trimmed.length}): say why, for the audit trail, e.g. --reason "5xx after release 42"`,
      EXIT.usage,
    );
  }
  return trimmed;
}

export function checkRequestedBy(requestedBy: string): string {
  if (requestedBy.trim().length === 0 || requestedBy.length > 200) {
    throw new CliError(`--requested-by must be 1-200 characters (got ${requestedBy.length})`, EXIT.usage);
  }
  return requestedBy.trim();
}

export async function rollbackCommand(ctx: CommandContext, options: RollbackOptions): Promise<number> {
  const reason = checkReason(options.reason);
  const requestedBy = checkRequestedBy(options.requestedBy ?? ctx.operator);
  const target = await ctx.target();
  const payload = {
    action: 'rollback',
    reason,
    requestedBy,
    dryRun: options.dryRun,
    // Lambda and the SDK may deliver a request twice; the watchdog runs one id once.
    requestId: randomUUID(),
  };
  let answer;
  try {
    answer = await ctx.out.waitFor(
      options.dryRun ? `Planning a rollback of ${target.service}` : `Rolling back ${target.service}`,
      () => target.gateway.invoke(payload),
    );
  } catch (error) {
    // A partial rollback is audited before the watchdog raises it: show the operator every step.
    const decisionId =
      error instanceof CliError ? /rollback (\S+) is partial/.exec(error.message)?.[1] : undefined;
    if (decisionId) {
      const record = await auditRecordOf(ctx, target, decisionId);
      if (ctx.out.json) {
        ctx.out.data({
          service: target.service,
          outcome: 'partial',
          decisionId,
          error: (error as Error).message,
          record,
        });
      } else if (record) printSteps(ctx.out, record.steps);
    }
    throw error;
  }
  const outcome = parseWatchdogAnswer('rollback', triggerOutcomeSchema, answer.result);
  if (ctx.out.json) {
    ctx.out.data({ service: target.service, dryRun: options.dryRun, ...outcome });
  } else {
    const c = ctx.out.colors;
    if (outcome.steps.length > 0) printSteps(ctx.out, outcome.steps);
    const headlines: Partial<Record<typeof outcome.outcome, string>> = {
      'rolled-back': c.green(`${target.service} rolled back`),
      'rolled-back-unverified': c.yellow(
        `${target.service}: every write landed, but reading some back was throttled; the watchdog keeps verifying every minute`,
      ),
      planned: `dry run: the plan above would run; nothing changed`,
      dismissed: c.yellow(`not acted on: ${outcome.reason ?? 'no reason given'}`),
      duplicate: `this request was already handled (decision ${outcome.decisionId ?? '?'})`,
      skipped: c.yellow(`not rolled back: ${outcome.reason ?? 'no reason given'}`),
      refused: c.red(`refused: ${outcome.reason ?? 'no reason given'}`),
      partial: c.red('partial rollback: see the failed steps above'),
      captured: outcome.outcome,
      acknowledged: outcome.outcome,
    };
    const headline = headlines[outcome.outcome] ?? outcome.outcome;
    if (options.dryRun && outcome.steps.length === 0 && outcome.outcome === 'planned') {
      ctx.out.line('dry run: live state already matches the captured state; a rollback would change nothing');
    } else ctx.out.line(headline);
    if (outcome.decisionId) ctx.out.line(c.dim(`decision ${outcome.decisionId}; see \`switchback history\``));
  }
  return ['rolled-back', 'planned', 'duplicate'].includes(outcome.outcome) ? EXIT.ok : EXIT.failed;
}

/** The audit record of one decision, or undefined (with a note) when it cannot be read. */
async function auditRecordOf(ctx: CommandContext, target: Target, decisionId: string) {
  try {
    const { records } = await target.gateway.auditRecords(target.service, 20);
    return records.find((record) => record.decisionId === decisionId);
  } catch (lookup) {
    // The rollback's own failure is the news; a failed lookup of its record must not replace it.
    ctx.out.note(`could not read the audit record of ${decisionId}: ${(lookup as Error).message}`);
    return undefined;
  }
}

/** A table of rollback steps, in the order they ran. */
export function printSteps(out: Output, steps: readonly StepRecord[]): void {
  const c = out.colors;
  const paint = (outcome: string) =>
    outcome === 'applied' || outcome === 'unchanged'
      ? c.green(outcome)
      : outcome === 'unverified'
        ? c.yellow(outcome)
        : outcome === 'planned'
          ? c.cyan(outcome)
          : c.red(outcome);
  out.table(
    ['STEP', 'TARGET', 'OUTCOME', 'TRIES', 'TOOK', 'DETAIL'],
    steps.map((step) => [
      step.kind,
      shortArn(step.target),
      paint(step.outcome),
      String(step.attempts),
      duration(step.durationMs),
      step.detail ?? '',
    ]),
  );
}

/** The readable tail of an ARN (`listener/app/web/…/…`), or the value as is. */
export function shortArn(value: string): string {
  const match = /^arn:[^:]+:[^:]+:[^:]*:[^:]*:(.+)$/.exec(value);
  return match ? match[1] : value;
}
