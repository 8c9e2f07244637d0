/**
 * `switchback status`: what each watchdog protects and did — and what holds its next release: a
 * deploy freeze, the gates of the last capture, restores of data in progress, its rollback group.
 */
import {
  currentReleaseKey,
  currentReleaseSchema,
  type AuditRecord,
  type ServiceStatusAnswer,
} from '../../lib';
import type { CommandContext, Target } from '../context';
import { CliError, EXIT } from '../errors';
import { duration, relativeTime, type Colors } from '../output';
import { currentShift, describePlan, describeShift } from '../shift-view';
import { readServiceStatus } from '../status-reader';
import { shortArn } from './rollback';

/** One service's status as `--json` prints it. */
export interface StatusReport {
  readonly service: string;
  readonly functionName: string;
  readonly region?: string;
  readonly status?: ServiceStatusAnswer;
  /** The newest capture decision (captured or refused) and its gates, from the audit trail. */
  readonly lastCapture?: LastCapture;
  readonly error?: string;
}

/** The gates of the newest capture, as its audit record has them. */
export interface LastCapture {
  readonly decisionId: string;
  readonly releaseId?: string;
  readonly decidedAt: string;
  readonly outcome: string;
  readonly reason?: string;
  readonly checks: AuditRecord['checks'];
  readonly overrides?: AuditRecord['overrides'];
}

/** How far back of the current release's capture its record is looked for (a capture may wait for backups). */
const CAPTURE_LOOKBACK_MS = 30 * 60_000;

export async function statusCommand(ctx: CommandContext): Promise<number> {
  const { targets, unavailable } = await ctx.targets();
  const failures: CliError[] = unavailable.map((u) => u.error);
  const reports: StatusReport[] = await ctx.out.waitFor(
    `Reading the state of ${targets.length === 1 ? targets[0].service : `${targets.length} services`}`,
    () =>
      Promise.all(
        targets.map(async (target) => {
          const base = {
            service: target.service,
            functionName: target.gateway.functionName,
            ...(target.region ? { region: target.region } : {}),
          };
          try {
            // The gates are read beside the status, not after it: a status is as fresh as it was.
            const [status, lastCapture] = await Promise.all([
              readServiceStatus(target.gateway, target.service, ctx.now()),
              lastCaptureOf(target),
            ]);
            return { ...base, status, ...(lastCapture ? { lastCapture } : {}) };
          } catch (error) {
            // One unreachable watchdog must not hide the others.
            const failure = error instanceof CliError ? error : new CliError(String(error), EXIT.failed);
            failures.push(failure);
            return { ...base, error: failure.message };
          }
        }),
      ),
  );
  reports.push(
    ...unavailable.map((u) => ({ service: u.service, functionName: '(unknown)', error: u.error.message })),
  );
  const total = targets.length + unavailable.length;
  if (total === 1 && failures.length === 1) throw failures[0];
  if (ctx.out.json) ctx.out.data({ services: reports });
  else reports.forEach((report, i) => printStatus(ctx, report, i > 0));
  if (failures.length > 0) {
    const failed = reports.filter((r) => r.error).map((r) => r.service);
    // When every watchdog failed the same way (no credentials, say), that is the command's failure.
    const codes = new Set(failures.map((f) => f.exitCode));
    const code = failures.length === total && codes.size === 1 ? failures[0].exitCode : EXIT.failed;
    throw new CliError(`could not read the status of ${failed.join(', ')}`, code);
  }
  return EXIT.ok;
}

function printStatus(ctx: CommandContext, report: StatusReport, gap: boolean): void {
  const { out } = ctx;
  const c = out.colors;
  if (gap) out.line();
  out.line(
    `${c.bold(report.service)}  ${c.dim(`${report.functionName}${report.region ? `, ${report.region}` : ''}`)}`,
  );
  if (report.error || !report.status) {
    out.line(`  ${c.red('error')}  ${report.error ?? 'no status'}`);
    return;
  }
  const s = report.status;
  const now = ctx.now();
  const rows: [string, string][] = [];
  rows.push([
    'release',
    s.release
      ? `${s.release.releaseId}, captured ${relativeTime(s.release.capturedAt, now)}; evaluation window ${
          s.evaluationWindowLeftSeconds > 0
            ? `${duration(s.evaluationWindowLeftSeconds * 1000)} left`
            : 'closed'
        }`
      : c.yellow('none captured yet'),
  ]);
  rows.push([
    'rollback',
    s.state.latched
      ? c.yellow(
          `release ${s.state.latched.releaseId} rolled back ${relativeTime(s.state.latched.rolledBackAt, now)} (${s.state.latched.trigger}); held on the known-good color until a new release or \`switchback promote --ack\``,
        )
      : s.state.lastRollbackAt
        ? `last rollback ${relativeTime(s.state.lastRollbackAt, now)}; none latched`
        : 'none',
  ]);
  if (s.state.unfinished) {
    const u = s.state.unfinished;
    rows.push([
      'unfinished',
      c.red(
        `the rollback of ${u.releaseId} is unfinished since ${relativeTime(u.since, now)} (${u.attempts} attempt(s)): ${u.detail}; the watchdog tries again every minute until it completes or \`switchback promote --ack\``,
      ),
    ]);
  }
  rows.push(...deliveryRows(s, now, c));
  rows.push(...releaseSafetyRows(report.service, s, report.lastCapture, now, c));
  rows.push([
    'lock',
    s.lock.held ? c.yellow(`held by ${s.lock.owner ?? '?'} until ${s.lock.expiresAt ?? '?'}`) : 'free',
  ]);
  rows.push([
    'alarms',
    s.alarms.length === 0
      ? 'none configured'
      : s.alarms.map((a) => `${a.name} ${alarmColor(c, a.value)}`).join(', '),
  ]);
  for (const [label, value] of rows) out.line(`  ${label.padEnd(10)} ${value}`);
  out.line(`  listeners`);
  for (const listener of s.listeners) {
    const weights = listener.forwardsTo.map((f) => `${f.color} ${f.weight}`).join(', ');
    const detail = [
      c.dim(`(${weights || 'no forward action'})`),
      ...(listener.error ? [c.red(listener.error)] : []),
    ].join(' ');
    out.line(`    ${listener.name.padEnd(12)} ${colorOf(c, listener.activeColor)} ${detail}`);
  }
}

/** The traffic shift with its plan, the last promotion, and a rollback whose verification is pending. */
function deliveryRows(s: ServiceStatusAnswer, now: number, c: Colors): [string, string][] {
  const rows: [string, string][] = [];
  const current = currentShift(s);
  // A shift of an earlier release is history (`switchback history`), except the promotion it left.
  if (current.found) {
    rows.push(['shift', describeShift(current.shift, current.plan, now, c)]);
    // Once promoted no step is current; else the step the shift is at (or stopped or rolled back at).
    const at = current.shift.phase === 'promoted' ? -1 : current.shift.stepIndex;
    if (current.plan) rows.push(['', `plan: ${describePlan(current.plan, at, c)}`]);
  } else if (s.shifting) {
    rows.push(['shift', `plan: ${describePlan(s.shifting, -1, c)}; ${current.why}`]);
  }
  const promotion = s.state.promotion;
  if (promotion) {
    rows.push([
      'promotion',
      `${promotion.color} is the known-good color since release ${promotion.releaseId} (promoted ${relativeTime(promotion.promotedAt, now)} by ${promotion.by})`,
    ]);
  }
  const verifying = s.state.verifying;
  if (verifying) {
    const overdue = Date.parse(verifying.alarmsOkBy) <= now;
    const text = `the rollback of ${verifying.releaseId} (decision ${verifying.decisionId}) waits for every protected alarm to be OK by ${verifying.alarmsOkBy} (${relativeTime(verifying.alarmsOkBy, now)})`;
    rows.push([
      'verifying',
      overdue ? c.red(`${text}: overdue, the next tick fails the verification`) : c.yellow(text),
    ]);
  }
  return rows;
}

function alarmColor(c: Colors, value: string): string {
  return value === 'ALARM' ? c.red(value) : value === 'OK' ? c.green(value) : c.yellow(value);
}

function colorOf(c: Colors, active: string): string {
  return active === 'blue' ? c.blue(active) : active === 'green' ? c.green(active) : c.yellow(active);
}

/**
 * The newest capture record: the current release's or a refused one after it. Read around the
 * watchdog, from the audit records decided since shortly before the current release's capture (one
 * short listing); none found there (no release yet, an old trail) leaves the row out.
 */
async function lastCaptureOf(target: Target): Promise<LastCapture | undefined> {
  let records: AuditRecord[];
  try {
    const pointer = currentReleaseSchema.safeParse(
      await target.gateway.readJson(currentReleaseKey(target.service)),
    );
    const capturedAt = pointer.success ? pointer.data.capturedAt : undefined;
    const since = capturedAt
      ? new Date(Date.parse(capturedAt) - CAPTURE_LOOKBACK_MS).toISOString()
      : undefined;
    ({ records } = await target.gateway.auditRecords(target.service, 20, since ? { since } : {}));
  } catch {
    // The gates are a detail of the status: an audit trail that cannot be read must not hide the rest.
    return undefined;
  }
  const record = records.find((r) => r.trigger.kind === 'capture');
  if (!record) return undefined;
  return {
    decisionId: record.decisionId,
    ...(record.releaseId ? { releaseId: record.releaseId } : {}),
    decidedAt: record.decidedAt,
    outcome: record.outcome,
    ...(record.reason ? { reason: record.reason } : {}),
    checks: record.checks,
    ...(record.overrides ? { overrides: record.overrides } : {}),
  };
}

/** The deploy freeze, the last capture's gates, restores in progress and the rollback group. */
function releaseSafetyRows(
  service: string,
  s: ServiceStatusAnswer,
  lastCapture: LastCapture | undefined,
  now: number,
  c: Colors,
): [string, string][] {
  const rows: [string, string][] = [];
  const freeze = s.freeze;
  if (freeze) {
    const cause =
      freeze.cause === 'group'
        ? `group ${freeze.group ?? '?'}: ${freeze.service} rolled back release ${freeze.releaseId} (decision ${freeze.decisionId})`
        : `the rollback of release ${freeze.releaseId} is not acknowledged (decision ${freeze.decisionId})`;
    const end =
      freeze.cause === 'group'
        ? `\`switchback promote --ack --service ${freeze.service} --release ${freeze.releaseId} --reason "<why>"\` on ${freeze.service} ends it`
        : `\`switchback promote --ack --release ${freeze.releaseId} --reason "<why>"\` ends it`;
    rows.push([
      'freeze',
      c.yellow(
        `new releases are refused until ${freeze.until} (${relativeTime(freeze.until, now)}): ${cause}; ${end}, or a capture with \`--override-freeze "<why>"\` goes through anyway`,
      ),
    ]);
  }
  if (lastCapture) rows.push(['gates', describeGates(lastCapture, now, c)]);
  for (const restore of s.state.restores ?? []) {
    rows.push([
      'restore',
      c.cyan(
        `restore job ${restore.restoreJobId} of ${shortArn(restore.resourceArn)} (release ${restore.releaseId}) started ${relativeTime(restore.startedAt, now)} by ${restore.requestedBy}: creates ${restore.creates}; the watchdog records its end`,
      ),
    ]);
  }
  if (s.group) {
    rows.push([
      'group',
      `member of rollback group ${c.bold(s.group.name)} (coordinator ${shortArn(s.group.coordinatorFunctionArn)}): a rollback of ${service} is reported to it, and its dependents follow or are frozen as the group says; \`switchback runbook\` lists the members`,
    ]);
  }
  return rows;
}

function describeGates(capture: LastCapture, now: number, c: Colors): string {
  const failed = capture.checks.filter((check) => !check.passed);
  const overridden = capture.overrides ?? [];
  const head = `last capture${capture.releaseId ? ` of ${capture.releaseId}` : ''} ${relativeTime(capture.decidedAt, now)}: ${capture.outcome}`;
  const passed = `${capture.checks.length - failed.length} of ${capture.checks.length} checks passed`;
  const details = failed.map((check) => `${check.name}${check.detail ? ` (${check.detail})` : ''}`);
  const text = `${head}; ${passed}${details.length > 0 ? `; not passed: ${details.join('; ')}` : ''}${overridden.length > 0 ? `; overridden: ${overridden.join(', ')}` : ''}`;
  if (capture.outcome === 'refused') return c.red(text);
  return overridden.length > 0 ? c.yellow(text) : text;
}
