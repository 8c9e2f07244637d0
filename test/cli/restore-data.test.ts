/**
 * `switchback restore-data` against the real watchdog runtime on the emulator: a release's capture
 * takes a backup of its table; the operator lists the release's recovery points, sees what a restore
 * creates (a NEW table; the original untouched) and the cut-over, confirms (or says --yes with a
 * reason), and the CLI starts the restore through the watchdog and follows the restore job to its end.
 * Refusals (unknown release or recovery point, expired, not confirmed) exit 2 and start nothing.
 */
import { BackupClient, CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { Readable } from 'node:stream';
import { runCli } from '../../cli/program';
import { useEmulator } from '../emulator/testing';
import type { World } from '../watchdog/harness';
import { FUNCTION, deployedWorld, sink } from './harness';

const emulator = useEmulator();

const ACCOUNT = '123456789012';
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`;
const VAULT = 'release-vault';
const ALICE = {
  accessKeyId: 'AKIAALICE00000000001',
  secretAccessKey: 'alice-secret',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
};

interface RunOptions {
  /** stdout and stderr are terminals. */
  readonly tty?: boolean;
  /** What the operator types (stdin is then a terminal). */
  readonly typed?: string;
}

/** Runs the CLI as alice (credentials STS knows), against the world's watchdog, with short waits. */
async function run(world: World, argv: string[], options: RunOptions = {}) {
  const stdout = sink(options.tty);
  const stderr = sink(options.tty);
  const stdin =
    options.typed !== undefined ? Object.assign(Readable.from([options.typed]), { isTTY: true }) : undefined;
  const code = await runCli([...argv, '--function', FUNCTION], {
    stdout,
    stderr,
    ...(stdin ? { stdin } : {}),
    env: { AWS_ENDPOINT_URL: world.emulator.endpoint, AWS_REGION: 'us-east-1', USER: 'alice' },
    clientConfig: { credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey } },
    // Restores in the emulator take seconds of its clock: poll often, for real.
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 100))),
  });
  return { code, stdout: stdout.text, stderr: stderr.text, json: () => JSON.parse(stdout.text) };
}

/** A watchdog whose release r1 was captured with a completed backup of the orders table. */
async function releasedWithBackup(): Promise<{ world: World; recoveryPointArn: string }> {
  const emu = emulator();
  emu.sts.addIdentity(ALICE);
  const backup = new BackupClient(emu.clientConfig());
  await backup.send(new CreateBackupVaultCommand({ BackupVaultName: VAULT }));
  backup.destroy();
  const world = await deployedWorld(emu, {
    listeners: 1,
    extraConfig: {
      backup: {
        vaultName: VAULT,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/switchback-backup`,
        resourceArns: [TABLE],
      },
    },
  });
  world.setAlarm('checkout-5xx', 'OK');
  const captured = await run(world, ['capture', '--release', 'r1']);
  expect(captured.code).toBe(0);
  const [job] = emu.backup.jobs();
  emu.backup.setJobState(job.BackupJobId, 'COMPLETED');
  // A restore of the table takes two seconds.
  emu.backup.setRestoreBehaviour('*', { completeAfterSeconds: 2 });
  return { world, recoveryPointArn: job.RecoveryPointArn };
}

const restoreJobs = (world: World) => world.emulator.backup.restoreJobs(TABLE).filter((j) => !j.CreatedBy);
const calls = (world: World, action: string) =>
  world.emulator.requestLog.entries().filter((entry) => entry.action === action).length;

describe('switchback restore-data lists a release’s recovery points', () => {
  it('lists each recovery point with its status and dates, and the command to restore it', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();

    const listed = await run(world, ['restore-data', '--release', 'r1']);
    const json = await run(world, ['restore-data', '--release', 'r1', '--json']);

    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('Recovery points recorded for release r1 of checkout:');
    expect(listed.stdout).toMatch(/RESOURCE\s+TYPE\s+STATUS\s+CREATED\s+EXPIRES\s+RECOVERY POINT/);
    expect(listed.stdout).toMatch(/table\/orders\s+DynamoDB\s+COMPLETED\s+\S+/);
    expect(listed.stdout).toContain(
      `switchback restore-data --release r1 --recovery-point ${recoveryPointArn} --reason "<why>"`,
    );
    expect(json.json()).toEqual(
      expect.objectContaining({
        service: 'checkout',
        outcome: 'listed',
        releaseId: 'r1',
        recoveryPoints: [
          expect.objectContaining({ recoveryPointArn, resourceArn: TABLE, status: 'COMPLETED' }),
        ],
      }),
    );
    expect(restoreJobs(world)).toHaveLength(0);
  });

  it('exits 2 for a release that was never captured, starting nothing', async () => {
    const { world } = await releasedWithBackup();

    const result = await run(world, ['restore-data', '--release', 'r9']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'restore-data refused [unknown-recovery-point]: release r9 of checkout was never captured',
    );
    expect(restoreJobs(world)).toHaveLength(0);
  });
});

describe('switchback restore-data plans, confirms, starts and follows a restore', () => {
  it('prints what the restore creates and the cut-over with --dry-run, starting nothing', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();

    const plan = await run(world, [
      'restore-data',
      '--release',
      'r1',
      '--recovery-point',
      recoveryPointArn,
      '--dry-run',
    ]);

    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /AWS Backup restores to a NEW DynamoDB resource: DynamoDB table orders-r-r1-[0-9a-f]{6} \(a new table; orders is left as it is\)\. The original arn:aws:dynamodb:us-east-1:123456789012:table\/orders is not changed\./,
    );
    expect(plan.stdout).toContain('Then, to cut the service over to it:');
    expect(plan.stdout).toMatch(/ {2}2\. point the service at table orders-r-r1-[0-9a-f]{6}/);
    expect(plan.stdout).toContain('dry run: nothing started.');
    expect(restoreJobs(world)).toHaveLength(0);
  });

  it('starts with --yes and a reason, follows the job to its end, and prints the new table', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();

    const result = await run(world, [
      'restore-data',
      '--release',
      'r1',
      '--recovery-point',
      recoveryPointArn,
      '--yes',
      '--reason',
      'orders corrupted by r1',
    ]);

    expect(result.code).toBe(0);
    const [job] = restoreJobs(world);
    const newTable = job.Metadata.targetTableName;
    // What the plan showed is what was started.
    expect(result.stdout).toContain(
      `AWS Backup restores to a NEW DynamoDB resource: DynamoDB table ${newTable}`,
    );
    expect(result.stdout).toContain(`restore job ${job.RestoreJobId} started by alice@`);
    expect(result.stdout).toContain(`restored: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${newTable}`);
    expect(result.stdout).toContain(`The original ${TABLE} is not changed. To cut over:`);
    // Plain progress lines on stderr (not a terminal): one per status seen, not one per read.
    expect(result.stderr).toMatch(new RegExp(`restore job ${job.RestoreJobId}: started`));
    expect(result.stderr).toMatch(new RegExp(`restore job ${job.RestoreJobId}: COMPLETED 100%`));
    expect(job.Status).toBe('COMPLETED');
    expect(calls(world, 'DescribeRestoreJob')).toBeGreaterThan(0);
  });

  it('shows the progress as one line that updates in place on a terminal', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();

    const result = await run(
      world,
      [
        'restore-data',
        '--release',
        'r1',
        '--recovery-point',
        recoveryPointArn,
        '--reason',
        'orders corrupted',
      ],
      { tty: true, typed: 'y\n' },
    );

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('? [y/N]');
    const progress = result.stderr.slice(result.stderr.indexOf('\r'));
    // Every update rewrites the line; only the last one ends it.
    expect(progress.split('\r\u001b[2K').length).toBeGreaterThan(2);
    expect(progress.trimEnd().split('\n')).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(progress.replace(/\u001b\[\d+m/g, '')).toMatch(/✔ restore job \S+: COMPLETED 100%/);
  });

  it('exits 1 with the reason when the restore job fails; the original is untouched', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();
    world.emulator.backup.setRestoreBehaviour(TABLE, {
      completeAfterSeconds: 1,
      failWith: 'Access denied to the target table KMS key',
    });

    const result = await run(world, [
      'restore-data',
      '--release',
      'r1',
      '--recovery-point',
      recoveryPointArn,
      '--yes',
      '--reason',
      'orders corrupted',
      '--json',
    ]);

    expect(result.code).toBe(1);
    expect(result.json()).toEqual(
      expect.objectContaining({
        outcome: 'restore-started',
        job: expect.objectContaining({
          status: 'FAILED',
          statusMessage: 'Access denied to the target table KMS key',
        }),
      }),
    );
  });

  it('returns once started with --no-wait, without reading the job', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();

    const result = await run(world, [
      'restore-data',
      '--release',
      'r1',
      '--recovery-point',
      recoveryPointArn,
      '--yes',
      '--reason',
      'orders corrupted',
      '--no-wait',
    ]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Not following it (--no-wait)');
    expect(restoreJobs(world)).toHaveLength(1);
    expect(calls(world, 'DescribeRestoreJob')).toBe(0);
  });

  it('starts one restore job when the start is delivered twice (one request id)', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();
    // Lambda delivers the start twice (a retry after a timeout, say).
    world.emulator.lambda.registerHandler(FUNCTION, async (event) => {
      const request = event as { dryRun?: boolean };
      if (request.dryRun === false) await world.invoke(event);
      return world.invoke(event);
    });

    const result = await run(world, [
      'restore-data',
      '--release',
      'r1',
      '--recovery-point',
      recoveryPointArn,
      '--yes',
      '--reason',
      'orders corrupted',
      '--no-wait',
    ]);

    expect(result.code).toBe(0);
    expect(restoreJobs(world)).toHaveLength(1);
  });
});

describe('switchback restore-data changes nothing without a confirmed, valid request', () => {
  it('exits 2 without a terminal and without --yes, after showing the plan', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();

    const result = await run(world, [
      'restore-data',
      '--release',
      'r1',
      '--recovery-point',
      recoveryPointArn,
      '--reason',
      'x',
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toContain('AWS Backup restores to a NEW DynamoDB resource');
    expect(result.stderr).toContain('there is no terminal to confirm the restore on: nothing was started.');
    expect(restoreJobs(world)).toHaveLength(0);
  });

  it('exits 2 when the operator declines', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();

    const result = await run(
      world,
      ['restore-data', '--release', 'r1', '--recovery-point', recoveryPointArn, '--reason', 'x'],
      { typed: 'n\n' },
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not confirmed: nothing was started.');
    expect(restoreJobs(world)).toHaveLength(0);
  });

  it('exits 2 for a recovery point that is not the release’s, and for an expired one', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();
    const other = `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:not-of-r1`;

    const unknown = await run(world, [
      'restore-data',
      '--release',
      'r1',
      '--recovery-point',
      other,
      '--yes',
      '--reason',
      'x',
    ]);
    world.emulator.backup.setRecoveryPointStatus(recoveryPointArn, 'EXPIRED');
    const expired = await run(world, [
      'restore-data',
      '--release',
      'r1',
      '--recovery-point',
      recoveryPointArn,
      '--yes',
      '--reason',
      'x',
    ]);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      `restore-data refused [unknown-recovery-point]: ${other} is not a recovery point of release r1`,
    );
    expect(expired.code).toBe(2);
    expect(expired.stderr).toContain(
      `restore-data refused [expired]: ${recoveryPointArn} cannot be restored: it is EXPIRED`,
    );
    expect(expired.stderr).toContain('Nothing was started.');
    expect(restoreJobs(world)).toHaveLength(0);
  });

  it.each([
    [['restore-data'], '--release must be a release id'],
    [
      ['restore-data', '--release', 'r1', '--recovery-point', 'rp-1'],
      '--recovery-point must be a recovery point ARN',
    ],
    [
      [
        'restore-data',
        '--release',
        'r1',
        '--recovery-point',
        'arn:aws:backup:us-east-1:1:recovery-point:x',
        '--yes',
      ],
      '--reason is required',
    ],
    [['restore-data', '--release', 'r1', '--yes'], '--yes goes with --recovery-point'],
    [
      ['restore-data', '--release', 'r1', '--poll-seconds', '0'],
      '--poll-seconds must be a whole number from 1 to 300',
    ],
  ])('exits 2 before any AWS call for %j', async (argv, message) => {
    const emu = emulator();
    emu.requestLog.clear();

    const stderr = sink();
    const code = await runCli([...argv, '--function', FUNCTION], {
      stdout: sink(),
      stderr,
      env: { AWS_ENDPOINT_URL: emu.endpoint, AWS_REGION: 'us-east-1' },
      clientConfig: { credentials: emu.clientConfig().credentials },
    });

    expect(code).toBe(2);
    expect(stderr.text).toContain(message);
    expect(emu.requestLog.count()).toBe(0);
  });
});

describe('a restore in status and history', () => {
  it('shows the pending restore in status, and in history who started it (verified) and what it created', async () => {
    const { world, recoveryPointArn } = await releasedWithBackup();
    const started = await run(world, [
      'restore-data',
      '--release',
      'r1',
      '--recovery-point',
      recoveryPointArn,
      '--yes',
      '--reason',
      'orders corrupted by r1',
      '--no-wait',
    ]);
    expect(started.code).toBe(0);
    const [job] = restoreJobs(world);

    // While it runs
    const pending = await run(world, ['status']);
    // Once the watchdog's tick has seen it end
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await world.invoke({ action: 'tick' })) as { status: string }).toEqual(
      expect.objectContaining({ status: 'ok' }),
    );
    const history = await run(world, ['history']);
    const after = await run(world, ['status', '--json']);

    expect(pending.stdout).toMatch(
      new RegExp(
        `restore +restore job ${job.RestoreJobId} of table/orders \\(release r1\\) started .* by alice@\\S+: creates DynamoDB table ${job.Metadata.targetTableName}`,
      ),
    );
    expect(history.stdout).toMatch(
      /restore-data by alice@\S+ \(user\/alice, verified\)\s+r1\s+restore-started/,
    );
    expect(history.stdout).toMatch(new RegExp(`restore job ${job.RestoreJobId}\\s+r1\\s+restored`));
    expect(history.stdout).toContain(`caller        by alice@`);
    expect(history.stdout).toContain(`(${ALICE.arn}, verified)`);
    expect(history.stdout).toContain(
      `created       arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${job.Metadata.targetTableName}`,
    );
    expect(after.json().services[0].status.state.restores ?? []).toEqual([]);
  });
});
