/**
 * `restore-data` through the handler, on the fake world: the release's recovery points listed with
 * their live status, a restore planned (a new resource, named within its type's rules), started
 * (audited, notified, followed by the tick), and refused for an unknown, expired, unfinished or
 * unsupported recovery point, changing nothing.
 */
import {
  releaseManifestKey,
  watchdogLockKey,
  watchdogStateKey,
  type RestoreDataAnswer,
  type WatchdogState,
} from '../../lib';
import { callerRequestDigest } from '../../lib/caller-proof';
import { restoreIdempotencyToken } from '../../lambdas/watchdog/engine/restore-data';
import { originalNameOf, planRestore, restoredName } from '../../lambdas/watchdog/engine/restore-plan';
import type { RecoveryPointInfo } from '../../lambdas/watchdog/ports';
import { fakeCallerProof } from './fake-release-safety';
import { awsError, createFakeWorld, SERVICE, type FakeWorld } from './fakes';
import { ACCOUNT, iso, manifest, minutes } from './fixtures';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/switchback-backup`;
const RESTORE_ROLE = `arn:aws:iam::${ACCOUNT}:role/switchback-restore`;
const ORDERS = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`;
const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-db`;
const VOLUME = `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-0123456789abcdef0`;
const INSTANCE = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`;
const point = (id: string) => `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:${id}`;
const RP_TABLE = point('table-r42');
const RP_DB = point('db-r42');
const VAULT = 'release-vault';

type Answer = { status: string; reason?: string; kind?: string; result: RestoreDataAnswer };

interface Backup {
  readonly resourceArn: string;
  readonly backupJobId: string;
  readonly recoveryPointArn?: string;
}

/** A world whose release r42 recorded `backups`, each recovery point as AWS Backup describes it. */
function worldWith(
  backups: Backup[],
  points: Partial<RecoveryPointInfo>[] = [],
  policy = {},
  lockWaitMs?: number,
) {
  const world = createFakeWorld({
    policy,
    ...(lockWaitMs !== undefined ? { lockWaitMs } : {}),
    extraConfig: {
      backup: {
        vaultName: VAULT,
        roleArn: ROLE,
        restoreRoleArn: RESTORE_ROLE,
        resourceArns: [ORDERS, DB],
      },
    },
  });
  world.bucket.put(
    releaseManifestKey(SERVICE, 'r42'),
    JSON.stringify(manifest({ backups: backups.map((b) => ({ ...b, vaultName: VAULT })) })),
  );
  for (const p of points) {
    const info: RecoveryPointInfo = {
      recoveryPointArn: RP_TABLE,
      resourceArn: ORDERS,
      resourceType: 'DynamoDB',
      vaultName: VAULT,
      status: 'COMPLETED',
      createdAt: iso(world.clock.now() - minutes(60)),
      deleteAt: iso(world.clock.now() + minutes(60 * 24 * 30)),
      ...p,
    };
    world.backup.recoveryPoints.set(info.recoveryPointArn, info);
  }
  return world;
}

const tableAndDb = (lockWaitMs?: number) =>
  worldWith(
    [
      { resourceArn: ORDERS, backupJobId: 'job-table', recoveryPointArn: RP_TABLE },
      { resourceArn: DB, backupJobId: 'job-db', recoveryPointArn: RP_DB },
    ],
    [{}, { recoveryPointArn: RP_DB, resourceArn: DB, resourceType: 'RDS' }],
    {},
    lockWaitMs,
  );

const restoreData = (world: FakeWorld, request: Record<string, unknown>) =>
  world.invoke({
    action: 'restore-data',
    releaseId: 'r42',
    requestedBy: 'alice',
    ...request,
  }) as Promise<Answer>;

const stateOf = (world: FakeWorld) =>
  world.bucket.json(watchdogStateKey(SERVICE)) as WatchdogState | undefined;
const writesOutside = (world: FakeWorld, from: number) =>
  world.bucket.writes.slice(from).filter((w) => w.key !== watchdogLockKey(SERVICE));

describe('restore-data lists what a release recorded', () => {
  it('lists each recovery point of the release with its live status, writing nothing', async () => {
    // Given release r42 recorded a table's and a database's recovery points
    const world = tableAndDb();
    const writes = world.bucket.writes.length;

    // When the operator asks for the release's recovery points
    const answer = await restoreData(world, {});

    // Then both are listed as AWS Backup describes them now, and nothing is written or started
    expect(answer.status).toBe('ok');
    expect(answer.result).toEqual({
      outcome: 'listed',
      releaseId: 'r42',
      recoveryPoints: [
        expect.objectContaining({
          recoveryPointArn: RP_TABLE,
          resourceType: 'DynamoDB',
          status: 'COMPLETED',
        }),
        expect.objectContaining({
          recoveryPointArn: RP_DB,
          resourceArn: DB,
          resourceType: 'RDS',
          vaultName: VAULT,
        }),
      ],
    });
    expect(answer.result.recoveryPoints.every((p) => p.unavailable === undefined)).toBe(true);
    expect(world.bucket.writes.length).toBe(writes);
    expect(world.backup.restores).toHaveLength(0);
  });

  it('learns a recovery point the manifest could not record from its backup job, and says why others are unavailable', async () => {
    // Given the volume's job named its recovery point only once it ran, the database's is gone, and the
    // instance's job is still running
    const world = worldWith(
      [
        { resourceArn: VOLUME, backupJobId: 'job-volume' },
        { resourceArn: DB, backupJobId: 'job-db', recoveryPointArn: RP_DB },
        { resourceArn: INSTANCE, backupJobId: 'job-instance' },
      ],
      [{ recoveryPointArn: point('volume-r42'), resourceArn: VOLUME, resourceType: 'EBS' }],
    );
    world.backup.jobStates.set('job-volume', { state: 'COMPLETED', recoveryPointArn: point('volume-r42') });

    const answer = await restoreData(world, {});

    expect(answer.result.recoveryPoints).toEqual([
      expect.objectContaining({
        recoveryPointArn: point('volume-r42'),
        status: 'COMPLETED',
        resourceType: 'EBS',
      }),
      expect.objectContaining({
        recoveryPointArn: RP_DB,
        status: 'MISSING',
        unavailable: expect.stringContaining('no longer has it'),
      }),
      expect.objectContaining({
        recoveryPointArn: '',
        resourceArn: INSTANCE,
        status: 'RUNNING',
        unavailable: expect.stringContaining('backup job job-instance is RUNNING'),
      }),
    ]);
    // Only the jobs without a recorded recovery point were asked
    expect(world.journal.callsOf('backup.describeBackupJob').map((c) => c.args[0])).toEqual([
      'job-volume',
      'job-instance',
    ]);
  });
});

describe('restore-data plans a restore (dry run)', () => {
  it('shows the new table it would create, the metadata it would send and the cut-over, and starts nothing', async () => {
    // Given AWS Backup's restore metadata for the table's recovery point
    const world = tableAndDb();
    world.backup.metadata.set(RP_TABLE, {
      originalTableName: 'orders',
      targetTableName: 'orders',
      encryptionType: 'Default',
    });
    const writes = world.bucket.writes.length;

    // When the operator plans the restore
    const answer = await restoreData(world, {
      recoveryPointArn: RP_TABLE,
      dryRun: true,
      requestId: 'req-00000001',
    });

    // Then the plan restores into a new table, named after the original and the release
    const plan = answer.result.plan;
    expect(answer.result).toMatchObject({ outcome: 'planned', releaseId: 'r42' });
    expect(answer.result.recoveryPoints).toEqual([expect.objectContaining({ recoveryPointArn: RP_TABLE })]);
    expect(plan?.metadata).toEqual({
      originalTableName: 'orders',
      encryptionType: 'Default',
      targetTableName: expect.stringMatching(/^orders-r-r42-[0-9a-f]{6}$/),
    });
    expect(plan?.creates).toContain(`DynamoDB table ${plan?.metadata.targetTableName}`);
    expect(plan?.cutOver.join('\n')).toMatch(/point the service at table/);
    expect(plan).toMatchObject({ recoveryPointArn: RP_TABLE, resourceArn: ORDERS, resourceType: 'DynamoDB' });
    // And nothing is started or written
    expect(world.backup.restores).toHaveLength(0);
    expect(world.bucket.writes.length).toBe(writes);
    expect(world.published).toHaveLength(0);
  });

  it('names the same new resource in the plan and the start of one request', async () => {
    const world = tableAndDb();
    const planned = await restoreData(world, {
      recoveryPointArn: RP_DB,
      dryRun: true,
      requestId: 'req-00000001',
    });
    const started = await restoreData(world, {
      recoveryPointArn: RP_DB,
      reason: 'orders corrupted by r42',
      requestId: 'req-00000001',
    });
    expect(started.result.plan).toEqual(planned.result.plan);
    expect(world.backup.restores[0]?.metadata.DBInstanceIdentifier).toBe(
      planned.result.plan?.metadata.DBInstanceIdentifier,
    );
  });

  it('restores a recovery point the manifest recorded only as a backup job', async () => {
    // Given r42's volume backup whose recovery point became known after capture
    const world = worldWith(
      [{ resourceArn: VOLUME, backupJobId: 'job-volume' }],
      [{ recoveryPointArn: point('volume-r42'), resourceArn: VOLUME, resourceType: 'EBS' }],
    );
    world.backup.jobStates.set('job-volume', { state: 'COMPLETED', recoveryPointArn: point('volume-r42') });
    world.backup.metadata.set(point('volume-r42'), { availabilityZone: 'us-east-1a', volumeType: 'gp3' });

    const answer = await restoreData(world, { recoveryPointArn: point('volume-r42'), dryRun: true });

    expect(answer.result).toMatchObject({
      outcome: 'planned',
      plan: {
        resourceType: 'EBS',
        metadata: { availabilityZone: 'us-east-1a', volumeType: 'gp3' },
        creates: expect.stringContaining('a new EBS volume from vol-0123456789abcdef0'),
      },
    });
  });
});

describe('restore-data starts a restore', () => {
  it('starts the job with the restore role, records it for the tick, audits who asked, and notifies', async () => {
    // Given the table's recovery point, and a caller proof STS accepts
    const world = worldWith(
      [{ resourceArn: ORDERS, backupJobId: 'job-table', recoveryPointArn: RP_TABLE }],
      [{}],
      { verifiedCallers: 'required' },
    );
    world.backup.metadata.set(RP_TABLE, { targetTableName: 'orders' });
    const request = {
      action: 'restore-data',
      releaseId: 'r42',
      recoveryPointArn: RP_TABLE,
      requestedBy: 'alice',
      reason: 'orders corrupted by r42',
      requestId: 'req-00000042',
    };
    const callerArn = `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice`;
    const callerProof = fakeCallerProof(callerArn, callerRequestDigest(request));

    // When the operator starts the restore
    const answer = (await world.invoke({ ...request, callerProof })) as Answer;

    // Then one restore job restores into a new table, with the restore role and a token of the request
    expect(answer.result).toMatchObject({
      outcome: 'restore-started',
      releaseId: 'r42',
      restoreJobId: 'restore-job-1',
      decisionId: expect.any(String),
    });
    const name = answer.result.plan?.metadata.targetTableName;
    expect(world.backup.restores).toEqual([
      {
        recoveryPointArn: RP_TABLE,
        roleArn: RESTORE_ROLE,
        resourceType: 'DynamoDB',
        metadata: { targetTableName: name },
        idempotencyToken: restoreIdempotencyToken('r42', RP_TABLE, 'req-00000042'),
      },
    ]);
    // And the state holds the pending job for the tick to follow
    expect(stateOf(world)?.restores).toEqual([
      {
        restoreJobId: 'restore-job-1',
        releaseId: 'r42',
        recoveryPointArn: RP_TABLE,
        resourceArn: ORDERS,
        resourceType: 'DynamoDB',
        decisionId: answer.result.decisionId,
        startedAt: iso(world.clock.now()),
        requestedBy: 'alice',
        creates: answer.result.plan?.creates,
      },
    ]);
    // And the audit record names the verified caller besides the claimed name
    const [record] = world.auditRecords();
    expect(record).toMatchObject({
      decisionId: answer.result.decisionId,
      decision: 'restore-data',
      outcome: 'restore-started',
      releaseId: 'r42',
      reason: 'orders corrupted by r42',
      trigger: {
        kind: 'restore-data',
        requestedBy: 'alice',
        caller: { arn: callerArn, account: ACCOUNT, verified: true },
      },
      recoveryPoints: [RP_TABLE],
      restore: {
        restoreJobId: 'restore-job-1',
        recoveryPointArn: RP_TABLE,
        resourceArn: ORDERS,
        status: 'PENDING',
      },
      steps: [expect.objectContaining({ kind: 'restore', outcome: 'applied', target: RP_TABLE })],
    });
    // And one notification, and the lock released
    expect(world.published).toEqual([expect.objectContaining({ message: record })]);
    expect(world.bucket.json(watchdogLockKey(SERVICE))).toMatchObject({ released: true });
  });

  it('records an unverified caller when the policy only records and no proof came', async () => {
    const world = tableAndDb();
    await restoreData(world, { recoveryPointArn: RP_TABLE, reason: 'restore drill' });
    expect(world.auditRecords()[0]?.trigger.caller).toEqual({ verified: false, detail: 'no caller proof' });
  });

  it('starts one job for a retried request, recorded once', async () => {
    const world = tableAndDb();
    const request = { recoveryPointArn: RP_TABLE, reason: 'orders corrupted', requestId: 'req-00000007' };
    const first = await restoreData(world, request);
    const retried = await restoreData(world, request);

    expect(retried.result).toMatchObject({
      outcome: 'restore-started',
      restoreJobId: first.result.restoreJobId,
      decisionId: first.result.decisionId,
    });
    expect(world.backup.restores).toHaveLength(1);
    expect(stateOf(world)?.restores).toHaveLength(1);
    expect(world.auditRecords()).toHaveLength(1);
    expect(world.published).toHaveLength(1);
  });

  it('keeps the jobs pending before it', async () => {
    const world = tableAndDb();
    await restoreData(world, { recoveryPointArn: RP_TABLE, reason: 'table', requestId: 'req-00000001' });
    await restoreData(world, { recoveryPointArn: RP_DB, reason: 'database', requestId: 'req-00000002' });
    expect(stateOf(world)?.restores?.map((r) => r.recoveryPointArn)).toEqual([RP_TABLE, RP_DB]);
  });

  it('answers refused, audited, when AWS Backup refuses the start', async () => {
    const world = tableAndDb();
    world.journal.addFault({
      operation: 'backup.startRestore',
      error: awsError(
        'invalid',
        'StartRestoreJob',
        'InvalidParameterValueException',
        'Table already exists: orders-r-r42',
      ),
    });
    const answer = await restoreData(world, { recoveryPointArn: RP_TABLE, reason: 'orders corrupted' });
    expect(answer.result).toMatchObject({
      outcome: 'refused',
      code: 'not-restorable',
      reason: expect.stringContaining('Table already exists'),
    });
    expect(stateOf(world)?.restores ?? []).toEqual([]);
    expect(world.auditRecords()).toEqual([
      expect.objectContaining({ decision: 'restore-data', outcome: 'refused' }),
    ]);
  });

  it('fails the invocation (retried with the same token) when AWS Backup stays unreachable', async () => {
    const world = tableAndDb();
    world.journal.addFault({
      operation: 'backup.startRestore',
      error: awsError('transient', 'StartRestoreJob', 'ServiceUnavailableException'),
    });
    await expect(restoreData(world, { recoveryPointArn: RP_TABLE, reason: 'x' })).rejects.toThrow(
      /ServiceUnavailableException/,
    );
    expect(world.auditRecords()).toEqual([]);
    // ... and the service's lock was never taken while AWS Backup was retried (an alarm never waits on it)
    expect(world.bucket.json(watchdogLockKey(SERVICE))).toBeUndefined();
  });

  it('starts the job before taking the lock, which it holds only for the state and the audit record', async () => {
    const world = tableAndDb();
    await restoreData(world, { recoveryPointArn: RP_TABLE, reason: 'orders corrupted' });

    const calls = world.journal.calls;
    const started = calls.findIndex((c) => c.operation === 'backup.startRestore');
    const locked = calls.findIndex((c) => c.args[0] === watchdogLockKey(SERVICE));
    expect(started).toBeGreaterThanOrEqual(0);
    expect(locked).toBeGreaterThan(started);
  });

  it('answers LockBusyError while another run holds the lock, and its retry records the job it started', async () => {
    // Given another run holding the service's lock
    const world = tableAndDb(300);
    world.holdLock('other-run', world.clock.now() + minutes(1));
    const request = { recoveryPointArn: RP_TABLE, reason: 'orders corrupted', requestId: 'req-00000009' };

    // When the operator starts the restore, Then it answers busy (the job is started, not recorded yet)
    await expect(restoreData(world, request)).rejects.toMatchObject({ name: 'LockBusyError' });
    expect(world.backup.restores).toHaveLength(1);
    expect(stateOf(world)?.restores ?? []).toEqual([]);
    expect(world.log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('not recorded yet') }),
    );

    // When the same request comes again once the lock is free, Then the same job is recorded, once
    world.clock.advance(minutes(2));
    const retried = await restoreData(world, request);
    expect(retried.result).toMatchObject({ outcome: 'restore-started', restoreJobId: 'restore-job-1' });
    expect(world.journal.callsOf('backup.startRestore')).toHaveLength(2);
    expect(world.backup.restores).toHaveLength(1);
    expect(stateOf(world)?.restores?.map((r) => r.restoreJobId)).toEqual(['restore-job-1']);
    expect(world.auditRecords()).toEqual([expect.objectContaining({ outcome: 'restore-started' })]);
  });
});

describe('restore-data refuses, changing nothing', () => {
  const refusals: [string, (w: FakeWorld) => void, string, RegExp][] = [
    [
      'a recovery point the release did not record',
      () => undefined,
      'unknown-recovery-point',
      /not a recovery point of release r42/,
    ],
    [
      'an expired recovery point',
      (w) =>
        w.backup.recoveryPoints.set(RP_TABLE, {
          ...w.backup.recoveryPoints.get(RP_TABLE)!,
          status: 'EXPIRED',
        }),
      'expired',
      /EXPIRED/,
    ],
    [
      'a recovery point past its lifecycle',
      (w) =>
        w.backup.recoveryPoints.set(RP_TABLE, {
          ...w.backup.recoveryPoints.get(RP_TABLE)!,
          deleteAt: iso(w.clock.now() - minutes(1)),
        }),
      'expired',
      /lifecycle deleted it/,
    ],
    [
      'a recovery point AWS Backup no longer has',
      (w) => w.backup.recoveryPoints.delete(RP_TABLE),
      'expired',
      /no longer has it/,
    ],
    [
      'a partial recovery point',
      (w) =>
        w.backup.recoveryPoints.set(RP_TABLE, {
          ...w.backup.recoveryPoints.get(RP_TABLE)!,
          status: 'PARTIAL',
        }),
      'not-restorable',
      /PARTIAL, not COMPLETED/,
    ],
    [
      'a recovery point of a type restore-data does not restore',
      (w) =>
        w.backup.recoveryPoints.set(RP_TABLE, {
          ...w.backup.recoveryPoints.get(RP_TABLE)!,
          resourceType: 'EC2',
          resourceArn: INSTANCE,
        }),
      'unsupported-type',
      /EC2 recovery point/,
    ],
  ];

  it.each(refusals)('%s', async (_name, arrange, code, reason) => {
    const world = tableAndDb();
    arrange(world);
    const requested = code === 'unknown-recovery-point' ? point('someone-elses') : RP_TABLE;

    // A plan is only answered
    const planned = await restoreData(world, { recoveryPointArn: requested, dryRun: true });
    expect(planned.result).toMatchObject({ outcome: 'refused', code, reason: expect.stringMatching(reason) });
    expect(world.auditRecords()).toHaveLength(0);

    // A start is answered and audited, and nothing is started or pending
    const started = await restoreData(world, { recoveryPointArn: requested, reason: 'please' });
    expect(started.result).toMatchObject({ outcome: 'refused', code, reason: expect.stringMatching(reason) });
    expect(world.backup.restores).toHaveLength(0);
    expect(stateOf(world)?.restores ?? []).toEqual([]);
    expect(world.auditRecords()).toEqual([
      expect.objectContaining({
        decision: 'restore-data',
        outcome: 'refused',
        checks: [expect.objectContaining({ name: code, passed: false })],
        trigger: expect.objectContaining({ kind: 'restore-data', requestedBy: 'alice' }),
      }),
    ]);
    expect(world.published).toHaveLength(0);
  });

  it('lists the release’s recovery points with an unknown one, so the operator can pick', async () => {
    const world = tableAndDb();
    const answer = await restoreData(world, { recoveryPointArn: point('nope'), dryRun: true });
    expect(answer.result.recoveryPoints.map((p) => p.recoveryPointArn)).toEqual([RP_TABLE, RP_DB]);
  });

  it('refuses a release that was never captured', async () => {
    const world = tableAndDb();
    const writes = world.bucket.writes.length;
    const answer = (await world.invoke({
      action: 'restore-data',
      releaseId: 'r9',
      requestedBy: 'alice',
    })) as Answer;
    expect(answer.result).toMatchObject({
      outcome: 'refused',
      code: 'unknown-recovery-point',
      reason: expect.stringMatching(/never captured/),
    });
    expect(writesOutside(world, writes)).toEqual([]);
  });

  it('rejects a start without a reason before anything is read', async () => {
    const world = tableAndDb();
    const calls = world.journal.calls.length;
    const answer = await restoreData(world, { recoveryPointArn: RP_TABLE });
    expect(answer).toMatchObject({ status: 'rejected', reason: expect.stringContaining('needs a reason') });
    expect(world.journal.calls.slice(calls)).toEqual([]);
  });
});

describe('the new resource’s name', () => {
  const seed = { recoveryPointArn: RP_TABLE, requestId: 'req-00000001' };
  const long = 'a'.repeat(300);

  it('takes the original name from the resource ARN', () => {
    expect(originalNameOf(ORDERS)).toBe('orders');
    expect(originalNameOf(DB)).toBe('orders-db');
    expect(originalNameOf(`arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders-cluster`)).toBe('orders-cluster');
    expect(originalNameOf('arn:aws:s3:::orders-exports')).toBe('orders-exports');
    expect(originalNameOf(`arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/fs-0123`)).toBe(
      'fs-0123',
    );
    expect(originalNameOf(VOLUME)).toBe('vol-0123456789abcdef0');
  });

  it.each([
    ['orders', 'r42'],
    [long.slice(0, 255), 'release.2026-11-21_01'],
    ['Orders.V2_table-', '..__--'],
  ])('DynamoDB: 3-255 of [a-zA-Z0-9_.-] (%s, %s)', (table, release) => {
    const name = restoredName(
      'DynamoDB',
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${table}`,
      release,
      seed,
    );
    expect(name).toMatch(/^[A-Za-z0-9_.-]{3,255}$/);
    expect(name).toMatch(/-r-.*[0-9a-f]{6}$/);
  });

  it.each([
    ['orders-db', 'r42'],
    ['a'.repeat(63), 'release.2026-11-21_01'],
    ['db1', '__'],
    ['x', 'R--42..'],
  ])(
    'RDS and Aurora: 1-63 letters, digits, single hyphens, a letter first, no hyphen last (%s, %s)',
    (id, release) => {
      for (const [type, arn] of [
        ['RDS', `arn:aws:rds:us-east-1:${ACCOUNT}:db:${id}`],
        ['Aurora', `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:${id}`],
      ] as const) {
        const name = restoredName(type, arn, release, seed);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(name).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
        expect(name).not.toContain('--');
      }
    },
  );

  it('RDS: an identifier that would start with a digit starts with a letter', () => {
    const name = restoredName('RDS', `arn:aws:rds:us-east-1:${ACCOUNT}:db:9lives`, '1', seed);
    expect(name).toMatch(/^[a-z]/);
  });

  it.each([
    ['orders-exports', 'r42'],
    ['my.bucket.with.dots', 'Release_42'],
    [`b${'0'.repeat(62)}`, 'release.2026-11-21_01'],
  ])(
    'S3: 3-63 lowercase letters, digits and hyphens, a letter or digit at each end (%s, %s)',
    (bucket, release) => {
      const name = restoredName('S3', `arn:aws:s3:::${bucket}`, release, seed);
      expect(name).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
    },
  );

  it('EFS: a creation token of at most 64 characters', () => {
    const name = restoredName(
      'EFS',
      `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/fs-0123`,
      long,
      seed,
    );
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name.startsWith('fs-0123-r-')).toBe(true);
  });

  it('differs by request, and is the same for the same request', () => {
    const a = restoredName('DynamoDB', ORDERS, 'r42', seed);
    expect(restoredName('DynamoDB', ORDERS, 'r42', { ...seed })).toBe(a);
    expect(restoredName('DynamoDB', ORDERS, 'r42', { ...seed, requestId: 'req-00000002' })).not.toBe(a);
  });
});

describe('the restore plan', () => {
  const info = (resourceType: string, resourceArn: string) => ({
    recoveryPointArn: RP_TABLE,
    resourceArn,
    resourceType,
  });

  it('sets the keys AWS Backup reads, replacing a key of another case', () => {
    const efs = planRestore(
      info('EFS', `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/fs-0123`),
      { 'file-system-id': 'fs-0123', NewFileSystem: 'false', Encrypted: 'true' },
      'r42',
    );
    expect(efs.metadata).toEqual({
      'file-system-id': 'fs-0123',
      Encrypted: 'true',
      newFileSystem: 'true',
      CreationToken: expect.stringMatching(/^fs-0123-r-r42-[0-9a-f]{6}$/),
    });

    const s3 = planRestore(
      info('S3', 'arn:aws:s3:::orders-exports'),
      { DestinationBucketName: 'orders-exports' },
      'r42',
    );
    expect(s3.metadata).toEqual({
      NewBucket: 'true',
      DestinationBucketName: expect.stringMatching(/^orders-exports-r-r42-/),
    });

    const aurora = planRestore(
      info('Aurora', `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders`),
      { Engine: 'aurora-postgresql' },
      'r42',
    );
    expect(aurora.metadata).toEqual({
      Engine: 'aurora-postgresql',
      DBClusterIdentifier: expect.stringMatching(/^orders-r-r42-/),
    });
    expect(aurora.cutOver.join('\n')).toContain('add DB instances');
  });

  it('restores a Multi-AZ DB cluster backed up as RDS as a cluster', () => {
    const plan = planRestore(info('RDS', `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders`), {}, 'r42');
    expect(Object.keys(plan.metadata)).toEqual(['DBClusterIdentifier']);
  });
});
