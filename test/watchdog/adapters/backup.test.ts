import { BackupClient, CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { backupIdempotencyToken, createBackupAdapter } from '../../../lambdas/watchdog/adapters';
import { AwsCallError, type BackupPort } from '../../../lambdas/watchdog/ports';
import { describeBackends } from './backends';
import { rejectionOf } from './fixtures';

const ROLE = 'arn:aws:iam::123456789012:role/switchback-backup';
const ORDERS = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const VOLUME = 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0';
const input = (releaseId: string, resourceArn = ORDERS, vaultName = 'releases') => ({
  vaultName,
  roleArn: ROLE,
  resourceArn,
  releaseId,
  deleteAfterDays: 35,
});

describe('backupIdempotencyToken', () => {
  it('derives a token AWS accepts: the same for the same release and resource, short and hex', () => {
    const token = backupIdempotencyToken('r-42', ORDERS);
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect(backupIdempotencyToken('r-42', ORDERS)).toBe(token);
    expect(backupIdempotencyToken('r-4', `2${ORDERS}`)).not.toBe(token);
  });
});

describeBackends(
  'the backup adapter (AWS Backup)',
  (backend) => {
    const emulator = () => backend().emulator();
    let client: BackupClient;
    let backup: BackupPort;

    beforeEach(async () => {
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

    describe('startBackup', () => {
      it('starts an on-demand backup tagged with the release, and returns its job and recovery point', async () => {
        // When the capture of release r-42 backs up the orders table
        const started = await backup.startBackup(input('r-42'));

        // Then one job backs it up to the vault with the role, its recovery point tagged with the release
        const job = emulator().backup.job(started.backupJobId);
        expect(job).toMatchObject({
          BackupVaultName: 'releases',
          ResourceArn: ORDERS,
          IamRoleArn: ROLE,
          Lifecycle: { DeleteAfterDays: 35 },
          State: 'CREATED',
          RecoveryPointTags: { 'switchback:release': 'r-42' },
          IdempotencyToken: backupIdempotencyToken('r-42', ORDERS),
        });
        expect(started).toStrictEqual({
          backupJobId: job?.BackupJobId,
          recoveryPointArn: job?.RecoveryPointArn,
        });
      });

      it('returns no recovery point when AWS Backup names it only once the job runs (EBS)', async () => {
        const started = await backup.startBackup(input('r-42', VOLUME));
        expect(started).toStrictEqual({ backupJobId: expect.any(String) });
      });

      backend.needs(
        ['requestLog'],
        'starts one job per resource and release, however often the capture is retried',
        async () => {
          // Given the capture of r-42 retried, and a second resource and a later release
          const first = await backup.startBackup(input('r-42'));
          const retried = await backup.startBackup(input('r-42'));
          const volume = await backup.startBackup(input('r-42', VOLUME));
          const later = await backup.startBackup(input('r-43'));

          // Then the retry got the same job, and the others their own
          expect(retried).toStrictEqual(first);
          expect(new Set([first.backupJobId, volume.backupJobId, later.backupJobId]).size).toBe(3);
          expect(emulator().backup.jobs()).toHaveLength(3);
          expect(emulator().requestLog.count({ action: 'StartBackupJob' })).toBe(4);
        },
      );

      it('maps a vault that does not exist to not-found', async () => {
        const error = await failure(() => backup.startBackup(input('r-42', ORDERS, 'missing')));
        expect(error).toMatchObject({
          kind: 'not-found',
          operation: 'StartBackupJob',
          code: 'ResourceNotFoundException',
          retryable: false,
        });
        expect(emulator().backup.jobs()).toHaveLength(0);
      });

      it('maps a refused role to invalid', async () => {
        const error = await failure(() => backup.startBackup({ ...input('r-42'), roleArn: 'not-a-role' }));
        expect(error).toMatchObject({ kind: 'invalid', code: 'InvalidParameterValueException' });
      });

      backend.needs(['faults', 'requestLog'], 'survives throttling the SDK retries away', async () => {
        emulator().faults.add({ service: 'backup', action: 'StartBackupJob', throttle: 'always', times: 2 });
        const started = await backup.startBackup(input('r-42'));
        expect(
          emulator()
            .backup.jobs()
            .map((j) => j.BackupJobId),
        ).toEqual([started.backupJobId]);
        expect(emulator().requestLog.count({ action: 'StartBackupJob' })).toBe(3);
      });

      backend.needs(
        ['faults', 'requestLog'],
        'maps throttling that outlasts the SDK retries to throttled',
        async () => {
          emulator().faults.add({ service: 'backup', action: 'StartBackupJob', throttle: 'always' });
          const error = await failure(() => backup.startBackup(input('r-42')));
          expect(error).toMatchObject({
            kind: 'throttled',
            operation: 'StartBackupJob',
            code: 'ThrottlingException',
            retryable: true,
          });
          expect(emulator().requestLog.count({ action: 'StartBackupJob' })).toBe(3);
        },
      );

      backend.needs(
        ['faults'],
        'maps a server error that outlasts the SDK retries to transient',
        async () => {
          emulator().faults.add({ service: 'backup', action: 'StartBackupJob', error: {} });
          const error = await failure(() => backup.startBackup(input('r-42')));
          expect(error).toMatchObject({ kind: 'transient', code: 'ServiceUnavailableException' });
        },
      );
    });
  },
  { needs: ['backupJobs'] },
);
