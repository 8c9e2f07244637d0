/**
 * Release safety through the CLI, against the real watchdog runtime on the emulator: a capture refused
 * by the deploy freeze or the backup readiness gate and let through with an audited override; the
 * freeze, the last capture's gates and the rollback group in `status`; the refusals, overrides and
 * freezes in `history`; and the runbook's Data, Deploy freeze and Rollback group sections.
 */
import { BackupClient, CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { App } from 'cdktf';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchdogConfigLocalName } from '../../lib';
import { presignCallerProof, stsHostFor } from '../../lib/caller-proof';
import { ExampleStack } from '../../examples/service-stack';
import { useEmulator } from '../emulator/testing';
import type { World } from '../watchdog/harness';
import { FUNCTION, cli, deployedWorld } from './harness';

const emulator = useEmulator();

const ACCOUNT = '123456789012';
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`;
const COORDINATOR = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:switchback-group-shop`;

const run = (world: World, argv: string[]) => cli(world.emulator, [...argv, '--function', FUNCTION]);

/** Release r1 captured, live on green, then rolled back by hand (not acknowledged). */
async function rolledBack(options: Parameters<typeof deployedWorld>[1] = {}): Promise<World> {
  const world = await deployedWorld(emulator(), { listeners: 1, ...options });
  world.setAlarm('checkout-5xx', 'OK');
  expect((await run(world, ['capture', '--release', 'r1'])).code).toBe(0);
  await world.shiftToGreen();
  expect((await run(world, ['rollback', '--reason', 'errors after r1'])).code).toBe(0);
  return world;
}

describe('the deploy freeze', () => {
  it('refuses a new release while a rollback is unacknowledged, shows why in status, and lets one through with --override-freeze', async () => {
    const world = await rolledBack();

    const status = await run(world, ['status']);
    const refused = await run(world, ['capture', '--release', 'r2']);
    const overridden = await run(world, [
      'capture',
      '--release',
      'r2',
      '--override-freeze',
      'hotfix for the incident',
      '--requested-by',
      'carol',
    ]);
    const history = await run(world, ['history']);
    const after = await run(world, ['status']);

    expect(status.stdout).toMatch(
      /freeze +new releases are refused until \S+ \(in [^)]+\): the rollback of release r1 is not acknowledged \(decision \S+\); `switchback promote --ack --release r1 --reason "<why>"` ends it, or a capture with `--override-freeze "<why>"` goes through anyway/,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('capture of release r2');
    expect(overridden.code).toBe(0);
    expect(overridden.stdout).toContain('captured release r2 of checkout');
    expect(overridden.stdout).toContain(
      'overridden the deploy freeze: "hotfix for the incident" (audited and notified)',
    );
    expect(history.stdout).toMatch(/capture \(overrides freeze\)\s+r2\s+captured/);
    expect(history.stdout).toMatch(/capture\s+r2\s+refused/);
    expect(history.stdout).toMatch(
      /not passed +deploy-not-frozen: overridden: hotfix for the incident \(requested by carol\)/,
    );
    expect(history.stdout).toMatch(/overrides +freeze/);
    expect(after.stdout).toMatch(
      /gates +last capture of r2 (?:just now|\d+s ago): captured; \d+ of \d+ checks passed; not passed: .*; overridden: freeze/,
    );
  });

  it('ends on acknowledgement: the next release is captured without an override', async () => {
    const world = await rolledBack();

    expect((await run(world, ['promote', '--ack', '--reason', 'fixed upstream'])).code).toBe(0);
    const status = await run(world, ['status']);
    const captured = await run(world, ['capture', '--release', 'r2']);

    expect(status.stdout).not.toMatch(/^\s+freeze/m);
    expect(captured.code).toBe(0);
  });

  it('shows a freeze a rollback group put on the service, its group membership, and the freeze in history', async () => {
    const world = await deployedWorld(emulator(), {
      listeners: 1,
      extraConfig: { group: { name: 'shop', coordinatorFunctionArn: COORDINATOR } },
    });
    world.setAlarm('checkout-5xx', 'OK');
    // The group's coordinator freezes checkout: the api it calls rolled back. It proves who it is as
    // the CLI does (here with the emulator's own credentials).
    const until = new Date(Date.now() + 3 * 3_600_000).toISOString();
    const freeze = {
      action: 'freeze',
      group: 'shop',
      cause: { service: 'api', releaseId: 'a7', decisionId: 'd-api-1' },
      until,
    };
    const credentials = world.emulator.clientConfig().credentials;
    const callerProof = presignCallerProof({
      credentials,
      region: 'us-east-1',
      host: stsHostFor('us-east-1', world.emulator.endpoint),
      request: freeze,
    });
    expect(await world.invoke({ ...freeze, callerProof })).toEqual(expect.objectContaining({ status: 'ok' }));

    const status = await run(world, ['status']);
    const json = await run(world, ['status', '--json']);
    const history = await run(world, ['history']);

    expect(status.stdout).toContain(`freeze     new releases are refused until ${until} (in `);
    expect(status.stdout).toContain(
      '): group shop: api rolled back release a7 (decision d-api-1); `switchback promote --ack --service api --release a7 --reason "<why>"` on api ends it',
    );
    expect(status.stdout).toContain(
      'group      member of rollback group shop (coordinator function:switchback-group-shop)',
    );
    expect(json.json().services[0].status).toEqual(
      expect.objectContaining({
        freeze: expect.objectContaining({ cause: 'group', group: 'shop', service: 'api', until }),
        group: { name: 'shop', coordinatorFunctionArn: COORDINATOR },
      }),
    );
    expect(history.stdout).toMatch(/group shop: freeze\s+-\s+frozen/);
    expect(history.stdout).toMatch(/freeze +group shop: api rolled back release a7 \(decision d-api-1\)/);
    expect(history.stdout).toContain(
      'caller        by group:shop (arn:aws:iam::123456789012:user/emulator, verified)',
    );
  });
});

describe('the backup readiness gate', () => {
  it('refuses a release whose table has no recent recovery point, and lets it through with --override-backup-readiness', async () => {
    const emu = emulator();
    const backup = new BackupClient(emu.clientConfig());
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'release-vault' }));
    backup.destroy();
    const world = await deployedWorld(emu, {
      listeners: 1,
      extraConfig: {
        backup: {
          vaultName: 'release-vault',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/switchback-backup`,
          resourceArns: [TABLE],
          readiness: { maxRecoveryPointAgeHours: 24 },
        },
      },
    });
    world.setAlarm('checkout-5xx', 'OK');

    const refused = await run(world, ['capture', '--release', 'r1']);
    const status = await run(world, ['status']);
    const overridden = await run(world, [
      'capture',
      '--release',
      'r1',
      '--override-backup-readiness',
      'first release of a new table',
      '--json',
    ]);
    const history = await run(world, ['history']);

    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the backups are not ready');
    expect(refused.stderr).toContain('--override-backup-readiness <reason>');
    expect(status.stdout).toMatch(
      /gates +last capture of r1 (?:just now|\d+s ago): refused; \d+ of \d+ checks passed; not passed: /,
    );
    expect(overridden.code).toBe(0);
    expect(overridden.json()).toEqual(
      expect.objectContaining({ status: 'captured', overridden: ['backupReadiness'] }),
    );
    expect(history.stdout).toMatch(/capture \(overrides backupReadiness\)\s+r1\s+captured/);
    expect(history.stdout).toMatch(/capture\s+r1\s+refused/);
    expect(history.stdout).toContain('first release of a new table');
    expect(emu.backup.jobs()).toHaveLength(1);
  });

  it('needs a reason with an override, before any AWS call', async () => {
    const emu = emulator();
    emu.requestLog.clear();

    const result = await cli(emu, [
      'capture',
      '--function',
      FUNCTION,
      '--release',
      'r1',
      '--override-freeze',
      ' ',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--override-freeze needs the reason, 1-500 characters');
    expect(emu.requestLog.count()).toBe(0);
  });
});

describe('the runbook of a release-safe service', () => {
  let appDir: string;
  let stackPath: string;
  let synthesized: string;

  beforeAll(() => {
    appDir = mkdtempSync(join(tmpdir(), 'switchback-cli-safety-'));
    const app = new App({ outdir: appDir });
    new ExampleStack(app, 'switchback-example', { serviceNames: ['checkout', 'api'], releaseId: 'r42' });
    app.synth();
    stackPath = join(appDir, 'stacks', 'switchback-example', 'cdk.tf.json');
    synthesized = readFileSync(stackPath, 'utf8');
  });

  /** The app with checkout's configuration changed, and a group's coordinator configuration. */
  function withSafety(config: Record<string, unknown>, group?: Record<string, unknown>): void {
    const stack = JSON.parse(synthesized);
    const local = watchdogConfigLocalName('checkout');
    stack.locals[local] = { ...stack.locals[local], ...config };
    if (group) stack.locals[`switchback_group_config_${group.group as string}`] = group;
    writeFileSync(stackPath, JSON.stringify(stack));
  }

  const runbook = async () => {
    const result = await cli(emulator(), ['runbook', '--app', appDir, '--service', 'checkout']);
    expect(result.code).toBe(0);
    return result.stdout;
  };

  it('tells how to restore the release’s data with the real release id, what a restore creates, and the readiness gate', async () => {
    const stack = JSON.parse(synthesized);
    const base = stack.locals[watchdogConfigLocalName('checkout')];
    withSafety({
      backup: {
        ...base.backup,
        resourceArns: [TABLE],
        readiness: { maxRecoveryPointAgeHours: 24, maxRestoreTestAgeDays: 30 },
      },
    });

    const text = await runbook();

    const flags = '--function switchback-checkout-watchdog --region us-east-1';
    expect(text).toContain('## Data');
    expect(text).toContain('AWS Backup never restores over the original: it creates a **new** resource');
    expect(text).toContain(`switchback restore-data ${flags} --release r42\n`);
    expect(text).toContain(
      `switchback restore-data ${flags} --release r42 --recovery-point <recovery point ARN> --dry-run`,
    );
    expect(text).toContain(
      `switchback restore-data ${flags} --release r42 --recovery-point <recovery point ARN> --reason "<why>"`,
    );
    expect(text).toContain(`- \`${TABLE}\`: a new DynamoDB table; the original table is left as it is`);
    expect(text).toContain('its newest completed recovery point is older than 24 hours');
    expect(text).toContain('its last restore test failed, did not validate, or is older than 30 days');
    expect(text).toContain(`switchback capture ${flags} --release <id> --override-backup-readiness "<why>"`);
    expect(text).toContain('## Deploy freeze');
    expect(text).toContain('the capture of a **new** release of this service is refused for 1440 minutes');
    expect(text).toContain(`switchback capture ${flags} --release <new id> --override-freeze "<why>"`);
    expect(text).not.toContain('## Rollback group');
  });

  it('describes the group, its members in order, and what happens when a member rolls back', async () => {
    withSafety(
      { group: { name: 'shop', coordinatorFunctionArn: COORDINATOR } },
      {
        schemaVersion: 1,
        group: 'shop',
        order: 'callers-first',
        onMemberRollback: 'follow',
        members: [
          { service: 'web', watchdogFunctionArn: `${COORDINATOR}-web`, dependsOn: ['checkout'] },
          { service: 'checkout', watchdogFunctionArn: `${COORDINATOR}-checkout`, dependsOn: ['api'] },
          { service: 'api', watchdogFunctionArn: `${COORDINATOR}-api`, dependsOn: [], mayRevertAlone: false },
        ],
        store: { bucket: 'shop-group-store' },
        freezeMinutes: 60,
      },
    );

    const text = await runbook();

    expect(text).toContain('## Rollback group');
    expect(text).toContain('checkout is a member of the rollback group `shop`');
    expect(text).toContain('callers before callees');
    expect(text).toContain('| `web` | `checkout` | yes | `checkout` or `api` rolls back |');
    expect(text).toContain('| `checkout` (this service) | `api` | yes | `api` rolls back |');
    expect(text).toContain('| `api` | - | **no** (pages instead) | never |');
    expect(text).toContain('When checkout rolls back, the group rolls back, in this order: `web`.');
    expect(text).toContain('this service is also frozen when a service it depends on rolls back');
  });
});
