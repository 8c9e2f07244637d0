import { randomUUID } from 'node:crypto';
import { AwsError } from '../core/aws-error';
import { ACCOUNT_ID, hex } from '../core/ids';
import { Params, ValidationErrors } from '../core/params';
import { Operation, paginate, read, Runtime, ServiceDefinition, write } from '../core/service';
import { QUERY, RestJsonProtocol, Route } from '../protocols/rest-json';

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
  Lifecycle?: { MoveToColdStorageAfterDays?: number; DeleteAfterDays?: number };
}

export interface BackupState {
  /** By vault name (names are unique per account and region; the emulator shares one state). */
  vaults: Map<string, BackupVault>;
  /** By job id, in start order. */
  jobs: Map<string, BackupJob>;
  /** Job ids by the idempotency token that started them. */
  tokens: Map<string, string>;
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

/** Resource types whose recovery point ARN StartBackupJob already returns. */
const ARN_AT_START = new Set(['EFS', 'DynamoDB']);

const TERMINAL: ReadonlySet<BackupJobState> = new Set([
  'ABORTED',
  'COMPLETED',
  'FAILED',
  'EXPIRED',
  'PARTIAL',
]);

/** The state a job is in at the next DescribeBackupJob, after it has been read in `state`. */
const NEXT_STATE: Readonly<Partial<Record<BackupJobState, BackupJobState>>> = {
  CREATED: 'RUNNING',
  PENDING: 'RUNNING',
  RUNNING: 'COMPLETED',
  ABORTING: 'ABORTED',
};

const DEFAULT_START_WINDOW_MINUTES = 8 * 60;
const MAX_WINDOW_MINUTES = 52_560_000;

const invalidValue = (message: string): AwsError => new AwsError('InvalidParameterValueException', message);

const validation: ValidationErrors = {
  missing: (member) =>
    new AwsError('MissingParameterValueException', `Missing required parameter: ${member}`),
  invalid: invalidValue,
};

const vaultNotFound = (name: string): AwsError =>
  new AwsError('ResourceNotFoundException', `Backup vault ${name} does not exist.`);

function vaultArn(region: string, name: string): string {
  return `arn:aws:backup:${region}:${ACCOUNT_ID}:backup-vault:${name}`;
}

/** The ARN of a job's recovery point, in the shape each resource type has. */
function recoveryPointArn(region: string, resourceType: string, jobId: string): string {
  switch (resourceType) {
    case 'EBS':
      return `arn:aws:ec2:${region}::snapshot/snap-${hex(17)}`;
    case 'EC2':
      return `arn:aws:ec2:${region}::image/ami-${hex(17)}`;
    case 'RDS':
      return `arn:aws:rds:${region}:${ACCOUNT_ID}:snapshot:awsbackup:job-${jobId}`;
    case 'Aurora':
      return `arn:aws:rds:${region}:${ACCOUNT_ID}:cluster-snapshot:awsbackup:job-${jobId}`;
    default:
      return `arn:aws:backup:${region}:${ACCOUNT_ID}:recovery-point:${randomUUID().toUpperCase()}`;
  }
}

/** Whether the job's recovery point ARN is public yet. */
function arnKnown(job: BackupJob): boolean {
  return ARN_AT_START.has(job.ResourceType) || !['CREATED', 'PENDING'].includes(job.State);
}

function getVault(state: BackupState, name: string): BackupVault {
  const vault = state.vaults.get(name);
  if (!vault) throw vaultNotFound(name);
  return vault;
}

function checkVaultName(name: string): string {
  if (!/^[a-zA-Z0-9\-_]{2,50}$/.test(name)) {
    throw invalidValue(
      `Invalid backup vault name ${name}: it must be 2 to 50 characters: letters, numbers, hyphens and underscores`,
    );
  }
  return name;
}

function resourceTypeOf(arn: string): string {
  if (!arn.startsWith('arn:')) throw invalidValue(`Invalid ARN: ${arn}`);
  const match = RESOURCE_TYPES.find(([pattern]) => pattern.test(arn));
  if (!match) throw invalidValue(`Resource type of ${arn} is not supported by AWS Backup`);
  return match[1];
}

function checkRoleArn(arn: string): string {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(arn)) throw invalidValue(`Invalid IAM role ARN: ${arn}`);
  return arn;
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
        throw new AwsError(
          'InvalidRequestException',
          `IdempotencyToken ${token} was already used to back up ${earlier.ResourceArn} to ${earlier.BackupVaultName}`,
        );
      }
      return started(earlier);
    }
    const id = randomUUID().toUpperCase();
    const now = runtime.now();
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
    };
    state.jobs.set(id, job);
    if (token !== undefined) state.tokens.set(token, id);
    return started(job);
  }),

  DescribeBackupJob: read((state, { params: p, runtime }) => {
    const id = p.reqStr('BackupJobId');
    const job = state.jobs.get(id);
    if (!job) throw new AwsError('ResourceNotFoundException', `Backup job ${id} does not exist.`);
    const answer = describe(job);
    // The job moves on between polls: CREATED, then RUNNING, then COMPLETED.
    const next = NEXT_STATE[job.State];
    if (next) {
      job.State = next;
      if (TERMINAL.has(next)) job.CompletionDate = new Date(runtime.now());
    }
    return answer;
  }),

  ListRecoveryPointsByBackupVault: read((state, { params: p, input }) => {
    const vault = getVault(state, p.reqStr('BackupVaultName'));
    const query = input[QUERY] as URLSearchParams;
    const resourceArn = query.get('resourceArn');
    const resourceType = query.get('resourceType');
    const maxResults = query.has('maxResults') ? Number(query.get('maxResults')) : 1000;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
      throw invalidValue('maxResults must be between 1 and 1000');
    }
    const points = [...state.jobs.values()]
      .filter(
        (job) =>
          job.BackupVaultName === vault.BackupVaultName &&
          arnKnown(job) &&
          !['ABORTED', 'FAILED', 'EXPIRED'].includes(job.State) &&
          (resourceArn === null || job.ResourceArn === resourceArn) &&
          (resourceType === null || job.ResourceType === resourceType),
      )
      .map((job) => ({
        RecoveryPointArn: job.RecoveryPointArn,
        BackupVaultName: job.BackupVaultName,
        BackupVaultArn: job.BackupVaultArn,
        ResourceArn: job.ResourceArn,
        ResourceType: job.ResourceType,
        IamRoleArn: job.IamRoleArn,
        Status: job.State === 'COMPLETED' || job.State === 'PARTIAL' ? job.State : 'CREATING',
        CreationDate: job.CreationDate,
        CompletionDate: job.CompletionDate,
        Lifecycle: job.Lifecycle,
        EncryptionKeyArn: vault.EncryptionKeyArn,
        IsEncrypted: true,
        IsParent: false,
        VaultType: 'BACKUP_VAULT',
      }));
    const { page, next } = paginate(points, query.get('nextToken') ?? undefined, maxResults, () =>
      invalidValue('Invalid nextToken'),
    );
    return { RecoveryPoints: page, NextToken: next };
  }),
};

/** AWS Backup: AWS REST-JSON, API version 2018-11-15. */
export const backupService: ServiceDefinition<BackupState> = {
  name: 'backup',
  protocol: new RestJsonProtocol({
    routes,
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
  createState: () => ({ vaults: new Map(), jobs: new Map(), tokens: new Map() }),
  operations,
};

/** In-process access to AWS Backup for tests and drills. */
export class BackupInspector {
  constructor(
    private readonly state: () => BackupState,
    private readonly runtime: Runtime,
  ) {}

  vaults(): BackupVault[] {
    return structuredClone([...this.state().vaults.values()]);
  }

  /** Jobs in start order, optionally those of one vault. */
  jobs(vaultName?: string): BackupJob[] {
    return structuredClone(
      [...this.state().jobs.values()].filter(
        (j) => vaultName === undefined || j.BackupVaultName === vaultName,
      ),
    );
  }

  job(backupJobId: string): BackupJob | undefined {
    return structuredClone(this.state().jobs.get(backupJobId));
  }

  /**
   * Puts a job in `state` (a drill's failed or expired backup). From `CREATED`, `PENDING`,
   * `RUNNING` or `ABORTING` it moves on at the next DescribeBackupJob; the other states are final.
   */
  setJobState(backupJobId: string, state: BackupJobState, statusMessage?: string): void {
    const job = this.state().jobs.get(backupJobId);
    if (!job) throw new Error(`No backup job ${backupJobId}`);
    job.State = state;
    job.StatusMessage = statusMessage;
    job.CompletionDate = TERMINAL.has(state) ? new Date(this.runtime.now()) : undefined;
  }
}
