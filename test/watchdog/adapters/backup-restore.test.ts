/**
 * The backup adapter's reads and restores through the real AWS SDK: the readiness gate's newest
 * recovery point and newest restore test, a recovery point and its restore metadata, and a restore
 * job from start to end (the engine's plan sent as it is, so the metadata keys and names it builds are
 * the ones AWS Backup's API takes). moto 5.2 has none of these AWS Backup calls (MOTO_GAPS.backupJobs):
 * the suite runs on the emulator only.
 */
import { BackupClient, CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { createBackupAdapter } from '../../../lambdas/watchdog/adapters';
import { restoreIdempotencyToken } from '../../../lambdas/watchdog/engine/restore-data';
import { planRestore } from '../../../lambdas/watchdog/engine/restore-plan';
import { AwsCallError, type BackupPort } from '../../../lambdas/watchdog/ports';
import { describeBackends } from './backends';
import { rejectionOf } from './fixtures';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/switchback-restore`;
const ORDERS = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`;
const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-db`;
const VOLUME = `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-0123456789abcdef0`;
const T0 = Date.parse('2026-11-21T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let now = T0;

describeBackends(
  'the backup adapter: readiness reads and restores (AWS Backup)',
  (backend) => {
    const emulator = () => backend().emulator();
    let client: BackupClient;
    let backup: BackupPort;

    beforeEach(async () => {
      now = T0;
      client = new BackupClient(backend().sdkConfig());
      backup = createBackupAdapter(client);
      await client.send(new CreateBackupVaultCommand({ BackupVaultName: 'releases' }));
    });
    afterEach(() => client.destroy());

    async function failure(fn: () => Promise<unknown>): Promise<AwsCallError> {
      const error = await rejectionOf(fn);
      expect(error).toBeInstanceOf(AwsCallError);
      return error as AwsCallError;
    }

    const seed = (resourceArn: string, ageHours: number, extra: Record<string, unknown> = {}) =>
      emulator().backup.seedRecoveryPoint({
        resourceArn,
        backupVaultName: 'releases',
        creationDate: new Date(now - ageHours * HOUR),
        ...extra,
      });

    describe('latestRecoveryPoint', () => {
      it('answers the newest COMPLETED recovery point of the resource, described in full', async () => {
        // Given points of the table 30 h and 2 h old, a newer partial one, and another resource's
        seed(ORDERS, 30);
        const newest = seed(ORDERS, 2, { deleteAfterDays: 35 });
        seed(ORDERS, 1, { status: 'PARTIAL' });
        seed(DB, 0.5);

        const point = await backup.latestRecoveryPoint(ORDERS);

        expect(point).toEqual({
          recoveryPointArn: newest.RecoveryPointArn,
          resourceArn: ORDERS,
          resourceType: 'DynamoDB',
          vaultName: 'releases',
          status: 'COMPLETED',
          createdAt: new Date(now - 2 * HOUR).toISOString(),
          completedAt: newest.CompletionDate?.toISOString(),
          deleteAt: new Date(now - 2 * HOUR + 35 * DAY).toISOString(),
        });
      });

      it('answers undefined for a resource without a completed recovery point', async () => {
        seed(ORDERS, 1, { status: 'EXPIRED' });
        await expect(backup.latestRecoveryPoint(ORDERS)).resolves.toBeUndefined();
        await expect(backup.latestRecoveryPoint(VOLUME)).resolves.toBeUndefined();
      });

      it('reads every page of a long history', async () => {
        for (let age = 150; age > 0; age--) seed(DB, age);
        const newest = seed(DB, 0.25);
        emulator().requestLog.clear();

        const point = await backup.latestRecoveryPoint(DB);

        expect(point?.recoveryPointArn).toBe(newest.RecoveryPointArn);
        expect(emulator().requestLog.count({ action: 'ListRecoveryPointsByResource' })).toBe(2);
      });
    });

    describe('latestRestoreTest', () => {
      it('answers the newest restore a restore testing plan ran, not an operator’s restore', async () => {
        // Given two restore tests of the table, the newer failed validation, and an operator's restore after
        seed(ORDERS, 48);
        emulator().backup.seedRestoreTest({ resourceArn: ORDERS, completionDate: new Date(now - 30 * HOUR) });
        emulator().backup.seedRestoreTest({
          resourceArn: ORDERS,
          completionDate: new Date(now - 6 * HOUR),
          validationStatus: 'FAILED',
          validationStatusMessage: 'row count differs',
        });
        const point = await backup.latestRecoveryPoint(ORDERS);
        await backup.startRestore({
          recoveryPointArn: point?.recoveryPointArn as string,
          roleArn: ROLE,
          resourceType: 'DynamoDB',
          metadata: { targetTableName: 'orders-copy' },
          idempotencyToken: 'operator-restore-0001',
        });

        const test = await backup.latestRestoreTest(ORDERS);

        expect(test).toMatchObject({
          status: 'COMPLETED',
          validationStatus: 'FAILED',
          completedAt: new Date(now - 6 * HOUR).toISOString(),
          restoreTestingPlanArn: expect.stringContaining(':restore-testing-plan:'),
          recoveryPointArn: point?.recoveryPointArn,
        });
      });

      it('answers a failed restore test as AWS Backup reports it, and undefined for an untested resource', async () => {
        emulator().backup.seedRestoreTest({
          resourceArn: DB,
          status: 'FAILED',
          statusMessage: 'subnet group missing',
          completionDate: new Date(now - HOUR),
        });
        await expect(backup.latestRestoreTest(DB)).resolves.toMatchObject({
          status: 'FAILED',
          statusMessage: 'subnet group missing',
        });
        await expect(backup.latestRestoreTest(ORDERS)).resolves.toBeUndefined();
      });
    });

    describe('describeRecoveryPoint and restoreMetadata', () => {
      it('describes a recovery point, and answers undefined for one AWS Backup does not have', async () => {
        const point = seed(ORDERS, 3);
        await expect(backup.describeRecoveryPoint('releases', point.RecoveryPointArn)).resolves.toMatchObject(
          {
            recoveryPointArn: point.RecoveryPointArn,
            resourceArn: ORDERS,
            resourceType: 'DynamoDB',
            status: 'COMPLETED',
          },
        );
        const missing = point.RecoveryPointArn.replace(/[0-9a-f]{4}$/i, '0000');
        await expect(backup.describeRecoveryPoint('releases', missing)).resolves.toBeUndefined();
      });

      it('answers undefined for a vault that does not hold it (AWS Backup answers not found for both)', async () => {
        const point = seed(ORDERS, 3);
        await expect(
          backup.describeRecoveryPoint('no-such-vault', point.RecoveryPointArn),
        ).resolves.toBeUndefined();
      });

      it('answers the restore metadata the recovery point was made with', async () => {
        const point = seed(DB, 3);
        const metadata = await backup.restoreMetadata('releases', point.RecoveryPointArn);
        expect(metadata).toMatchObject({ DBInstanceIdentifier: 'orders-db', Engine: expect.any(String) });
      });
    });

    describe('a restore job', () => {
      it('restores the engine’s plan into a new resource, followed from PENDING to COMPLETED', async () => {
        // Given the table's recovery point and the plan restore-data makes of it
        const point = seed(ORDERS, 2);
        const metadata = await backup.restoreMetadata('releases', point.RecoveryPointArn);
        const plan = planRestore(
          { recoveryPointArn: point.RecoveryPointArn, resourceArn: ORDERS, resourceType: 'DynamoDB' },
          metadata,
          'r42',
          'req-00000001',
        );

        // When it is started
        const restoreJobId = await backup.startRestore({
          recoveryPointArn: point.RecoveryPointArn,
          roleArn: ROLE,
          resourceType: 'DynamoDB',
          metadata: plan.metadata,
          idempotencyToken: restoreIdempotencyToken('r42', point.RecoveryPointArn, 'req-00000001'),
        });

        // Then AWS Backup took the metadata as sent, and the job runs to completion over time
        expect(emulator().backup.restoreJob(restoreJobId)?.Metadata).toEqual(plan.metadata);
        await expect(backup.describeRestoreJob(restoreJobId)).resolves.toMatchObject({
          restoreJobId,
          status: 'PENDING',
          recoveryPointArn: point.RecoveryPointArn,
        });
        now += 2 * 60_000;
        await expect(backup.describeRestoreJob(restoreJobId)).resolves.toMatchObject({ status: 'RUNNING' });
        now += 10 * 60_000;
        const done = await backup.describeRestoreJob(restoreJobId);
        expect(done).toMatchObject({
          status: 'COMPLETED',
          percentDone: '100.00%',
          createdResourceArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${plan.metadata.targetTableName}`,
          completedAt: expect.any(String),
        });
        expect(done.restoreTestingPlanArn).toBeUndefined();
      });

      it('is one job for a retried start with the same token', async () => {
        const point = seed(ORDERS, 2);
        const start = () =>
          backup.startRestore({
            recoveryPointArn: point.RecoveryPointArn,
            roleArn: ROLE,
            resourceType: 'DynamoDB',
            metadata: { targetTableName: 'orders-r-r42-abc123' },
            idempotencyToken: restoreIdempotencyToken('r42', point.RecoveryPointArn, 'req-00000001'),
          });
        const first = await start();
        await expect(start()).resolves.toBe(first);
        expect(emulator().backup.restoreJobs(ORDERS)).toHaveLength(1);
      });

      it('reports a restore into a name that is taken as FAILED, with AWS Backup’s message', async () => {
        const point = seed(ORDERS, 2);
        const start = (token: string) =>
          backup.startRestore({
            recoveryPointArn: point.RecoveryPointArn,
            roleArn: ROLE,
            resourceType: 'DynamoDB',
            metadata: { targetTableName: 'orders-restored' },
            idempotencyToken: token,
          });
        await start('first-restore-00001');
        now += 10 * 60_000;
        const second = await start('second-restore-0001');
        now += 10 * 60_000;
        await expect(backup.describeRestoreJob(second)).resolves.toMatchObject({
          status: 'FAILED',
          statusMessage: expect.stringContaining('orders-restored'),
        });
      });

      it('maps a recovery point that does not exist to not-found and metadata AWS refuses to invalid', async () => {
        const point = seed(ORDERS, 2);
        const missing = await failure(() =>
          backup.startRestore({
            recoveryPointArn: point.RecoveryPointArn.replace(/[0-9a-f]{4}$/i, '0000'),
            roleArn: ROLE,
            resourceType: 'DynamoDB',
            metadata: { targetTableName: 'orders-x' },
            idempotencyToken: 'restore-missing-0001',
          }),
        );
        expect(missing).toMatchObject({ kind: 'not-found', operation: 'StartRestoreJob', retryable: false });

        const refused = await failure(() =>
          backup.startRestore({
            recoveryPointArn: point.RecoveryPointArn,
            roleArn: ROLE,
            resourceType: 'DynamoDB',
            metadata: { targetTableName: 'no' },
            idempotencyToken: 'restore-badname-0001',
          }),
        );
        expect(refused).toMatchObject({ kind: 'invalid', operation: 'StartRestoreJob', retryable: false });
        expect(refused.detail).toContain('targetTableName');
      });

      it('maps a restore job AWS Backup does not know to not-found', async () => {
        const error = await failure(() => backup.describeRestoreJob('00000000-0000-0000-0000-000000000000'));
        expect(error).toMatchObject({ kind: 'not-found', operation: 'DescribeRestoreJob' });
      });

      it('maps throttling that outlasts the SDK retries to throttled', async () => {
        emulator().faults.add({ service: 'backup', action: 'DescribeRestoreJob', throttle: 'always' });
        const error = await failure(() => backup.describeRestoreJob('00000000-0000-0000-0000-000000000000'));
        expect(error).toMatchObject({ kind: 'throttled', retryable: true });
      });
    });

    describe('describeBackupJob', () => {
      it('follows a backup job to the recovery point it makes', async () => {
        // Given an EBS backup, whose recovery point AWS Backup names only once the job runs
        const started = await backup.startBackup({
          vaultName: 'releases',
          roleArn: ROLE,
          resourceArn: VOLUME,
          releaseId: 'r42',
          deleteAfterDays: 35,
        });
        expect(started.recoveryPointArn).toBeUndefined();

        // When it is described until it ends
        const states: string[] = [];
        let job = await backup.describeBackupJob(started.backupJobId);
        for (let i = 0; i < 5 && job.state !== 'COMPLETED'; i++) {
          states.push(job.state);
          job = await backup.describeBackupJob(started.backupJobId);
        }

        // Then it completed, naming its recovery point
        expect(states).toContain('RUNNING');
        expect(job).toMatchObject({
          backupJobId: started.backupJobId,
          state: 'COMPLETED',
          // An EBS recovery point is a snapshot
          recoveryPointArn: expect.stringMatching(/^arn:aws:ec2:us-east-1::snapshot\/snap-/),
          completedAt: expect.any(String),
        });
      });

      it('reports a failed job with its message', async () => {
        emulator().backup.setBackupBehaviour(VOLUME, { endState: 'FAILED', statusMessage: 'snapshot limit' });
        const started = await backup.startBackup({
          vaultName: 'releases',
          roleArn: ROLE,
          resourceArn: VOLUME,
          releaseId: 'r42',
          deleteAfterDays: 35,
        });
        let job = await backup.describeBackupJob(started.backupJobId);
        for (let i = 0; i < 5 && job.state !== 'FAILED'; i++)
          job = await backup.describeBackupJob(started.backupJobId);
        expect(job).toMatchObject({ state: 'FAILED', statusMessage: 'snapshot limit' });
      });

      it('maps a job that does not exist to not-found', async () => {
        const error = await failure(() => backup.describeBackupJob('00000000-0000-0000-0000-000000000000'));
        expect(error).toMatchObject({ kind: 'not-found', operation: 'DescribeBackupJob' });
      });
    });
  },
  { needs: ['backupJobs'], emulator: { clock: () => now } },
);
