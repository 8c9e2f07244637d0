/**
 * The `switchback` CLI against the emulator: a real watchdog runtime registered as the Lambda function,
 * reached through the real Lambda and S3 clients, configured by AWS_ENDPOINT_URL.
 */
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { App } from 'cdktf';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchdogConfigKey } from '../../lib';
import { ExampleStack } from '../../examples/service-stack';
import { ServiceRegionStack, WatchdogRegionStack } from '../../examples/standalone-watchdog';
import { useEmulator } from '../emulator/testing';
import { SERVICE, createWorld, createWorldRuntime, type World } from '../watchdog/harness';
import { FUNCTION, cli, deployedWorld as deployWorld } from './harness';

const emulator = useEmulator();

/** A world whose watchdog is deployed as a Lambda function the CLI can invoke. */
function deployedWorld(options: Parameters<typeof createWorld>[1] = {}): Promise<World> {
  return deployWorld(emulator(), options);
}

/** Captures release r1 and moves traffic to green, as a deploy does. */
async function releasedToGreen(world: World): Promise<void> {
  expect((await cli(world.emulator, ['capture', '--function', FUNCTION, '--release', 'r1'])).code).toBe(0);
  await world.shiftToGreen();
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);

describe('switchback status', () => {
  it('reports each listener on its active color, the release and the alarms, as JSON', async () => {
    const world = await deployedWorld();
    await releasedToGreen(world);
    world.setAlarm('checkout-5xx', 'OK');

    const result = await cli(world.emulator, ['status', '--function', FUNCTION, '--json']);

    expect(result.code).toBe(0);
    const [report] = result.json().services;
    expect(report).toEqual(
      expect.objectContaining({ service: SERVICE, functionName: FUNCTION, region: 'us-east-1' }),
    );
    expect(report.status.release.releaseId).toBe('r1');
    expect(report.status.evaluationWindowLeftSeconds).toBeGreaterThan(0);
    expect(report.status.listeners.map((l: { activeColor: string }) => l.activeColor)).toEqual([
      'green',
      'green',
    ]);
    expect(report.status.alarms).toEqual([expect.objectContaining({ name: 'checkout-5xx', value: 'OK' })]);
    expect(report.status.lock.held).toBe(false);
  });

  it('reads around the watchdog, so polling never takes its one concurrency slot', async () => {
    const world = await deployedWorld();
    await releasedToGreen(world);
    world.emulator.requestLog.clear();

    const result = await cli(world.emulator, ['status', '--function', FUNCTION]);

    expect(result.code).toBe(0);
    const actions = world.emulator.requestLog.entries().map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['GetObject', 'DescribeListeners', 'DescribeAlarms']));
    expect(actions).not.toContain('Invoke');
  });

  it('says the watchdog is busy when Lambda keeps throttling a manual action', async () => {
    const world = await deployedWorld();
    await releasedToGreen(world);
    world.emulator.faults.add({
      service: 'lambda',
      action: 'Invoke',
      error: { status: 429, code: 'TooManyRequestsException', message: 'Rate Exceeded.' },
    });

    const result = await cli(world.emulator, ['rollback', '--function', FUNCTION, '--reason', 'errors']);

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/stayed busy \(its one concurrency slot is in use/);
  });

  it('prints plain text without colours when stdout is not a terminal, and with colours on one', async () => {
    const world = await deployedWorld();
    await releasedToGreen(world);

    const piped = await cli(world.emulator, ['status', '--function', FUNCTION]);
    const tty = await cli(world.emulator, ['status', '--function', FUNCTION], { tty: true });
    const noColor = await cli(world.emulator, ['status', '--function', FUNCTION], {
      tty: true,
      env: { NO_COLOR: '1' },
    });

    expect(piped.stdout).toMatch(/listener-0\s+green/);
    expect(piped.stdout).toContain('r1, captured');
    expect(piped.stdout).not.toMatch(ANSI);
    expect(tty.stdout).toMatch(ANSI);
    expect(noColor.stdout).not.toMatch(ANSI);
    // The wait shows a spinner on a terminal's stderr, and nothing when piped.
    expect(tty.stderr).toContain('Reading the state of checkout');
    expect(piped.stderr).toBe('');
  });

  it('flags a configured rule the watchdog could not restore, next to the listener', async () => {
    const world = await deployedWorld({ listeners: 1 });
    await releasedToGreen(world);
    const key = watchdogConfigKey(SERVICE);
    const config = JSON.parse(world.emulator.s3.text(world.bucket, key) as string);
    config.listeners[0].rulePriorities = [77];
    await world.s3.send(
      new PutObjectCommand({ Bucket: world.bucket, Key: key, Body: JSON.stringify(config) }),
    );

    const result = await cli(world.emulator, ['status', '--function', FUNCTION, '--json']);

    expect(result.code).toBe(0);
    const [listener] = result.json().services[0].status.listeners;
    expect(listener).toEqual(
      expect.objectContaining({ activeColor: 'green', error: 'configured rules not found: priority 77' }),
    );
  });

  it('answers what the watchdog answers to status, problems included: they share one implementation', async () => {
    // Given a release on green, and a configured rule that does not exist
    const world = await deployedWorld();
    await releasedToGreen(world);
    const key = watchdogConfigKey(SERVICE);
    const config = JSON.parse(world.emulator.s3.text(world.bucket, key) as string);
    config.listeners[1].rulePriorities = [77];
    config.alarms.push({
      name: 'checkout-gone',
      arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:gone',
    });
    await world.s3.send(
      new PutObjectCommand({ Bucket: world.bucket, Key: key, Body: JSON.stringify(config) }),
    );

    // When the CLI reads around the watchdog, and a fresh watchdog (configuration not cached) answers
    const read = (await cli(world.emulator, ['status', '--function', FUNCTION, '--json'])).json().services[0]
      .status;
    const answered = (
      (await createWorldRuntime(world)({ action: 'status' })) as { result: { [k: string]: unknown } }
    ).result;

    // Then both say the same, a second of the evaluation window aside
    expect(read).toEqual({ ...answered, evaluationWindowLeftSeconds: expect.any(Number) });
    expect(
      Math.abs(read.evaluationWindowLeftSeconds - (answered.evaluationWindowLeftSeconds as number)),
    ).toBeLessThanOrEqual(1);
    expect(read.listeners[1]).toEqual(
      expect.objectContaining({ activeColor: 'green', error: 'configured rules not found: priority 77' }),
    );
    expect(read.alarms[1]).toEqual({ name: 'checkout-gone', value: 'MISSING' });
  });

  it('says AWS refused, with the exit code for AWS errors, when the alarms cannot be read', async () => {
    const world = await deployedWorld({ listeners: 1 });
    world.emulator.faults.add({
      service: 'cloudwatch',
      action: 'DescribeAlarms',
      error: { status: 403, code: 'AccessDenied', message: 'not authorized to describe alarms' },
    });

    const result = await cli(world.emulator, ['status', '--function', FUNCTION]);

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'AWS refused the request (AccessDenied: not authorized to describe alarms)',
    );
  });

  it('reports a configuration in the store that breaks its contract, naming the field', async () => {
    const world = await deployedWorld({ listeners: 1 });
    await world.s3.send(
      new PutObjectCommand({
        Bucket: world.bucket,
        Key: watchdogConfigKey(SERVICE),
        Body: '{"schemaVersion":1}',
      }),
    );

    const result = await cli(world.emulator, ['promote', '--function', FUNCTION]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^switchback: the store of checkout: watchdog config is invalid:\n {2}- service:/,
    );
  });

  it('names the function and region when the function does not exist', async () => {
    const result = await cli(emulator(), ['status', '--function', 'no-such-watchdog']);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/no-such-watchdog was not found in us-east-1/);
  });

  it('refuses a function that is not a Switchback watchdog', async () => {
    const emu = emulator();
    const lambda = new LambdaClient(emu.clientConfig());
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'something-else',
        Role: 'arn:aws:iam::123456789012:role/x',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: new TextEncoder().encode('x') },
      }),
    );
    lambda.destroy();

    const result = await cli(emu, ['status', '--function', 'something-else']);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('something-else is not a Switchback watchdog');
  });
});

describe('switchback rollback', () => {
  it('prints the plan on --dry-run and changes nothing', async () => {
    const world = await deployedWorld();
    await releasedToGreen(world);

    const result = await cli(world.emulator, [
      'rollback',
      '--function',
      FUNCTION,
      '--dry-run',
      '--reason',
      'rehearsal',
    ]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/listener\s+listener\/app\/.+planned/);
    expect(result.stdout).toContain('dry run: the plan above would run; nothing changed');
    expect(await world.weights()).toEqual([
      [0, 100],
      [0, 100],
    ]);
  });

  it('rolls back through the watchdog, prints each step, and audits who asked and why', async () => {
    const world = await deployedWorld();
    await releasedToGreen(world);

    const result = await cli(world.emulator, [
      'rollback',
      '--function',
      FUNCTION,
      '--reason',
      'checkout errors after r1',
      '--json',
    ]);

    expect(result.code).toBe(0);
    const answer = result.json();
    expect(answer).toEqual(
      expect.objectContaining({ service: SERVICE, dryRun: false, outcome: 'rolled-back' }),
    );
    expect(answer.steps.map((s: { outcome: string }) => s.outcome)).toEqual(['applied', 'applied']);
    expect(await world.weights()).toEqual([
      [100, 0],
      [100, 0],
    ]);
    const [record] = (await world.auditRecords()).filter((r) => r.decision === 'rollback');
    expect(record.trigger).toEqual(
      expect.objectContaining({
        kind: 'rollback',
        reason: 'checkout errors after r1',
        requestedBy: expect.stringMatching(/^alice@/),
      }),
    );
  });

  it('exits 1 and shows the blocked step when the known-good color has no healthy target', async () => {
    const world = await deployedWorld({ listeners: 1 });
    await releasedToGreen(world);
    const [pair] = world.pairs;
    for (const target of world.emulator.elbv2.targets(pair.blueArn))
      world.emulator.elbv2.setTargetHealth(pair.blueArn, target.Id, 'unhealthy');

    const result = await cli(world.emulator, ['rollback', '--function', FUNCTION, '--reason', 'bad release']);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/listener\s+\S+\s+blocked/);
    expect(result.stderr).toMatch(/the watchdog failed: PartialRollbackError/);
    expect(await world.weights()).toEqual([[0, 100]]);
  });

  it('requires a reason, before calling AWS', async () => {
    const emu = emulator();
    const result = await cli(emu, ['rollback', '--function', FUNCTION]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--reason is required, 1-500 characters/);
    expect(emu.requestLog.count()).toBe(0);
  });
});

describe('switchback promote', () => {
  it('shows what holds a rolled-back release, then lifts the hold with --ack', async () => {
    const world = await deployedWorld();
    await releasedToGreen(world);
    expect((await cli(world.emulator, ['rollback', '--function', FUNCTION, '--reason', 'errors'])).code).toBe(
      0,
    );

    const preview = await cli(world.emulator, ['promote', '--function', FUNCTION]);
    const acknowledged = await cli(world.emulator, [
      'promote',
      '--function',
      FUNCTION,
      '--ack',
      '--reason',
      'fixed the config flag',
      '--json',
    ]);

    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/release r1 was rolled back .* and is held on the known-good color/);
    expect(preview.stdout).toContain('switchback promote --ack');
    expect(acknowledged.code).toBe(0);
    expect(acknowledged.json()).toEqual(expect.objectContaining({ releaseId: 'r1', wasRolledBack: true }));
    const records = await world.auditRecords();
    expect(records.map((r) => r.outcome)).toContain('acknowledged');
  });

  it('exits 1 when the release was never rolled back', async () => {
    const world = await deployedWorld();
    await releasedToGreen(world);

    const result = await cli(world.emulator, [
      'promote',
      '--function',
      FUNCTION,
      '--ack',
      '--reason',
      'ship it',
    ]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('release r1 was not rolled back');
  });

  it('requires a reason with --ack', async () => {
    const result = await cli(emulator(), ['promote', '--function', FUNCTION, '--ack']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--reason is required');
  });
});

describe('switchback history and capture', () => {
  it('lists audit records newest first, as a table and as JSON', async () => {
    const world = await deployedWorld();
    await releasedToGreen(world);
    await cli(world.emulator, ['rollback', '--function', FUNCTION, '--reason', 'errors']);

    const table = await cli(world.emulator, ['history', '--function', FUNCTION]);
    const json = await cli(world.emulator, ['history', '--function', FUNCTION, '--json', '--limit', '1']);

    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^DECIDED AT\s+TRIGGER\s+RELEASE\s+OUTCOME/);
    expect(lines[1]).toMatch(/manual by alice@\S+ \(user\/emulator, verified\)\s+r1\s+rolled-back/);
    expect(lines[2]).toMatch(/capture\s+r1\s+captured/);
    expect(json.json().records).toHaveLength(1);
    expect(json.json().records[0]).toEqual(
      expect.objectContaining({ outcome: 'rolled-back', releaseId: 'r1' }),
    );
  });

  it('rejects a bad --limit', async () => {
    const result = await cli(emulator(), ['history', '--function', FUNCTION, '--limit', 'all']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--limit must be a whole number from 1 to 1000 (got "all")');
  });

  it('captures once per release id and says so the second time', async () => {
    const world = await deployedWorld();

    const first = await cli(world.emulator, [
      'capture',
      '--function',
      FUNCTION,
      '--release',
      'build-7',
      '--json',
    ]);
    const again = await cli(world.emulator, ['capture', '--function', FUNCTION, '--release', 'build-7']);

    expect(first.code).toBe(0);
    expect(first.json()).toEqual(expect.objectContaining({ status: 'captured', releaseId: 'build-7' }));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('release build-7 of checkout was already captured');
  });

  it("exits 1 with the watchdog's reason when capture is refused", async () => {
    const world = await deployedWorld();
    world.setAlarm('checkout-5xx', 'ALARM');

    const result = await cli(world.emulator, ['capture', '--function', FUNCTION, '--release', 'r2']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /CaptureRefusedError: capture of release r2 refused: checkout-5xx already in ALARM/,
    );
  });

  it('rejects a release id the watchdog would refuse', async () => {
    const result = await cli(emulator(), ['capture', '--function', FUNCTION, '--release', 'has space']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--release must be a release id');
  });
});

describe('the synthesized app', () => {
  let appDir: string;

  beforeAll(() => {
    appDir = mkdtempSync(join(tmpdir(), 'switchback-cli-app-'));
    const app = new App({ outdir: appDir });
    new ExampleStack(app, 'switchback-example', { serviceNames: ['checkout', 'catalog'], releaseId: 'r1' });
    const service = new ServiceRegionStack(app, 'payments-service', { releaseId: 'r1' });
    new WatchdogRegionStack(app, 'payments-watchdog', service, { releaseId: 'r1' });
    app.synth();
  });

  it('writes a runbook with the alarms, thresholds, exact commands and recovery points of the service', async () => {
    const out = join(appDir, 'checkout-runbook.md');

    const result = await cli(emulator(), ['runbook', '--app', appDir, '--service', 'checkout', '--out', out]);

    expect(result.code).toBe(0);
    const runbook = readFileSync(out, 'utf8');
    expect(runbook).toMatch(/^# Rollback runbook: checkout/);
    expect(runbook).toContain('composite alarm **checkout-rollback**');
    expect(runbook).toMatch(/\| `checkout-5xx-rate` \| .* \| > 2 \| 60 s \| 2 of 3 \|/);
    expect(runbook).toMatch(/\| `checkout-p99-latency` \| .*\(p99\) \| > 1\.5 \|/);
    expect(runbook).toContain(
      'switchback rollback --function switchback-checkout-watchdog --region us-east-1 --reason',
    );
    expect(runbook).toContain('the role in the variable `on_call_role_arn`');
    expect(runbook).toContain('vault `checkout-backups`');
    expect(runbook).toContain('## Contacts');
  });

  it('finds a watchdog placed in another region than its service, with alarms from the service stack', async () => {
    const result = await cli(emulator(), ['runbook', '--app', appDir, '--service', 'payments']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('The watchdog `switchback-payments-watchdog` (us-west-2)');
    expect(result.stdout).toMatch(/composite alarm \*\*payments-rollback\*\*/);
    // Read from the synthesized configuration with lib's defaults: the window is left at its default.
    expect(result.stdout).toContain("the release's evaluation window (60 minutes after capture)");
    expect(result.stdout).toContain('- The protected listeners: `production` (production, port 443).');
  });

  it('refuses a synthesized watchdog configuration its schema does not accept, naming the field', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'switchback-cli-bad-app-'));
    cpSync(appDir, copy, { recursive: true });
    const stackPath = join(copy, 'stacks', 'payments-watchdog', 'cdk.tf.json');
    const stack = JSON.parse(readFileSync(stackPath, 'utf8'));
    stack.locals.switchback_watchdog_config_payments.policy = { cooldownMinutes: -5 };
    writeFileSync(stackPath, JSON.stringify(stack));

    const result = await cli(emulator(), ['runbook', '--app', copy, '--service', 'payments']);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'the watchdog configuration of payments in stack payments-watchdog does not match this CLI',
    );
    expect(result.stderr).toContain('policy.cooldownMinutes: must be a whole number from 0 to 1440');
  });

  it('asks which service when the app has several, and names them', async () => {
    const result = await cli(emulator(), ['rollback', '--app', appDir, '--reason', 'x']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /several services \((checkout|catalog|payments)(, (checkout|catalog|payments)){2}\): pass --service/,
    );
  });

  it('names the services it knows when given an unknown one', async () => {
    const result = await cli(emulator(), ['status', '--app', appDir, '--service', 'billing']);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('unknown service "billing"');
    expect(result.stderr).toContain('checkout');
  });

  it("reads the status of the service it finds there, in the stack's region", async () => {
    const world = await deployedWorld();
    await releasedToGreen(world);

    const result = await cli(world.emulator, ['status', '--app', appDir, '--service', 'checkout', '--json']);

    expect(result.code).toBe(0);
    expect(result.json().services[0]).toEqual(
      expect.objectContaining({ service: 'checkout', functionName: FUNCTION, region: 'us-east-1' }),
    );
  });

  it('explains how to synthesize when there is no app', async () => {
    const result = await cli(emulator(), ['status', '--app', join(appDir, 'missing')]);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no synthesized app at');
    expect(result.stderr).toContain('cdktf synth');
  });
});

describe('the switchback executable', () => {
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'cli', 'main.ts'), ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 60_000,
    });

  it('documents its exit codes in --help, and exits 2 on an unknown command', () => {
    const help = run(['--help'], {});
    const unknown = run(['rolback'], {});

    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    expect(help.stdout).toMatch(/3\s+not set up/);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'rolback'");
  });

  it('exits 3 with a clear message when there are no credentials', () => {
    const home = mkdtempSync(join(tmpdir(), 'switchback-home-'));
    const result = run(['status', '--function', FUNCTION, '--region', 'us-east-1'], {
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });

    expect(result.status).toBe(3);
    expect(result.stderr).toContain('switchback: no AWS credentials found');
  });

  it('exits 3 and names the profile when --profile names one that does not exist', () => {
    const home = mkdtempSync(join(tmpdir(), 'switchback-home-'));
    const result = run(['status', '--function', FUNCTION, '--region', 'us-east-1', '--profile', 'on-call'], {
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });

    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/switchback: no AWS credentials for the profile 'on-call'/);
  });

  it('exits 3 and says how to set a region when there is none', () => {
    const home = mkdtempSync(join(tmpdir(), 'switchback-home-'));
    const result = run(['history', '--function', FUNCTION], {
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });

    expect(result.status).toBe(3);
    expect(result.stderr).toContain('switchback: no AWS region: pass --region, set AWS_REGION');
  });
});
