/** `switchback history`: the watchdog's audit records, newest first. */
import type { AuditRecord } from '../../lib';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../errors';
import { duration } from '../output';

export async function historyCommand(
  ctx: CommandContext,
  options: { readonly limit: string },
): Promise<number> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new CliError(
      `--limit must be a whole number from 1 to 1000 (got ${JSON.stringify(options.limit)})`,
      EXIT.usage,
    );
  }
  const target = await ctx.target();
  const { records, unreadable } = await ctx.out.waitFor(`Reading the audit trail of ${target.service}`, () =>
    target.gateway.auditRecords(target.service, limit),
  );
  for (const problem of unreadable) ctx.out.note(`skipped an unreadable audit record: ${problem}`);
  if (ctx.out.json) {
    ctx.out.data({ service: target.service, records });
    return EXIT.ok;
  }
  if (records.length === 0) {
    ctx.out.line(`${target.service} has no audit records yet.`);
    return EXIT.ok;
  }
  const c = ctx.out.colors;
  const paint = (outcome: string) =>
    outcome === 'rolled-back' || outcome === 'captured' || outcome === 'acknowledged'
      ? c.green(outcome)
      : outcome === 'partial' || outcome === 'refused'
        ? c.red(outcome)
        : outcome === 'skipped'
          ? c.dim(outcome)
          : outcome;
  ctx.out.table(
    ['DECIDED AT', 'TRIGGER', 'RELEASE', 'OUTCOME', 'TTR', 'STEPS', 'REASON'],
    records.map((record) => [
      record.decidedAt.replace(/\.\d+Z$/, 'Z'),
      describeTrigger(record),
      record.releaseId ?? '-',
      paint(record.outcome),
      record.timeToRollbackMs !== undefined ? duration(record.timeToRollbackMs) : '-',
      describeSteps(record),
      (record.reason ?? '').slice(0, 80),
    ]),
  );
  return EXIT.ok;
}

function describeTrigger(record: AuditRecord): string {
  const t = record.trigger;
  switch (t.kind) {
    case 'alarm':
      return `alarm ${t.alarmName ?? '?'} ${t.alarmState ?? ''}`.trim();
    case 'rollback':
      return `manual${t.dryRun ? ' dry-run' : ''} by ${t.requestedBy ?? '?'}`;
    case 'acknowledge':
      return `ack by ${t.requestedBy ?? '?'}`;
    default:
      return t.kind;
  }
}

function describeSteps(record: AuditRecord): string {
  if (record.steps.length === 0) return '-';
  const counts = new Map<string, number>();
  for (const step of record.steps) counts.set(step.outcome, (counts.get(step.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
}
