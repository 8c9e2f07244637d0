/**
 * The watchdog end to end: its real runtime (real SDK clients and adapters) against the local AWS
 * emulator, with faults injected where AWS would misbehave.
 */
import {
  CreateRuleCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { BackupClient, CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useEmulator } from '../emulator/testing';
import {
  createWorld,
  createWorldRuntime,
  directAlarmEvent,
  eventBridgeAlarmEvent,
  snsAlarmEvent,
  type World,
} from './harness';

const emulator = useEmulator();
const ALARM = 'checkout-5xx';

async function capturedAndShifted(world: World, releaseId = 'r1'): Promise<void> {
  await world.invoke({ action: 'capture', releaseId });
  await world.shiftToGreen();
}

/** Sets the health of every target of the first listener's blue (known-good) group. */
function setBlueHealth(world: World, health: 'healthy' | 'unhealthy'): void {
  const [pair] = world.pairs;
  for (const target of world.emulator.elbv2.targets(pair.blueArn))
    world.emulator.elbv2.setTargetHealth(pair.blueArn, target.Id, health);
}

function modifyListenerCalls(world: World): number {
  return world.emulator.requestLog.count({ service: 'elbv2', action: 'ModifyListener' });
}

describe('the watchdog rolls a bad release back', () => {
  it.each([
    ['SNS', snsAlarmEvent],
    ['EventBridge', eventBridgeAlarmEvent],
    ['a direct alarm action', directAlarmEvent],
  ])(
    'when the alarm arrives through %s: traffic back to blue, latched, audited, notified',
    async (_path, alarmEvent) => {
      // Given a captured release that moved traffic to green
      const world = await createWorld(emulator(), { listeners: 2 });
      await capturedAndShifted(world);
      expect(await world.weights()).toEqual([
        [0, 100],
        [0, 100],
      ]);

      // When its alarm goes to ALARM and the change is delivered
      world.setAlarm(ALARM, 'ALARM');
      const response = await world.invoke(alarmEvent(ALARM, 'ALARM', Date.now()));

      // Then every listener forwards to blue again, and the decision is on record
      expect(response).toEqual(
        expect.objectContaining({
          status: 'ok',
          result: expect.objectContaining({ outcome: 'rolled-back' }),
        }),
      );
      expect(await world.weights()).toEqual([
        [100, 0],
        [100, 0],
      ]);
      const records = await world.auditRecords();
      const rollback = records.find((r) => r.decision === 'rollback');
      expect(rollback).toEqual(
        expect.objectContaining({
          outcome: 'rolled-back',
          releaseId: 'r1',
          trigger: expect.objectContaining({ kind: 'alarm', alarmName: ALARM, alarmState: 'ALARM' }),
          timeToRollbackMs: expect.any(Number),
        }),
      );
      expect(rollback?.steps.map((s) => [s.kind, s.outcome])).toEqual([
        ['listener', 'applied'],
        ['listener', 'applied'],
      ]);
      expect(world.emulator.sns.publishedMessages(world.topicArn).map((m) => m.subject)).toContain(
        '[switchback] checkout: rolled back release r1',
      );
      const status = (await world.invoke({ action: 'status' })) as {
        result: { state: { latched?: { releaseId: string } } };
      };
      expect(status.result.state.latched?.releaseId).toBe('r1');
    },
  );

  it('acts once for 10 concurrent deliveries of the same state change', async () => {
    const world = await createWorld(emulator(), { listeners: 2 });
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'ALARM');
    const event = snsAlarmEvent(ALARM, 'ALARM', Date.now());
    world.emulator.requestLog.clear();

    const responses = (await Promise.all(Array.from({ length: 10 }, () => world.invoke(event)))) as {
      result: { outcome: string };
    }[];

    const outcomes = responses.map((r) => r.result.outcome).sort();
    expect(outcomes).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'rolled-back',
    ]);
    expect(modifyListenerCalls(world)).toBe(2);
    expect((await world.auditRecords()).filter((r) => r.decision === 'rollback')).toHaveLength(1);
    expect(await world.weights()).toEqual([
      [100, 0],
      [100, 0],
    ]);
  });

  it('acts once on a manual request delivered twice at once, when the later delivery takes the lock first', async () => {
    // Given a manual request whose first delivery creates the receipt but is slow to take the lock
    const world = await createWorld(emulator());
    await capturedAndShifted(world);
    const request = {
      action: 'rollback',
      reason: 'bad release',
      requestedBy: 'oncall',
      requestId: 'req-0003-concurrent',
    };
    let lockWrites = 0;
    const slowLock = world.emulator.faults.add({
      service: 's3',
      action: 'PutObject',
      match: (call) => String(call.params.Key ?? '').endsWith('/lock.json') && ++lockWrites === 1,
      latencyMs: 500,
    });
    const first = world.invoke(request);
    const receipt = 'audit/checkout/events/manual-req-0003-concurrent.json';
    for (let i = 0; i < 200 && !world.emulator.s3.keys(world.bucket).includes(receipt); i++)
      await new Promise((resolve) => setTimeout(resolve, 5));

    // When a second delivery of it arrives meanwhile (and gets the lock, then acts, before the first)
    const second = world.invoke(request);
    const outcomes = ((await Promise.all([first, second])) as { result: { outcome: string } }[])
      .map((r) => r.result.outcome)
      .sort();
    slowLock.remove();

    // Then one of them rolls back and the other is a duplicate
    expect(outcomes).toEqual(['duplicate', 'rolled-back']);
    expect((await world.auditRecords()).filter((r) => r.decision === 'rollback')).toHaveLength(1);
  });

  it('rides out a throttling storm on ModifyListener beyond the SDK’s own retries', async () => {
    const world = await createWorld(emulator(), { listeners: 3 });
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'ALARM');
    world.emulator.requestLog.clear();
    world.emulator.faults.add({ service: 'elbv2', action: 'ModifyListener', throttle: 'always', times: 8 });

    const response = (await world.invoke(snsAlarmEvent(ALARM, 'ALARM', Date.now()))) as {
      result: { outcome: string };
    };

    expect(response.result.outcome).toBe('rolled-back');
    expect(await world.weights()).toEqual([
      [100, 0],
      [100, 0],
      [100, 0],
    ]);
    const throttled = world.emulator.requestLog
      .entries({ service: 'elbv2', action: 'ModifyListener' })
      .filter((e) => e.errorCode === 'Throttling');
    expect(throttled).toHaveLength(8);
  });

  it('reports a 5xx on one listener of three as a partial rollback, restores the other two, and finishes on redelivery', async () => {
    const world = await createWorld(emulator(), { listeners: 3, policy: { stepTimeBudgetMs: 1500 } });
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'ALARM');
    const broken = world.pairs[1].listenerArn;
    const fault = world.emulator.faults.add({
      service: 'elbv2',
      action: 'ModifyListener',
      match: (call) => call.params.ListenerArn === broken,
      error: { status: 500, code: 'InternalFailure' },
    });
    const event = snsAlarmEvent(ALARM, 'ALARM', Date.now());

    await expect(world.invoke(event)).rejects.toThrow(
      /rollback .* is partial: listener .*: failed \(ModifyListener failed \(InternalFailure\)/,
    );

    expect(await world.weights()).toEqual([
      [100, 0],
      [0, 100],
      [100, 0],
    ]);
    const [partial] = (await world.auditRecords()).filter((r) => r.decision === 'rollback');
    expect(partial.outcome).toBe('partial');
    expect(partial.steps.find((s) => s.target === broken)).toEqual(
      expect.objectContaining({ outcome: 'failed', detail: expect.stringContaining('InternalFailure') }),
    );
    expect(world.emulator.sns.publishedMessages(world.topicArn).map((m) => m.subject)).toContain(
      '[switchback] checkout: PARTIAL rollback release r1, action needed',
    );

    // Lambda redelivers the failed event; the fault has cleared by then.
    fault.remove();
    const retried = (await world.invoke(event)) as { result: { outcome: string } };
    expect(retried.result.outcome).toBe('rolled-back');
    expect(await world.weights()).toEqual([
      [100, 0],
      [100, 0],
      [100, 0],
    ]);
  });

  it('verifies through stale reads by reading back until the change shows', async () => {
    const world = await createWorld(emulator(), { listeners: 1 });
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'ALARM');
    world.emulator.faults.add({ service: 'elbv2', action: 'ModifyListener', staleReadMs: 400 });

    const response = (await world.invoke(snsAlarmEvent(ALARM, 'ALARM', Date.now()))) as {
      result: { outcome: string; steps: { attempts: number }[] };
    };

    expect(response.result.outcome).toBe('rolled-back');
    expect(response.result.steps[0].attempts).toBeGreaterThan(2);
  });

  it('does not flip to a known-good group without healthy targets', async () => {
    const world = await createWorld(emulator(), { listeners: 1 });
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'ALARM');
    setBlueHealth(world, 'unhealthy');

    await expect(world.invoke(snsAlarmEvent(ALARM, 'ALARM', Date.now()))).rejects.toThrow(/partial/);

    expect(await world.weights()).toEqual([[0, 100]]);
    expect(modifyListenerCalls(world)).toBe(2); // the deploy's two writes only
    const [record] = (await world.auditRecords()).filter((r) => r.decision === 'rollback');
    expect(record.steps[0]).toEqual(
      expect.objectContaining({ outcome: 'blocked', detail: expect.stringContaining('healthy target') }),
    );
    // Nothing moved, so nothing holds the release: a hold would send the next deploy's traffic to the
    // unhealthy known-good group, and a latch would keep the next delivery from trying again.
    const keys = world.emulator.s3.keys(world.bucket);
    expect(keys.filter((key) => key.includes('/holds/'))).toEqual([]);
    const state = JSON.parse(world.emulator.s3.text(world.bucket, 'audit/checkout/state.json') ?? '{}');
    expect(state.latched).toBeUndefined();
  });

  it('does not let the retry of a run that moved nothing "finish" a rollback another trigger made', async () => {
    const world = await createWorld(emulator(), { listeners: 1 });
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'ALARM');
    setBlueHealth(world, 'unhealthy');
    const blocked = snsAlarmEvent(ALARM, 'ALARM', Date.now());
    await expect(world.invoke(blocked)).rejects.toThrow(/partial/);
    setBlueHealth(world, 'healthy');
    await world.invoke({ action: 'rollback', reason: 'by hand', requestedBy: 'oncall' });
    world.setAlarm(ALARM, 'OK');

    const retried = (await world.invoke(blocked)) as { result: { outcome: string } };

    expect(retried.result.outcome).toBe('skipped');
    const records = await world.auditRecords();
    expect(records.filter((r) => r.outcome === 'rolled-back')).toHaveLength(1);
    expect(records.flatMap((r) => r.checks.map((c) => c.name))).not.toContain('finishing-partial-rollback');
  });

  it('rolls back once the known-good group is healthy again, on the retry of the same alarm', async () => {
    const world = await createWorld(emulator(), { listeners: 1 });
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'ALARM');
    setBlueHealth(world, 'unhealthy');
    const event = snsAlarmEvent(ALARM, 'ALARM', Date.now());
    await expect(world.invoke(event)).rejects.toThrow(/partial/);

    setBlueHealth(world, 'healthy');
    const retried = (await world.invoke(event)) as { result: { outcome: string } };

    expect(retried.result.outcome).toBe('rolled-back');
    expect(await world.weights()).toEqual([[100, 0]]);
    // One rollback marker and one traffic marker, however many attempts it took.
    expect(world.emulator.s3.keys(world.bucket).filter((key) => key.includes('/holds/'))).toEqual([
      'audit/checkout/holds/r1.rolled-back',
      'audit/checkout/holds/r1.traffic-9999-blue-100',
    ]);
  });
});

describe('the watchdog holds back', () => {
  it('when the alarm is back to OK by the time it is processed', async () => {
    const world = await createWorld(emulator());
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'OK');

    const response = (await world.invoke(snsAlarmEvent(ALARM, 'ALARM', Date.now()))) as {
      result: { outcome: string; reason: string };
    };

    expect(response.result).toEqual(
      expect.objectContaining({
        outcome: 'skipped',
        reason: expect.stringContaining('is OK when read back'),
      }),
    );
    expect(await world.weights()).toEqual([[0, 100]]);
  });

  it('outside the release’s evaluation window', async () => {
    let now = Date.now();
    const clock = {
      now: () => now,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    };
    const world = await createWorld(emulator(), { clock, policy: { evaluationWindowMinutes: 30 } });
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'ALARM');
    now += 31 * 60_000;

    const response = (await world.invoke(snsAlarmEvent(ALARM, 'ALARM', now - 1000))) as {
      result: { outcome: string; reason: string };
    };

    expect(response.result).toEqual(
      expect.objectContaining({ outcome: 'skipped', reason: expect.stringContaining('evaluation window') }),
    );
    expect(await world.weights()).toEqual([[0, 100]]);
  });

  it('during the cooldown after a rollback, and once the budget is spent', async () => {
    const world = await createWorld(emulator(), {
      policy: { cooldownMinutes: 10, maxAutomaticRollbacks: 1, freezeMinutes: 0 },
    });
    await capturedAndShifted(world, 'r1');
    world.setAlarm(ALARM, 'ALARM');
    await world.invoke(snsAlarmEvent(ALARM, 'ALARM', Date.now()));

    // A new release re-arms the watchdog, but the cooldown still holds
    world.setAlarm(ALARM, 'OK');
    await capturedAndShifted(world, 'r2');
    world.setAlarm(ALARM, 'ALARM');
    const cooled = (await world.invoke(snsAlarmEvent(ALARM, 'ALARM', Date.now() + 1))) as {
      result: { reason: string };
    };
    expect(cooled.result.reason).toMatch(/the cooldown is 10 min/);

    // Without the cooldown, the budget of one automatic rollback per day stops it
    world.setAlarm(ALARM, 'OK');
    const noCooldown = await createWorld(emulator(), {
      policy: { cooldownMinutes: 0, maxAutomaticRollbacks: 1, freezeMinutes: 0 },
    });
    await capturedAndShifted(noCooldown, 'r1');
    noCooldown.setAlarm(ALARM, 'ALARM');
    await noCooldown.invoke(snsAlarmEvent(ALARM, 'ALARM', Date.now()));
    noCooldown.setAlarm(ALARM, 'OK');
    await capturedAndShifted(noCooldown, 'r2');
    noCooldown.setAlarm(ALARM, 'ALARM');
    const spent = (await noCooldown.invoke(snsAlarmEvent(ALARM, 'ALARM', Date.now() + 2))) as {
      result: { reason: string };
    };
    expect(spent.result.reason).toMatch(/1 automatic rollbacks in the last 1440 min; the budget is 1/);
    expect(await noCooldown.weights()).toEqual([[0, 100]]);
  });

  it('refuses to capture while a protected alarm is in ALARM, so the deploy stops', async () => {
    const world = await createWorld(emulator());
    world.setAlarm(ALARM, 'ALARM');

    await expect(world.invoke({ action: 'capture', releaseId: 'r1' })).rejects.toThrow(
      /capture of release r1 refused: checkout-5xx already in ALARM/,
    );

    expect(world.emulator.s3.keys(world.bucket).filter((k) => k.startsWith('manifests/'))).toEqual([]);
    expect((await world.auditRecords()).map((r) => r.outcome)).toEqual(['refused']);
  });

  it('plans without acting on a dry run', async () => {
    const world = await createWorld(emulator(), { listeners: 2 });
    await capturedAndShifted(world);
    world.emulator.requestLog.clear();

    const response = (await world.invoke({
      action: 'rollback',
      reason: 'rehearsal',
      requestedBy: 'alice',
      dryRun: true,
    })) as {
      result: { outcome: string; steps: { kind: string; outcome: string }[] };
    };

    expect(response.result.outcome).toBe('planned');
    expect(response.result.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['listener', 'planned'],
      ['listener', 'planned'],
    ]);
    expect(modifyListenerCalls(world)).toBe(0);
    expect(await world.weights()).toEqual([
      [0, 100],
      [0, 100],
    ]);
  });

  it('captures a release once: capturing it again after traffic moved keeps the first manifest', async () => {
    const world = await createWorld(emulator());
    await capturedAndShifted(world, 'r1');

    const again = (await world.invoke({ action: 'capture', releaseId: 'r1' })) as {
      result: { status: string };
    };
    await world.invoke({ action: 'rollback', reason: 'test', requestedBy: 'bob' });

    expect(again.result.status).toBe('already-captured');
    expect(await world.weights()).toEqual([[100, 0]]);
  });

  it('rejects malformed events with a reason and takes no action, whatever they hold', async () => {
    const world = await createWorld(emulator());
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'ALARM');
    world.emulator.requestLog.clear();

    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (event) => {
        const response = (await world.invoke(event)) as { status: string; reason?: string };
        return response.status === 'rejected' && (response.reason ?? '').length > 0;
      }),
      { numRuns: 200 },
    );

    expect(modifyListenerCalls(world)).toBe(0);
    expect(world.emulator.requestLog.count({ service: 's3', action: 'PutObject' })).toBe(0);
  });
});

describe('the watchdog restores configuration after traffic', () => {
  it('puts back listener rules, the Lambda alias, the SSM parameter and the artifact version', async () => {
    const emu = emulator();
    const lambda = new LambdaClient(emu.clientConfig());
    const ssm = new SSMClient(emu.clientConfig());
    const elbv2 = new ElasticLoadBalancingV2Client(emu.clientConfig());

    // Given a service whose listener has a rule, an API behind a Lambda alias, a flag and an artifact
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'checkout-api',
        Runtime: 'nodejs22.x',
        Role: 'arn:aws:iam::123456789012:role/api',
        Handler: 'index.handler',
        Code: { ZipFile: new Uint8Array([1]) },
      }),
    );
    await lambda.send(new PublishVersionCommand({ FunctionName: 'checkout-api' }));
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'checkout-api', ZipFile: new Uint8Array([2]) }),
    );
    await lambda.send(new PublishVersionCommand({ FunctionName: 'checkout-api' }));
    await lambda.send(
      new CreateAliasCommand({ FunctionName: 'checkout-api', Name: 'live', FunctionVersion: '1' }),
    );
    await ssm.send(
      new PutParameterCommand({ Name: '/checkout/flags', Value: '{"newCheckout":false}', Type: 'String' }),
    );
    const world = await createWorld(emu, {
      extraConfig: {
        aliases: [{ functionName: 'checkout-api', aliasName: 'live' }],
        parameters: [{ name: '/checkout/flags' }],
        artifacts: [{ key: 'artifacts/checkout/app.zip' }],
      },
    });
    await world.s3.send(
      new PutObjectCommand({ Bucket: world.bucket, Key: 'artifacts/checkout/app.zip', Body: 'release r0' }),
    );
    const [pair] = world.pairs;
    const rule = await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: pair.listenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: pair.blueArn, Weight: 100 },
                { TargetGroupArn: pair.greenArn, Weight: 0 },
              ],
            },
          },
        ],
      }),
    );
    const ruleArn = rule.Rules?.[0]?.RuleArn as string;
    await world.s3.send(
      new PutObjectCommand({
        Bucket: world.bucket,
        Key: 'config/checkout/watchdog.json',
        Body: JSON.stringify({
          ...JSON.parse(emu.s3.text(world.bucket, 'config/checkout/watchdog.json') as string),
          listeners: [
            {
              name: 'listener-0',
              role: 'production',
              listenerArn: pair.listenerArn,
              targetGroupArns: { blue: pair.blueArn, green: pair.greenArn },
              ruleArns: [ruleArn],
            },
          ],
        }),
      }),
    );

    // When release r1 is captured and then changes all of them
    await world.invoke({ action: 'capture', releaseId: 'r1' });
    await world.shiftToGreen();
    await elbv2.send(
      new ModifyRuleCommand({
        RuleArn: ruleArn,
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: pair.blueArn, Weight: 0 },
                { TargetGroupArn: pair.greenArn, Weight: 100 },
              ],
            },
          },
        ],
      }),
    );
    await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'checkout-api', Name: 'live', FunctionVersion: '2' }),
    );
    await ssm.send(
      new PutParameterCommand({
        Name: '/checkout/flags',
        Value: '{"newCheckout":true}',
        Type: 'String',
        Overwrite: true,
      }),
    );
    await world.s3.send(
      new PutObjectCommand({ Bucket: world.bucket, Key: 'artifacts/checkout/app.zip', Body: 'release r1' }),
    );
    // ... and an operator rolls it back by hand
    const response = (await world.invoke({
      action: 'rollback',
      reason: 'checkout broken',
      requestedBy: 'alice',
    })) as {
      result: { outcome: string; steps: { kind: string; outcome: string }[] };
    };

    // Then each is back to what was live before r1, traffic first
    expect(response.result.outcome).toBe('rolled-back');
    expect(response.result.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['listener', 'applied'],
      ['rule', 'applied'],
      ['alias', 'applied'],
      ['parameter', 'applied'],
      ['artifact', 'applied'],
    ]);
    expect(await world.weights()).toEqual([[100, 0]]);
    expect(emu.elbv2.rules(pair.listenerArn).find((r) => r.ruleArn === ruleArn)?.actions[0]).toEqual(
      expect.objectContaining({
        ForwardConfig: expect.objectContaining({
          TargetGroups: [expect.objectContaining({ Weight: 100 }), expect.objectContaining({ Weight: 0 })],
        }),
      }),
    );
    expect(emu.lambda.alias('checkout-api', 'live')?.FunctionVersion).toBe('1');
    expect(emu.ssm.parameter('/checkout/flags')?.Value).toBe('{"newCheckout":false}');
    expect(emu.s3.text(world.bucket, 'artifacts/checkout/app.zip')).toBe('release r0');

    // And a second rollback writes the captured traffic again (idempotent, not read first) and finds
    // no configuration to restore
    const again = (await world.invoke({ action: 'rollback', reason: 'again', requestedBy: 'alice' })) as {
      result: { steps: { kind: string; outcome: string }[] };
    };
    expect(again.result.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['listener', 'applied'],
      ['rule', 'applied'],
    ]);
    expect(await world.weights()).toEqual([[100, 0]]);
  });
});

describe('health pings', () => {
  let server: Server;
  let healthy = true;
  let url = '';
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end(healthy ? 'ok' : 'unavailable');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const scheduled = {
    version: '0',
    id: 'e',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {},
  };
  // 15 s of the invocation are kept for acting, so this leaves about 3 s of probing.
  const shortInvocation = { getRemainingTimeInMillis: () => 18_000 };

  it('roll the release back after consecutive failed rounds', async () => {
    const world = await createWorld(emulator(), {
      extraConfig: { healthPing: { urls: [url], intervalSeconds: 1, failuresToBreach: 2, timeoutMs: 500 } },
    });
    await capturedAndShifted(world);
    healthy = false;

    const response = (await world.invoke(scheduled, shortInvocation)) as { result: { outcome: string } };

    expect(response.result.outcome).toBe('rolled-back');
    expect(await world.weights()).toEqual([[100, 0]]);
    const [record] = (await world.auditRecords()).filter((r) => r.decision === 'rollback');
    expect(record.trigger).toEqual(
      expect.objectContaining({
        kind: 'health-ping',
        reason: expect.stringContaining('2 consecutive failed rounds'),
      }),
    );
  });

  it('do nothing while the service answers', async () => {
    const world = await createWorld(emulator(), {
      extraConfig: { healthPing: { urls: [url], intervalSeconds: 1, failuresToBreach: 2, timeoutMs: 500 } },
    });
    await capturedAndShifted(world);
    healthy = true;

    const response = (await world.invoke(scheduled, shortInvocation)) as {
      result: { breached: boolean; rounds: number };
    };

    expect(response.result).toEqual(expect.objectContaining({ breached: false }));
    expect(response.result.rounds).toBeGreaterThanOrEqual(2);
    expect(await world.weights()).toEqual([[0, 100]]);
  });

  it('are rejected when the service has no health ping configured', async () => {
    const world = await createWorld(emulator());

    expect(await world.invoke(scheduled)).toEqual({
      status: 'rejected',
      reason: 'no healthPing is configured for this service',
    });
  });
});

describe('backups at capture', () => {
  it('starts an on-demand backup per resource tagged with the release, and offers it after a rollback', async () => {
    const emu = emulator();
    const backup = new BackupClient(emu.clientConfig());
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'checkout-vault' }));
    const database = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
    const world = await createWorld(emu, {
      extraConfig: {
        backup: {
          vaultName: 'checkout-vault',
          roleArn: 'arn:aws:iam::123456789012:role/backup',
          resourceArns: [database],
        },
      },
    });

    await world.invoke({ action: 'capture', releaseId: 'r7' });
    await world.invoke({ action: 'capture', releaseId: 'r7' });

    const jobs = emu.backup.jobs('checkout-vault');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toEqual(
      expect.objectContaining({ ResourceArn: database, RecoveryPointTags: { 'switchback:release': 'r7' } }),
    );

    await world.shiftToGreen();
    await world.invoke({ action: 'rollback', reason: 'bad migration', requestedBy: 'carol' });
    const [record] = (await world.auditRecords()).filter((r) => r.decision === 'rollback');
    expect(record.recoveryPoints).toEqual([
      expect.stringMatching(/^arn:aws:backup:us-east-1:123456789012:recovery-point:/),
    ]);
    expect(emu.backup.jobs('checkout-vault').map((j) => j.State)).not.toContain('RESTORING');
  });

  it('fails the capture, so the deploy stops, when the backup cannot start', async () => {
    const world = await createWorld(emulator(), {
      extraConfig: {
        backup: {
          vaultName: 'no-such-vault',
          roleArn: 'arn:aws:iam::123456789012:role/backup',
          resourceArns: ['arn:aws:dynamodb:us-east-1:123456789012:table/orders'],
        },
      },
    });

    await expect(world.invoke({ action: 'capture', releaseId: 'r8' })).rejects.toThrow(
      /StartBackupJob failed \(ResourceNotFoundException\)/,
    );
    expect(world.emulator.s3.keys(world.bucket).filter((k) => k.startsWith('manifests/'))).toEqual([]);
  });
});

describe('the per-service lock', () => {
  const lockKey = 'audit/checkout/lock.json';
  const lock = (expiresAt: number) =>
    JSON.stringify({
      owner: 'crashed-run',
      acquiredAt: new Date(expiresAt - 120_000).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
      released: false,
    });

  it('is taken over once its owner’s lease has expired (a crashed run)', async () => {
    const world = await createWorld(emulator());
    await capturedAndShifted(world);
    await world.s3.send(
      new PutObjectCommand({ Bucket: world.bucket, Key: lockKey, Body: lock(Date.now() - 1000) }),
    );

    const response = (await world.invoke({
      action: 'rollback',
      reason: 'after a crash',
      requestedBy: 'alice',
    })) as { result: { outcome: string } };

    expect(response.result.outcome).toBe('rolled-back');
    expect(JSON.parse(world.emulator.s3.text(world.bucket, lockKey) as string)).toEqual(
      expect.objectContaining({ released: true }),
    );
  });

  it('makes a run fail, to be retried later, while another run holds it', async () => {
    const world = await createWorld(emulator(), { lockWaitMs: 300 });
    await capturedAndShifted(world);
    await world.s3.send(
      new PutObjectCommand({ Bucket: world.bucket, Key: lockKey, Body: lock(Date.now() + 60_000) }),
    );

    await expect(world.invoke({ action: 'rollback', reason: 'busy', requestedBy: 'alice' })).rejects.toThrow(
      /another watchdog run holds the lock of checkout; this delivery will be retried/,
    );
    expect(await world.weights()).toEqual([[0, 100]]);
  });
});

describe('drift-free switchback and acknowledgement', () => {
  it('marks a rolled-back release held, and an acknowledgement lifts the hold and re-arms the watchdog', async () => {
    const world = await createWorld(emulator());
    await capturedAndShifted(world, 'r1');
    world.setAlarm(ALARM, 'ALARM');
    await world.invoke(snsAlarmEvent(ALARM, 'ALARM', Date.now()));

    expect(world.emulator.s3.keys(world.bucket).filter((k) => k.startsWith('audit/checkout/holds/'))).toEqual(
      ['audit/checkout/holds/r1.rolled-back', 'audit/checkout/holds/r1.traffic-9999-blue-100'],
    );

    const response = (await world.invoke({
      action: 'acknowledge',
      releaseId: 'r1',
      requestedBy: 'alice',
      reason: 'fixed forward in r1 config',
    })) as {
      result: { wasRolledBack: boolean };
    };

    expect(response.result.wasRolledBack).toBe(true);
    expect(
      world.emulator.s3
        .keys(world.bucket)
        .filter((k) => k.startsWith('audit/checkout/holds/'))
        .sort(),
    ).toEqual([
      'audit/checkout/holds/r1.acknowledged',
      'audit/checkout/holds/r1.rolled-back',
      'audit/checkout/holds/r1.traffic-9999-blue-100',
    ]);
    const status = (await world.invoke({ action: 'status' })) as { result: { state: { latched?: unknown } } };
    expect(status.result.state.latched).toBeUndefined();
    expect((await world.auditRecords()).map((r) => r.outcome)).toContain('acknowledged');

    // Rolled back again, the release is held again: the acknowledgement covered the earlier rollback.
    await world.shiftToGreen();
    world.setAlarm(ALARM, 'OK');
    world.setAlarm(ALARM, 'ALARM');
    await world.invoke({ action: 'rollback', reason: 'broken again', requestedBy: 'alice' });
    expect(world.emulator.s3.keys(world.bucket).filter((k) => k.startsWith('audit/checkout/holds/'))).toEqual(
      ['audit/checkout/holds/r1.rolled-back', 'audit/checkout/holds/r1.traffic-9999-blue-100'],
    );
  });
});

describe('listeners named by load balancer and port (as the constructs write them)', () => {
  it('captures nothing for a listener not created yet, then resolves it once it exists', async () => {
    const emu = emulator();
    const world = await createWorld(emu);
    const [pair] = world.pairs;
    const config = JSON.parse(emu.s3.text(world.bucket, 'config/checkout/watchdog.json') as string) as Record<
      string,
      unknown
    >;
    const names = {
      blue: emu.elbv2.targetGroups().find((g) => g.TargetGroupArn === pair.blueArn)?.TargetGroupName,
      green: emu.elbv2.targetGroups().find((g) => g.TargetGroupArn === pair.greenArn)?.TargetGroupName,
    };
    const byPort = (port: number) => ({
      name: 'production',
      role: 'production',
      loadBalancerArn: pair.loadBalancerArn,
      port,
      targetGroupNames: names,
    });
    const writeConfig = (port: number) =>
      world.s3.send(
        new PutObjectCommand({
          Bucket: world.bucket,
          Key: 'config/checkout/watchdog.json',
          Body: JSON.stringify({ ...config, listeners: [byPort(port)] }),
        }),
      );

    // First release: nothing listens on 8443 yet
    await writeConfig(8443);
    const first = createWorldRuntime(world);
    await first({ action: 'capture', releaseId: 'r1' });
    const [firstCapture] = (await world.auditRecords()).filter((r) => r.decision === 'capture');
    expect(firstCapture.checks).toContainEqual(
      expect.objectContaining({
        name: 'listeners-exist',
        passed: false,
        detail: expect.stringContaining('no listener on port 8443'),
      }),
    );
    // A breach now has nothing to go back to, and says so instead of reporting a rollback.
    const nothing = (await first({ action: 'rollback', reason: 'test', requestedBy: 'bob' })) as {
      result: { outcome: string; reason: string };
    };
    expect(nothing.result).toEqual(
      expect.objectContaining({ outcome: 'skipped', reason: expect.stringContaining('nothing to restore') }),
    );

    // Next release: the listener on port 80 exists and is captured by its ARN
    await writeConfig(80);
    const second = createWorldRuntime(world);
    await second({ action: 'capture', releaseId: 'r2' });
    await world.shiftToGreen();
    const rolledBack = (await second({ action: 'rollback', reason: 'test', requestedBy: 'bob' })) as {
      result: { outcome: string };
    };

    expect(rolledBack.result.outcome).toBe('rolled-back');
    expect(await world.weights()).toEqual([[100, 0]]);
  });
});

describe('runs that die half-way', () => {
  it('a redelivery finishes a rollback whose run died after acting, even if the alarm recovered meanwhile', async () => {
    const world = await createWorld(emulator());
    await capturedAndShifted(world);
    world.setAlarm(ALARM, 'ALARM');
    const event = snsAlarmEvent(ALARM, 'ALARM', Date.now());
    // The run dies writing its audit record (after the traffic moved).
    const fault = world.emulator.faults.add({
      service: 's3',
      action: 'PutObject',
      match: (call) => String(call.params.Key ?? '').includes('/decisions/'),
      error: { status: 500, code: 'InternalError' },
      times: 50,
    });

    await expect(world.invoke(event)).rejects.toThrow();
    expect(world.emulator.s3.keys(world.bucket)).toContain('audit/checkout/holds/r1.rolled-back');

    fault.remove();
    world.setAlarm(ALARM, 'OK');
    const retried = (await world.invoke(event)) as { result: { outcome: string } };

    expect(retried.result.outcome).toBe('rolled-back');
    expect(await world.weights()).toEqual([[100, 0]]);
    const [record] = (await world.auditRecords()).filter((r) => r.decision === 'rollback');
    expect(record.checks).toEqual([
      expect.objectContaining({ name: 'finishing-partial-rollback', passed: true }),
    ]);
  });

  it('never rolls back a newer release when an older trigger is redelivered', async () => {
    const world = await createWorld(emulator(), { listeners: 2, policy: { stepTimeBudgetMs: 1000 } });
    await capturedAndShifted(world, 'r1');
    world.setAlarm(ALARM, 'ALARM');
    const fault = world.emulator.faults.add({
      service: 'elbv2',
      action: 'ModifyListener',
      match: (call) => call.params.ListenerArn === world.pairs[1].listenerArn,
      error: { status: 500, code: 'InternalFailure' },
    });
    const event = snsAlarmEvent(ALARM, 'ALARM', Date.now());
    await expect(world.invoke(event)).rejects.toThrow(/partial/);
    fault.remove();

    // A fix-forward release is captured (past the deploy freeze, audited) and deployed before
    // Lambda's retry arrives.
    world.setAlarm(ALARM, 'OK');
    await world.invoke({
      action: 'capture',
      releaseId: 'r2',
      overrides: { freeze: { reason: 'fix forward' } },
    });
    await world.shiftToGreen();
    const retried = (await world.invoke(event)) as { result: { outcome: string; reason?: string } };

    expect(retried.result.outcome).toBe('skipped');
    expect(await world.weights()).toEqual([
      [0, 100],
      [0, 100],
    ]);
  });
});

describe('capture guards', () => {
  it('reports a capture as done when only the lock release fails (the lease expires on its own)', async () => {
    const world = await createWorld(emulator());
    let lockWrites = 0;
    // The first write of the lock takes it; every later one (the release, and the SDK's retries) fails.
    world.emulator.faults.add({
      service: 's3',
      action: 'PutObject',
      match: (call) => String(call.params.Key).endsWith('/lock.json') && ++lockWrites > 1,
      error: { status: 500 },
    });

    const captured = (await world.invoke({ action: 'capture', releaseId: 'r1' })) as {
      result: { status: string };
    };

    expect(captured.result.status).toBe('captured');
    expect(lockWrites).toBeGreaterThan(1);
  });

  it('refuses to capture again a release older than the current one', async () => {
    const world = await createWorld(emulator());
    await world.invoke({ action: 'capture', releaseId: 'r1' });
    await world.invoke({ action: 'capture', releaseId: 'r2' });

    await expect(world.invoke({ action: 'capture', releaseId: 'r1' })).rejects.toThrow(
      /release r1 was captured before the current release r2; a release id is used once/,
    );
  });

  it('does not restore configuration while traffic is still on the release', async () => {
    const emu = emulator();
    await new SSMClient(emu.clientConfig()).send(
      new PutParameterCommand({ Name: '/checkout/flags', Value: 'v1', Type: 'String' }),
    );
    const world = await createWorld(emu, { extraConfig: { parameters: [{ name: '/checkout/flags' }] } });
    await capturedAndShifted(world);
    await new SSMClient(emu.clientConfig()).send(
      new PutParameterCommand({ Name: '/checkout/flags', Value: 'v2', Type: 'String', Overwrite: true }),
    );
    setBlueHealth(world, 'unhealthy');

    await expect(world.invoke({ action: 'rollback', reason: 'test', requestedBy: 'bob' })).rejects.toThrow(
      /partial/,
    );

    const [record] = (await world.auditRecords()).filter((r) => r.decision === 'rollback');
    expect(record.steps.map((step) => [step.kind, step.outcome])).toEqual([
      ['listener', 'blocked'],
      ['parameter', 'blocked'],
    ]);
    expect(record.timeToRollbackMs).toBeUndefined();
    expect(emu.ssm.parameter('/checkout/flags')?.Value).toBe('v2');
  });

  it('refuses to acknowledge a release that was not rolled back', async () => {
    const world = await createWorld(emulator());
    await world.invoke({ action: 'capture', releaseId: 'r1' });

    await expect(
      world.invoke({ action: 'acknowledge', releaseId: 'r1', requestedBy: 'a', reason: 'b' }),
    ).rejects.toThrow(/release r1 was not rolled back: there is nothing to acknowledge/);
  });
});
