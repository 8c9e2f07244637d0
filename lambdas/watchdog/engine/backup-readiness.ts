/**
 * The backup readiness gate at capture: before a release may move traffic, each protected resource
 * has a recent completed recovery point and a recent passing restore test, and (when asked for) the
 * release's own backup has completed. It runs before capture takes the service's lock, so a rollback
 * of the live release never waits on it.
 */
import type { ReleaseManifest, ReleaseOverride } from '../../../lib';
import type { BackupJobInfo, BackupPort, RecoveryPointInfo, RestoreJobInfo } from '../ports';
import { auditRecord, recordDecision } from './audit';
import type { EngineContext } from './context';
import { isRetryable, withRetry } from './retry';

/** One gate check, as the audit record's `checks` hold it. */
export interface GateCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly detail?: string;
}

/** A backup started for the release, as its manifest records it. */
export type CapturedBackup = ReleaseManifest['backups'][number];

/** What the gate found. */
export interface BackupReadiness {
  /** Every condition checked, passed or not (an overridden one: not passed, with the override's reason). */
  readonly checks: GateCheck[];
  /** The conditions that failed, each naming its resource: the release is refused unless `overridden`. */
  readonly failures: string[];
  /** Refused: a condition failed and the release declared no override. */
  readonly refused: boolean;
  /** A condition failed and the release's `overrides.backupReadiness` let it through. */
  readonly overridden: boolean;
  /** The pre-release backups started (none when refused before starting them). */
  readonly backups: CapturedBackup[];
}

/** How often a pending pre-release backup job is described while capture waits for it. */
export const BACKUP_POLL_INTERVAL_MS = 3_000;
/** Time kept back before the invocation's deadline, besides the lock wait, for the capture itself. */
export const BACKUP_WAIT_MARGIN_MS = 10_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
// PARTIAL is final too: some of the resource was not backed up, which is not a completed backup.
const JOB_FAILED_STATES = ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'];

/** Capture refused: the backups of a protected resource are not ready for the release. */
export class CaptureBackupNotReadyError extends Error {
  constructor(
    readonly releaseId: string,
    readonly failures: readonly string[],
  ) {
    super(
      `capture of release ${releaseId} refused: the backups are not ready: ${failures.join('; ')}. ` +
        'Fix the backups (or their restore tests) and deploy again, or let this release through with ' +
        'overrides.backupReadiness and a reason (the capture override of the watchdog construct, or ' +
        '`switchback capture --override-backup-readiness <reason>`).',
    );
    this.name = 'CaptureBackupNotReadyError';
  }
}

/**
 * Checks the readiness of `backup.resourceArns` (each part of `backup.readiness` only when set), then
 * starts the pre-release backups (idempotent per release and resource) and, with
 * `waitForBackupSeconds`, waits for them. A release refused by the checks starts no backup. The
 * recovery-point check runs before this release's backup starts, so this release's own backup never
 * passes it; earlier releases' on-demand backups are recovery points like any other and count. With `overrides.backupReadiness`, failures are recorded and let through,
 * and the pre-release backup is looked at once rather than waited for (the override is for a release
 * that must go now).
 */
export async function backupReadiness(
  context: EngineContext,
  releaseId: string,
  override: ReleaseOverride | undefined,
): Promise<BackupReadiness> {
  const { backup } = context.config;
  if (!backup) return { checks: [], failures: [], refused: false, overridden: false, backups: [] };
  const port = context.ports.backup;
  if (!port)
    throw new Error('the configuration asks for a backup at capture, but no backup client is available');
  const readiness = backup.readiness ?? {};
  const { maxRecoveryPointAgeHours: maxPointAge, maxRestoreTestAgeDays: maxTestAge } = readiness;
  const now = context.clock.now();
  const retry = <T>(fn: () => Promise<T>) =>
    withRetry(fn, { budgetMs: context.config.policy.stepTimeBudgetMs, clock: context.clock }).then(
      (r) => r.value,
    );

  const readinessChecks = (
    await Promise.all(
      backup.resourceArns.map(async (resourceArn) => {
        const [point, test] = await Promise.all([
          maxPointAge === undefined
            ? undefined
            : read(() => retry(() => port.latestRecoveryPoint(resourceArn))).then((found) =>
                recoveryPointCheck(resourceArn, found, maxPointAge, now),
              ),
          maxTestAge === undefined
            ? undefined
            : read(() => retry(() => port.latestRestoreTest(resourceArn))).then((found) =>
                restoreTestCheck(resourceArn, found, maxTestAge, now),
              ),
        ]);
        return [point, test].filter((c): c is Outcome => c !== undefined);
      }),
    )
  ).flat();
  if (readinessChecks.some((c) => !c.passed) && !override) return settle(readinessChecks, undefined, []);

  const backups = await startBackups(context, port, releaseId);
  if (readiness.waitForBackupSeconds === undefined) return settle(readinessChecks, override, backups);
  const budgetMs = override ? 0 : waitBudgetMs(context, readiness.waitForBackupSeconds);
  const waited = await waitForJobs(context, port, backups, budgetMs);
  const limit =
    budgetMs >= readiness.waitForBackupSeconds * 1000
      ? `${readiness.waitForBackupSeconds} s`
      : `${Math.round(budgetMs / 1000)} s (the invocation's time left; waitForBackupSeconds is ${readiness.waitForBackupSeconds})`;
  const jobChecks = waited.map((w) =>
    jobCheck(w, override ? 'not waited for' : `not completed within ${limit}`),
  );
  const recorded = waited.map(({ backup: b, job }) =>
    job
      ? {
          ...b,
          state: job.state,
          ...(b.recoveryPointArn || !job.recoveryPointArn ? {} : { recoveryPointArn: job.recoveryPointArn }),
          ...(job.state === 'COMPLETED' && job.completedAt ? { completedAt: isoTime(job.completedAt) } : {}),
        }
      : b,
  );
  return settle([...readinessChecks, ...jobChecks], override, recorded);
}

/**
 * {@link backupReadiness}, refusing the capture (audited with the `earlier` gates' checks, notified,
 * {@link CaptureBackupNotReadyError}) when it says so.
 */
export async function passBackupGate(
  context: EngineContext,
  releaseId: string,
  override: ReleaseOverride | undefined,
  startedAt: string,
  earlier: readonly GateCheck[],
): Promise<BackupReadiness> {
  const gate = await backupReadiness(context, releaseId, override);
  if (gate.refused)
    await refuseCapture(
      context,
      startedAt,
      releaseId,
      [...earlier, ...gate.checks],
      new CaptureBackupNotReadyError(releaseId, gate.failures),
      gate.backups,
    );
  return gate;
}

interface Outcome extends GateCheck {
  /** Why it failed, naming the resource (for the refusal's message). */
  readonly failure?: string;
}

function settle(
  outcomes: readonly Outcome[],
  override: ReleaseOverride | undefined,
  backups: CapturedBackup[],
): BackupReadiness {
  const failures = outcomes.flatMap((o) => (o.failure ? [o.failure] : []));
  const overridden = failures.length > 0 && override !== undefined;
  const checks = outcomes.map(({ name, passed, detail, failure }) => ({
    name,
    passed,
    ...(failure && override ? { detail: `${overriddenBy(override)}; ${failure}` } : detail ? { detail } : {}),
  }));
  return { checks, failures, refused: failures.length > 0 && !overridden, overridden, backups };
}

/**
 * Audits a refused capture (trigger capture, decision refuse, the checks naming each failed
 * condition), notifies it, then throws `error`: the capture fails and the deploy stops.
 */
export async function refuseCapture(
  context: EngineContext,
  startedAt: string,
  releaseId: string,
  checks: GateCheck[],
  error: Error,
  backups: readonly CapturedBackup[] = [],
): Promise<never> {
  const failed = checks.filter((c) => !c.passed && !c.detail?.startsWith('overridden: '));
  await recordDecision(
    context,
    auditRecord(context, startedAt, {
      trigger: { kind: 'capture' },
      releaseId,
      checks,
      decision: 'refuse',
      reason: failed.map((c) => `${c.name}: ${c.detail ?? 'failed'}`).join('; '),
      outcome: 'refused',
      recoveryPoints: backups.flatMap((b) => (b.recoveryPointArn ? [b.recoveryPointArn] : [])),
    }),
    true,
  );
  throw error;
}

/** How an override reads in a check's detail: its reason and who asked for it. */
export function overriddenBy(override: ReleaseOverride): string {
  return `overridden: ${override.reason}${override.requestedBy ? ` (requested by ${override.requestedBy})` : ''}`;
}

type Read<T> = { readonly value: T } | { readonly error: string };

async function read<T>(fn: () => Promise<T>): Promise<Read<T>> {
  try {
    return { value: await fn() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const hours = (ms: number) => `${Math.floor(ms / HOUR_MS)} h`;
const days = (ms: number) => `${Math.floor(ms / DAY_MS)} days`;

/** Pure: the newest completed recovery point is younger than `maxAgeHours`. */
export function recoveryPointCheck(
  resourceArn: string,
  found: Read<RecoveryPointInfo | undefined>,
  maxAgeHours: number,
  now: number,
): Outcome {
  const name = 'recovery-point-fresh';
  const fail = (why: string): Outcome => ({
    name,
    passed: false,
    detail: `${resourceArn}: ${why}`,
    failure: `${resourceArn}: ${why}`,
  });
  if ('error' in found) return fail(`its recovery points could not be read (${found.error})`);
  if (!found.value) return fail('has no completed recovery point');
  const age = now - Date.parse(found.value.createdAt);
  const said = `the newest completed recovery point (${found.value.recoveryPointArn}, created ${found.value.createdAt}) is ${hours(age)} old`;
  if (age > maxAgeHours * HOUR_MS) return fail(`${said}, older than the ${maxAgeHours} h allowed`);
  return { name, passed: true, detail: `${resourceArn}: ${said}` };
}

/** Pure: the newest restore test completed, its validation did not fail, and it is younger than `maxAgeDays`. */
export function restoreTestCheck(
  resourceArn: string,
  found: Read<RestoreJobInfo | undefined>,
  maxAgeDays: number,
  now: number,
): Outcome {
  const name = 'restore-test-passed';
  const fail = (why: string): Outcome => ({
    name,
    passed: false,
    detail: `${resourceArn}: ${why}`,
    failure: `${resourceArn}: ${why}`,
  });
  if ('error' in found) return fail(`its restore tests could not be read (${found.error})`);
  const test = found.value;
  if (!test) return fail('has no restore test');
  const at = test.completedAt ?? test.createdAt;
  const which = `the last restore test (job ${test.restoreJobId}, ${at})`;
  if (test.status !== 'COMPLETED')
    return fail(
      `${which} is ${test.status}${test.statusMessage ? `: ${test.statusMessage}` : ''}, not COMPLETED`,
    );
  if (test.validationStatus === 'FAILED' || test.validationStatus === 'TIMED_OUT')
    return fail(`${which} restored, but its validation ${test.validationStatus}`);
  const age = now - Date.parse(at);
  if (age > maxAgeDays * DAY_MS)
    return fail(`${which} is ${days(age)} old, older than the ${maxAgeDays} days allowed`);
  return { name, passed: true, detail: `${resourceArn}: ${which} passed, ${days(age)} old` };
}

function jobCheck({ backup, job, error, lasting }: Waited, notDone: string): Outcome {
  const name = 'backup-completed';
  const which = `${backup.resourceArn}: the pre-release backup (job ${backup.backupJobId})`;
  const fail = (why: string): Outcome => ({
    name,
    passed: false,
    detail: `${which} ${why}`,
    failure: `${which} ${why}`,
  });
  if (!job || lasting) return fail(`could not be described (${error ?? 'no answer'})`);
  if (job.state === 'COMPLETED')
    return {
      name,
      passed: true,
      detail: `${which} completed${job.completedAt ? ` at ${isoTime(job.completedAt)}` : ''}`,
    };
  if (JOB_FAILED_STATES.includes(job.state))
    return fail(`ended ${job.state}${job.statusMessage ? `: ${job.statusMessage}` : ''}`);
  return fail(`${notDone} (${job.state})`);
}

/** How long capture may wait: the setting, cut short to leave the lock wait and a margin before the deadline. */
function waitBudgetMs(context: EngineContext, waitForBackupSeconds: number): number {
  const setting = waitForBackupSeconds * 1000;
  if (context.deadline === undefined) return setting;
  const left = context.deadline - context.clock.now() - BACKUP_WAIT_MARGIN_MS - context.lockWaitMs;
  return Math.max(0, Math.min(setting, left));
}

interface Waited {
  readonly backup: CapturedBackup;
  /** The job as last described. */
  readonly job?: BackupJobInfo;
  /** The last error describing it; `lasting` (not retryable) ends the wait for it. */
  readonly error?: string;
  readonly lasting?: boolean;
}

const jobEnded = (w: Waited) =>
  w.lasting === true ||
  (w.job !== undefined && (w.job.state === 'COMPLETED' || JOB_FAILED_STATES.includes(w.job.state)));

/**
 * Describes every job until each has ended or `budgetMs` has passed, every
 * {@link BACKUP_POLL_INTERVAL_MS} on the context's clock; with no budget, looks once. A retryable
 * error counts as "not yet"; any other ends the wait for that job.
 */
async function waitForJobs(
  context: EngineContext,
  port: BackupPort,
  backups: readonly CapturedBackup[],
  budgetMs: number,
): Promise<Waited[]> {
  const { clock } = context;
  const until = clock.now() + budgetMs;
  const seen: Waited[] = backups.map((backup) => ({ backup }));
  for (;;) {
    await Promise.all(
      seen.map(async (w, i) => {
        if (jobEnded(w)) return;
        try {
          seen[i] = { backup: w.backup, job: await port.describeBackupJob(w.backup.backupJobId) };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          seen[i] = { ...w, error: message, lasting: !isRetryable(error) };
        }
      }),
    );
    if (seen.every(jobEnded) || clock.now() + BACKUP_POLL_INTERVAL_MS > until) return seen;
    await clock.sleep(BACKUP_POLL_INTERVAL_MS);
  }
}

/** Starts the release's on-demand backup of each resource: AWS Backup makes a retried start one job. */
async function startBackups(
  context: EngineContext,
  port: BackupPort,
  releaseId: string,
): Promise<CapturedBackup[]> {
  const backup = context.config.backup;
  if (!backup) return [];
  return Promise.all(
    backup.resourceArns.map(async (resourceArn) => {
      const started = await port.startBackup({
        vaultName: backup.vaultName,
        roleArn: backup.roleArn,
        resourceArn,
        deleteAfterDays: backup.deleteAfterDays,
        releaseId,
      });
      return { resourceArn, vaultName: backup.vaultName, ...started };
    }),
  );
}

const isoTime = (value: string) => new Date(value).toISOString();
