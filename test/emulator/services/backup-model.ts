/**
 * AWS Backup's state in the emulator: vaults, backup jobs, the recovery points they make (or a test
 * seeds), restore jobs (on demand, or seeded restore tests), and how each moves on over the
 * emulator's clock.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../core/aws-error';
import { ACCOUNT_ID, hex } from '../core/ids';

/** A backup vault, in the shape DescribeBackupVault would return it. */
export interface BackupVault {
  BackupVaultName: string;
  BackupVaultArn: string;
  CreationDate: Date;
  EncryptionKeyArn: string;
  CreatorRequestId?: string;
  BackupVaultTags: Record<string, string>;
}

/** Where a backup job is: AWS's `BackupJobState` values. */
export type BackupJobState =
  'CREATED' | 'PENDING' | 'RUNNING' | 'ABORTING' | 'ABORTED' | 'COMPLETED' | 'FAILED' | 'EXPIRED' | 'PARTIAL';

/** A backup job's lifecycle rule (`DeleteAfterDays`, `MoveToColdStorageAfterDays`). */
export interface BackupLifecycle {
  MoveToColdStorageAfterDays?: number;
  DeleteAfterDays?: number;
}

/**
 * How a backup job started later runs (set with `emu.backup.setBackupBehaviour`). Durations are in
 * AWS seconds: the emulator divides them by its time scale (`emu.backup.setTimeScale`).
 */
export interface BackupJobBehaviour {
  /**
   * The job ends this many (scaled) seconds after it was created, whoever reads it; until then it
   * reports `CREATED` at the first read and `RUNNING` after. @default - the job moves one state per
   * DescribeBackupJob: CREATED, RUNNING, then its end state
   */
  readonly completeAfterSeconds?: number;
  /** The state it ends in. @default 'COMPLETED' */
  readonly endState?: 'COMPLETED' | 'FAILED' | 'ABORTED' | 'EXPIRED' | 'PARTIAL';
  /** Its `StatusMessage` once ended (a failed job's reason). @default - none */
  readonly statusMessage?: string;
}

/** An on-demand backup job: what DescribeBackupJob returns, plus the tags its recovery point gets. */
export interface BackupJob {
  AccountId: string;
  BackupJobId: string;
  BackupVaultName: string;
  BackupVaultArn: string;
  /** Known at start for EFS and DynamoDB (as StartBackupJob answers), for others once running. */
  RecoveryPointArn: string;
  ResourceArn: string;
  ResourceType: string;
  IamRoleArn: string;
  CreationDate: Date;
  CompletionDate?: Date;
  StartBy: Date;
  State: BackupJobState;
  StatusMessage?: string;
  IdempotencyToken?: string;
  RecoveryPointTags: Record<string, string>;
  BackupOptions?: Record<string, string>;
  Lifecycle?: BackupLifecycle;
  /** The behaviour it was started with (emulator-only; never on the wire). */
  Behaviour?: BackupJobBehaviour & { readonly endsAt?: number };
}

/** AWS Backup's `RecoveryPointStatus` values. */
export type RecoveryPointStatus =
  'CREATING' | 'COMPLETED' | 'PARTIAL' | 'DELETING' | 'EXPIRED' | 'AVAILABLE' | 'STOPPED';

/** A recovery point: DescribeRecoveryPoint's fields, plus what a restore of it starts from. */
export interface RecoveryPoint {
  RecoveryPointArn: string;
  BackupVaultName: string;
  BackupVaultArn: string;
  ResourceArn: string;
  ResourceType: string;
  ResourceName: string;
  IamRoleArn: string;
  Status: RecoveryPointStatus;
  StatusMessage?: string;
  CreationDate: Date;
  CompletionDate?: Date;
  Lifecycle?: BackupLifecycle;
  BackupSizeInBytes: number;
  EncryptionKeyArn: string;
  /** When a restore of it last completed. */
  LastRestoreTime?: Date;
  /** The job that made it; undefined for a seeded point. */
  BackupJobId?: string;
  /** What GetRecoveryPointRestoreMetadata answers for it. @default - derived from the resource */
  RestoreMetadata?: Record<string, string>;
}

/** AWS Backup's `RestoreJobStatus` values. */
export type RestoreJobStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'ABORTED' | 'FAILED';

/** The states a restore job ends in. */
export type RestoreJobEnd = 'COMPLETED' | 'FAILED' | 'ABORTED';

/** A restore test's validation result: AWS Backup's `RestoreValidationStatus`. */
export type RestoreValidationStatus = 'FAILED' | 'SUCCESSFUL' | 'TIMED_OUT' | 'VALIDATING';

/**
 * How a restore job started later runs (set with `emu.backup.setRestoreBehaviour`). Durations are
 * AWS seconds, divided by the time scale.
 */
export interface RestoreJobBehaviour {
  /** Seconds from creation to the end: the first fifth `PENDING`, the rest `RUNNING`. @default 300 */
  readonly completeAfterSeconds?: number;
  /** Ends `FAILED` with this `StatusMessage` instead of `COMPLETED`. @default - it completes */
  readonly failWith?: string;
}

/** A restore job: DescribeRestoreJob's fields, the metadata it was given, and its timeline. */
export interface RestoreJob {
  AccountId: string;
  RestoreJobId: string;
  RecoveryPointArn: string;
  SourceResourceArn: string;
  BackupVaultArn: string;
  ResourceType: string;
  IamRoleArn: string;
  CreationDate: Date;
  RecoveryPointCreationDate: Date;
  BackupSizeInBytes: number;
  ExpectedCompletionTimeMinutes: number;
  /** The metadata StartRestoreJob was given. */
  Metadata: Record<string, string>;
  /** The resource the restore makes: `CreatedResourceArn` once `COMPLETED`. */
  TargetResourceArn: string;
  /** Whether the restore makes a new resource (false: into an existing one, as EFS or S3 may). */
  CreatesResource: boolean;
  /** When it leaves `PENDING` and when it ends (epoch ms, the emulator's clock). */
  RunningAt: number;
  EndsAt: number;
  /** How it ends at `EndsAt`. */
  EndStatus: RestoreJobEnd;
  EndMessage?: string;
  /** Set once it has ended. */
  Status?: RestoreJobEnd;
  StatusMessage?: string;
  CompletionDate?: Date;
  CreatedBy?: { RestoreTestingPlanArn: string };
  ValidationStatus?: RestoreValidationStatus;
  ValidationStatusMessage?: string;
  DeletionStatus?: 'DELETING' | 'FAILED' | 'SUCCESSFUL';
  DeletionStatusMessage?: string;
  IdempotencyToken?: string;
}

export interface BackupState {
  /** By vault name (names are unique per account and region; the emulator shares one state). */
  vaults: Map<string, BackupVault>;
  /** By job id, in start order. */
  jobs: Map<string, BackupJob>;
  /** Job ids by the idempotency token that started them. */
  tokens: Map<string, string>;
  /** By ARN, in the order they appeared. */
  points: Map<string, RecoveryPoint>;
  /** By id, in start order. */
  restoreJobs: Map<string, RestoreJob>;
  /** Restore job ids and start times by idempotency token (tokens last an hour). */
  restoreTokens: Map<string, { readonly jobId: string; readonly at: number }>;
  /** Behaviours for jobs started later, by resource ARN (`*`: any resource). */
  backupBehaviours: Map<string, BackupJobBehaviour>;
  /** Behaviours for restores started later, by the protected resource's ARN (`*`: any). */
  restoreBehaviours: Map<string, RestoreJobBehaviour>;
  /** AWS seconds per emulator second: durations are divided by it. */
  timeScale: number;
}

export function createBackupState(): BackupState {
  return {
    vaults: new Map(),
    jobs: new Map(),
    tokens: new Map(),
    points: new Map(),
    restoreJobs: new Map(),
    restoreTokens: new Map(),
    backupBehaviours: new Map(),
    restoreBehaviours: new Map(),
    timeScale: 1,
  };
}

/** The resource types AWS Backup protects, by the service (and resource) in their ARN. */
const RESOURCE_TYPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^arn:aws[a-z-]*:dynamodb:[^:]+:\d{12}:table\/.+$/, 'DynamoDB'],
  [/^arn:aws[a-z-]*:elasticfilesystem:[^:]+:\d{12}:file-system\/.+$/, 'EFS'],
  [/^arn:aws[a-z-]*:ec2:[^:]+:\d{12}:volume\/.+$/, 'EBS'],
  [/^arn:aws[a-z-]*:ec2:[^:]+:\d{12}:instance\/.+$/, 'EC2'],
  [/^arn:aws[a-z-]*:rds:[^:]+:\d{12}:db:.+$/, 'RDS'],
  [/^arn:aws[a-z-]*:rds:[^:]+:\d{12}:cluster:.+$/, 'Aurora'],
  [/^arn:aws[a-z-]*:s3:::[^/]+$/, 'S3'],
  [/^arn:aws[a-z-]*:fsx:[^:]+:\d{12}:file-system\/.+$/, 'FSx'],
  [/^arn:aws[a-z-]*:redshift:[^:]+:\d{12}:cluster:.+$/, 'Redshift'],
  [/^arn:aws[a-z-]*:storagegateway:[^:]+:\d{12}:gateway\/.+$/, 'Storage Gateway'],
  [/^arn:aws[a-z-]*:cloudformation:[^:]+:\d{12}:stack\/.+$/, 'CloudFormation'],
];

/** The resource types this emulator knows. */
export const RESOURCE_TYPE_NAMES: readonly string[] = RESOURCE_TYPES.map(([, name]) => name);

/** Resource types whose recovery point ARN StartBackupJob already returns. */
export const ARN_AT_START: ReadonlySet<string> = new Set(['EFS', 'DynamoDB']);

/** Backup job states that are final. */
export const TERMINAL: ReadonlySet<BackupJobState> = new Set([
  'ABORTED',
  'COMPLETED',
  'FAILED',
  'EXPIRED',
  'PARTIAL',
]);

/** Backup job states that leave no recovery point. */
const NO_POINT: ReadonlySet<BackupJobState> = new Set(['ABORTED', 'FAILED', 'EXPIRED']);

const DAY_MS = 86_400_000;

export const invalidValue = (message: string): AwsError =>
  new AwsError('InvalidParameterValueException', message);

export const invalidRequest = (message: string): AwsError => new AwsError('InvalidRequestException', message);

export const notFound = (message: string): AwsError => new AwsError('ResourceNotFoundException', message);

export const vaultNotFound = (name: string): AwsError => notFound(`Backup vault ${name} does not exist.`);

export function vaultArn(region: string, name: string): string {
  return `arn:aws:backup:${region}:${ACCOUNT_ID}:backup-vault:${name}`;
}

export function getVault(state: BackupState, name: string): BackupVault {
  const vault = state.vaults.get(name);
  if (!vault) throw vaultNotFound(name);
  return vault;
}

/** The resource type of an ARN, as AWS Backup names it; throws for what Backup does not protect. */
export function resourceTypeOf(arn: string): string {
  if (!arn.startsWith('arn:')) throw invalidValue(`Invalid ARN: ${arn}`);
  const match = RESOURCE_TYPES.find(([pattern]) => pattern.test(arn));
  if (!match) throw invalidValue(`Resource type of ${arn} is not supported by AWS Backup`);
  return match[1];
}

export function checkRoleArn(arn: string): string {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(arn)) throw invalidValue(`Invalid IAM role ARN: ${arn}`);
  return arn;
}

/** The ARN of a recovery point of `resourceType`, in the shape each type has. */
export function recoveryPointArn(region: string, resourceType: string, jobId: string): string {
  switch (resourceType) {
    case 'EBS':
      return `arn:aws:ec2:${region}::snapshot/snap-${hex(17)}`;
    case 'EC2':
      return `arn:aws:ec2:${region}::image/ami-${hex(17)}`;
    case 'RDS':
      return `arn:aws:rds:${region}:${ACCOUNT_ID}:snapshot:awsbackup:job-${jobId.toLowerCase()}`;
    case 'Aurora':
      return `arn:aws:rds:${region}:${ACCOUNT_ID}:cluster-snapshot:awsbackup:job-${jobId.toLowerCase()}`;
    default:
      return `arn:aws:backup:${region}:${ACCOUNT_ID}:recovery-point:${randomUUID().toUpperCase()}`;
  }
}

/** The region in an ARN (`''` for global ones such as S3 buckets). */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** The resource's own name: the last part of its ARN (`orders` of `...:table/orders`). */
export function resourceNameOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.split(/[/:]/).pop() ?? resource;
}

/** Whether the job's recovery point ARN is public yet. */
export function arnKnown(job: BackupJob): boolean {
  return ARN_AT_START.has(job.ResourceType) || !['CREATED', 'PENDING'].includes(job.State);
}

/** Milliseconds of the emulator's clock that `seconds` of AWS time last. */
export function scaledMs(state: BackupState, seconds: number): number {
  return (seconds * 1000) / state.timeScale;
}

/** When the point's lifecycle moves and deletes it. */
export function calculatedLifecycle(
  point: Pick<RecoveryPoint, 'CreationDate' | 'Lifecycle'>,
): { MoveToColdStorageAt?: Date; DeleteAt?: Date } | undefined {
  const { MoveToColdStorageAfterDays: cold, DeleteAfterDays: expire } = point.Lifecycle ?? {};
  if (cold === undefined && expire === undefined) return undefined;
  const at = (days: number | undefined) =>
    days === undefined ? undefined : new Date(point.CreationDate.getTime() + days * DAY_MS);
  return { MoveToColdStorageAt: at(cold), DeleteAt: at(expire) };
}

/**
 * Brings the job's recovery point in line with the job: it appears (`CREATING`) once its ARN is
 * public, becomes `COMPLETED` or `PARTIAL` with the job, and vanishes if the job fails.
 */
export function syncPoint(state: BackupState, job: BackupJob): void {
  const existing = state.points.get(job.RecoveryPointArn);
  if (existing && existing.BackupJobId !== job.BackupJobId) return;
  if (!arnKnown(job) || NO_POINT.has(job.State)) {
    if (existing) state.points.delete(job.RecoveryPointArn);
    return;
  }
  const status: RecoveryPointStatus =
    job.State === 'COMPLETED' || job.State === 'PARTIAL' ? job.State : 'CREATING';
  if (existing) {
    existing.Status = status;
    existing.CompletionDate = job.CompletionDate;
    return;
  }
  const vault = state.vaults.get(job.BackupVaultName);
  state.points.set(job.RecoveryPointArn, {
    RecoveryPointArn: job.RecoveryPointArn,
    BackupVaultName: job.BackupVaultName,
    BackupVaultArn: job.BackupVaultArn,
    ResourceArn: job.ResourceArn,
    ResourceType: job.ResourceType,
    ResourceName: resourceNameOf(job.ResourceArn),
    IamRoleArn: job.IamRoleArn,
    Status: status,
    CreationDate: job.CreationDate,
    CompletionDate: job.CompletionDate,
    Lifecycle: job.Lifecycle,
    BackupSizeInBytes: 1_048_576,
    EncryptionKeyArn: vault?.EncryptionKeyArn ?? '',
    BackupJobId: job.BackupJobId,
  });
}

/** Ends a job in `endState` at `at`. */
export function endJob(job: BackupJob, endState: BackupJobState, at: number, message?: string): void {
  job.State = endState;
  job.CompletionDate = TERMINAL.has(endState) ? new Date(at) : undefined;
  job.StatusMessage = message;
}

/** Ends a restore job: its status, and what a completed restore leaves behind. */
export function endRestore(
  state: BackupState,
  job: RestoreJob,
  status: RestoreJobEnd,
  at: number,
  message?: string,
): void {
  job.Status = status;
  job.StatusMessage = message;
  job.CompletionDate = new Date(at);
  const point = state.points.get(job.RecoveryPointArn);
  if (status === 'COMPLETED' && point && !job.CreatedBy) point.LastRestoreTime = new Date(at);
}

/**
 * Moves everything that runs on the clock up to `now`: timed backup jobs end, restore jobs end, and
 * recovery points past their lifecycle's `DeleteAt` are deleted (as AWS Backup deletes them).
 */
export function settle(state: BackupState, now: number): void {
  for (const job of state.jobs.values()) {
    const endsAt = job.Behaviour?.endsAt;
    if (endsAt === undefined || TERMINAL.has(job.State) || now < endsAt) continue;
    endJob(job, job.Behaviour?.endState ?? 'COMPLETED', endsAt, job.Behaviour?.statusMessage);
    syncPoint(state, job);
  }
  for (const job of state.restoreJobs.values()) {
    if (job.Status === undefined && now >= job.EndsAt) {
      endRestore(state, job, job.EndStatus, job.EndsAt, job.EndMessage);
    }
  }
  for (const [arn, point] of state.points) {
    const deleteAt = calculatedLifecycle(point)?.DeleteAt;
    if (deleteAt !== undefined && deleteAt.getTime() <= now) state.points.delete(arn);
  }
}

/** The newest first (by creation date; the later-made first on a tie). */
export function newestFirst<T extends { readonly CreationDate: Date }>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => b.item.CreationDate.getTime() - a.item.CreationDate.getTime() || b.i - a.i)
    .map(({ item }) => item);
}
