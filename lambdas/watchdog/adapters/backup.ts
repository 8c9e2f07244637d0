/**
 * The backup port over AWS Backup: starts an on-demand backup job of one protected resource at
 * capture time, tagged with the release id. The job and its recovery point go in the release
 * manifest; they are offered to the operator, never restored automatically.
 */
import { type BackupClient, StartBackupJobCommand } from '@aws-sdk/client-backup';
import { createHash } from 'node:crypto';
import { AwsCallError, type BackupPort } from '../ports';
import { call } from './errors';

/** The tag every recovery point the watchdog starts carries, valued with the release id. */
export const RELEASE_TAG = 'switchback:release';

/** Hex characters of the token: 160 bits, well within the 64 characters AWS client tokens allow. */
const TOKEN_LENGTH = 40;

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

/** The backup port over a Backup client. */
export function createBackupAdapter(client: BackupClient): BackupPort {
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
  };
}
