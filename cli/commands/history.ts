/**
 * `switchback history`: the watchdog's audit records, newest first, as a table; under it, the details
 * a row cannot hold: each verification (read-back, smoke checks, alarms not OK, the diff against the
 * manifest), the kill switches applied and the checks run, who asked (the caller STS verified, or the
 * claimed name only), the gates a capture failed or overrode, deploy freezes, and data restores with
 * what they created.
 */
import type { AuditRecord, StepRecord } from '../../lib';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../errors';
import { duration, type Colors, type Output } from '../output';
import { shortArn } from './rollback';

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
  ctx.out.table(
    ['DECIDED AT', 'TRIGGER', 'RELEASE', 'OUTCOME', 'TTR', 'STEPS', 'REASON'],
    records.map((record) => [
      shortTime(record.decidedAt),
      describeTrigger(record),
      record.releaseId ?? '-',
      paintOutcome(c, record.outcome),
      record.timeToRollbackMs !== undefined ? duration(record.timeToRollbackMs) : '-',
      describeSteps(record),
      (record.reason ?? '').slice(0, 80),
    ]),
  );
  const detailed = records.filter(hasDetails);
  if (detailed.length > 0) {
    ctx.out.line();
    for (const record of detailed) printDetails(ctx.out, record);
  }
  return EXIT.ok;
}

const GOOD_OUTCOMES = new Set([
  'restored',
  'unfrozen',
  'rolled-back',
  'captured',
  'acknowledged',
  'shifted',
  'resumed',
  'promoted',
  'verified',
  'kill-switched',
]);
const BAD_OUTCOMES = new Set(['partial', 'refused', 'verification-failed', 'restore-failed']);
const WATCH_OUTCOMES = new Set(['rolled-back-unverified', 'paused', 'stopped', 'restore-started', 'frozen']);

function paintOutcome(c: Colors, outcome: string): string {
  if (GOOD_OUTCOMES.has(outcome)) return c.green(outcome);
  if (BAD_OUTCOMES.has(outcome)) return c.red(outcome);
  if (WATCH_OUTCOMES.has(outcome)) return c.yellow(outcome);
  return outcome === 'skipped' ? c.dim(outcome) : outcome;
}

function shortTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

function describeTrigger(record: AuditRecord): string {
  const t = record.trigger;
  const by = `by ${t.requestedBy ?? '?'}${callerTag(t.caller)}`;
  switch (t.kind) {
    case 'alarm':
      return `alarm ${t.alarmName ?? '?'} ${t.alarmState ?? ''}`.trim();
    case 'rollback':
      return `${t.group ? `group ${t.group.name}` : 'manual'}${t.dryRun ? ' dry-run' : ''} ${by}`;
    case 'acknowledge':
      return `ack ${by}`;
    case 'pause':
    case 'resume':
    case 'promote':
    case 'restore-data':
      return `${t.kind} ${by}`;
    case 'restore-job':
      return `restore job ${record.restore?.restoreJobId ?? '?'}`;
    case 'group':
      return `group ${t.group?.name ?? '?'}: ${record.decision}`;
    case 'capture':
      return record.overrides && record.overrides.length > 0
        ? `capture (overrides ${record.overrides.join(', ')})`
        : 'capture';
    case 'tick':
      // The tick acts on its own: what it did is the decision (a shift step, a stop, a verification).
      return `tick: ${record.decision}`;
    default:
      return t.kind;
  }
}

/** ` (user/alice, verified)`, ` (unverified)`, or nothing for a record that names no caller. */
function callerTag(caller: AuditRecord['trigger']['caller']): string {
  if (!caller) return '';
  if (!caller.verified) return ' (unverified)';
  return ` (${caller.arn ? shortArn(caller.arn) : '?'}, verified)`;
}

/** Who asked, in full: the claimed name and the caller STS confirmed, or why it is not confirmed. */
function describeCaller(trigger: AuditRecord['trigger']): string | undefined {
  const caller = trigger.caller;
  if (!caller) return undefined;
  const who = trigger.requestedBy ?? '?';
  if (!caller.verified) return `by ${who} (unverified${caller.detail ? `: ${caller.detail}` : ''})`;
  return `by ${who} (${caller.arn ?? '?'}, verified)`;
}

function describeSteps(record: AuditRecord): string {
  if (record.steps.length === 0) return '-';
  const counts = new Map<string, number>();
  for (const step of record.steps) counts.set(step.outcome, (counts.get(step.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
}

/**
 * Records whose table row leaves out what an operator needs: verifications, kill switches, checks, who
 * asked, a capture's gates, freezes and restores.
 */
function hasDetails(record: AuditRecord): boolean {
  return (
    record.verification !== undefined ||
    record.steps.some((step) => step.kind === 'kill-switch' || step.kind === 'check') ||
    record.trigger.caller !== undefined ||
    record.trigger.group !== undefined ||
    record.restore !== undefined ||
    (record.overrides?.length ?? 0) > 0 ||
    record.decision === 'freeze' ||
    record.decision === 'unfreeze' ||
    (record.trigger.kind === 'capture' && record.outcome === 'refused')
  );
}

/** The details of one record under the table: who asked, gates, restores, checks, verification. */
function printDetails(out: Output, record: AuditRecord): void {
  const c = out.colors;
  const follows = record.follows ? ` (follows ${record.follows})` : '';
  out.line(
    `${c.bold(shortTime(record.decidedAt))}  ${record.decision} ${record.releaseId ?? '-'}  ${paintOutcome(c, record.outcome)}${follows}  ${c.dim(record.decisionId)}`,
  );
  const rows: [string, string][] = [];
  const caller = describeCaller(record.trigger);
  if (caller) rows.push(['caller', record.trigger.caller?.verified ? caller : c.yellow(caller)]);
  if (record.trigger.group) {
    rows.push([
      'group',
      `asked by group ${record.trigger.group.name} (cause: decision ${record.trigger.group.cause})`,
    ]);
  }
  if (record.trigger.kind === 'capture') rows.push(...captureGateRows(c, record));
  if (record.decision === 'freeze' || record.decision === 'unfreeze') {
    rows.push([record.decision, record.reason ?? '']);
  }
  if (record.restore) rows.push(...restoreRows(c, record));
  const kind = (name: StepRecord['kind']) => record.steps.filter((step) => step.kind === name);
  const killSwitches = kind('kill-switch');
  if (killSwitches.length > 0)
    rows.push(['kill switches', killSwitches.map((s) => describeStep(c, s)).join('; ')]);
  const checks = kind('check');
  if (checks.length > 0) rows.push(['checks', checks.map((s) => describeStep(c, s)).join('; ')]);
  const v = record.verification;
  if (v) {
    rows.push(['verification', paintVerification(c, v.status)]);
    rows.push(['read-back', v.readBack ? c.green('listeners read back') : c.red('not read back')]);
    const failed = v.smokeChecks.filter((check) => !check.passed);
    rows.push([
      'smoke checks',
      v.smokeChecks.length === 0
        ? 'none configured'
        : `${v.smokeChecks.length - failed.length} of ${v.smokeChecks.length} passed${failed.length > 0 ? `; ${c.red('failed')}: ${failed.map((f) => `${f.kind} ${f.target}${f.detail ? ` (${f.detail})` : ''}`).join('; ')}` : ''}`,
    ]);
    rows.push([
      'alarms',
      v.alarmsNotOk.length === 0
        ? c.green('every protected alarm OK')
        : `${c.yellow(`not OK: ${v.alarmsNotOk.join(', ')}`)}${v.alarmsOkBy ? ` (must be OK by ${shortTime(v.alarmsOkBy)})` : ''}`,
    ]);
    if (v.diff.length === 0) rows.push(['diff', c.green('live state matches the manifest')]);
    else v.diff.forEach((line, i) => rows.push([i === 0 ? 'diff' : '', c.red(line)]));
  }
  for (const [label, value] of rows) out.line(`  ${label.padEnd(13)} ${value}`);
}

function describeStep(c: Colors, step: StepRecord): string {
  const outcome =
    step.outcome === 'applied' || step.outcome === 'unchanged'
      ? c.green(step.outcome)
      : step.outcome === 'unverified' || step.outcome === 'planned'
        ? c.yellow(step.outcome)
        : c.red(step.outcome);
  return `${shortArn(step.target)} ${outcome}${step.detail ? ` (${step.detail})` : ''}`;
}

function paintVerification(c: Colors, status: 'pending' | 'verified' | 'failed'): string {
  return status === 'verified' ? c.green(status) : status === 'failed' ? c.red(status) : c.yellow(status);
}

/** A capture's gates: each check not passed (an overridden one with its reason), and the overrides. */
function captureGateRows(c: Colors, record: AuditRecord): [string, string][] {
  const rows: [string, string][] = [];
  const failed = record.checks.filter((check) => !check.passed);
  const overridden = record.overrides ?? [];
  // A refusal's reason is its failed check, listed below; say it only when no check does.
  if (record.outcome === 'refused' && failed.length === 0) {
    rows.push(['refused', c.red(record.reason ?? 'by a gate')]);
  }
  failed.forEach((check, i) =>
    rows.push([
      i === 0 ? 'not passed' : '',
      (record.outcome === 'refused' ? c.red : c.yellow)(
        `${check.name}${check.detail ? `: ${check.detail}` : ''}`,
      ),
    ]),
  );
  if (overridden.length > 0) rows.push(['overrides', c.yellow(overridden.join(', '))]);
  return rows;
}

/** A data restore: the job, what it restores from, what it creates (or created) and how it ended. */
function restoreRows(c: Colors, record: AuditRecord): [string, string][] {
  const r = record.restore as NonNullable<AuditRecord['restore']>;
  const rows: [string, string][] = [
    ['restore', `${r.restoreJobId ? `job ${r.restoreJobId}` : 'no job'}${r.status ? ` ${r.status}` : ''}`],
    ['from', `${r.recoveryPointArn} (of ${r.resourceArn})`],
  ];
  if (r.createdResourceArn) rows.push(['created', c.green(r.createdResourceArn)]);
  else rows.push(['creates', r.creates]);
  if (r.statusMessage)
    rows.push(['message', record.outcome === 'restore-failed' ? c.red(r.statusMessage) : r.statusMessage]);
  return rows;
}
