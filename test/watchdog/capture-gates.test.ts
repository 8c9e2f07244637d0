/**
 * The backup readiness gate at capture, through the handler with in-memory ports: a stale or missing
 * recovery point, a failed, old or missing restore test, and a pre-release backup that completes,
 * fails or does not complete while capture waits refuse the release before any lock is taken (audited,
 * notified, no manifest); an override lets it through, audited.
 */
import {
  releaseManifestKey,
  watchdogLockKey,
  type ReleaseManifest,
  type WatchdogConfigInput,
} from '../../lib';
import type { RestoreJobInfo } from '../../lambdas/watchdog/ports';
import { createFakeWorld, SERVICE, type FakeWorld } from './fakes';
import { iso } from './fixtures';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const BUCKET_ARN = 'arn:aws:s3:::checkout-uploads';
const DAY = 24 * 3_600_000;

type Readiness = NonNullable<NonNullable<WatchdogConfigInput['backup']>['readiness']>;
type Answer = { status: string; kind: string; result: Record<string, unknown> };

function backupWorld(readiness: Readiness, resourceArns: string[] = [TABLE]): FakeWorld {
  return createFakeWorld({
    extraConfig: {
      backup: {
        vaultName: 'release-vault',
        roleArn: 'arn:aws:iam::123456789012:role/backup',
        resourceArns,
        readiness,
      },
    },
  });
}

const capture = (world: FakeWorld, releaseId = 'r43', extra: Record<string, unknown> = {}) =>
  world.invoke({ action: 'capture', releaseId, ...extra }) as Promise<Answer>;
const manifestOf = (world: FakeWorld, releaseId = 'r43') =>
  world.bucket.json(releaseManifestKey(SERVICE, releaseId)) as ReleaseManifest | undefined;
const lockWrites = (world: FakeWorld) =>
  world.bucket.writes.filter((w) => w.key === watchdogLockKey(SERVICE));
const describes = (world: FakeWorld) => world.journal.callsOf('backup.describeBackupJob');

/** A restore test of `resourceArn` that ended `ageDays` ago. */
function restoreTest(world: FakeWorld, ageDays: number, extra: Partial<RestoreJobInfo> = {}): RestoreJobInfo {
  const at = iso(world.clock.now() - ageDays * DAY);
  return {
    restoreJobId: 'restore-test-1',
    status: 'COMPLETED',
    validationStatus: 'SUCCESSFUL',
    createdAt: at,
    completedAt: at,
    restoreTestingPlanArn: 'arn:aws:backup:us-east-1:123456789012:restore-testing-plan:weekly',
    ...extra,
  };
}

/** Expects the capture refused before any lock, audited and notified, with no manifest written. */
async function expectRefusedWithoutLock(world: FakeWorld, message: RegExp, releaseId = 'r43') {
  await expect(capture(world, releaseId)).rejects.toMatchObject({
    name: 'CaptureBackupNotReadyError',
    message: expect.stringMatching(message),
  });
  expect(manifestOf(world, releaseId)).toBeUndefined();
  expect(lockWrites(world)).toEqual([]);
  const records = world.auditRecords();
  expect(records.map((r) => [r.trigger.kind, r.decision, r.outcome, r.releaseId])).toEqual([
    ['capture', 'refuse', 'refused', releaseId],
  ]);
  expect(world.published.map((n) => n.subject)).toEqual([
    `[switchback] ${SERVICE}: capture refused release ${releaseId}`,
  ]);
  return records[0];
}

describe('the newest recovery point', () => {
  it('refuses a release whose newest completed recovery point is older than allowed, before any lock, starting no backup', async () => {
    // Given the orders table's newest completed recovery point is 30 hours old, and 24 are allowed
    const world = backupWorld({ maxRecoveryPointAgeHours: 24 });
    const point = world.backup.addRecoveryPoint(TABLE, 30);

    // When r43 is captured, Then it is refused, naming the resource, the condition and the override
    const record = await expectRefusedWithoutLock(
      world,
      /table\/orders: the newest completed recovery point/,
    );
    await expect(capture(world)).rejects.toThrow(
      /is 30 h old, older than the 24 h allowed\. .*overrides\.backupReadiness .*--override-backup-readiness <reason>/,
    );
    expect(record.checks).toEqual([
      expect.objectContaining({ name: 'alarms-not-in-alarm', passed: true }),
      {
        name: 'recovery-point-fresh',
        passed: false,
        detail: expect.stringContaining(
          `${TABLE}: the newest completed recovery point (${point.recoveryPointArn}`,
        ),
      },
    ]);
    expect(record.reason).toMatch(/^recovery-point-fresh: .*30 h old/);
    expect(world.backupJobs).toEqual([]);
  });

  it('refuses a release whose resource has no completed recovery point at all', async () => {
    // Given the uploads bucket has only a recovery point still being made
    const world = backupWorld({ maxRecoveryPointAgeHours: 24 }, [TABLE, BUCKET_ARN]);
    world.backup.addRecoveryPoint(TABLE, 2);
    world.backup.addRecoveryPoint(BUCKET_ARN, 1, { status: 'PARTIAL' });

    // Then only the bucket fails
    const record = await expectRefusedWithoutLock(world, /checkout-uploads: has no completed recovery point/);
    expect(record.checks.filter((c) => c.name === 'recovery-point-fresh')).toEqual([
      expect.objectContaining({ passed: true, detail: expect.stringContaining(`${TABLE}: `) }),
      {
        name: 'recovery-point-fresh',
        passed: false,
        detail: `${BUCKET_ARN}: has no completed recovery point`,
      },
    ]);
  });

  it('captures a release whose recovery points are recent, recording the check and starting the backup', async () => {
    const world = backupWorld({ maxRecoveryPointAgeHours: 24 });
    world.backup.addRecoveryPoint(TABLE, 23);

    const answer = await capture(world);

    expect(answer.result).toEqual(expect.objectContaining({ status: 'captured', releaseId: 'r43' }));
    expect(answer.result.overridden).toBeUndefined();
    expect(world.backupJobs.map((j) => [j.resourceArn, j.releaseId])).toEqual([[TABLE, 'r43']]);
    const [record] = world.auditRecords();
    expect(record.outcome).toBe('captured');
    expect(record.checks).toContainEqual(
      expect.objectContaining({
        name: 'recovery-point-fresh',
        passed: true,
        detail: expect.stringMatching(/23 h old$/),
      }),
    );
    expect(record.overrides).toBeUndefined();
    // A capture that passed its gates is not news
    expect(world.published).toEqual([]);
  });

  it('reports a recovery point that cannot be read as a failed check, and refuses', async () => {
    const world = backupWorld({ maxRecoveryPointAgeHours: 24 });
    world.journal.addFault({
      operation: 'backup.latestRecoveryPoint',
      error: new Error('User is not authorized to perform backup:ListRecoveryPointsByResource'),
    });

    await expectRefusedWithoutLock(world, /its recovery points could not be read \(User is not authorized/);
  });
});

describe('the last restore test', () => {
  it.each([
    ['is missing', undefined, /table\/orders: has no restore test/],
    [
      'failed',
      { status: 'FAILED', statusMessage: 'table limit exceeded' },
      /is FAILED: table limit exceeded, not COMPLETED/,
    ],
    ['is still running', { status: 'RUNNING', completedAt: undefined }, /is RUNNING, not COMPLETED/],
    ['failed its validation', { validationStatus: 'FAILED' }, /restored, but its validation FAILED/],
    ['timed out in validation', { validationStatus: 'TIMED_OUT' }, /restored, but its validation TIMED_OUT/],
    ['is older than allowed', { ageDays: 9 }, /is 9 days old, older than the 7 days allowed/],
  ] as const)('refuses the release when it %s', async (_name, test, message) => {
    // Given the restore tests must be at most 7 days old
    const world = backupWorld({ maxRestoreTestAgeDays: 7 });
    if (test) {
      const { ageDays = 2, ...extra } = test as Partial<RestoreJobInfo> & { ageDays?: number };
      world.backup.restoreTests.set(TABLE, restoreTest(world, ageDays, extra));
    }

    const record = await expectRefusedWithoutLock(world, message);
    expect(record.checks).toContainEqual(
      expect.objectContaining({
        name: 'restore-test-passed',
        passed: false,
        detail: expect.stringMatching(message),
      }),
    );
    expect(world.backupJobs).toEqual([]);
  });

  it('passes a completed, validated restore test within its age', async () => {
    const world = backupWorld({ maxRestoreTestAgeDays: 7 });
    world.backup.restoreTests.set(TABLE, restoreTest(world, 6));

    await expect(capture(world)).resolves.toMatchObject({ result: { status: 'captured' } });
    expect(world.auditRecords()[0].checks).toContainEqual(
      expect.objectContaining({
        name: 'restore-test-passed',
        passed: true,
        detail: expect.stringMatching(/passed, 6 days old$/),
      }),
    );
  });

  it('checks only the parts of readiness that are set', async () => {
    // Given only a wait, no recovery point and no restore test: nothing is read but the job
    const world = backupWorld({ waitForBackupSeconds: 60 });
    world.backup.jobStates.set('backup-job-1', { state: 'COMPLETED', completedAt: iso(world.clock.now()) });

    await expect(capture(world)).resolves.toMatchObject({ result: { status: 'captured' } });
    expect(world.journal.callsOf('backup.latestRecoveryPoint')).toEqual([]);
    expect(world.journal.callsOf('backup.latestRestoreTest')).toEqual([]);
  });
});

describe('waiting for the pre-release backup', () => {
  it('waits, polling every few seconds, until the job completes, then records it in the manifest', async () => {
    // Given a backup job that completes on the third look
    const world = backupWorld({ waitForBackupSeconds: 120 });
    const started = world.clock.now();
    const completedAt = iso(started + 7_000);
    world.backup.jobSequences.set('backup-job-1', [
      { state: 'CREATED' },
      { state: 'RUNNING' },
      { state: 'COMPLETED', completedAt },
    ]);

    const answer = await capture(world);

    // Then the capture answered after the job completed, with the lock taken only after the wait
    expect(answer.result).toEqual(expect.objectContaining({ status: 'captured' }));
    expect(describes(world)).toHaveLength(3);
    const waited = world.clock.now() - started;
    expect(waited).toBeGreaterThanOrEqual(4_000);
    expect(waited).toBeLessThanOrEqual(15_000);
    const lockIndex = world.journal.calls.findIndex((c) => c.args[0] === watchdogLockKey(SERVICE));
    const lastDescribe = world.journal.calls.lastIndexOf(describes(world)[2]);
    expect(lockIndex).toBeGreaterThan(lastDescribe);
    expect(manifestOf(world)?.backups).toEqual([
      {
        resourceArn: TABLE,
        vaultName: 'release-vault',
        backupJobId: 'backup-job-1',
        recoveryPointArn: expect.stringContaining(':recovery-point:rp-1'),
        state: 'COMPLETED',
        completedAt,
      },
    ]);
    expect(world.auditRecords()[0].checks).toContainEqual({
      name: 'backup-completed',
      passed: true,
      detail: `${TABLE}: the pre-release backup (job backup-job-1) completed at ${completedAt}`,
    });
  });

  it('refuses the release when the job fails, keeping its recovery point in the record', async () => {
    const world = backupWorld({ waitForBackupSeconds: 120 });
    world.backup.jobSequences.set('backup-job-1', [
      { state: 'RUNNING' },
      { state: 'FAILED', statusMessage: 'Insufficient privileges to perform the backup' },
    ]);

    const record = await expectRefusedWithoutLock(
      world,
      /pre-release backup \(job backup-job-1\) ended FAILED: Insufficient privileges/,
    );
    expect(record.recoveryPoints).toEqual([expect.stringContaining(':recovery-point:rp-1')]);
    expect(describes(world)).toHaveLength(2);
  });

  it('refuses the release when the job has not completed within waitForBackupSeconds', async () => {
    const world = backupWorld({ waitForBackupSeconds: 30 });
    const started = world.clock.now();

    const record = await expectRefusedWithoutLock(
      world,
      /job backup-job-1\) not completed within 30 s \(RUNNING\)/,
    );

    expect(world.clock.now() - started).toBeLessThanOrEqual(30_000);
    expect(world.clock.now() - started).toBeGreaterThanOrEqual(25_000);
    expect(describes(world).length).toBeGreaterThanOrEqual(6);
    expect(record.checks).toContainEqual(
      expect.objectContaining({ name: 'backup-completed', passed: false }),
    );
  });

  it('waits no longer than the invocation allows, leaving time for the lock and the capture', async () => {
    // Given 40 s left in the invocation (the lock may take 15 s of them, 10 s are kept back)
    const world = backupWorld({ waitForBackupSeconds: 300 });
    const started = world.clock.now();

    await expect(
      world.invoke({ action: 'capture', releaseId: 'r43' }, { getRemainingTimeInMillis: () => 40_000 }),
    ).rejects.toThrow(
      /not completed within 15 s \(the invocation's time left; waitForBackupSeconds is 300\)/,
    );
    expect(world.clock.now() - started).toBeLessThanOrEqual(15_000);
  });

  it('waits for the jobs of every resource, and refuses naming only the one that failed', async () => {
    const world = backupWorld({ waitForBackupSeconds: 60 }, [TABLE, BUCKET_ARN]);
    world.backup.jobSequences.set('backup-job-1', [{ state: 'RUNNING' }, { state: 'COMPLETED' }]);
    world.backup.jobSequences.set('backup-job-2', [
      { state: 'RUNNING' },
      { state: 'RUNNING' },
      { state: 'ABORTED' },
    ]);

    const record = await expectRefusedWithoutLock(
      world,
      /checkout-uploads: the pre-release backup \(job backup-job-2\) ended ABORTED/,
    );
    expect(record.checks.filter((c) => c.name === 'backup-completed').map((c) => c.passed)).toEqual([
      true,
      false,
    ]);
  });
});

describe('an override', () => {
  it('lets a release past a failed gate, recording the override with its reason and who asked, and notifying it', async () => {
    // Given a stale recovery point, and a release that declares an override
    const world = backupWorld({ maxRecoveryPointAgeHours: 24, waitForBackupSeconds: 120 });
    world.backup.addRecoveryPoint(TABLE, 30);

    const answer = await capture(world, 'r43', {
      overrides: {
        backupReadiness: { reason: 'hotfix for INC-7, backups restored tomorrow', requestedBy: 'alice' },
      },
    });

    // Then it is captured, said to be overridden, and the pre-release backup looked at once, not waited for
    expect(answer.result).toEqual(
      expect.objectContaining({ status: 'captured', overridden: ['backupReadiness'] }),
    );
    expect(manifestOf(world)?.backups).toEqual([
      expect.objectContaining({ backupJobId: 'backup-job-1', state: 'RUNNING' }),
    ]);
    expect(describes(world)).toHaveLength(1);
    const [record] = world.auditRecords();
    expect(record.outcome).toBe('captured');
    expect(record.overrides).toEqual(['backupReadiness']);
    expect(record.checks).toContainEqual({
      name: 'recovery-point-fresh',
      passed: false,
      detail: expect.stringMatching(
        /^overridden: hotfix for INC-7, backups restored tomorrow \(requested by alice\); .*table\/orders: .*30 h old/,
      ),
    });
    expect(record.checks).toContainEqual(
      expect.objectContaining({
        name: 'backup-completed',
        passed: false,
        detail: expect.stringMatching(/^overridden: .*not waited for \(RUNNING\)/),
      }),
    );
    expect(world.published).toEqual([
      expect.objectContaining({ subject: `[switchback] ${SERVICE}: capture (captured) release r43` }),
    ]);
  });

  it('is not recorded when no gate needed it', async () => {
    const world = backupWorld({ maxRecoveryPointAgeHours: 24 });
    world.backup.addRecoveryPoint(TABLE, 1);

    const answer = await capture(world, 'r43', {
      overrides: { backupReadiness: { reason: 'just in case' } },
    });

    expect(answer.result.overridden).toBeUndefined();
    expect(world.auditRecords()[0].overrides).toBeUndefined();
  });
});

describe('a release already captured', () => {
  it('is answered as captured again without its gates, even when they would refuse it now', async () => {
    // Given r43 captured while its recovery point was fresh
    const world = backupWorld({ maxRecoveryPointAgeHours: 24 });
    world.backup.addRecoveryPoint(TABLE, 20);
    await capture(world);
    world.clock.advance(10 * 3_600_000);

    // When Terraform captures it again ten hours later
    const again = await capture(world);

    // Then it is not refused, and nothing is checked or started again
    expect(again.result).toEqual(expect.objectContaining({ status: 'already-captured' }));
    expect(world.journal.callsOf('backup.latestRecoveryPoint')).toHaveLength(1);
    expect(world.backupJobs).toHaveLength(1);
  });
});
