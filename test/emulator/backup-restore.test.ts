/**
 * AWS Backup's recovery points, restores and restore tests, through `@aws-sdk/client-backup`:
 * what the backup readiness gate reads and what `restore-data` starts and follows.
 */
import {
  BackupClient,
  CreateBackupVaultCommand,
  DescribeBackupJobCommand,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  ListRecoveryPointsByResourceCommand,
  ListRestoreJobsByProtectedResourceCommand,
  StartBackupJobCommand,
  StartRestoreJobCommand,
  type StartRestoreJobCommandInput,
} from '@aws-sdk/client-backup';
import { errorOf, ManualClock, useEmulator } from './testing';

const clock = new ManualClock();
const emulator = useEmulator({ clock: clock.now });
let backup: BackupClient;

beforeEach(() => {
  backup = new BackupClient({ ...emulator().clientConfig(), maxAttempts: 1 });
});
afterEach(() => backup.destroy());

const ROLE = 'arn:aws:iam::123456789012:role/switchback-restore';
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const DB = 'arn:aws:rds:us-east-1:123456789012:db:orders-db';
const CLUSTER = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-cluster';
const FILES = 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0';
const VOLUME = 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0';
const BUCKET = 'arn:aws:s3:::orders-exports';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const seed = (resourceArn = TABLE, ageMs = HOUR, more: Record<string, unknown> = {}) =>
  emulator().backup.seedRecoveryPoint({
    resourceArn,
    backupVaultName: 'releases',
    creationDate: new Date(clock.now() - ageMs),
    ...more,
  });

const restore = (input: Partial<StartRestoreJobCommandInput> & { RecoveryPointArn: string }) =>
  backup.send(
    new StartRestoreJobCommand({
      IamRoleArn: ROLE,
      Metadata: { targetTableName: 'orders-r-42' },
      ...input,
    }),
  );

const describeRestore = (RestoreJobId: string | undefined) =>
  backup.send(new DescribeRestoreJobCommand({ RestoreJobId }));

describe('recovery points made by backup jobs', () => {
  it('appear once the job runs, COMPLETED with its completion date and lifecycle', async () => {
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'releases' }));
    const created = clock.now();
    const job = await backup.send(
      new StartBackupJobCommand({
        BackupVaultName: 'releases',
        ResourceArn: TABLE,
        IamRoleArn: ROLE,
        Lifecycle: { DeleteAfterDays: 35 },
      }),
    );
    const listed = await backup.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: TABLE }));
    expect(listed.RecoveryPoints?.map((p) => [p.RecoveryPointArn, p.Status])).toEqual([
      [job.RecoveryPointArn, 'CREATING'],
    ]);
    clock.advance(60_000);
    await backup.send(new DescribeBackupJobCommand({ BackupJobId: job.BackupJobId }));
    await backup.send(new DescribeBackupJobCommand({ BackupJobId: job.BackupJobId }));
    const point = await backup.send(
      new DescribeRecoveryPointCommand({
        BackupVaultName: 'releases',
        RecoveryPointArn: job.RecoveryPointArn,
      }),
    );
    expect(point).toMatchObject({
      RecoveryPointArn: job.RecoveryPointArn,
      BackupVaultName: 'releases',
      ResourceArn: TABLE,
      ResourceType: 'DynamoDB',
      ResourceName: 'orders',
      Status: 'COMPLETED',
      CreationDate: new Date(created),
      CompletionDate: new Date(created + 60_000),
      Lifecycle: { DeleteAfterDays: 35 },
      CalculatedLifecycle: { DeleteAt: new Date(created + 35 * DAY) },
      IsEncrypted: true,
    });
  });

  it('never appear for a failed job', async () => {
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'releases' }));
    const job = await backup.send(
      new StartBackupJobCommand({ BackupVaultName: 'releases', ResourceArn: TABLE, IamRoleArn: ROLE }),
    );
    emulator().backup.setJobState(job.BackupJobId as string, 'FAILED', 'Access denied');
    const listed = await backup.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: TABLE }));
    expect(listed.RecoveryPoints).toEqual([]);
  });

  it('are deleted by their lifecycle once DeleteAt has passed', async () => {
    const point = seed(TABLE, 0, { deleteAfterDays: 7 });
    clock.advance(7 * DAY - 1);
    const still = await backup.send(
      new DescribeRecoveryPointCommand({
        BackupVaultName: 'releases',
        RecoveryPointArn: point.RecoveryPointArn,
      }),
    );
    expect(still.CalculatedLifecycle?.DeleteAt).toEqual(new Date(clock.now() + 1));
    clock.advance(1);
    const err = await errorOf(() =>
      backup.send(
        new DescribeRecoveryPointCommand({
          BackupVaultName: 'releases',
          RecoveryPointArn: point.RecoveryPointArn,
        }),
      ),
    );
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 400]);
  });
});

describe('slow and failing backup jobs', () => {
  beforeEach(() => backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'releases' })));
  const start = () =>
    backup.send(
      new StartBackupJobCommand({ BackupVaultName: 'releases', ResourceArn: TABLE, IamRoleArn: ROLE }),
    );
  const state = async (BackupJobId: string | undefined) =>
    (await backup.send(new DescribeBackupJobCommand({ BackupJobId }))).State;

  it('runs a slow job until its time, however often it is read', async () => {
    emulator().backup.setBackupBehaviour(TABLE, { completeAfterSeconds: 600 });
    const job = await start();
    const seen: Array<string | undefined> = [];
    for (let i = 0; i < 4; i++) {
      seen.push(await state(job.BackupJobId));
      clock.advance(100_000);
    }
    expect(seen).toEqual(['CREATED', 'RUNNING', 'RUNNING', 'RUNNING']);
    clock.advance(200_000);
    const done = await backup.send(new DescribeBackupJobCommand({ BackupJobId: job.BackupJobId }));
    expect(done).toMatchObject({ State: 'COMPLETED', CompletionDate: new Date(clock.now() - 0) });
    expect(emulator().backup.recoveryPoints(TABLE)).toMatchObject([{ Status: 'COMPLETED' }]);
  });

  it('scales the job time by the time scale', async () => {
    emulator().backup.setTimeScale(60);
    emulator().backup.setBackupBehaviour('*', { completeAfterSeconds: 600 });
    const job = await start();
    clock.advance(9_999);
    expect(await state(job.BackupJobId)).toBe('CREATED');
    clock.advance(1);
    expect(await state(job.BackupJobId)).toBe('COMPLETED');
  });

  it("fails a job with the behaviour's message, leaving no recovery point", async () => {
    emulator().backup.setBackupBehaviour(TABLE, {
      endState: 'FAILED',
      statusMessage: 'Table is being deleted',
    });
    const job = await start();
    const states = [await state(job.BackupJobId), await state(job.BackupJobId)];
    const failed = await backup.send(new DescribeBackupJobCommand({ BackupJobId: job.BackupJobId }));
    expect([...states, failed.State, failed.StatusMessage]).toEqual([
      'CREATED',
      'RUNNING',
      'FAILED',
      'Table is being deleted',
    ]);
    expect(emulator().backup.recoveryPoints(TABLE)).toEqual([]);
  });
});

describe('ListRecoveryPointsByResource', () => {
  it("lists the resource's points in every vault, newest first, in pages", async () => {
    const old = seed(TABLE, 3 * DAY);
    const newest = seed(TABLE, HOUR, { backupVaultName: 'copies' });
    const middle = seed(TABLE, DAY);
    seed('arn:aws:dynamodb:us-east-1:123456789012:table/carts');
    const first = await backup.send(
      new ListRecoveryPointsByResourceCommand({ ResourceArn: TABLE, MaxResults: 2 }),
    );
    expect(first.RecoveryPoints?.map((p) => [p.RecoveryPointArn, p.BackupVaultName])).toEqual([
      [newest.RecoveryPointArn, 'copies'],
      [middle.RecoveryPointArn, 'releases'],
    ]);
    expect(first.RecoveryPoints?.[0]).toMatchObject({
      Status: 'COMPLETED',
      CreationDate: new Date(clock.now() - HOUR),
      ResourceName: 'orders',
      BackupSizeBytes: expect.any(Number),
    });
    const rest = await backup.send(
      new ListRecoveryPointsByResourceCommand({
        ResourceArn: TABLE,
        MaxResults: 2,
        NextToken: first.NextToken,
      }),
    );
    expect(rest.RecoveryPoints?.map((p) => p.RecoveryPointArn)).toEqual([old.RecoveryPointArn]);
    expect(rest.NextToken).toBeUndefined();
  });

  it('wants at least 20 results a page for RDS, as AWS documents', async () => {
    const err = await errorOf(() =>
      backup.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: DB, MaxResults: 10 })),
    );
    expect(err.name).toBe('InvalidParameterValueException');
  });
});

describe('DescribeRecoveryPoint and GetRecoveryPointRestoreMetadata', () => {
  it('answers ResourceNotFoundException for an unknown point, or one in another vault', async () => {
    const point = seed();
    for (const [vault, arn] of [
      [
        'releases',
        'arn:aws:backup:us-east-1:123456789012:recovery-point:00000000-0000-0000-0000-000000000000',
      ],
      ['Default', point.RecoveryPointArn],
    ]) {
      const err = await errorOf(() =>
        backup.send(new DescribeRecoveryPointCommand({ BackupVaultName: vault, RecoveryPointArn: arn })),
      );
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 400]);
    }
  });

  it.each([
    [TABLE, 'DynamoDB', { targetTableName: 'orders', encryptionType: 'Default' }],
    [DB, 'RDS', { DBInstanceIdentifier: 'orders-db', Engine: 'postgres' }],
    [CLUSTER, 'Aurora', { DBClusterIdentifier: 'orders-cluster', Engine: 'aurora-postgresql' }],
    [FILES, 'EFS', { 'file-system-id': 'fs-0123456789abcdef0', newFileSystem: 'false' }],
    [VOLUME, 'EBS', { volumeId: 'vol-0123456789abcdef0', availabilityZone: 'us-east-1a' }],
    [BUCKET, 'S3', { DestinationBucketName: 'orders-exports', NewBucket: 'false' }],
  ])('answers the restore metadata of %s with the original name', async (arn, type, expected) => {
    const point = seed(arn);
    const out = await backup.send(
      new GetRecoveryPointRestoreMetadataCommand({
        BackupVaultName: 'releases',
        RecoveryPointArn: point.RecoveryPointArn,
      }),
    );
    expect(out).toMatchObject({
      ResourceType: type,
      RecoveryPointArn: point.RecoveryPointArn,
      BackupVaultArn: 'arn:aws:backup:us-east-1:123456789012:backup-vault:releases',
      RestoreMetadata: expect.objectContaining(expected),
    });
  });
});

describe('restores', () => {
  it('run PENDING, then RUNNING, then COMPLETED with the new resource', async () => {
    const point = seed();
    const started = clock.now();
    const { RestoreJobId } = await restore({ RecoveryPointArn: point.RecoveryPointArn });
    const pending = await describeRestore(RestoreJobId);
    expect(pending).toMatchObject({
      RestoreJobId,
      Status: 'PENDING',
      PercentDone: '0.00%',
      RecoveryPointArn: point.RecoveryPointArn,
      SourceResourceArn: TABLE,
      ResourceType: 'DynamoDB',
      IamRoleArn: ROLE,
      CreationDate: new Date(started),
      RecoveryPointCreationDate: point.CreationDate,
      ExpectedCompletionTimeMinutes: 5,
    });
    expect(pending.CreatedResourceArn).toBeUndefined();
    clock.advance(180_000);
    expect(await describeRestore(RestoreJobId)).toMatchObject({ Status: 'RUNNING', PercentDone: '50.00%' });
    clock.advance(120_000);
    const done = await describeRestore(RestoreJobId);
    expect(done).toMatchObject({
      Status: 'COMPLETED',
      PercentDone: '100.00%',
      CompletionDate: new Date(started + 300_000),
      CreatedResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders-r-42',
    });
    const after = await backup.send(
      new DescribeRecoveryPointCommand({
        BackupVaultName: 'releases',
        RecoveryPointArn: point.RecoveryPointArn,
      }),
    );
    expect(after.LastRestoreTime).toEqual(new Date(started + 300_000));
  });

  it.each([
    [DB, { DBInstanceIdentifier: 'Orders-DB-r-42' }, 'arn:aws:rds:us-east-1:123456789012:db:orders-db-r-42'],
    [
      CLUSTER,
      { DBClusterIdentifier: 'orders-cluster-r-42' },
      'arn:aws:rds:us-east-1:123456789012:cluster:orders-cluster-r-42',
    ],
    [
      BUCKET,
      { NewBucket: 'true', DestinationBucketName: 'orders-exports-r-42' },
      'arn:aws:s3:::orders-exports-r-42',
    ],
    [
      FILES,
      { 'file-system-id': 'fs-0123456789abcdef0', newFileSystem: 'true', CreationToken: 'r-42' },
      /^arn:aws:elasticfilesystem:us-east-1:123456789012:file-system\/fs-[0-9a-f]{17}$/,
    ],
    [
      VOLUME,
      { availabilityZone: 'us-east-1b' },
      /^arn:aws:ec2:us-east-1:123456789012:volume\/vol-[0-9a-f]{17}$/,
    ],
  ])('make the resource the metadata names: %s', async (arn, metadata, created) => {
    const point = seed(arn);
    const { RestoreJobId } = await restore({ RecoveryPointArn: point.RecoveryPointArn, Metadata: metadata });
    clock.advance(300_000);
    const done = await describeRestore(RestoreJobId);
    expect(done.Status).toBe('COMPLETED');
    if (typeof created === 'string') expect(done.CreatedResourceArn).toBe(created);
    else expect(done.CreatedResourceArn).toMatch(created);
  });

  it('fail when the restore would take the original name (AWS Backup never restores over it)', async () => {
    const point = seed();
    const meta = await backup.send(
      new GetRecoveryPointRestoreMetadataCommand({
        BackupVaultName: 'releases',
        RecoveryPointArn: point.RecoveryPointArn,
      }),
    );
    const { RestoreJobId } = await restore({
      RecoveryPointArn: point.RecoveryPointArn,
      Metadata: meta.RestoreMetadata,
    });
    clock.advance(60_000);
    expect(await describeRestore(RestoreJobId)).toMatchObject({
      Status: 'FAILED',
      StatusMessage: 'Table already exists: orders',
    });
  });

  it('fail the second restore to a name the first one made', async () => {
    const point = seed();
    await restore({ RecoveryPointArn: point.RecoveryPointArn, IdempotencyToken: 'a' });
    const second = await restore({ RecoveryPointArn: point.RecoveryPointArn, IdempotencyToken: 'b' });
    clock.advance(300_000);
    expect((await describeRestore(second.RestoreJobId)).Status).toBe('FAILED');
  });

  it('fail as a drill says: by behaviour, or at once', async () => {
    const point = seed();
    emulator().backup.setRestoreBehaviour(TABLE, {
      completeAfterSeconds: 100,
      failWith: 'Insufficient capacity',
    });
    const first = await restore({
      RecoveryPointArn: point.RecoveryPointArn,
      Metadata: { targetTableName: 'a-r-1' },
    });
    clock.advance(100_000);
    expect(await describeRestore(first.RestoreJobId)).toMatchObject({
      Status: 'FAILED',
      StatusMessage: 'Insufficient capacity',
    });
    emulator().backup.setRestoreBehaviour(TABLE, undefined);
    const second = await restore({
      RecoveryPointArn: point.RecoveryPointArn,
      Metadata: { targetTableName: 'a-r-2' },
    });
    emulator().backup.setRestoreJobStatus(second.RestoreJobId as string, 'FAILED', 'Role cannot be assumed');
    expect(await describeRestore(second.RestoreJobId)).toMatchObject({
      Status: 'FAILED',
      StatusMessage: 'Role cannot be assumed',
      CompletionDate: new Date(clock.now()),
    });
  });

  it('run on the scaled clock', async () => {
    emulator().backup.setTimeScale(60);
    const point = seed();
    const { RestoreJobId } = await restore({ RecoveryPointArn: point.RecoveryPointArn });
    clock.advance(4_999);
    expect((await describeRestore(RestoreJobId)).Status).toBe('RUNNING');
    clock.advance(1);
    expect((await describeRestore(RestoreJobId)).Status).toBe('COMPLETED');
  });

  it('honour the idempotency token for an hour', async () => {
    const point = seed();
    const first = await restore({
      RecoveryPointArn: point.RecoveryPointArn,
      IdempotencyToken: 'r-42-orders',
    });
    const again = await restore({
      RecoveryPointArn: point.RecoveryPointArn,
      IdempotencyToken: 'r-42-orders',
    });
    expect(again.RestoreJobId).toBe(first.RestoreJobId);
    const other = seed(TABLE, 2 * HOUR);
    const err = await errorOf(() =>
      restore({ RecoveryPointArn: other.RecoveryPointArn, IdempotencyToken: 'r-42-orders' }),
    );
    expect(err.name).toBe('InvalidRequestException');
    clock.advance(HOUR);
    const later = await restore({
      RecoveryPointArn: point.RecoveryPointArn,
      IdempotencyToken: 'r-42-orders',
      Metadata: { targetTableName: 'orders-r-43' },
    });
    expect(later.RestoreJobId).not.toBe(first.RestoreJobId);
    expect(emulator().backup.restoreJobs(TABLE)).toHaveLength(2);
  });

  it.each([
    ['no IamRoleArn', { IamRoleArn: undefined }, 'MissingParameterValueException'],
    [
      'an IamRoleArn that is not a role',
      { IamRoleArn: 'switchback-restore' },
      'InvalidParameterValueException',
    ],
    ['no Metadata', { Metadata: undefined }, 'MissingParameterValueException'],
    [
      'metadata without the new table name',
      { Metadata: { encryptionType: 'Default' } },
      'InvalidParameterValueException',
    ],
    ['an invalid table name', { Metadata: { targetTableName: 'a b' } }, 'InvalidParameterValueException'],
    ['another resource type', { ResourceType: 'RDS' }, 'InvalidParameterValueException'],
  ])('refuse %s', async (_, input, code) => {
    const point = seed();
    const err = await errorOf(() => restore({ RecoveryPointArn: point.RecoveryPointArn, ...input }));
    expect([err.name, err.$metadata.httpStatusCode]).toEqual([code, 400]);
    expect(emulator().backup.restoreJobs()).toEqual([]);
  });

  it('take metadata keys in any case, as AWS Backup does', async () => {
    const point = seed();
    const { RestoreJobId } = await restore({
      RecoveryPointArn: point.RecoveryPointArn,
      Metadata: { TargetTableName: 'orders-r-44' },
    });
    clock.advance(300_000);
    expect((await describeRestore(RestoreJobId)).CreatedResourceArn).toMatch(/table\/orders-r-44$/);
  });

  it('refuse an unknown recovery point, and one that is not COMPLETED', async () => {
    const unknown = await errorOf(() =>
      restore({ RecoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:missing' }),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');
    for (const status of ['CREATING', 'EXPIRED', 'PARTIAL'] as const) {
      const point = seed(TABLE, HOUR, { status });
      const err = await errorOf(() => restore({ RecoveryPointArn: point.RecoveryPointArn }));
      expect([err.name, err.message]).toEqual(['InvalidRequestException', expect.stringContaining(status)]);
    }
    const expired = seed();
    emulator().backup.setRecoveryPointStatus(expired.RecoveryPointArn, 'EXPIRED');
    const err = await errorOf(() => restore({ RecoveryPointArn: expired.RecoveryPointArn }));
    expect(err.name).toBe('InvalidRequestException');
  });

  it('answer ResourceNotFoundException for an unknown restore job', async () => {
    const err = await errorOf(() => describeRestore('00000000-0000-0000-0000-000000000000'));
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 400]);
  });
});

describe('ListRestoreJobsByProtectedResource', () => {
  it('lists restore tests (with their plan and validation) and restores, newest first', async () => {
    const point = seed(TABLE, 2 * DAY);
    const failedTest = emulator().backup.seedRestoreTest({
      resourceArn: TABLE,
      status: 'COMPLETED',
      validationStatus: 'FAILED',
      validationStatusMessage: 'Validation script found no rows',
      completionDate: new Date(clock.now() - 3 * DAY),
    });
    const passedTest = emulator().backup.seedRestoreTest({
      resourceArn: TABLE,
      completionDate: new Date(clock.now() - DAY),
    });
    clock.advance(1000);
    const onDemand = await restore({ RecoveryPointArn: point.RecoveryPointArn });
    emulator().backup.seedRestoreTest({ resourceArn: DB });

    const out = await backup.send(new ListRestoreJobsByProtectedResourceCommand({ ResourceArn: TABLE }));
    expect(out.RestoreJobs?.map((j) => j.RestoreJobId)).toEqual([
      onDemand.RestoreJobId,
      passedTest.RestoreJobId,
      failedTest.RestoreJobId,
    ]);
    expect(out.RestoreJobs?.[1]).toMatchObject({
      Status: 'COMPLETED',
      CompletionDate: new Date(clock.now() - 1000 - DAY),
      CreatedBy: {
        RestoreTestingPlanArn: expect.stringMatching(
          /^arn:aws:backup:us-east-1:123456789012:restore-testing-plan:switchback-restore-test-/,
        ),
      },
      ValidationStatus: 'SUCCESSFUL',
      RecoveryPointArn: point.RecoveryPointArn,
      CreatedResourceArn: expect.stringMatching(/table\/awsbackup-restore-test-/),
      DeletionStatus: 'SUCCESSFUL',
    });
    expect(out.RestoreJobs?.[2]).toMatchObject({
      ValidationStatus: 'FAILED',
      ValidationStatusMessage: 'Validation script found no rows',
    });
    expect(out.RestoreJobs?.[0].CreatedBy).toBeUndefined();

    const completed = await backup.send(
      new ListRestoreJobsByProtectedResourceCommand({
        ResourceArn: TABLE,
        ByStatus: 'COMPLETED',
        MaxResults: 1,
      }),
    );
    expect(completed.RestoreJobs?.map((j) => j.RestoreJobId)).toEqual([passedTest.RestoreJobId]);
    const next = await backup.send(
      new ListRestoreJobsByProtectedResourceCommand({
        ResourceArn: TABLE,
        ByStatus: 'COMPLETED',
        MaxResults: 1,
        NextToken: completed.NextToken,
      }),
    );
    expect(next.RestoreJobs?.map((j) => j.RestoreJobId)).toEqual([failedTest.RestoreJobId]);
  });

  it('records a failed restore test without a validation', async () => {
    const test = emulator().backup.seedRestoreTest({
      resourceArn: TABLE,
      status: 'FAILED',
      statusMessage: 'Restore timed out',
    });
    const out = await backup.send(new ListRestoreJobsByProtectedResourceCommand({ ResourceArn: TABLE }));
    expect(out.RestoreJobs).toEqual([
      expect.objectContaining({
        RestoreJobId: test.RestoreJobId,
        Status: 'FAILED',
        StatusMessage: 'Restore timed out',
      }),
    ]);
    expect(out.RestoreJobs?.[0].ValidationStatus).toBeUndefined();
  });

  it('filters by the recovery point creation date', async () => {
    const old = seed(TABLE, 10 * DAY);
    const recent = seed(TABLE, DAY);
    emulator().backup.seedRestoreTest({ resourceArn: TABLE, recoveryPointArn: old.RecoveryPointArn });
    const fresh = emulator().backup.seedRestoreTest({
      resourceArn: TABLE,
      recoveryPointArn: recent.RecoveryPointArn,
    });
    const out = await backup.send(
      new ListRestoreJobsByProtectedResourceCommand({
        ResourceArn: TABLE,
        ByRecoveryPointCreationDateAfter: new Date(clock.now() - 2 * DAY),
      }),
    );
    expect(out.RestoreJobs?.map((j) => j.RestoreJobId)).toEqual([fresh.RestoreJobId]);
  });
});
