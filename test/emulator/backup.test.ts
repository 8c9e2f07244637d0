import {
  BackupClient,
  CreateBackupVaultCommand,
  DescribeBackupJobCommand,
  ListRecoveryPointsByBackupVaultCommand,
  StartBackupJobCommand,
  type StartBackupJobCommandInput,
} from '@aws-sdk/client-backup';
import { errorOf, fastRetry, ManualClock, useEmulator } from './testing';

const clock = new ManualClock();
const emulator = useEmulator({ clock: clock.now });
let backup: BackupClient;

beforeEach(() => {
  backup = new BackupClient({ ...emulator().clientConfig(), maxAttempts: 1 });
});
afterEach(() => backup.destroy());

const ROLE = 'arn:aws:iam::123456789012:role/switchback-backup';
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const VOLUME = 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0';
const UUID = '[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}';

const createVault = (name = 'releases') =>
  backup.send(new CreateBackupVaultCommand({ BackupVaultName: name }));
const start = (input: Partial<StartBackupJobCommandInput> = {}) =>
  backup.send(
    new StartBackupJobCommand({
      BackupVaultName: 'releases',
      ResourceArn: TABLE,
      IamRoleArn: ROLE,
      ...input,
    }),
  );

describe('vaults', () => {
  it('creates a vault with its ARN and creation date', async () => {
    const out = await createVault();
    expect(out).toMatchObject({
      BackupVaultName: 'releases',
      BackupVaultArn: 'arn:aws:backup:us-east-1:123456789012:backup-vault:releases',
      CreationDate: new Date(clock.now()),
    });
    expect(emulator().backup.vaults()).toMatchObject([
      { BackupVaultName: 'releases', BackupVaultArn: out.BackupVaultArn },
    ]);
  });

  it('puts the region of the request in the ARN', async () => {
    const west = new BackupClient({ ...emulator().clientConfig('eu-west-1'), maxAttempts: 1 });
    const out = await west.send(new CreateBackupVaultCommand({ BackupVaultName: 'eu' }));
    west.destroy();
    expect(out.BackupVaultArn).toBe('arn:aws:backup:eu-west-1:123456789012:backup-vault:eu');
  });

  it('refuses a second vault of the same name, but not a retry of the same request', async () => {
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'releases', CreatorRequestId: 'r-1' }));
    const again = await backup.send(
      new CreateBackupVaultCommand({ BackupVaultName: 'releases', CreatorRequestId: 'r-1' }),
    );
    expect(again.BackupVaultName).toBe('releases');
    const err = await errorOf(() => createVault());
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['AlreadyExistsException', 400]);
    expect(err).toMatchObject({ Arn: 'arn:aws:backup:us-east-1:123456789012:backup-vault:releases' });
  });

  it('refuses an invalid vault name', async () => {
    const err = await errorOf(() => createVault('no spaces allowed'));
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['InvalidParameterValueException', 400]);
  });
});

describe('StartBackupJob', () => {
  beforeEach(() => createVault());

  it('starts a job, with the recovery point at once for DynamoDB, and keeps its tags', async () => {
    const out = await start({ RecoveryPointTags: { 'switchback:release': 'r-42' } });
    expect(out.BackupJobId).toMatch(new RegExp(`^${UUID}$`));
    expect(out.RecoveryPointArn).toMatch(
      new RegExp(`^arn:aws:backup:us-east-1:123456789012:recovery-point:${UUID}$`),
    );
    expect(out.CreationDate).toEqual(new Date(clock.now()));
    expect(emulator().backup.job(out.BackupJobId as string)).toMatchObject({
      BackupVaultName: 'releases',
      ResourceArn: TABLE,
      ResourceType: 'DynamoDB',
      IamRoleArn: ROLE,
      State: 'CREATED',
      RecoveryPointArn: out.RecoveryPointArn,
      RecoveryPointTags: { 'switchback:release': 'r-42' },
    });
    expect(
      emulator()
        .backup.jobs()
        .map((j) => j.BackupJobId),
    ).toEqual([out.BackupJobId]);
  });

  it('leaves the recovery point out of the answer for EBS, as AWS does, and knows it once running', async () => {
    const out = await start({ ResourceArn: VOLUME });
    expect(out.RecoveryPointArn).toBeUndefined();
    const first = await backup.send(new DescribeBackupJobCommand({ BackupJobId: out.BackupJobId }));
    expect(first).toMatchObject({ State: 'CREATED', ResourceType: 'EBS' });
    expect(first.RecoveryPointArn).toBeUndefined();
    const second = await backup.send(new DescribeBackupJobCommand({ BackupJobId: out.BackupJobId }));
    expect(second.State).toBe('RUNNING');
    expect(second.RecoveryPointArn).toMatch(/^arn:aws:ec2:us-east-1::snapshot\/snap-[0-9a-f]{17}$/);
  });

  it('returns the same job for the same idempotency token', async () => {
    const first = await start({ IdempotencyToken: 'release-42-orders' });
    const again = await start({ IdempotencyToken: 'release-42-orders' });
    const other = await start({ IdempotencyToken: 'release-43-orders' });
    expect(again).toMatchObject({
      BackupJobId: first.BackupJobId,
      RecoveryPointArn: first.RecoveryPointArn,
      CreationDate: first.CreationDate,
    });
    expect(other.BackupJobId).not.toBe(first.BackupJobId);
    expect(emulator().backup.jobs()).toHaveLength(2);
  });

  it('refuses a token reused for another resource', async () => {
    await start({ IdempotencyToken: 'token-1' });
    const err = await errorOf(() => start({ IdempotencyToken: 'token-1', ResourceArn: VOLUME }));
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['InvalidRequestException', 400]);
    expect(emulator().backup.jobs()).toHaveLength(1);
  });

  it('starts one job when the connection drops after the job started (the SDK retries with its token)', async () => {
    const retrying = new BackupClient({ ...emulator().clientConfig(), retryStrategy: fastRetry() });
    emulator().faults.add({ service: 'backup', action: 'StartBackupJob', dropConnection: 'after', times: 1 });
    const out = await retrying.send(
      new StartBackupJobCommand({ BackupVaultName: 'releases', ResourceArn: TABLE, IamRoleArn: ROLE }),
    );
    retrying.destroy();
    expect(out.$metadata.attempts).toBe(2);
    expect(
      emulator()
        .backup.jobs()
        .map((j) => j.BackupJobId),
    ).toEqual([out.BackupJobId]);
  });

  it('answers ResourceNotFoundException for a vault that does not exist', async () => {
    const err = await errorOf(() => start({ BackupVaultName: 'missing' }));
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 400]);
    expect(err.message).toContain('missing');
  });

  it.each([
    ['BackupVaultName', { BackupVaultName: undefined }],
    ['ResourceArn', { ResourceArn: undefined }],
    ['IamRoleArn', { IamRoleArn: undefined }],
  ])('answers MissingParameterValueException without %s', async (member, input) => {
    const err = await errorOf(() => start(input));
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['MissingParameterValueException', 400]);
    expect(err.message.toLowerCase()).toContain(member.toLowerCase());
  });

  it.each([
    ['a role that is not an IAM role ARN', { IamRoleArn: 'switchback-backup' }],
    ['a resource that is not an ARN', { ResourceArn: 'orders' }],
    ['a resource type AWS Backup does not protect', { ResourceArn: 'arn:aws:sqs:us-east-1:123456789012:q' }],
    ['a start window under an hour', { StartWindowMinutes: 30 }],
    ['a complete window inside the start window', { StartWindowMinutes: 120, CompleteWindowMinutes: 60 }],
  ])('answers InvalidParameterValueException for %s', async (_, input) => {
    const err = await errorOf(() => start(input));
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['InvalidParameterValueException', 400]);
    expect(emulator().backup.jobs()).toHaveLength(0);
  });

  it('answers ThrottlingException (400) when throttled, which the SDK retries', async () => {
    const retrying = new BackupClient({ ...emulator().clientConfig(), retryStrategy: fastRetry() });
    emulator().faults.add({ service: 'backup', action: 'StartBackupJob', throttle: 'always', times: 2 });
    const out = await retrying.send(
      new StartBackupJobCommand({ BackupVaultName: 'releases', ResourceArn: TABLE, IamRoleArn: ROLE }),
    );
    expect(out.$metadata.attempts).toBe(3);
    const log = emulator().requestLog.entries({ service: 'backup', action: 'StartBackupJob' });
    expect(log.map((e) => [e.status, e.errorCode ?? null, e.attempt])).toEqual([
      [400, 'ThrottlingException', 1],
      [400, 'ThrottlingException', 2],
      [200, null, 3],
    ]);
    expect(log[0].params).toEqual({ BackupVaultName: 'releases', ResourceArn: TABLE });

    emulator().faults.add({ service: 'backup', throttle: 'always' });
    const err = await errorOf(() =>
      retrying.send(new DescribeBackupJobCommand({ BackupJobId: out.BackupJobId })),
    );
    retrying.destroy();
    expect([err.name, err.$metadata.httpStatusCode, err.$metadata.attempts]).toEqual([
      'ThrottlingException',
      400,
      3,
    ]);
  });

  it('answers an injected server error with ServiceUnavailableException', async () => {
    emulator().faults.add({ service: 'backup', error: {} });
    const err = await errorOf(() => start());
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['ServiceUnavailableException', 500]);
  });
});

describe('DescribeBackupJob', () => {
  beforeEach(() => createVault());

  it('reports CREATED, then RUNNING, then COMPLETED with a completion date', async () => {
    const { BackupJobId } = await start();
    const states: Array<[string | undefined, Date | undefined]> = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000);
      const out = await backup.send(new DescribeBackupJobCommand({ BackupJobId }));
      states.push([out.State, out.CompletionDate]);
    }
    expect(states.map(([s]) => s)).toEqual(['CREATED', 'RUNNING', 'COMPLETED', 'COMPLETED']);
    expect(states[0][1]).toBeUndefined();
    expect(states[2][1]).toEqual(new Date(clock.now() - 120_000));
    const done = await backup.send(new DescribeBackupJobCommand({ BackupJobId }));
    expect(done).toMatchObject({
      AccountId: '123456789012',
      BackupJobId,
      BackupVaultName: 'releases',
      BackupVaultArn: 'arn:aws:backup:us-east-1:123456789012:backup-vault:releases',
      ResourceArn: TABLE,
      ResourceType: 'DynamoDB',
      IamRoleArn: ROLE,
      PercentDone: '100.0',
      IsParent: false,
    });
    expect(done.StartBy?.getTime()).toBe((done.CreationDate?.getTime() ?? 0) + 8 * 3600_000);
  });

  it('reports a state a drill sets, and keeps a final one', async () => {
    const { BackupJobId } = await start();
    emulator().backup.setJobState(BackupJobId as string, 'FAILED', 'Access denied to the table');
    for (let i = 0; i < 2; i++) {
      const out = await backup.send(new DescribeBackupJobCommand({ BackupJobId }));
      expect(out).toMatchObject({ State: 'FAILED', StatusMessage: 'Access denied to the table' });
    }
  });

  it('answers ResourceNotFoundException for an unknown job', async () => {
    const err = await errorOf(() =>
      backup.send(new DescribeBackupJobCommand({ BackupJobId: '00000000-0000-0000-0000-000000000000' })),
    );
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 400]);
  });

  it('does not see a job just started inside a stale-read window', async () => {
    emulator().faults.add({ service: 'backup', action: 'StartBackupJob', staleReadMs: 1000 });
    const { BackupJobId } = await start();
    const err = await errorOf(() => backup.send(new DescribeBackupJobCommand({ BackupJobId })));
    expect(err.name).toBe('ResourceNotFoundException');
    clock.advance(1000);
    expect((await backup.send(new DescribeBackupJobCommand({ BackupJobId }))).State).toBe('CREATED');
  });
});

describe('ListRecoveryPointsByBackupVault', () => {
  beforeEach(() => createVault());

  it('lists the recovery points of a vault, filtered by resource, in pages', async () => {
    const table = await start();
    const volume = await start({ ResourceArn: VOLUME });
    const failed = await start({ ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/carts' });
    emulator().backup.setJobState(failed.BackupJobId as string, 'FAILED');
    await backup.send(new DescribeBackupJobCommand({ BackupJobId: table.BackupJobId }));
    await backup.send(new DescribeBackupJobCommand({ BackupJobId: table.BackupJobId }));

    // The EBS job has not run yet, and the failed job made no recovery point
    const all = await backup.send(
      new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: 'releases' }),
    );
    expect(all.RecoveryPoints).toEqual([
      expect.objectContaining({
        RecoveryPointArn: table.RecoveryPointArn,
        ResourceArn: TABLE,
        ResourceType: 'DynamoDB',
        Status: 'COMPLETED',
        BackupVaultName: 'releases',
        IsEncrypted: true,
      }),
    ]);

    // Once read as CREATED, the EBS job runs: its snapshot is being created
    await backup.send(new DescribeBackupJobCommand({ BackupJobId: volume.BackupJobId }));
    const page = await backup.send(
      new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: 'releases', MaxResults: 1 }),
    );
    expect(page.RecoveryPoints?.map((p) => p.ResourceArn)).toEqual([TABLE]);
    const rest = await backup.send(
      new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: 'releases', NextToken: page.NextToken }),
    );
    expect(rest.RecoveryPoints?.map((p) => [p.ResourceArn, p.Status])).toEqual([[VOLUME, 'CREATING']]);
    expect(rest.NextToken).toBeUndefined();

    const byVolume = await backup.send(
      new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: 'releases', ByResourceArn: VOLUME }),
    );
    expect(byVolume.RecoveryPoints?.map((p) => p.RecoveryPointArn)).toEqual([
      emulator().backup.job(volume.BackupJobId as string)?.RecoveryPointArn,
    ]);
  });

  it('answers ResourceNotFoundException for a vault that does not exist', async () => {
    const err = await errorOf(() =>
      backup.send(new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: 'missing' })),
    );
    expect(err.name).toBe('ResourceNotFoundException');
  });
});
