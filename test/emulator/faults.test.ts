import {
  CreateLoadBalancerCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { performance } from 'node:perf_hooks';
import { createBlueGreen } from './elbv2-fixtures';
import { errorOf, fastRetry, ManualClock, useEmulator } from './testing';

const clock = new ManualClock();
const emulator = useEmulator({ clock: clock.now });
let elbv2: ElasticLoadBalancingV2Client;

beforeEach(() => {
  elbv2 = new ElasticLoadBalancingV2Client({ ...emulator().clientConfig(), retryStrategy: fastRetry(3) });
});
afterEach(() => elbv2.destroy());

const statuses = (action: string): Array<[number, string | undefined]> =>
  emulator()
    .requestLog.entries({ action })
    .map((e) => [e.status, e.errorCode]);

describe('latency', () => {
  it('delays a matching call by at least the fixed latency', async () => {
    emulator().faults.add({ service: 'elbv2', action: 'DescribeLoadBalancers', latencyMs: 150 });
    const started = performance.now();
    await elbv2.send(new DescribeLoadBalancersCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(emulator().requestLog.entries()[0].faults).toEqual(['latency']);
  });

  it('delays by a jittered latency within [min, max]', async () => {
    emulator().faults.add({ service: 'elbv2', latencyMs: { min: 100, max: 130 } });
    const started = performance.now();
    await elbv2.send(new DescribeLoadBalancersCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });
});

describe('throttling', () => {
  it('answers Throttling, which the SDK retries until the fault stops (3 attempts)', async () => {
    const handle = emulator().faults.add({
      service: 'elbv2',
      action: 'DescribeLoadBalancers',
      throttle: 'always',
      times: 2,
    });
    const out = await elbv2.send(new DescribeLoadBalancersCommand({}));
    expect(out.$metadata.attempts).toBe(3);
    expect(statuses('DescribeLoadBalancers')).toEqual([
      [400, 'Throttling'],
      [400, 'Throttling'],
      [200, undefined],
    ]);
    expect(
      emulator()
        .requestLog.entries()
        .map((e) => e.attempt),
    ).toEqual([1, 2, 3]);
    expect([handle.matched, handle.fired]).toEqual([3, 2]);
  });

  it('fails with the Throttling error after the SDK max attempts', async () => {
    emulator().faults.add({ service: 'elbv2', throttle: { kind: 'always' } });
    const err = await errorOf(() => elbv2.send(new DescribeLoadBalancersCommand({})));
    expect([err.name, err.message, err.$metadata.attempts]).toEqual(['Throttling', 'Rate exceeded', 3]);
    expect(emulator().requestLog.count({ action: 'DescribeLoadBalancers' })).toBe(3);
  });

  it('is retried with the SDK default retry strategy too', async () => {
    const plain = new ElasticLoadBalancingV2Client(emulator().clientConfig());
    emulator().faults.add({ service: 'elbv2', throttle: 'always', times: 1 });
    const out = await plain.send(new DescribeLoadBalancersCommand({}));
    plain.destroy();
    expect(out.$metadata.attempts).toBe(2);
  });

  it('speaks each service own throttling error, which its SDK client classifies as retryable', async () => {
    const config = { ...emulator().clientConfig(), retryStrategy: fastRetry(2) };
    const ssm = new SSMClient(config);
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const lambda = new LambdaClient(config);
    const cloudwatch = new CloudWatchClient(config);
    const sns = new SNSClient(config);
    const calls: Array<[string, () => Promise<unknown>, string, number]> = [
      ['ssm', () => ssm.send(new GetParameterCommand({ Name: '/x' })), 'ThrottlingException', 400],
      ['s3', () => s3.send(new ListBucketsCommand({})), 'SlowDown', 503],
      [
        'lambda',
        () => lambda.send(new GetFunctionCommand({ FunctionName: 'f' })),
        'TooManyRequestsException',
        429,
      ],
      ['cloudwatch', () => cloudwatch.send(new DescribeAlarmsCommand({})), 'Throttling', 400],
      ['sns', () => sns.send(new ListTopicsCommand({})), 'Throttling', 400],
    ];
    emulator().faults.add({ throttle: 'always' });
    for (const [service, call, name, status] of calls) {
      const err = await errorOf(call);
      expect([service, err.name, err.$metadata.httpStatusCode, err.$metadata.attempts]).toEqual([
        service,
        name,
        status,
        2,
      ]);
    }
    for (const client of [ssm, s3, lambda, cloudwatch, sns]) client.destroy();
  });

  it('throttles from a token bucket that refills with the clock (40 tokens, 10/s)', async () => {
    const once = new ElasticLoadBalancingV2Client({ ...emulator().clientConfig(), maxAttempts: 1 });
    emulator().faults.add({
      service: 'elbv2',
      action: 'DescribeLoadBalancers',
      throttle: { kind: 'tokenBucket', capacity: 40, refillPerSecond: 10 },
    });
    const results = await Promise.allSettled(
      Array.from({ length: 45 }, () => once.send(new DescribeLoadBalancersCommand({}))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(40);
    clock.advance(200);
    const refilled = await Promise.allSettled(
      Array.from({ length: 3 }, () => once.send(new DescribeLoadBalancersCommand({}))),
    );
    expect(refilled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    once.destroy();
  });
});

describe('server errors', () => {
  it('answers an injected 500, which the SDK retries', async () => {
    emulator().faults.add({ service: 'elbv2', error: { status: 500 }, times: 1 });
    await elbv2.send(new DescribeLoadBalancersCommand({}));
    expect(statuses('DescribeLoadBalancers')).toEqual([
      [500, 'InternalFailure'],
      [200, undefined],
    ]);
  });

  it('answers an injected 503 with a chosen code and message', async () => {
    const once = new ElasticLoadBalancingV2Client({ ...emulator().clientConfig(), maxAttempts: 1 });
    emulator().faults.add({
      service: 'elbv2',
      error: { status: 503, code: 'ServiceUnavailable', message: 'Try later' },
    });
    const err = await errorOf(() => once.send(new DescribeLoadBalancersCommand({})));
    once.destroy();
    expect([err.name, err.message, err.$metadata.httpStatusCode]).toEqual([
      'ServiceUnavailable',
      'Try later',
      503,
    ]);
  });

  it('fails only the Nth matching call', async () => {
    const once = new ElasticLoadBalancingV2Client({ ...emulator().clientConfig(), maxAttempts: 1 });
    emulator().faults.add({
      service: 'elbv2',
      action: 'DescribeLoadBalancers',
      nth: 2,
      error: { status: 500 },
    });
    const results = [];
    for (let i = 0; i < 3; i++)
      results.push((await Promise.allSettled([once.send(new DescribeLoadBalancersCommand({}))]))[0].status);
    once.destroy();
    expect(results).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('applies a rule only to calls its match function selects', async () => {
    const a = await createBlueGreen(elbv2, 'a', 80);
    const b = await createBlueGreen(elbv2, 'b', 81);
    emulator().faults.add({
      service: 'elbv2',
      action: 'DescribeListeners',
      match: (call) => JSON.stringify(call.params.ListenerArns ?? []).includes(a.listenerArn),
      error: { status: 400, code: 'AccessDenied', message: 'no' },
    });
    await elbv2.send(new DescribeListenersCommand({ ListenerArns: [b.listenerArn] }));
    expect(
      (await errorOf(() => elbv2.send(new DescribeListenersCommand({ ListenerArns: [a.listenerArn] })))).name,
    ).toBe('AccessDenied');
  });
});

describe('dropped connections', () => {
  it('drops before the call runs; the SDK retries and the change happens once', async () => {
    emulator().faults.add({ service: 'elbv2', action: 'CreateLoadBalancer', dropConnection: true, times: 1 });
    const out = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'dropped' }));
    expect(out.$metadata.attempts).toBe(2);
    expect(statuses('CreateLoadBalancer')).toEqual([
      [0, 'ConnectionDropped'],
      [200, undefined],
    ]);
    expect(emulator().elbv2.loadBalancers()).toHaveLength(1);
  });

  it('drops after the call changed state, so the client retries a change that already happened', async () => {
    const bg = await createBlueGreen(elbv2);
    emulator().requestLog.clear();
    emulator().faults.add({ service: 'elbv2', action: 'ModifyListener', dropConnection: 'after', times: 1 });
    await elbv2.send(
      new ModifyListenerCommand({
        ListenerArn: bg.listenerArn,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: bg.greenArn }],
      }),
    );
    expect(statuses('ModifyListener')).toEqual([
      [0, 'ConnectionDropped'],
      [200, undefined],
    ]);
    expect(emulator().elbv2.listener(bg.listenerArn).DefaultActions[0].TargetGroupArn).toBe(bg.greenArn);
  });
});

describe('stale reads', () => {
  it('answers reads from the pre-write state for the window after a matching write', async () => {
    const bg = await createBlueGreen(elbv2);
    emulator().faults.add({ service: 'elbv2', action: 'ModifyListener', staleReadMs: 2000 });
    await elbv2.send(
      new ModifyListenerCommand({
        ListenerArn: bg.listenerArn,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: bg.greenArn }],
      }),
    );
    const describe = async (): Promise<string | undefined> =>
      (await elbv2.send(new DescribeListenersCommand({ ListenerArns: [bg.listenerArn] }))).Listeners?.[0]
        ?.DefaultActions?.[0]?.TargetGroupArn;
    expect(await describe()).toBe(bg.blueArn);
    clock.advance(1999);
    expect(await describe()).toBe(bg.blueArn);
    clock.advance(1);
    expect(await describe()).toBe(bg.greenArn);
    expect(emulator().elbv2.listener(bg.listenerArn).DefaultActions[0].TargetGroupArn).toBe(bg.greenArn);
  });

  it('works for SSM read-after-write too', async () => {
    const ssm = new SSMClient({ ...emulator().clientConfig(), maxAttempts: 1 });
    await ssm.send(new PutParameterCommand({ Name: '/flag', Value: 'old', Type: 'String' }));
    emulator().faults.add({ service: 'ssm', staleReadMs: 1000 });
    await ssm.send(new PutParameterCommand({ Name: '/flag', Value: 'new', Overwrite: true }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/flag' }))).Parameter?.Value).toBe('old');
    clock.advance(1000);
    expect((await ssm.send(new GetParameterCommand({ Name: '/flag' }))).Parameter?.Value).toBe('new');
    ssm.destroy();
  });
});

describe('the rule API', () => {
  it('refuses invalid rules with a clear message', () => {
    const faults = emulator().faults;
    expect(() => faults.add({ service: 'elbv2' })).toThrow('give at least one effect');
    expect(() => faults.add({ nth: 0, latencyMs: 1 })).toThrow('nth must be a positive integer, got 0');
    expect(() => faults.add({ latencyMs: { min: 5, max: 1 } })).toThrow('0 <= min <= max');
    expect(() => faults.add({ throttle: { kind: 'tokenBucket', capacity: 0, refillPerSecond: 1 } })).toThrow(
      'capacity >= 1',
    );
  });

  it('lists, removes and clears rules', async () => {
    const handle = emulator().faults.add({ service: 'elbv2', throttle: 'always' });
    expect(
      emulator()
        .faults.list()
        .map((h) => h.id),
    ).toEqual([handle.id]);
    handle.remove();
    await elbv2.send(new DescribeLoadBalancersCommand({}));
    emulator().faults.add({ latencyMs: 1 });
    emulator().faults.clear();
    expect(emulator().faults.list()).toEqual([]);
  });
});

describe('the request log', () => {
  it('records service, action, key params, status, error code, attempt and duration in order', async () => {
    const once = new ElasticLoadBalancingV2Client({
      ...emulator().clientConfig('eu-west-1'),
      maxAttempts: 1,
    });
    await once.send(new CreateLoadBalancerCommand({ Name: 'logged' }));
    await errorOf(() => once.send(new DescribeLoadBalancersCommand({ Names: ['missing'] })));
    once.destroy();
    const [first, second] = emulator().requestLog.entries();
    expect(first).toMatchObject({
      seq: expect.any(Number),
      time: clock.now(),
      service: 'elbv2',
      action: 'CreateLoadBalancer',
      region: 'eu-west-1',
      params: { Name: 'logged' },
      status: 200,
      faults: [],
      attempt: 1,
    });
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    expect(second).toMatchObject({
      action: 'DescribeLoadBalancers',
      params: { Names: ['missing'] },
      status: 400,
      errorCode: 'LoadBalancerNotFound',
    });
    expect(second.seq).toBe(first.seq + 1);
    expect(emulator().requestLog.actions()).toEqual([
      'elbv2:CreateLoadBalancer',
      'elbv2:DescribeLoadBalancers',
    ]);
    emulator().requestLog.clear();
    expect(emulator().requestLog.count()).toBe(0);
  });

  it('logs S3 bucket and key', async () => {
    const s3 = new S3Client({ ...emulator().s3ClientConfig(), maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'logs' }));
    s3.destroy();
    expect(emulator().requestLog.entries({ service: 's3' })[0]).toMatchObject({
      action: 'CreateBucket',
      params: { Bucket: 'logs' },
    });
  });
});
