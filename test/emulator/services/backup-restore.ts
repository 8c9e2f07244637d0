/**
 * AWS Backup's recovery points and restores: ListRecoveryPointsByResource, DescribeRecoveryPoint,
 * GetRecoveryPointRestoreMetadata, StartRestoreJob, DescribeRestoreJob and
 * ListRestoreJobsByProtectedResource.
 */
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID } from '../core/ids';
import { Params } from '../core/params';
import { Operation, paginate, read, write } from '../core/service';
import { QUERY, Route } from '../protocols/rest-json';
import {
  BackupState,
  BackupVault,
  calculatedLifecycle,
  checkRoleArn,
  getVault,
  invalidRequest,
  invalidValue,
  newestFirst,
  notFound,
  RecoveryPoint,
  regionOf,
  resourceTypeOf,
  RESOURCE_TYPE_NAMES,
  RestoreJob,
  RestoreJobStatus,
  scaledMs,
  settle,
} from './backup-model';
import { KINDS, Metadata, restoreMetadataOf } from './backup-metadata';

/** How long a restore takes unless a behaviour says otherwise, in AWS seconds. */
export const DEFAULT_RESTORE_SECONDS = 300;
/** Idempotency tokens of StartRestoreJob last an hour. */
const TOKEN_MS = 3_600_000;
const RESTORE_STATUSES: readonly RestoreJobStatus[] = [
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'ABORTED',
  'FAILED',
];

/** Resource ARNs compared as AWS compares names (RDS identifiers ignore case). */
function sameResource(a: string, b: string): boolean {
  return a.includes(':rds:') ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Whether `arn` exists: a protected resource, or one a restore made (or is making). */
function exists(state: BackupState, arn: string): boolean {
  for (const point of state.points.values()) if (sameResource(point.ResourceArn, arn)) return true;
  for (const job of state.jobs.values()) if (sameResource(job.ResourceArn, arn)) return true;
  for (const job of state.restoreJobs.values()) {
    // A restore test's resource is deleted once tested.
    const lives =
      !job.CreatedBy &&
      job.CreatesResource &&
      job.EndStatus === 'COMPLETED' &&
      (job.Status ?? 'COMPLETED') === 'COMPLETED';
    if (lives && sameResource(job.TargetResourceArn, arn)) return true;
  }
  return false;
}

/** What DescribeRecoveryPoint answers. */
export function describePoint(point: RecoveryPoint): Record<string, unknown> {
  return {
    RecoveryPointArn: point.RecoveryPointArn,
    BackupVaultName: point.BackupVaultName,
    BackupVaultArn: point.BackupVaultArn,
    ResourceArn: point.ResourceArn,
    ResourceType: point.ResourceType,
    ResourceName: point.ResourceName,
    IamRoleArn: point.IamRoleArn,
    Status: point.Status,
    StatusMessage: point.StatusMessage,
    CreationDate: point.CreationDate,
    InitiationDate: point.CreationDate,
    CompletionDate: point.CompletionDate,
    BackupSizeInBytes: point.BackupSizeInBytes,
    CalculatedLifecycle: calculatedLifecycle(point),
    Lifecycle: point.Lifecycle,
    EncryptionKeyArn: point.EncryptionKeyArn,
    IsEncrypted: true,
    StorageClass: 'WARM',
    LastRestoreTime: point.LastRestoreTime,
    IsParent: false,
    VaultType: 'BACKUP_VAULT',
  };
}

/** What DescribeRestoreJob (and the restore job lists) answer, as of `now`. */
export function describeRestoreJob(job: RestoreJob, now: number): Record<string, unknown> {
  const status: RestoreJobStatus = job.Status ?? (now < job.RunningAt ? 'PENDING' : 'RUNNING');
  const at = job.CompletionDate?.getTime() ?? now;
  const running = Math.max(0, job.EndsAt - job.RunningAt);
  const fraction =
    status === 'COMPLETED' ? 1 : running === 0 ? 0 : Math.min(1, Math.max(0, (at - job.RunningAt) / running));
  return {
    AccountId: job.AccountId,
    RestoreJobId: job.RestoreJobId,
    RecoveryPointArn: job.RecoveryPointArn,
    SourceResourceArn: job.SourceResourceArn,
    BackupVaultArn: job.BackupVaultArn,
    CreationDate: job.CreationDate,
    CompletionDate: job.CompletionDate,
    Status: status,
    StatusMessage: job.StatusMessage,
    PercentDone: `${(fraction * 100).toFixed(2)}%`,
    BackupSizeInBytes: job.BackupSizeInBytes,
    IamRoleArn: job.IamRoleArn,
    ExpectedCompletionTimeMinutes: job.ExpectedCompletionTimeMinutes,
    CreatedResourceArn: status === 'COMPLETED' ? job.TargetResourceArn : undefined,
    ResourceType: job.ResourceType,
    RecoveryPointCreationDate: job.RecoveryPointCreationDate,
    CreatedBy: job.CreatedBy,
    ValidationStatus: job.ValidationStatus,
    ValidationStatusMessage: job.ValidationStatusMessage,
    DeletionStatus: job.DeletionStatus,
    DeletionStatusMessage: job.DeletionStatusMessage,
    IsParent: false,
  };
}

function pointInVault(state: BackupState, p: Params): { vault: BackupVault; point: RecoveryPoint } {
  const vault = getVault(state, p.reqStr('BackupVaultName'));
  const arn = p.reqStr('RecoveryPointArn');
  const point = state.points.get(arn);
  if (!point || point.BackupVaultName !== vault.BackupVaultName) {
    throw notFound(`Recovery point ${arn} does not exist in backup vault ${vault.BackupVaultName}.`);
  }
  return { vault, point };
}

function pageSize(query: URLSearchParams, min = 1): number {
  const max = query.has('maxResults') ? Number(query.get('maxResults')) : 1000;
  if (!Number.isInteger(max) || max < min || max > 1000) {
    throw invalidValue(`maxResults must be between ${min} and 1000`);
  }
  return max;
}

function dateQuery(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const time = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(time)) throw invalidValue(`Invalid ${name}: ${value}`);
  return time;
}

export const restoreRoutes: Route[] = [
  { method: 'GET', path: '/resources/{ResourceArn}/recovery-points', action: 'ListRecoveryPointsByResource' },
  {
    method: 'GET',
    path: '/backup-vaults/{BackupVaultName}/recovery-points/{RecoveryPointArn}',
    action: 'DescribeRecoveryPoint',
  },
  {
    method: 'GET',
    path: '/backup-vaults/{BackupVaultName}/recovery-points/{RecoveryPointArn}/restore-metadata',
    action: 'GetRecoveryPointRestoreMetadata',
  },
  { method: 'PUT', path: '/restore-jobs', action: 'StartRestoreJob' },
  { method: 'GET', path: '/restore-jobs/{RestoreJobId}', action: 'DescribeRestoreJob' },
  {
    method: 'GET',
    path: '/resources/{ResourceArn}/restore-jobs',
    action: 'ListRestoreJobsByProtectedResource',
  },
];

export const restoreOperations: Record<string, Operation<BackupState>> = {
  ListRecoveryPointsByResource: read((state, { params: p, input, runtime }) => {
    settle(state, runtime.now());
    const resourceArn = p.reqStr('ResourceArn');
    const type = resourceTypeOf(resourceArn);
    const query = input[QUERY] as URLSearchParams;
    // "Amazon RDS requires a value of at least 20" (the API reference).
    const max = pageSize(query, type === 'RDS' || type === 'Aurora' ? 20 : 1);
    const points = newestFirst([...state.points.values()].filter((pt) => pt.ResourceArn === resourceArn)).map(
      (pt) => ({
        RecoveryPointArn: pt.RecoveryPointArn,
        CreationDate: pt.CreationDate,
        Status: pt.Status,
        StatusMessage: pt.StatusMessage,
        EncryptionKeyArn: pt.EncryptionKeyArn,
        BackupSizeBytes: pt.BackupSizeInBytes,
        BackupVaultName: pt.BackupVaultName,
        IsParent: false,
        ResourceName: pt.ResourceName,
        VaultType: 'BACKUP_VAULT',
      }),
    );
    const { page, next } = paginate(points, query.get('nextToken') ?? undefined, max, () =>
      invalidValue('Invalid nextToken'),
    );
    return { RecoveryPoints: page, NextToken: next };
  }),

  DescribeRecoveryPoint: read((state, { params: p, runtime }) => {
    settle(state, runtime.now());
    return describePoint(pointInVault(state, p).point);
  }),

  GetRecoveryPointRestoreMetadata: read((state, { params: p, runtime }) => {
    settle(state, runtime.now());
    const { vault, point } = pointInVault(state, p);
    return {
      BackupVaultArn: vault.BackupVaultArn,
      RecoveryPointArn: point.RecoveryPointArn,
      RestoreMetadata: restoreMetadataOf(point),
      ResourceType: point.ResourceType,
    };
  }),

  StartRestoreJob: write((state, { params: p, region, runtime }) => {
    const now = runtime.now();
    settle(state, now);
    const pointArn = p.reqStr('RecoveryPointArn');
    const metadata = p.strMap('Metadata');
    if (metadata === undefined) throw p.errors.missing(p.path('Metadata'));
    const roleArn = p.str('IamRoleArn');
    const requestedType = p.str('ResourceType');
    if (requestedType !== undefined && !RESOURCE_TYPE_NAMES.includes(requestedType)) {
      throw invalidValue(`Invalid ResourceType ${requestedType}`);
    }
    const token = p.str('IdempotencyToken');
    const earlier = token === undefined ? undefined : state.restoreTokens.get(token);
    const earlierJob =
      earlier && now - earlier.at < TOKEN_MS ? state.restoreJobs.get(earlier.jobId) : undefined;
    if (earlierJob) {
      if (earlierJob.RecoveryPointArn !== pointArn) {
        throw invalidRequest(
          `IdempotencyToken ${token} was already used to restore ${earlierJob.RecoveryPointArn}`,
        );
      }
      return { RestoreJobId: earlierJob.RestoreJobId };
    }
    const point = state.points.get(pointArn);
    if (!point) throw notFound(`Recovery point ${pointArn} does not exist.`);
    if (roleArn === undefined) throw p.errors.missing(p.path('IamRoleArn'));
    checkRoleArn(roleArn);
    if (point.Status !== 'COMPLETED') {
      throw invalidRequest(
        `Recovery point ${pointArn} is ${point.Status}: only a COMPLETED recovery point can be restored`,
      );
    }
    if (requestedType !== undefined && requestedType !== point.ResourceType) {
      throw invalidValue(
        `ResourceType ${requestedType} does not match the recovery point's resource type ${point.ResourceType}`,
      );
    }
    const kind = KINDS[point.ResourceType];
    if (!kind) throw invalidValue(`Restores of ${point.ResourceType} recovery points are not emulated`);
    const pointRegion = regionOf(point.BackupVaultArn) || region;
    const target = kind.target(new Metadata(metadata, point.ResourceType), point, pointRegion);
    const behaviour = state.restoreBehaviours.get(point.ResourceArn) ?? state.restoreBehaviours.get('*');
    const seconds = behaviour?.completeAfterSeconds ?? DEFAULT_RESTORE_SECONDS;
    const runningAt = now + scaledMs(state, seconds / 5);
    const clash = target.creates && exists(state, target.arn);
    const failure = clash ? target.clash || `Resource already exists: ${target.arn}` : behaviour?.failWith;
    const vault = state.vaults.get(point.BackupVaultName);
    const job: RestoreJob = {
      AccountId: ACCOUNT_ID,
      RestoreJobId: randomUUID().toUpperCase(),
      RecoveryPointArn: point.RecoveryPointArn,
      SourceResourceArn: point.ResourceArn,
      BackupVaultArn: vault?.BackupVaultArn ?? point.BackupVaultArn,
      ResourceType: point.ResourceType,
      IamRoleArn: roleArn,
      CreationDate: new Date(now),
      RecoveryPointCreationDate: point.CreationDate,
      BackupSizeInBytes: point.BackupSizeInBytes,
      ExpectedCompletionTimeMinutes: Math.max(1, Math.ceil(seconds / 60)),
      Metadata: { ...metadata },
      TargetResourceArn: target.arn,
      CreatesResource: target.creates,
      RunningAt: runningAt,
      // A name already taken fails as the job starts to run; other failures at the end.
      EndsAt: clash ? runningAt : now + scaledMs(state, seconds),
      EndStatus: failure === undefined ? 'COMPLETED' : 'FAILED',
      EndMessage: failure,
      IdempotencyToken: token,
    };
    state.restoreJobs.set(job.RestoreJobId, job);
    if (token !== undefined) state.restoreTokens.set(token, { jobId: job.RestoreJobId, at: now });
    return { RestoreJobId: job.RestoreJobId };
  }),

  DescribeRestoreJob: read((state, { params: p, runtime }) => {
    const now = runtime.now();
    settle(state, now);
    const id = p.reqStr('RestoreJobId');
    const job = state.restoreJobs.get(id);
    if (!job) throw notFound(`Restore job ${id} does not exist.`);
    return describeRestoreJob(job, now);
  }),

  ListRestoreJobsByProtectedResource: read((state, { params: p, input, runtime }) => {
    const now = runtime.now();
    settle(state, now);
    const resourceArn = p.reqStr('ResourceArn');
    resourceTypeOf(resourceArn);
    const query = input[QUERY] as URLSearchParams;
    const max = pageSize(query);
    const status = query.get('status');
    if (status !== null && !RESTORE_STATUSES.includes(status as RestoreJobStatus)) {
      throw invalidValue(`Invalid status ${status}: one of ${RESTORE_STATUSES.join(', ')}`);
    }
    const after = dateQuery(query, 'recoveryPointCreationDateAfter');
    const before = dateQuery(query, 'recoveryPointCreationDateBefore');
    const jobs = newestFirst(
      [...state.restoreJobs.values()].filter((j) => j.SourceResourceArn === resourceArn),
    )
      .map((j) => describeRestoreJob(j, now))
      .filter(
        (j) =>
          (status === null || j.Status === status) &&
          (after === undefined || (j.RecoveryPointCreationDate as Date).getTime() >= after) &&
          (before === undefined || (j.RecoveryPointCreationDate as Date).getTime() <= before),
      );
    const { page, next } = paginate(jobs, query.get('nextToken') ?? undefined, max, () =>
      invalidValue('Invalid nextToken'),
    );
    return { RestoreJobs: page, NextToken: next };
  }),
};
