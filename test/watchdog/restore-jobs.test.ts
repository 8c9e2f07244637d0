/**
 * The schedule tick follows the restore jobs `restore-data` started: a job still running costs one
 * describe and no write; a job that ended gets its record (following the start), a notification, and
 * leaves the state. With nothing pending the tick reads nothing more than before.
 */
import {
  releaseManifestKey,
  watchdogLockKey,
  watchdogStateKey,
  type RestoreDataAnswer,
  type WatchdogState,
} from '../../lib';
import type { TickOutcome } from '../../lambdas/watchdog/engine/tick';
import { awsError, createFakeWorld, SERVICE, type FakeWorld } from './fakes';
import { ACCOUNT, iso, manifest, minutes } from './fixtures';

const ORDERS = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`;
const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-db`;
const point = (id: string) => `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:${id}`;
const RP_TABLE = point('table-r42');
const RP_DB = point('db-r42');
const VAULT = 'release-vault';

type TickAnswer = { status: string; result: TickOutcome };

function restoringWorld() {
  const world = createFakeWorld({
    extraConfig: {
      backup: {
        vaultName: VAULT,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/switchback-backup`,
        resourceArns: [ORDERS, DB],
      },
    },
  });
  world.bucket.put(
    releaseManifestKey(SERVICE, 'r42'),
    JSON.stringify(
      manifest({
        backups: [
          { resourceArn: ORDERS, backupJobId: 'job-table', vaultName: VAULT, recoveryPointArn: RP_TABLE },
          { resourceArn: DB, backupJobId: 'job-db', vaultName: VAULT, recoveryPointArn: RP_DB },
        ],
      }),
    ),
  );
  for (const [arn, resourceArn, resourceType] of [
    [RP_TABLE, ORDERS, 'DynamoDB'],
    [RP_DB, DB, 'RDS'],
  ] as const) {
    world.backup.recoveryPoints.set(arn, {
      recoveryPointArn: arn,
      resourceArn,
      resourceType,
      vaultName: VAULT,
      status: 'COMPLETED',
      createdAt: iso(world.clock.now() - minutes(30)),
    });
  }
  return world;
}

async function start(world: FakeWorld, recoveryPointArn: string, requestId: string) {
  const answer = (await world.invoke({
    action: 'restore-data',
    releaseId: 'r42',
    recoveryPointArn,
    requestedBy: 'alice',
    reason: 'orders corrupted by r42',
    requestId,
  })) as { result: RestoreDataAnswer };
  return answer.result;
}

const tick = (world: FakeWorld) => world.invoke({ action: 'tick' }) as Promise<TickAnswer>;
const stateOf = (world: FakeWorld) => world.bucket.json(watchdogStateKey(SERVICE)) as WatchdogState;

function moveJob(world: FakeWorld, restoreJobId: string, changes: Record<string, string>) {
  const job = world.backup.restoreJobs.get(restoreJobId);
  if (!job) throw new Error(`no job ${restoreJobId}`);
  world.backup.restoreJobs.set(restoreJobId, { ...job, ...changes });
}

describe('the tick with no restore pending', () => {
  it('reads nothing about restores and writes nothing', async () => {
    const world = restoringWorld();
    const calls = world.journal.calls.length;
    const writes = world.bucket.writes.length;

    const answer = await tick(world);

    expect(answer.result.restores).toBeUndefined();
    expect(world.journal.calls.slice(calls).filter((c) => c.operation.startsWith('backup.'))).toEqual([]);
    expect(world.bucket.writes.length).toBe(writes);
  });
});

describe('the tick follows a restore job', () => {
  it('describes a running job and writes nothing', async () => {
    // Given a restore job AWS Backup is running
    const world = restoringWorld();
    const started = await start(world, RP_TABLE, 'req-00000001');
    moveJob(world, started.restoreJobId as string, { status: 'RUNNING', percentDone: '40%' });
    const writes = world.bucket.writes.length;
    const published = world.published.length;

    // When the tick runs
    const answer = await tick(world);

    // Then it described the job, and wrote and sent nothing
    expect(answer.result.restores).toEqual({ ended: [], pending: 1 });
    expect(world.journal.callsOf('backup.describeRestoreJob').map((c) => c.args[0])).toEqual([
      started.restoreJobId,
    ]);
    expect(world.bucket.writes.length).toBe(writes);
    expect(world.published.length).toBe(published);
  });

  it('records a completed restore with what it created, following the start, notifies, and forgets it', async () => {
    // Given the restore job completed, creating the new table
    const world = restoringWorld();
    const started = await start(world, RP_TABLE, 'req-00000001');
    const created = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${started.plan?.metadata.targetTableName}`;
    world.clock.advance(minutes(12));
    moveJob(world, started.restoreJobId as string, {
      status: 'COMPLETED',
      completedAt: iso(world.clock.now() - minutes(1)),
      createdResourceArn: created,
    });

    // When the tick runs
    const answer = await tick(world);

    // Then one record says it restored, following the decision that started it
    const decisionId = `${started.decisionId}-restore-job`;
    expect(answer.result.restores).toEqual({
      ended: [{ restoreJobId: started.restoreJobId, outcome: 'restored', decisionId }],
      pending: 0,
    });
    const record = world.auditRecords().find((r) => r.decisionId === decisionId);
    expect(record).toMatchObject({
      decision: 'restore-data',
      outcome: 'restored',
      releaseId: 'r42',
      follows: started.decisionId,
      trigger: { kind: 'restore-job', requestedBy: 'alice' },
      checks: [{ name: 'restore-job-completed', passed: true, detail: 'COMPLETED' }],
      restore: {
        restoreJobId: started.restoreJobId,
        recoveryPointArn: RP_TABLE,
        resourceArn: ORDERS,
        creates: started.plan?.creates,
        status: 'COMPLETED',
        createdResourceArn: created,
      },
      steps: [expect.objectContaining({ kind: 'restore', outcome: 'applied', durationMs: minutes(11) })],
    });
    // And it is notified, and no longer pending
    expect(world.published.at(-1)).toMatchObject({ message: record });
    expect(stateOf(world).restores).toBeUndefined();
    expect(world.bucket.json(watchdogLockKey(SERVICE))).toMatchObject({ released: true });

    // And the next tick does not look at it again
    const calls = world.journal.callsOf('backup.describeRestoreJob').length;
    await tick(world);
    expect(world.journal.callsOf('backup.describeRestoreJob')).toHaveLength(calls);
  });

  it('records a failed restore with AWS Backup’s message', async () => {
    const world = restoringWorld();
    const started = await start(world, RP_DB, 'req-00000001');
    moveJob(world, started.restoreJobId as string, {
      status: 'FAILED',
      statusMessage: 'DB instance identifier already exists',
    });

    const answer = await tick(world);

    expect(answer.result.restores?.ended).toEqual([
      expect.objectContaining({ restoreJobId: started.restoreJobId, outcome: 'restore-failed' }),
    ]);
    expect(world.auditRecords().find((r) => r.follows === started.decisionId)).toMatchObject({
      outcome: 'restore-failed',
      follows: started.decisionId,
      reason: expect.stringContaining('FAILED: DB instance identifier already exists'),
      restore: { status: 'FAILED', statusMessage: 'DB instance identifier already exists' },
      steps: [expect.objectContaining({ outcome: 'failed' })],
    });
    expect(world.published.at(-1)?.subject).toMatch(/restore-data \(restore-failed\)/);
    expect(stateOf(world).restores).toBeUndefined();
  });

  it('settles only the jobs that ended', async () => {
    const world = restoringWorld();
    const table = await start(world, RP_TABLE, 'req-00000001');
    const db = await start(world, RP_DB, 'req-00000002');
    moveJob(world, table.restoreJobId as string, { status: 'RUNNING' });
    moveJob(world, db.restoreJobId as string, { status: 'ABORTED' });

    const answer = await tick(world);

    expect(answer.result.restores).toEqual({
      ended: [expect.objectContaining({ restoreJobId: db.restoreJobId, outcome: 'restore-failed' })],
      pending: 1,
    });
    expect(stateOf(world).restores?.map((r) => r.restoreJobId)).toEqual([table.restoreJobId]);
  });

  it('records a job AWS Backup no longer knows as failed', async () => {
    const world = restoringWorld();
    const started = await start(world, RP_TABLE, 'req-00000001');
    world.backup.restoreJobs.delete(started.restoreJobId as string);

    await tick(world);

    expect(world.auditRecords().find((r) => r.follows === started.decisionId)).toMatchObject({
      outcome: 'restore-failed',
      restore: { status: 'MISSING', statusMessage: expect.stringContaining('no longer knows') },
    });
    expect(stateOf(world).restores).toBeUndefined();
  });

  it('leaves a job it could not describe for the next tick', async () => {
    const world = restoringWorld();
    const started = await start(world, RP_TABLE, 'req-00000001');
    moveJob(world, started.restoreJobId as string, { status: 'COMPLETED' });
    const fault = world.journal.addFault({
      operation: 'backup.describeRestoreJob',
      error: awsError('throttled', 'DescribeRestoreJob', 'ThrottlingException'),
    });
    const writes = world.bucket.writes.length;

    const first = await tick(world);
    expect(first.status).toBe('ok');
    expect(first.result.restores).toEqual({ ended: [], pending: 1 });
    expect(world.bucket.writes.length).toBe(writes);

    fault.remove();
    const second = await tick(world);
    expect(second.result.restores?.ended).toHaveLength(1);
  });

  it('waits for the next tick while another run holds the lock', async () => {
    const restoring = restoringWorld();
    const started = await start(restoring, RP_TABLE, 'req-00000001');
    moveJob(restoring, started.restoreJobId as string, { status: 'COMPLETED' });
    restoring.holdLock('another-run', restoring.clock.now() + minutes(2));
    const records = restoring.auditRecords().length;

    const answer = await tick(restoring);

    expect(answer.status).toBe('ok');
    expect(answer.result.restores).toBeUndefined();
    expect(restoring.auditRecords()).toHaveLength(records);
    expect(stateOf(restoring).restores).toHaveLength(1);
  });
});
