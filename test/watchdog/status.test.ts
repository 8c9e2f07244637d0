/**
 * The one status: what the watchdog answers to `{ "action": "status" }` and what `switchback status`
 * prints, read through the ports (in memory here; test/cli reads it through the SDK on the emulator).
 */
import {
  currentReleaseKey,
  parseWatchdogConfig,
  serviceStatusSchema,
  watchdogLockKey,
  watchdogStateKey,
  type ListenerAction,
  type ProtectedListenerInput,
} from '../../lib';
import { serviceStatus } from '../../lambdas/watchdog/engine/status';
import { FakeAlarms, FakeBucket, FakeTraffic, ManualClock, fakeStore } from './fakes';
import { alarmArn, iso, listenerArn, manifest, minutes, ruleArn, T0 } from './fixtures';

const LOAD_BALANCER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';

/** A service with one listener on port 443, blue and green attached, and the alarms named. */
function givenService(options: { alarms?: string[] } = {}) {
  const clock = new ManualClock(T0);
  const traffic = new FakeTraffic();
  const alarms = new FakeAlarms(clock);
  const bucket = new FakeBucket('checkout-artifacts');
  const blue = traffic.addTargetGroup('checkout-blue');
  const green = traffic.addTargetGroup('checkout-green');
  const forward = (...groups: [string, number][]): ListenerAction[] => [
    {
      type: 'forward',
      forwardConfig: { targetGroups: groups.map(([targetGroupArn, weight]) => ({ targetGroupArn, weight })) },
    },
  ];
  traffic.addListener({
    listenerArn: listenerArn(1),
    loadBalancerArn: LOAD_BALANCER,
    port: 443,
    defaultActions: forward([blue, 100], [green, 0]),
  });
  const alarmNames = options.alarms ?? [];
  const status = (listeners: Partial<ProtectedListenerInput>[] = [{}]) =>
    serviceStatus({
      config: parseWatchdogConfig({
        schemaVersion: 1,
        service: 'checkout',
        store: { bucket: bucket.name },
        listeners: listeners.map((listener, i) => ({
          name: `listener-${i}`,
          role: 'production',
          listenerArn: listenerArn(1),
          targetGroupArns: { blue, green },
          ...listener,
        })),
        alarms: alarmNames.map((name) => ({ name, arn: alarmArn(name) })),
      }),
      ports: { traffic, alarms, store: fakeStore(bucket) },
      clock,
    });
  return { clock, traffic, alarms, bucket, blue, green, forward, status };
}

describe('the status of a service', () => {
  it.each([
    ['blue', 100, 0, 'blue'],
    ['green', 0, 100, 'green'],
    ['both colors', 90, 10, 'mixed'],
    ['no color (both weights 0)', 0, 0, 'none'],
  ])('says a listener forwarding to %s is on %s', async (_case, blueWeight, greenWeight, expected) => {
    // Given a listener forwarding with these weights
    const world = givenService();
    world.traffic.setDefaultActions(
      listenerArn(1),
      world.forward([world.blue, blueWeight], [world.green, greenWeight]),
    );

    // When status is read
    const { listeners } = await world.status();

    // Then it names the color that receives traffic, and every weight
    expect(listeners).toEqual([
      {
        name: 'listener-0',
        listenerArn: listenerArn(1),
        forwardsTo: [
          { color: 'blue', targetGroupArn: world.blue, weight: blueWeight },
          { color: 'green', targetGroupArn: world.green, weight: greenWeight },
        ],
        activeColor: expected,
      },
    ]);
  });

  it('says mixed when traffic reaches a target group of neither color', async () => {
    const world = givenService();
    const other = world.traffic.addTargetGroup('checkout-canary');
    world.traffic.setDefaultActions(listenerArn(1), world.forward([world.green, 0], [other, 100]));

    const [listener] = (await world.status()).listeners;

    expect(listener.forwardsTo.map((f) => f.color)).toEqual(['green', 'other']);
    expect(listener.activeColor).toBe('mixed');
  });

  it('says none, with no forward, for a listener that only redirects', async () => {
    const world = givenService();
    world.traffic.setDefaultActions(listenerArn(1), [
      { type: 'redirect', redirectConfig: { protocol: 'HTTPS', statusCode: 'HTTP_301' } },
    ]);

    const [listener] = (await world.status()).listeners;

    expect(listener).toEqual(expect.objectContaining({ forwardsTo: [], activeColor: 'none' }));
    expect(listener.error).toBeUndefined();
  });

  it('shows where traffic goes next to configured rules that are missing', async () => {
    const world = givenService();
    world.traffic.addRule(listenerArn(1), {
      ruleArn: ruleArn(1),
      priority: '10',
      actions: world.forward([world.blue, 1]),
    });

    const [listener] = (
      await world.status([{ ruleArns: [ruleArn(1), ruleArn(2)], rulePriorities: [10, 77] }])
    ).listeners;

    expect(listener).toEqual(
      expect.objectContaining({
        activeColor: 'blue',
        error: `configured rules not found: ${ruleArn(2)}, priority 77`,
      }),
    );
  });

  it('names a configured rule the watchdog cannot restore, in its adapter words, before missing ones', async () => {
    const world = givenService();
    const why = `DescribeRules failed (UnsupportedAction): rule ${ruleArn(1)}: it has an 'authenticate-oidc' action`;
    world.traffic.addRule(listenerArn(1), {
      ruleArn: ruleArn(1),
      priority: '10',
      actions: [],
      unsupported: why,
    });

    const [listener] = (await world.status([{ rulePriorities: [10, 77] }])).listeners;

    expect(listener.activeColor).toBe('blue');
    expect(listener.error).toBe(`${why}; configured rules not found: priority 77`);
  });

  it('leaves an unconfigured rule the watchdog cannot restore out of it', async () => {
    const world = givenService();
    world.traffic.addRule(listenerArn(1), {
      ruleArn: ruleArn(1),
      priority: '10',
      actions: [],
      unsupported: 'oidc',
    });

    const [listener] = (await world.status()).listeners;

    expect(listener.error).toBeUndefined();
  });

  it('reports a listener or target group it cannot find, and still reads the others', async () => {
    const world = givenService();

    const { listeners } = await world.status([
      { listenerArn: undefined, loadBalancerArn: LOAD_BALANCER, port: 8443 },
      { targetGroupArns: undefined, targetGroupNames: { blue: 'checkout-blue', green: 'checkout-gone' } },
      { listenerArn: listenerArn(9) },
      {},
    ]);

    expect(listeners.map((l) => [l.name, l.activeColor, l.error])).toEqual([
      ['listener-0', 'none', `no listener on port 8443 of ${LOAD_BALANCER}`],
      ['listener-1', 'none', 'target group checkout-gone not found'],
      [
        'listener-2',
        'none',
        `DescribeListeners failed (ListenerNotFound): listener ${listenerArn(9)} not found`,
      ],
      ['listener-3', 'blue', undefined],
    ]);
  });

  it('lists every configured alarm in the configuration order, one that does not exist as MISSING', async () => {
    const world = givenService({ alarms: ['checkout-p99', 'checkout-gone', 'checkout-5xx'] });
    world.alarms.set('checkout-5xx', 'ALARM');
    world.alarms.set('checkout-p99', 'OK');

    const { alarms } = await world.status();

    expect(alarms).toEqual([
      { name: 'checkout-p99', arn: alarmArn('checkout-p99'), value: 'OK', updatedAt: iso(T0) },
      { name: 'checkout-gone', value: 'MISSING' },
      { name: 'checkout-5xx', arn: alarmArn('checkout-5xx'), value: 'ALARM', updatedAt: iso(T0) },
    ]);
  });

  it('shows the current release without its embedded manifest, and the time its window has left', async () => {
    const world = givenService();
    const pointer = {
      releaseId: 'r42',
      manifestKey: 'manifests/checkout/r42.json',
      capturedAt: iso(T0),
      evaluationWindowEndsAt: iso(T0 + minutes(60)),
    };
    world.bucket.put(currentReleaseKey('checkout'), JSON.stringify({ ...pointer, manifest: manifest() }));
    world.clock.advance(minutes(45) + 400);

    const status = await world.status();

    expect(status.release).toEqual(pointer);
    expect(status.evaluationWindowLeftSeconds).toBe(15 * 60);
    world.clock.advance(minutes(20));
    expect((await world.status()).evaluationWindowLeftSeconds).toBe(0);
  });

  it('says the lock is held only while it is unreleased and unexpired', async () => {
    const world = givenService();
    const lock = (released: boolean) =>
      world.bucket.put(
        watchdogLockKey('checkout'),
        JSON.stringify({ owner: 'run-1', acquiredAt: iso(T0), expiresAt: iso(T0 + minutes(2)), released }),
      );

    lock(false);
    expect((await world.status()).lock).toEqual({
      held: true,
      owner: 'run-1',
      expiresAt: iso(T0 + minutes(2)),
    });
    lock(true);
    expect((await world.status()).lock).toEqual({ held: false });
    lock(false);
    world.clock.advance(minutes(2));
    expect((await world.status()).lock).toEqual({ held: false });
  });

  it('answers an empty service (nothing captured, no state) in the schema the CLI reads', async () => {
    const world = givenService();

    const status = await world.status();

    expect(serviceStatusSchema.parse(status)).toEqual(status);
    expect(status).toEqual(
      expect.objectContaining({
        service: 'checkout',
        evaluationWindowLeftSeconds: 0,
        state: { schemaVersion: 1, automaticRollbacks: [] },
        lock: { held: false },
        alarms: [],
      }),
    );
    expect(status.release).toBeUndefined();
  });

  it('fails on a corrupt state document, naming the key to fix', async () => {
    const world = givenService();
    world.bucket.put(watchdogStateKey('checkout'), JSON.stringify({ schemaVersion: 2 }));

    await expect(world.status()).rejects.toThrow(
      `the watchdog state of checkout is corrupt; fix or delete ${watchdogStateKey('checkout')}`,
    );
  });
});
