/**
 * `restore-data`: an operator restores a release's pre-release data from a recovery point the
 * release's manifest recorded. Never automatic. Without a recovery point: the release's recovery
 * points with their live status. With one and `dryRun`: the plan (what AWS Backup would create, the
 * metadata it would be sent, what the operator does to cut over). Otherwise: the restore job is started,
 * recorded in the state (the schedule tick follows it to its end, see restore-jobs.ts), audited and
 * notified.
 *
 * AWS Backup never restores over the original resource: it creates a new one. This module names it
 * `<original>-r-<release>-<hash>` within the resource type's naming rules; the hash is of the release,
 * the recovery point and the request id, so a retried start names (and, through the idempotency token,
 * starts) the same thing.
 *
 * Restore metadata keys, per resource type, as AWS Backup documents them:
 * - DynamoDB `targetTableName`: "Restore testing inferred metadata",
 *   https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing-inferred-metadata.html
 *   and https://docs.aws.amazon.com/aws-backup/latest/devguide/restoring-dynamodb.html ("New table name").
 * - EFS `newFileSystem` (true: a new file system) and `CreationToken` (idempotency of its creation),
 *   `file-system-id` kept as GetRecoveryPointRestoreMetadata returns it: the `Metadata` parameter of
 *   https://docs.aws.amazon.com/aws-backup/latest/devguide/API_StartRestoreJob.html
 * - RDS instances `DBInstanceIdentifier`, Aurora (and Multi-AZ DB) clusters `DBClusterIdentifier`:
 *   https://docs.aws.amazon.com/aws-backup/latest/devguide/restoring-rds.html and
 *   restoring-aur.html; the identifiers' rules (1-63 letters, digits or hyphens, a letter first, no
 *   trailing or double hyphen) are RDS's: API_RestoreDBInstanceFromDBSnapshot.html,
 *   API_RestoreDBClusterFromSnapshot.html (Amazon RDS API Reference).
 * - S3 `DestinationBucketName` and `NewBucket` (true: create it):
 *   https://docs.aws.amazon.com/aws-backup/latest/devguide/restoring-s3.html
 * - EBS: a restore always creates a new volume; the metadata (availabilityZone, volume settings) is
 *   sent as GetRecoveryPointRestoreMetadata returns it.
 * AWS Backup treats metadata keys case-insensitively (restore-testing-inferred-metadata.html), so a
 * key set here replaces the returned key of any case.
 */
import { createHash } from 'node:crypto';
import {
  parseReleaseManifest,
  releaseManifestKey,
  type AuditRecord,
  type PendingRestore,
  type RecoveryPointAnswer,
  type ReleaseManifest,
  type RestoreDataAnswer,
} from '../../../lib';
import type { RestoreDataRequest } from '../events';
import { AwsCallError, type BackupPort, type RecoveryPointInfo } from '../ports';
import { auditRecord, recordDecision } from './audit';
import { acquireLock, readVersionedState, releaseLockQuietly, writeState } from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import { RetriesExhausted, withRetry } from './retry';
import { planRestore, restoreTypeOf, SUPPORTED_TYPES } from './restore-plan';
import { LockBusyError } from './trigger';

type RefusalCode = NonNullable<RestoreDataAnswer['code']>;
type Plan = NonNullable<RestoreDataAnswer['plan']>;

/** One recovery point the release's manifest recorded (its ARN learnt from the backup job if needed). */
interface RecordedPoint {
  readonly resourceArn: string;
  readonly vaultName: string;
  readonly backupJobId: string;
  /** Undefined while the backup job has not made one yet. */
  readonly recoveryPointArn?: string;
  /** The backup job's state, when the recovery point is not known yet. */
  readonly jobState?: string;
}

/** A refusal: nothing is started; the CLI exits 2 with the reason. */
class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly reason: string,
    readonly points: RecoveryPointAnswer[] = [],
  ) {
    super(reason);
    this.name = 'Refusal';
  }
}

export async function restoreData(
  context: EngineContext,
  event: RestoreDataRequest,
): Promise<RestoreDataAnswer> {
  const startedAt = isoNow(context);
  const { releaseId } = event;
  try {
    const manifest = await readManifest(context, releaseId);
    if (event.recoveryPointArn === undefined) {
      const recoveryPoints = await listPoints(context, manifest);
      return { outcome: 'listed', releaseId, recoveryPoints };
    }
    const chosen = await choosePoint(context, manifest, event.recoveryPointArn);
    const plan = planRestore(chosen.point, chosen.metadata, releaseId, event.requestId);
    if (event.dryRun) return { outcome: 'planned', releaseId, recoveryPoints: [chosen.answer], plan };
    return await startRestore(context, event, chosen.point, chosen.answer, plan, startedAt);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    context.log.warn('restore-data refused', { releaseId, code: error.code, reason: error.reason });
    if (event.recoveryPointArn !== undefined && !event.dryRun) {
      // A refused start is audited (who asked for what, and why not); a refused plan is only answered.
      await recordDecision(
        context,
        auditRecord(context, startedAt, {
          trigger: triggerOf(event),
          releaseId,
          checks: [{ name: error.code, passed: false, detail: error.reason }],
          decision: 'restore-data',
          reason: error.reason,
          outcome: 'refused',
          recoveryPoints: [event.recoveryPointArn],
        }),
        false,
      );
    }
    return {
      outcome: 'refused',
      releaseId,
      recoveryPoints: error.points,
      reason: error.reason,
      code: error.code,
    };
  }
}

// ---- Reading what the release recorded ---------------------------------------------------------

async function readManifest(context: EngineContext, releaseId: string): Promise<ReleaseManifest> {
  const stored = await context.ports.store.getJson(releaseManifestKey(context.config.service, releaseId));
  if (!stored)
    throw new Refusal(
      'unknown-recovery-point',
      `release ${releaseId} of ${context.config.service} was never captured: it has no recovery points`,
    );
  return parseReleaseManifest(stored.body);
}

function backupPort(context: EngineContext): BackupPort {
  const port = context.ports.backup;
  if (!port)
    throw new Error(
      'restore-data needs AWS Backup, but no backup client is available (the configuration has no backup section)',
    );
  return port;
}

function retried<T>(context: EngineContext, fn: () => Promise<T>): Promise<T> {
  return withRetry(fn, { budgetMs: context.config.policy.stepTimeBudgetMs, clock: context.clock }).then(
    (r) => r.value,
  );
}

/** The manifest's backups, each with its recovery point (asked of its backup job when not recorded). */
async function recordedPoints(
  context: EngineContext,
  manifest: ReleaseManifest,
  only: (b: ReleaseManifest['backups'][number]) => boolean = () => true,
): Promise<RecordedPoint[]> {
  const backups = manifest.backups.filter(only);
  if (backups.length === 0) return [];
  const port = backupPort(context);
  return Promise.all(
    backups.map(async (b): Promise<RecordedPoint> => {
      const base = { resourceArn: b.resourceArn, vaultName: b.vaultName, backupJobId: b.backupJobId };
      if (b.recoveryPointArn) return { ...base, recoveryPointArn: b.recoveryPointArn };
      // Some resource types name their recovery point only once the job runs.
      const job = await retried(context, () => port.describeBackupJob(b.backupJobId));
      return job.recoveryPointArn
        ? { ...base, recoveryPointArn: job.recoveryPointArn }
        : { ...base, jobState: job.state };
    }),
  );
}

/** Why a recovery point cannot be restored, or undefined when it can. */
function unavailability(
  point: RecoveryPointInfo | undefined,
  now: number,
): { readonly code: RefusalCode; readonly reason: string } | undefined {
  if (!point) return { code: 'expired', reason: 'AWS Backup no longer has it (its lifecycle deleted it)' };
  if (point.status === 'EXPIRED' || point.status === 'DELETING')
    return { code: 'expired', reason: `it is ${point.status}` };
  if (point.deleteAt && Date.parse(point.deleteAt) <= now)
    return { code: 'expired', reason: `its lifecycle deleted it at ${point.deleteAt}` };
  if (point.status !== 'COMPLETED')
    return { code: 'not-restorable', reason: `it is ${point.status}, not COMPLETED` };
  return undefined;
}

function answerOf(recorded: RecordedPoint, point: RecoveryPointInfo | undefined, now: number) {
  const why = unavailability(point, now);
  const answer: RecoveryPointAnswer = {
    recoveryPointArn: recorded.recoveryPointArn ?? '',
    resourceArn: recorded.resourceArn,
    vaultName: recorded.vaultName,
    status: point?.status ?? 'MISSING',
    ...(point?.resourceType ? { resourceType: point.resourceType } : {}),
    ...(point?.createdAt ? { createdAt: point.createdAt } : {}),
    ...(point?.deleteAt ? { deleteAt: point.deleteAt } : {}),
    ...(why ? { unavailable: why.reason } : {}),
  };
  return answer;
}

async function describePoint(
  context: EngineContext,
  recorded: RecordedPoint,
): Promise<RecoveryPointInfo | undefined> {
  const arn = recorded.recoveryPointArn;
  if (!arn) return undefined;
  return retried(context, () => backupPort(context).describeRecoveryPoint(recorded.vaultName, arn));
}

async function listPoints(context: EngineContext, manifest: ReleaseManifest): Promise<RecoveryPointAnswer[]> {
  const recorded = await recordedPoints(context, manifest);
  const now = context.clock.now();
  return Promise.all(
    recorded.map(async (r) => {
      if (!r.recoveryPointArn) {
        // The backup job has not made its recovery point yet.
        return {
          recoveryPointArn: '',
          resourceArn: r.resourceArn,
          vaultName: r.vaultName,
          status: r.jobState ?? 'UNKNOWN',
          unavailable: `backup job ${r.backupJobId} is ${r.jobState ?? 'not known'}: no recovery point yet`,
        };
      }
      return answerOf(r, await describePoint(context, r), now);
    }),
  );
}

/** The requested recovery point, checked: one of the release's, restorable, of a type we restore. */
async function choosePoint(context: EngineContext, manifest: ReleaseManifest, recoveryPointArn: string) {
  const recorded: RecordedPoint | undefined =
    (await recordedPoints(context, manifest, (b) => b.recoveryPointArn === recoveryPointArn))[0] ??
    // A recovery point known only once its job ran: ask the jobs that recorded none.
    (await recordedPoints(context, manifest, (b) => !b.recoveryPointArn)).find(
      (r) => r.recoveryPointArn === recoveryPointArn,
    );
  if (!recorded) {
    throw new Refusal(
      'unknown-recovery-point',
      `${recoveryPointArn} is not a recovery point of release ${manifest.releaseId} (its manifest records ${manifest.backups.length === 0 ? 'none' : 'the ones listed'})`,
      await listPoints(context, manifest),
    );
  }
  const point = await describePoint(context, recorded);
  const answer = answerOf(recorded, point, context.clock.now());
  const why = unavailability(point, context.clock.now());
  if (why || !point) {
    throw new Refusal(
      why?.code ?? 'expired',
      `${recoveryPointArn} cannot be restored: ${why?.reason ?? 'it is missing'}`,
      [answer],
    );
  }
  const type = restoreTypeOf(point);
  if (!type) {
    throw new Refusal(
      'unsupported-type',
      `${recoveryPointArn} is a ${point.resourceType} recovery point; restore-data restores ${SUPPORTED_TYPES.join(', ')} (restore it with AWS Backup directly)`,
      [answer],
    );
  }
  const metadata = await retried(context, () =>
    backupPort(context).restoreMetadata(point.vaultName || recorded.vaultName, recoveryPointArn),
  );
  return { point: { ...point, resourceArn: point.resourceArn || recorded.resourceArn }, answer, metadata };
}

/** The idempotency token of one restore: a retried start (same request id) is one job. */
export function restoreIdempotencyToken(
  releaseId: string,
  recoveryPointArn: string,
  requestId?: string,
): string {
  return createHash('sha256')
    .update(JSON.stringify(['restore', releaseId, recoveryPointArn, requestId ?? '']))
    .digest('hex')
    .slice(0, 40);
}

function triggerOf(event: RestoreDataRequest): AuditRecord['trigger'] {
  return {
    kind: 'restore-data',
    source: 'manual',
    requestedBy: event.requestedBy,
    ...(event.reason ? { reason: event.reason } : {}),
    ...(event.caller ? { caller: event.caller } : {}),
  };
}

async function startRestore(
  context: EngineContext,
  event: RestoreDataRequest,
  point: RecoveryPointInfo,
  answer: RecoveryPointAnswer,
  plan: Plan,
  startedAt: string,
): Promise<RestoreDataAnswer> {
  const { config } = context;
  const { releaseId } = event;
  const roleArn = config.backup?.restoreRoleArn ?? config.backup?.roleArn;
  if (!roleArn)
    throw new Error('restore-data needs the role AWS Backup restores with: set backup.restoreRoleArn');
  // StartRestoreJob (retried for up to stepTimeBudgetMs) goes before the lock, so an alarm's rollback
  // never waits on it: its idempotency token makes a retried start (same request id) the same job, so
  // a start whose state write did not happen is recorded by its retry.
  const stepStarted = context.clock.now();
  let restoreJobId: string;
  let attempts = 1;
  try {
    const started = await withRetry(
      () =>
        backupPort(context).startRestore({
          recoveryPointArn: point.recoveryPointArn,
          roleArn,
          resourceType: point.resourceType,
          metadata: plan.metadata,
          idempotencyToken: restoreIdempotencyToken(releaseId, point.recoveryPointArn, event.requestId),
        }),
      { budgetMs: config.policy.stepTimeBudgetMs, clock: context.clock },
    );
    restoreJobId = started.value;
    attempts = started.attempts;
  } catch (error) {
    const cause = error instanceof RetriesExhausted ? error.lastError : error;
    // AWS Backup said no (a name taken, a role it cannot use): answered, audited, not retried.
    if (cause instanceof AwsCallError && !cause.retryable)
      throw new Refusal('not-restorable', `AWS Backup refused the restore: ${cause.detail}`, [answer]);
    throw error;
  }
  const stepDurationMs = context.clock.now() - stepStarted;

  // The lock only for the state write and the audit record.
  const coord = coordination(context);
  const lease = await acquireLock(coord, context.lockWaitMs);
  if (!lease) {
    context.log.warn('restore-data: the restore job started, but the lock is busy: it is not recorded yet', {
      restoreJobId,
      requestId: event.requestId,
      hint: 'the same request (same requestId) again records it: AWS Backup answers with the same job',
    });
    throw new LockBusyError(config.service);
  }
  try {
    const { state, condition } = await readVersionedState(coord);
    const already = state.restores?.find((r) => r.restoreJobId === restoreJobId);
    if (already) {
      // A retried start: AWS Backup answered with the job the first one started.
      context.log.info('restore-data: the restore job was started before', { restoreJobId });
      return {
        outcome: 'restore-started',
        releaseId,
        recoveryPoints: [answer],
        plan,
        restoreJobId,
        decisionId: already.decisionId,
      };
    }
    const pending: PendingRestore = {
      restoreJobId,
      releaseId,
      recoveryPointArn: point.recoveryPointArn,
      resourceArn: point.resourceArn,
      resourceType: point.resourceType,
      decisionId: context.invocationId,
      startedAt,
      requestedBy: event.requestedBy,
      creates: plan.creates,
    };
    await writeState(coord, { ...state, restores: [...(state.restores ?? []), pending] }, condition);
    await recordDecision(
      context,
      auditRecord(context, startedAt, {
        trigger: triggerOf(event),
        releaseId,
        checks: [
          { name: 'recorded-by-release', passed: true },
          {
            name: 'restorable',
            passed: true,
            detail: `${answer.status}${point.deleteAt ? `, kept until ${point.deleteAt}` : ''}`,
          },
        ],
        decision: 'restore-data',
        ...(event.reason ? { reason: event.reason } : {}),
        outcome: 'restore-started',
        steps: [
          {
            kind: 'restore',
            target: point.recoveryPointArn,
            outcome: 'applied',
            attempts,
            startedAt: new Date(stepStarted).toISOString(),
            durationMs: stepDurationMs,
            detail: `restore job ${restoreJobId}: ${plan.creates}`,
          },
        ],
        recoveryPoints: [point.recoveryPointArn],
        restore: {
          restoreJobId,
          recoveryPointArn: point.recoveryPointArn,
          resourceArn: point.resourceArn,
          creates: plan.creates,
          status: 'PENDING',
        },
      }),
      true,
    );
    return {
      outcome: 'restore-started',
      releaseId,
      recoveryPoints: [answer],
      plan,
      restoreJobId,
      decisionId: context.invocationId,
    };
  } finally {
    await releaseLockQuietly(coord, lease, context.log);
  }
}
