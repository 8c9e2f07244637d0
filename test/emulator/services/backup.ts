/**
 * AWS Backup: vaults and backup jobs here; recovery points and restores in `backup-restore.ts`; the
 * state and its clock in `backup-model.ts`; the in-process controls in `backup-inspector.ts`.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../core/aws-error';
import { ACCOUNT_ID } from '../core/ids';
import { Params, ValidationErrors } from '../core/params';
import { Operation, paginate, read, ServiceDefinition, write } from '../core/service';
import { QUERY, RestJsonProtocol, Route } from '../protocols/rest-json';
import {
  ARN_AT_START,
  arnKnown,
  BackupJob,
  BackupJobState,
  BackupState,
  BackupVault,
  calculatedLifecycle,
  checkRoleArn,
  createBackupState,
  endJob,
  getVault,
  invalidRequest,
  invalidValue,
  notFound,
  recoveryPointArn,
  resourceTypeOf,
  scaledMs,
  settle,
  syncPoint,
  TERMINAL,
  vaultArn,
} from './backup-model';
import { restoreOperations, restoreRoutes } from './backup-restore';

export type {
  BackupJob,
  BackupJobBehaviour,
  BackupJobState,
  BackupLifecycle,
  BackupState,
  BackupVault,
  RecoveryPoint,
  RecoveryPointStatus,
  RestoreJob,
  RestoreJobBehaviour,
  RestoreJobEnd,
  RestoreJobStatus,
  RestoreValidationStatus,
} from './backup-model';

/** The state a job is in at the next DescribeBackupJob, after it has been read in `state`. */
const NEXT_STATE: Readonly<Partial<Record<BackupJobState, BackupJobState>>> = {
  CREATED: 'RUNNING',
  PENDING: 'RUNNING',
  RUNNING: 'COMPLETED',
  ABORTING: 'ABORTED',
};

const DEFAULT_START_WINDOW_MINUTES = 8 * 60;
const MAX_WINDOW_MINUTES = 52_560_000;

const validation: ValidationErrors = {
  missing: (member) =>
    new AwsError('MissingParameterValueException', `Missing required parameter: ${member}`),
  invalid: invalidValue,
};

function checkVaultName(name: string): string {
  if (!/^[a-zA-Z0-9\-_]{2,50}$/.test(name)) {
    throw invalidValue(
      `Invalid backup vault name ${name}: it must be 2 to 50 characters: letters, numbers, hyphens and underscores`,
    );
  }
  return name;
}

function windowMinutes(p: Params, name: string): number | undefined {
  const minutes = p.int(name);
  if (minutes !== undefined && (minutes < 1 || minutes > MAX_WINDOW_MINUTES)) {
    throw invalidValue(`${name} must be between 1 and ${MAX_WINDOW_MINUTES} minutes`);
  }
  return minutes;
}

function readLifecycle(p: Params): BackupJob['Lifecycle'] {
  const lifecycle = p.obj('Lifecycle');
  if (!lifecycle) return undefined;
  const cold = lifecycle.int('MoveToColdStorageAfterDays');
  const expire = lifecycle.int('DeleteAfterDays');
  if (cold !== undefined && expire !== undefined && expire < cold + 90) {
    throw invalidValue(
      'DeleteAfterDays must be at least 90 days greater than MoveToColdStorageAfterDays (the minimum stay in cold storage)',
    );
  }
  return { MoveToColdStorageAfterDays: cold, DeleteAfterDays: expire };
}

/** What DescribeBackupJob answers for a job. */
function describe(job: BackupJob): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...job };
  delete shown.IdempotencyToken;
  delete shown.RecoveryPointTags;
  delete shown.Behaviour;
  return {
    ...shown,
    RecoveryPointArn: arnKnown(job) ? job.RecoveryPointArn : undefined,
    PercentDone: job.State === 'COMPLETED' ? '100.0' : undefined,
    BackupType: '',
    IsParent: false,
  };
}

const routes: Route[] = [
  { method: 'PUT', path: '/backup-vaults/{BackupVaultName}', action: 'CreateBackupVault' },
  {
    method: 'GET',
    path: '/backup-vaults/{BackupVaultName}/recovery-points',
    action: 'ListRecoveryPointsByBackupVault',
  },
  { method: 'PUT', path: '/backup-jobs', action: 'StartBackupJob' },
  { method: 'GET', path: '/backup-jobs/{BackupJobId}', action: 'DescribeBackupJob' },
];

const operations: Record<string, Operation<BackupState>> = {
  CreateBackupVault: write((state, { params: p, region, runtime }) => {
    const name = checkVaultName(p.reqStr('BackupVaultName'));
    const requestId = p.str('CreatorRequestId');
    const existing = state.vaults.get(name);
    if (existing) {
      // A retry of the same request (the SDK fills CreatorRequestId once per call) succeeds again.
      if (requestId !== undefined && requestId === existing.CreatorRequestId) {
        return {
          BackupVaultName: name,
          BackupVaultArn: existing.BackupVaultArn,
          CreationDate: existing.CreationDate,
        };
      }
      throw new AwsError('AlreadyExistsException', `Backup vault with the same name already exists`, {
        fields: { Arn: existing.BackupVaultArn, CreatorRequestId: requestId ?? '' },
      });
    }
    const vault: BackupVault = {
      BackupVaultName: name,
      BackupVaultArn: vaultArn(region, name),
      CreationDate: new Date(runtime.now()),
      EncryptionKeyArn:
        p.str('EncryptionKeyArn') ?? `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${randomUUID()}`,
      CreatorRequestId: requestId,
      BackupVaultTags: p.strMap('BackupVaultTags') ?? {},
    };
    state.vaults.set(name, vault);
    return { BackupVaultName: name, BackupVaultArn: vault.BackupVaultArn, CreationDate: vault.CreationDate };
  }),

  StartBackupJob: write((state, { params: p, region, runtime }) => {
    const vaultName = p.reqStr('BackupVaultName');
    const resourceArn = p.reqStr('ResourceArn');
    const roleArn = checkRoleArn(p.reqStr('IamRoleArn'));
    const resourceType = resourceTypeOf(resourceArn);
    const startWindow = windowMinutes(p, 'StartWindowMinutes');
    const completeWindow = windowMinutes(p, 'CompleteWindowMinutes');
    if (startWindow !== undefined && startWindow < 60) {
      throw invalidValue('StartWindowMinutes must be at least 60 minutes');
    }
    if (startWindow !== undefined && completeWindow !== undefined && completeWindow <= startWindow) {
      throw invalidValue('CompleteWindowMinutes must be greater than StartWindowMinutes');
    }
    const lifecycle = readLifecycle(p);
    const tags = p.strMap('RecoveryPointTags') ?? {};
    const backupOptions = p.strMap('BackupOptions');
    const vault = getVault(state, vaultName);
    const token = p.str('IdempotencyToken');
    const earlier = token === undefined ? undefined : state.jobs.get(state.tokens.get(token) ?? '');
    const started = (job: BackupJob) => ({
      BackupJobId: job.BackupJobId,
      RecoveryPointArn: ARN_AT_START.has(job.ResourceType) ? job.RecoveryPointArn : undefined,
      CreationDate: job.CreationDate,
      IsParent: false,
    });
    if (earlier) {
      if (earlier.BackupVaultName !== vault.BackupVaultName || earlier.ResourceArn !== resourceArn) {
        throw invalidRequest(
          `IdempotencyToken ${token} was already used to back up ${earlier.ResourceArn} to ${earlier.BackupVaultName}`,
        );
      }
      return started(earlier);
    }
    const id = randomUUID().toUpperCase();
    const now = runtime.now();
    const behaviour = state.backupBehaviours.get(resourceArn) ?? state.backupBehaviours.get('*');
    const job: BackupJob = {
      AccountId: ACCOUNT_ID,
      BackupJobId: id,
      BackupVaultName: vault.BackupVaultName,
      BackupVaultArn: vault.BackupVaultArn,
      RecoveryPointArn: recoveryPointArn(region, resourceType, id),
      ResourceArn: resourceArn,
      ResourceType: resourceType,
      IamRoleArn: roleArn,
      CreationDate: new Date(now),
      StartBy: new Date(now + (startWindow ?? DEFAULT_START_WINDOW_MINUTES) * 60_000),
      State: 'CREATED',
      IdempotencyToken: token,
      RecoveryPointTags: tags,
      BackupOptions: backupOptions,
      Lifecycle: lifecycle,
      Behaviour: behaviour && {
        ...behaviour,
        endsAt:
          behaviour.completeAfterSeconds === undefined
            ? undefined
            : now + scaledMs(state, behaviour.completeAfterSeconds),
      },
    };
    state.jobs.set(id, job);
    if (token !== undefined) state.tokens.set(token, id);
    syncPoint(state, job);
    return started(job);
  }),

  DescribeBackupJob: read((state, { params: p, runtime }) => {
    const now = runtime.now();
    settle(state, now);
    const id = p.reqStr('BackupJobId');
    const job = state.jobs.get(id);
    if (!job) throw notFound(`Backup job ${id} does not exist.`);
    const answer = describe(job);
    // The job moves on between polls: CREATED, then RUNNING, then its end (a timed job ends on the
    // clock instead).
    const next =
      job.Behaviour?.endsAt !== undefined && job.State === 'RUNNING' ? undefined : NEXT_STATE[job.State];
    if (next) {
      const end = next === 'COMPLETED' ? (job.Behaviour?.endState ?? next) : next;
      endJob(job, end, now, TERMINAL.has(end) ? job.Behaviour?.statusMessage : undefined);
      syncPoint(state, job);
    }
    return answer;
  }),

  ListRecoveryPointsByBackupVault: read((state, { params: p, input, runtime }) => {
    settle(state, runtime.now());
    const vault = getVault(state, p.reqStr('BackupVaultName'));
    const query = input[QUERY] as URLSearchParams;
    const resourceArn = query.get('resourceArn');
    const resourceType = query.get('resourceType');
    const maxResults = query.has('maxResults') ? Number(query.get('maxResults')) : 1000;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
      throw invalidValue('maxResults must be between 1 and 1000');
    }
    const points = [...state.points.values()]
      .filter(
        (point) =>
          point.BackupVaultName === vault.BackupVaultName &&
          (resourceArn === null || point.ResourceArn === resourceArn) &&
          (resourceType === null || point.ResourceType === resourceType),
      )
      .map((point) => ({
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
        CompletionDate: point.CompletionDate,
        BackupSizeInBytes: point.BackupSizeInBytes,
        CalculatedLifecycle: calculatedLifecycle(point),
        Lifecycle: point.Lifecycle,
        EncryptionKeyArn: point.EncryptionKeyArn,
        IsEncrypted: true,
        LastRestoreTime: point.LastRestoreTime,
        IsParent: false,
        VaultType: 'BACKUP_VAULT',
      }));
    const { page, next } = paginate(points, query.get('nextToken') ?? undefined, maxResults, () =>
      invalidValue('Invalid nextToken'),
    );
    return { RecoveryPoints: page, NextToken: next };
  }),

  ...restoreOperations,
};

/** AWS Backup: AWS REST-JSON, API version 2018-11-15. */
export const backupService: ServiceDefinition<BackupState> = {
  name: 'backup',
  protocol: new RestJsonProtocol({
    routes: [...routes, ...restoreRoutes],
    dates: 'epoch-seconds',
    badJson: () => new AwsError('SerializationException', 'Could not parse the request body as JSON'),
    noRoute: (req) =>
      new AwsError('UnknownOperationException', `No Backup operation for ${req.method} ${req.path}`, {
        status: 404,
      }),
  }),
  errors: validation,
  throttlingError: () => new AwsError('ThrottlingException', 'Rate exceeded', { status: 400 }),
  internalErrorCode: 'ServiceUnavailableException',
  unknownAction: (action) =>
    new AwsError('UnknownOperationException', `Unknown operation ${action}`, { status: 404 }),
  createState: createBackupState,
  operations,
};
