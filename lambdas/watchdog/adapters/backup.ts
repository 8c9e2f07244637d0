/**
 * The backup port over AWS Backup: the on-demand backup job of each protected resource at capture,
 * tagged with the release id (its job and recovery point go in the release manifest); the reads of
 * the backup readiness gate (newest recovery point, newest restore test); and the restore an operator
 * asks for through `restore-data` (never automatic). Only the commands used are imported: the bundle
 * stays small.
 */
import {
  type BackupClient,
  DescribeBackupJobCommand,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  ListRecoveryPointsByResourceCommand,
  ListRestoreJobsByProtectedResourceCommand,
  StartBackupJobCommand,
  StartRestoreJobCommand,
  type DescribeRestoreJobCommandOutput,
  type RecoveryPointByResource,
  type RestoreJobsListMember,
} from '@aws-sdk/client-backup';
import { createHash } from 'node:crypto';
import {
  AwsCallError,
  type BackupJobInfo,
  type BackupPort,
  type RecoveryPointInfo,
  type RestoreJobInfo,
} from '../ports';
import { call, isFailure } from './errors';

/** The tag every recovery point the watchdog starts carries, valued with the release id. */
export const RELEASE_TAG = 'switchback:release';

/** Hex characters of the token: 160 bits, well within the 64 characters AWS client tokens allow. */
const TOKEN_LENGTH = 40;

/** Pages read at most from a list (100 items a page): a resource's history, not an unbounded scan. */
const MAX_PAGES = 20;

/**
 * The idempotency token of one resource's backup in one release: the same for a retried capture,
 * so AWS Backup starts one job, and different for every other resource or release.
 */
export function backupIdempotencyToken(releaseId: string, resourceArn: string): string {
  return createHash('sha256')
    .update(JSON.stringify([releaseId, resourceArn]))
    .digest('hex')
    .slice(0, TOKEN_LENGTH);
}

const iso = (date: Date | undefined): string | undefined =>
  date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;

const newestFirst = (a: { CreationDate?: Date }, b: { CreationDate?: Date }) =>
  (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0);

/** The fields of a restore job both DescribeRestoreJob and the restore job lists carry. */
function restoreJobOf(
  operation: string,
  job: RestoreJobsListMember | DescribeRestoreJobCommandOutput,
): RestoreJobInfo {
  if (!job.RestoreJobId)
    throw new AwsCallError(
      'invalid',
      operation,
      'MalformedRestoreJob',
      'AWS Backup answered a job without an id',
    );
  const createdAt = iso(job.CreationDate);
  const completedAt = iso(job.CompletionDate);
  return {
    restoreJobId: job.RestoreJobId,
    status: job.Status ?? 'UNKNOWN',
    createdAt: createdAt ?? new Date(0).toISOString(),
    ...(job.RecoveryPointArn ? { recoveryPointArn: job.RecoveryPointArn } : {}),
    ...(completedAt ? { completedAt } : {}),
    ...(job.PercentDone ? { percentDone: job.PercentDone } : {}),
    ...(job.CreatedResourceArn ? { createdResourceArn: job.CreatedResourceArn } : {}),
    ...(job.StatusMessage ? { statusMessage: job.StatusMessage } : {}),
    ...(job.CreatedBy?.RestoreTestingPlanArn
      ? { restoreTestingPlanArn: job.CreatedBy.RestoreTestingPlanArn }
      : {}),
    ...(job.ValidationStatus ? { validationStatus: job.ValidationStatus } : {}),
  };
}

/** The states a restore job ends in. */
const RESTORE_ENDED = ['COMPLETED', 'FAILED', 'ABORTED'];

/** The backup port over a Backup client. */
export function createBackupAdapter(client: BackupClient): BackupPort {
  /** All pages of a list, up to {@link MAX_PAGES}. */
  async function pages<T>(
    operation: string,
    page: (nextToken: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>,
  ): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const out = await call(operation, () => page(next));
      items.push(...(out.items ?? []));
      next = out.next;
      if (!next) break;
    }
    return items;
  }

  async function describeRecoveryPoint(
    vaultName: string,
    recoveryPointArn: string,
  ): Promise<RecoveryPointInfo | undefined> {
    try {
      const out = await call('DescribeRecoveryPoint', () =>
        client.send(
          new DescribeRecoveryPointCommand({
            BackupVaultName: vaultName,
            RecoveryPointArn: recoveryPointArn,
          }),
        ),
      );
      const createdAt = iso(out.CreationDate);
      const completedAt = iso(out.CompletionDate);
      const deleteAt = iso(out.CalculatedLifecycle?.DeleteAt);
      return {
        recoveryPointArn: out.RecoveryPointArn ?? recoveryPointArn,
        resourceArn: out.ResourceArn ?? '',
        resourceType: out.ResourceType ?? '',
        vaultName: out.BackupVaultName ?? vaultName,
        status: out.Status ?? 'UNKNOWN',
        createdAt: createdAt ?? new Date(0).toISOString(),
        ...(completedAt ? { completedAt } : {}),
        ...(deleteAt ? { deleteAt } : {}),
      };
    } catch (error) {
      // Deleted by its lifecycle, or not in that vault: AWS Backup does not know it. (Only AWS Backup's
      // own answer: a 404 from something that is not AWS Backup says nothing about the point.)
      if (isFailure(error, 'not-found') && error.code === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  return {
    async startBackup({ vaultName, roleArn, resourceArn, releaseId, deleteAfterDays }) {
      const out = await call('StartBackupJob', () =>
        client.send(
          new StartBackupJobCommand({
            BackupVaultName: vaultName,
            ResourceArn: resourceArn,
            IamRoleArn: roleArn,
            IdempotencyToken: backupIdempotencyToken(releaseId, resourceArn),
            RecoveryPointTags: { [RELEASE_TAG]: releaseId },
            // Kept for a while, then expired: the vault denies deleting recovery points by hand.
            Lifecycle: { DeleteAfterDays: deleteAfterDays },
          }),
        ),
      );
      if (!out.BackupJobId) {
        throw new AwsCallError(
          'invalid',
          'StartBackupJob',
          'MalformedBackupJob',
          `AWS Backup started no job id for ${resourceArn} in vault ${vaultName}`,
        );
      }
      // AWS Backup returns the recovery point at start only for some resource types (EFS,
      // DynamoDB); for the others it is known once the job runs, from DescribeBackupJob.
      return out.RecoveryPointArn
        ? { backupJobId: out.BackupJobId, recoveryPointArn: out.RecoveryPointArn }
        : { backupJobId: out.BackupJobId };
    },

    async describeBackupJob(backupJobId): Promise<BackupJobInfo> {
      const out = await call('DescribeBackupJob', () =>
        client.send(new DescribeBackupJobCommand({ BackupJobId: backupJobId })),
      );
      const completedAt = iso(out.CompletionDate);
      return {
        backupJobId: out.BackupJobId ?? backupJobId,
        state: out.State ?? 'UNKNOWN',
        ...(out.RecoveryPointArn ? { recoveryPointArn: out.RecoveryPointArn } : {}),
        ...(completedAt ? { completedAt } : {}),
        ...(out.StatusMessage ? { statusMessage: out.StatusMessage } : {}),
      };
    },

    async latestRecoveryPoint(resourceArn) {
      const points = await pages<RecoveryPointByResource>('ListRecoveryPointsByResource', async (next) => {
        const out = await client.send(
          new ListRecoveryPointsByResourceCommand({
            ResourceArn: resourceArn,
            MaxResults: 100,
            ...(next ? { NextToken: next } : {}),
          }),
        );
        return { items: out.RecoveryPoints, next: out.NextToken };
      });
      const newest = points
        .filter((p) => p.Status === 'COMPLETED' && p.RecoveryPointArn && p.BackupVaultName)
        .sort(newestFirst)[0];
      if (!newest?.RecoveryPointArn || !newest.BackupVaultName) return undefined;
      // The list leaves out the resource type, completion time and lifecycle: ask for them.
      const described = await describeRecoveryPoint(newest.BackupVaultName, newest.RecoveryPointArn);
      const createdAt = iso(newest.CreationDate) ?? new Date(0).toISOString();
      return (
        described ?? {
          recoveryPointArn: newest.RecoveryPointArn,
          resourceArn,
          resourceType: '',
          vaultName: newest.BackupVaultName,
          status: 'COMPLETED',
          createdAt,
        }
      );
    },

    async latestRestoreTest(resourceArn) {
      const jobs = await pages<RestoreJobsListMember>('ListRestoreJobsByProtectedResource', async (next) => {
        const out = await client.send(
          new ListRestoreJobsByProtectedResourceCommand({
            ResourceArn: resourceArn,
            MaxResults: 100,
            ...(next ? { NextToken: next } : {}),
          }),
        );
        return { items: out.RestoreJobs, next: out.NextToken };
      });
      // Restore tests are the jobs a restore testing plan started; an operator's restores are not tests.
      // One still running says nothing yet (an RDS test runs for an hour): the newest that ended counts.
      const newest = jobs
        .filter((j) => j.CreatedBy?.RestoreTestingPlanArn && RESTORE_ENDED.includes(j.Status ?? ''))
        .sort(newestFirst)[0];
      return newest ? restoreJobOf('ListRestoreJobsByProtectedResource', newest) : undefined;
    },

    describeRecoveryPoint,

    async restoreMetadata(vaultName, recoveryPointArn) {
      const out = await call('GetRecoveryPointRestoreMetadata', () =>
        client.send(
          new GetRecoveryPointRestoreMetadataCommand({
            BackupVaultName: vaultName,
            RecoveryPointArn: recoveryPointArn,
          }),
        ),
      );
      return { ...out.RestoreMetadata };
    },

    async startRestore({ recoveryPointArn, roleArn, resourceType, metadata, idempotencyToken }) {
      const out = await call('StartRestoreJob', () =>
        client.send(
          new StartRestoreJobCommand({
            RecoveryPointArn: recoveryPointArn,
            IamRoleArn: roleArn,
            ResourceType: resourceType,
            Metadata: metadata,
            IdempotencyToken: idempotencyToken,
          }),
        ),
      );
      if (!out.RestoreJobId) {
        throw new AwsCallError(
          'invalid',
          'StartRestoreJob',
          'MalformedRestoreJob',
          `AWS Backup started no restore job for ${recoveryPointArn}`,
        );
      }
      return out.RestoreJobId;
    },

    async describeRestoreJob(restoreJobId) {
      const out = await call('DescribeRestoreJob', () =>
        client.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId })),
      );
      return restoreJobOf('DescribeRestoreJob', out);
    },
  };
}
