/**
 * `switchback restore-data`: restore a release's pre-release data from the recovery points its
 * capture recorded. Never automatic, and never over the original: AWS Backup restores into a NEW
 * resource, and the operator cuts the service over to it.
 *
 * - `--release <id>`: the release's recovery points and whether each can be restored.
 * - `--recovery-point <arn>`: the plan (what the restore creates, the cut-over steps), a confirmation
 *   (or `--yes`), the start, then the restore job followed to its end with a progress display.
 *
 * The listing, the plan and the start go through the watchdog (`{ "action": "restore-data" }`): the
 * verdicts (one of the release's points, restorable, a type we restore) and the new resource's name
 * are the watchdog's, the same the start applies, and the start has the same IAM gate, caller proof,
 * audit and notification as a rollback. Listing and planning take the watchdog's slot only for a few
 * reads, and only when an operator asks. Following the job does not: it polls AWS Backup's
 * DescribeRestoreJob with the operator's own credentials, every few seconds, for as long as the
 * restore takes; the watchdog's schedule tick records the job's end on its own.
 */
import { BackupClient, DescribeRestoreJobCommand } from '@aws-sdk/client-backup';
import { randomUUID } from 'node:crypto';
import {
  RELEASE_ID_PATTERN,
  parseWatchdogAnswer,
  restoreDataAnswerSchema,
  type RecoveryPointAnswer,
  type RestoreDataAnswer,
} from '../../lib';
import type { CommandContext, Target } from '../context';
import { CliError, EXIT } from '../errors';
import { duration, relativeTime, type Output } from '../output';
import { checkReason, checkRequestedBy, shortArn } from './rollback';

export interface RestoreDataOptions {
  readonly release?: string;
  readonly recoveryPoint?: string;
  readonly reason?: string;
  /** Start without asking. */
  readonly yes?: boolean;
  /** Print the plan; start nothing. */
  readonly dryRun?: boolean;
  /** Follow the restore job to its end (`--no-wait`: return once it is started). */
  readonly wait?: boolean;
  readonly pollSeconds?: string;
  readonly requestedBy?: string;
}

/** What following a restore job needs besides the context (tests replace the clock's waits). */
export interface RestoreFollowDependencies {
  readonly sleep: (ms: number) => Promise<void>;
}

/** The default pause between two reads of a restore job. */
export const RESTORE_POLL_SECONDS = 5;
/** Consecutive failed reads of a restore job before following it is given up (the job goes on). */
const MAX_FAILED_READS = 5;
const TERMINAL = new Set(['COMPLETED', 'ABORTED', 'FAILED']);

/** A restore job as the command follows it. */
export interface RestoreJobView {
  readonly restoreJobId: string;
  readonly status: string;
  readonly percentDone?: string;
  readonly createdResourceArn?: string;
  readonly statusMessage?: string;
  readonly completedAt?: string;
  readonly expectedCompletionMinutes?: number;
}

const REFUSAL_HINTS: Record<NonNullable<RestoreDataAnswer['code']>, string> = {
  'unknown-recovery-point':
    "list the release's recovery points with `switchback restore-data --release <id>`; `switchback history` shows the captured releases",
  expired:
    'AWS Backup no longer has it: choose another recovery point, or restore from a newer backup with AWS Backup directly',
  'not-restorable': 'wait for its backup to complete, or choose another recovery point',
  'unsupported-type': 'restore it with AWS Backup directly (`aws backup start-restore-job`)',
};

export async function restoreDataCommand(
  ctx: CommandContext,
  options: RestoreDataOptions,
  deps: RestoreFollowDependencies = { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
): Promise<number> {
  const releaseId = options.release;
  if (releaseId === undefined || !RELEASE_ID_PATTERN.test(releaseId)) {
    throw new CliError(
      `--release must be a release id of 1-128 letters, digits, dots, underscores or hyphens, starting with a letter or digit (got ${JSON.stringify(releaseId ?? '')}); \`switchback history\` lists the captured releases`,
      EXIT.usage,
    );
  }
  const recoveryPointArn = options.recoveryPoint?.trim();
  if (recoveryPointArn !== undefined && !/^arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+$/.test(recoveryPointArn)) {
    throw new CliError(
      `--recovery-point must be a recovery point ARN, as \`switchback restore-data --release ${releaseId}\` lists them (got ${JSON.stringify(options.recoveryPoint)})`,
      EXIT.usage,
    );
  }
  const requestedBy = checkRequestedBy(options.requestedBy ?? ctx.operator);
  const pollMs = pollInterval(options.pollSeconds);
  if (recoveryPointArn === undefined) {
    for (const [flag, set] of [
      ['--yes', options.yes],
      ['--dry-run', options.dryRun],
      ['--reason', options.reason !== undefined],
    ] as const) {
      if (set)
        throw new CliError(
          `${flag} goes with --recovery-point: without one, restore-data lists the recovery points of release ${releaseId}`,
          EXIT.usage,
        );
    }
  }
  // Starting needs a reason for the audit trail: checked before anything is read.
  const reason = recoveryPointArn !== undefined && !options.dryRun ? checkReason(options.reason) : undefined;

  const target = await ctx.target();
  if (recoveryPointArn === undefined) return listPoints(ctx, target, releaseId, requestedBy);

  // One request id for the plan and the start: the new resource's name derives from it (what the plan
  // shows is what the start creates), and a retried start is one restore job.
  const requestId = randomUUID();
  const base = { action: 'restore-data', releaseId, recoveryPointArn, requestedBy, requestId };
  const planned = await ask(ctx, target, `Planning the restore of ${shortArn(recoveryPointArn)}`, {
    ...base,
    dryRun: true,
  });
  const plan = planned.plan;
  if (!plan) throw new CliError(`the watchdog answered ${planned.outcome} without a plan`, EXIT.failed);
  const c = ctx.out.colors;
  if (!ctx.out.json) printPlan(ctx.out, target, planned, ctx.now());
  if (options.dryRun) {
    if (ctx.out.json) ctx.out.data({ service: target.service, dryRun: true, ...planned });
    else ctx.out.line(c.dim('dry run: nothing started.'));
    return EXIT.ok;
  }

  if (options.yes !== true) {
    const question = `Start the restore of ${shortArn(plan.recoveryPointArn)} into a new resource (${plan.creates})?`;
    const confirmed = await ctx.confirm(question);
    if (confirmed === undefined) {
      throw new CliError(
        'there is no terminal to confirm the restore on: nothing was started. Read the plan above, then run again with --yes --reason "<why>".',
        EXIT.usage,
      );
    }
    if (!confirmed) throw new CliError('not confirmed: nothing was started.', EXIT.usage);
  }

  const started = await ask(ctx, target, `Starting the restore of ${shortArn(recoveryPointArn)}`, {
    ...base,
    dryRun: false,
    reason,
  });
  const restoreJobId = started.restoreJobId;
  if (!restoreJobId)
    throw new CliError('the watchdog started a restore but named no restore job', EXIT.failed);
  if (!ctx.out.json) {
    ctx.out.line(
      c.green(
        `restore job ${restoreJobId} started by ${requestedBy} (decision ${started.decisionId ?? '?'}): AWS Backup creates ${started.plan?.creates ?? plan.creates}.`,
      ),
    );
  }
  if (options.wait === false) {
    if (ctx.out.json) ctx.out.data({ service: target.service, ...started });
    else {
      ctx.out.line(
        `Not following it (--no-wait): \`switchback status\` shows it while it runs, and \`switchback history\` records its end (the watchdog checks it every minute and notifies).`,
      );
    }
    return EXIT.ok;
  }

  const job = await followRestoreJob(
    ctx,
    target,
    restoreJobId,
    regionOf(recoveryPointArn, target),
    pollMs,
    deps,
  );
  const ok = job.status === 'COMPLETED';
  if (ctx.out.json) ctx.out.data({ service: target.service, ...started, job });
  else if (ok) {
    ctx.out.line(c.green(`restored: ${job.createdResourceArn ?? plan.creates}`));
    ctx.out.line(`The original ${plan.resourceArn} is not changed. To cut over:`);
    // The job is done: what is left is the operator's part.
    plan.cutOver
      .filter((step) => !/^wait for the restore job/i.test(step))
      .forEach((step, i) => ctx.out.line(`  ${i + 1}. ${step}`));
  } else {
    ctx.out.line(
      c.red(`restore job ${restoreJobId} ${job.status}${job.statusMessage ? `: ${job.statusMessage}` : ''}`),
    );
    ctx.out.line(`Nothing was changed on ${plan.resourceArn}. \`switchback history\` has the record.`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}

/** The release's recovery points, and whether each can be restored. */
async function listPoints(
  ctx: CommandContext,
  target: Target,
  releaseId: string,
  requestedBy: string,
): Promise<number> {
  const answer = await ask(ctx, target, `Reading the recovery points of release ${releaseId}`, {
    action: 'restore-data',
    releaseId,
    requestedBy,
    dryRun: true,
  });
  if (ctx.out.json) {
    ctx.out.data({ service: target.service, ...answer });
    return EXIT.ok;
  }
  const c = ctx.out.colors;
  const points = answer.recoveryPoints;
  if (points.length === 0) {
    ctx.out.line(
      `release ${releaseId} of ${target.service} recorded no recovery point: its capture took no backup (the service has no \`backup\`, or backupBeforeRelease is off).`,
    );
    return EXIT.ok;
  }
  const now = ctx.now();
  ctx.out.line(`Recovery points recorded for release ${c.bold(releaseId)} of ${target.service}:`);
  ctx.out.table(
    ['RESOURCE', 'TYPE', 'STATUS', 'CREATED', 'EXPIRES', 'RECOVERY POINT'],
    points.map((p) => [
      shortArn(p.resourceArn),
      p.resourceType ?? '-',
      p.unavailable ? c.red(p.status) : c.green(p.status),
      p.createdAt ? relativeTime(p.createdAt, now) : '-',
      p.deleteAt ? `${p.deleteAt.replace(/\.\d+Z$/, 'Z')} (${relativeTime(p.deleteAt, now)})` : 'never',
      p.recoveryPointArn || '-',
    ]),
  );
  for (const p of points.filter((point) => point.unavailable)) {
    ctx.out.line(c.yellow(`  ${shortArn(p.resourceArn)}: cannot be restored: ${p.unavailable}`));
  }
  const restorable = points.filter((p) => !p.unavailable && p.recoveryPointArn);
  if (restorable.length > 0) {
    ctx.out.line();
    ctx.out.line('See what a restore creates, then start it (asks first; --yes in scripts):');
    for (const p of restorable) {
      ctx.out.line(
        `  switchback restore-data --release ${releaseId} --recovery-point ${p.recoveryPointArn} --reason "<why>"`,
      );
    }
  }
  return EXIT.ok;
}

/** Invokes the watchdog's `restore-data`; a refusal is the operator's to fix: exit 2, with the reason. */
async function ask(
  ctx: CommandContext,
  target: Target,
  doing: string,
  payload: Record<string, unknown>,
): Promise<RestoreDataAnswer> {
  const answer = await ctx.out.waitFor(doing, () => target.gateway.invoke(payload));
  const result = parseWatchdogAnswer('restore-data', restoreDataAnswerSchema, answer.result);
  if (result.outcome === 'refused') {
    const hint = result.code ? ` (${REFUSAL_HINTS[result.code]})` : '';
    if (ctx.out.json) ctx.out.data({ service: target.service, ...result });
    throw new CliError(
      `restore-data refused${result.code ? ` [${result.code}]` : ''}: ${result.reason ?? 'no reason given'}${hint}. Nothing was started.`,
      EXIT.usage,
    );
  }
  return result;
}

function printPlan(out: Output, target: Target, answer: RestoreDataAnswer, now: number): void {
  const plan = answer.plan as NonNullable<RestoreDataAnswer['plan']>;
  const c = out.colors;
  const point: RecoveryPointAnswer | undefined = answer.recoveryPoints.find(
    (p) => p.recoveryPointArn === plan.recoveryPointArn,
  );
  out.line(`Restore of release ${c.bold(answer.releaseId)} of ${target.service}`);
  const rows: [string, string][] = [
    ['recovery point', plan.recoveryPointArn],
    ['of', `${plan.resourceArn} (${plan.resourceType})`],
  ];
  if (point?.createdAt) rows.push(['taken', `${point.createdAt} (${relativeTime(point.createdAt, now)})`]);
  if (point?.deleteAt) rows.push(['kept until', `${point.deleteAt} (${relativeTime(point.deleteAt, now)})`]);
  for (const [label, value] of rows) out.line(`  ${label.padEnd(15)} ${value}`);
  out.line();
  out.line(
    c.bold(`AWS Backup restores to a NEW ${plan.resourceType} resource: ${plan.creates}.`) +
      ` The original ${plan.resourceArn} is not changed.`,
  );
  out.line();
  out.line('Then, to cut the service over to it:');
  plan.cutOver.forEach((step, i) => out.line(`  ${i + 1}. ${step}`));
  out.line();
}

/**
 * Reads the restore job until it ends, showing its status and progress. The job is AWS Backup's: it
 * goes on if following stops (Ctrl-C, an error), and the watchdog records its end either way.
 */
async function followRestoreJob(
  ctx: CommandContext,
  target: Target,
  restoreJobId: string,
  region: string | undefined,
  pollMs: number,
  deps: RestoreFollowDependencies,
): Promise<RestoreJobView> {
  const backup = new BackupClient({ ...target.gateway.clientConfig, ...(region ? { region } : {}) });
  const startedAt = ctx.now();
  const label = (job?: RestoreJobView) =>
    `restore job ${restoreJobId}: ${job ? `${job.status}${job.percentDone ? ` ${formatPercent(job.percentDone)}` : ''}` : 'started'}`;
  const elapsed = (job?: RestoreJobView) =>
    `, ${duration(ctx.now() - startedAt)}${job?.expectedCompletionMinutes ? ` of about ${job.expectedCompletionMinutes} min` : ''}`;
  const progress = ctx.out.progress(`${label()} (Ctrl-C stops following; the restore goes on)`);
  let failures = 0;
  try {
    for (;;) {
      let job: RestoreJobView | undefined;
      try {
        job = await describeRestoreJob(backup, restoreJobId);
        failures = 0;
      } catch (error) {
        const name = (error as { name?: string }).name ?? 'Error';
        const denied = /AccessDenied|UnrecognizedClient|ExpiredToken|InvalidClientTokenId/i.test(name);
        if (denied || ++failures >= MAX_FAILED_READS) {
          progress.done(false, `restore job ${restoreJobId}: cannot be read`);
          throw new CliError(
            `restore job ${restoreJobId} was started, but it cannot be followed (${name}: ${(error as Error).message}). It goes on: \`switchback status\` shows it while it runs and \`switchback history\` records its end. Following it needs backup:DescribeRestoreJob.`,
            EXIT.aws,
          );
        }
      }
      if (job && TERMINAL.has(job.status)) {
        progress.done(job.status === 'COMPLETED', `${label(job)}${elapsed(job)}`);
        return job;
      }
      if (job) progress.update(label(job), elapsed(job));
      await deps.sleep(pollMs);
    }
  } finally {
    backup.destroy();
  }
}

async function describeRestoreJob(backup: BackupClient, restoreJobId: string): Promise<RestoreJobView> {
  const out = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId }));
  return {
    restoreJobId,
    status: out.Status ?? 'UNKNOWN',
    ...(out.PercentDone ? { percentDone: out.PercentDone } : {}),
    ...(out.CreatedResourceArn ? { createdResourceArn: out.CreatedResourceArn } : {}),
    ...(out.StatusMessage ? { statusMessage: out.StatusMessage } : {}),
    ...(out.CompletionDate ? { completedAt: out.CompletionDate.toISOString() } : {}),
    ...(out.ExpectedCompletionTimeMinutes !== undefined
      ? { expectedCompletionMinutes: out.ExpectedCompletionTimeMinutes }
      : {}),
  };
}

/** `42.0` or `42.0%` as `42%`. */
function formatPercent(percent: string): string {
  const value = Number.parseFloat(percent);
  return Number.isFinite(value) ? `${Math.round(value)}%` : percent;
}

/** The restore job runs where the recovery point is: its ARN's region, else the watchdog's. */
function regionOf(recoveryPointArn: string, target: Target): string | undefined {
  return recoveryPointArn.split(':')[3] || target.region;
}

function pollInterval(value: string | undefined): number {
  if (value === undefined) return RESTORE_POLL_SECONDS * 1000;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 300) {
    throw new CliError(
      `--poll-seconds must be a whole number from 1 to 300 (got ${JSON.stringify(value)})`,
      EXIT.usage,
    );
  }
  return seconds * 1000;
}
