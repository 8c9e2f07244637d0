/** Recovery points and restore tests a test or drill puts in place (`emu.backup.seed...`). */
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID } from '../core/ids';
import {
  BackupState,
  BackupVault,
  endRestore,
  newestFirst,
  RecoveryPoint,
  recoveryPointArn,
  RecoveryPointStatus,
  regionOf,
  resourceNameOf,
  resourceTypeOf,
  RestoreJob,
  RestoreJobEnd,
  RestoreValidationStatus,
  vaultArn,
} from './backup-model';
import { KINDS, stableHex } from './backup-metadata';

/** A recovery point a test puts in place (`emu.backup.seedRecoveryPoint`). */
export interface SeedRecoveryPointInput {
  /** The protected resource (its type comes from the ARN). */
  readonly resourceArn: string;
  /** Created if missing. @default 'Default' */
  readonly backupVaultName?: string;
  /** @default - now */
  readonly creationDate?: Date;
  /** @default - five minutes after creation, for a COMPLETED or PARTIAL point */
  readonly completionDate?: Date;
  /** @default 'COMPLETED' */
  readonly status?: RecoveryPointStatus;
  readonly statusMessage?: string;
  /** The lifecycle: `CalculatedLifecycle.DeleteAt` is creation plus these days. @default - kept forever */
  readonly deleteAfterDays?: number;
  readonly moveToColdStorageAfterDays?: number;
  /** @default 'arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole' */
  readonly iamRoleArn?: string;
  /** @default - a new ARN of the type's shape */
  readonly recoveryPointArn?: string;
  /** What GetRecoveryPointRestoreMetadata answers. @default - derived from the resource */
  readonly restoreMetadata?: Readonly<Record<string, string>>;
}

function vaultFor(state: BackupState, name: string, region: string, now: number): BackupVault {
  const existing = state.vaults.get(name);
  if (existing) return existing;
  const vault: BackupVault = {
    BackupVaultName: name,
    BackupVaultArn: vaultArn(region, name),
    CreationDate: new Date(now),
    EncryptionKeyArn: `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${randomUUID()}`,
    BackupVaultTags: {},
  };
  state.vaults.set(name, vault);
  return vault;
}

/** Puts a recovery point in place, as if a backup had made it. */
export function seedRecoveryPoint(
  state: BackupState,
  input: SeedRecoveryPointInput,
  now: number,
): RecoveryPoint {
  const type = resourceTypeOf(input.resourceArn);
  const region = regionOf(input.resourceArn) || 'us-east-1';
  const vault = vaultFor(state, input.backupVaultName ?? 'Default', region, now);
  const created = input.creationDate ?? new Date(now);
  const status = input.status ?? 'COMPLETED';
  const done = status === 'COMPLETED' || status === 'PARTIAL';
  const arn = input.recoveryPointArn ?? recoveryPointArn(region, type, randomUUID());
  const point: RecoveryPoint = {
    RecoveryPointArn: arn,
    BackupVaultName: vault.BackupVaultName,
    BackupVaultArn: vault.BackupVaultArn,
    ResourceArn: input.resourceArn,
    ResourceType: type,
    ResourceName: resourceNameOf(input.resourceArn),
    IamRoleArn:
      input.iamRoleArn ?? `arn:aws:iam::${ACCOUNT_ID}:role/service-role/AWSBackupDefaultServiceRole`,
    Status: status,
    StatusMessage: input.statusMessage,
    CreationDate: created,
    CompletionDate: input.completionDate ?? (done ? new Date(created.getTime() + 300_000) : undefined),
    Lifecycle:
      input.deleteAfterDays === undefined && input.moveToColdStorageAfterDays === undefined
        ? undefined
        : {
            DeleteAfterDays: input.deleteAfterDays,
            MoveToColdStorageAfterDays: input.moveToColdStorageAfterDays,
          },
    BackupSizeInBytes: 1_048_576,
    EncryptionKeyArn: vault.EncryptionKeyArn,
    RestoreMetadata: input.restoreMetadata ? { ...input.restoreMetadata } : undefined,
  };
  state.points.set(arn, point);
  return point;
}

/** A restore test's result a test puts in place (`emu.backup.seedRestoreTest`). */
export interface SeedRestoreTestInput {
  /** The protected resource whose restore was tested. */
  readonly resourceArn: string;
  /** How the restore job ended. @default 'COMPLETED' */
  readonly status?: RestoreJobEnd;
  readonly statusMessage?: string;
  /**
   * The validation's result; `null` for a test without validation.
   * @default - 'SUCCESSFUL' for a COMPLETED restore, none otherwise
   */
  readonly validationStatus?: RestoreValidationStatus | null;
  readonly validationStatusMessage?: string;
  /** When the restore test ended. @default - now */
  readonly completionDate?: Date;
  /** @default - 20 minutes before it ended */
  readonly creationDate?: Date;
  /** @default - a plan named `switchback-restore-test` */
  readonly restoreTestingPlanArn?: string;
  /** @default - the resource's newest COMPLETED recovery point, else a made-up one */
  readonly recoveryPointArn?: string;
}

/** Records a restore test of a resource, as a restore testing plan would have run it. */
export function seedRestoreTest(state: BackupState, input: SeedRestoreTestInput, now: number): RestoreJob {
  const type = resourceTypeOf(input.resourceArn);
  const region = regionOf(input.resourceArn) || 'us-east-1';
  const ended = input.completionDate ?? new Date(now);
  const created = input.creationDate ?? new Date(ended.getTime() - 1_200_000);
  const point =
    (input.recoveryPointArn === undefined ? undefined : state.points.get(input.recoveryPointArn)) ??
    newestFirst(
      [...state.points.values()].filter(
        (p) => p.ResourceArn === input.resourceArn && p.Status === 'COMPLETED',
      ),
    )[0];
  const status = input.status ?? 'COMPLETED';
  const validation =
    input.validationStatus === undefined
      ? status === 'COMPLETED'
        ? 'SUCCESSFUL'
        : undefined
      : input.validationStatus;
  const job: RestoreJob = {
    AccountId: ACCOUNT_ID,
    RestoreJobId: randomUUID().toUpperCase(),
    RecoveryPointArn:
      input.recoveryPointArn ?? point?.RecoveryPointArn ?? recoveryPointArn(region, type, randomUUID()),
    SourceResourceArn: input.resourceArn,
    BackupVaultArn: point?.BackupVaultArn ?? vaultArn(region, 'Default'),
    ResourceType: type,
    IamRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/service-role/AWSBackupDefaultServiceRole`,
    CreationDate: created,
    RecoveryPointCreationDate: point?.CreationDate ?? new Date(created.getTime() - 86_400_000),
    BackupSizeInBytes: point?.BackupSizeInBytes ?? 1_048_576,
    ExpectedCompletionTimeMinutes: Math.max(1, Math.ceil((ended.getTime() - created.getTime()) / 60_000)),
    Metadata: {},
    TargetResourceArn: KINDS[type]?.testResource(region) ?? `${input.resourceArn}-restore-test`,
    CreatesResource: true,
    RunningAt: created.getTime(),
    EndsAt: ended.getTime(),
    EndStatus: status,
    EndMessage: input.statusMessage,
    CreatedBy: {
      RestoreTestingPlanArn:
        input.restoreTestingPlanArn ??
        `arn:aws:backup:${region}:${ACCOUNT_ID}:restore-testing-plan:switchback-restore-test-${stableHex(input.resourceArn, 8)}`,
    },
    ValidationStatus: validation ?? undefined,
    ValidationStatusMessage: input.validationStatusMessage,
    DeletionStatus: status === 'COMPLETED' ? 'SUCCESSFUL' : undefined,
  };
  endRestore(state, job, status, ended.getTime(), input.statusMessage);
  state.restoreJobs.set(job.RestoreJobId, job);
  return job;
}
