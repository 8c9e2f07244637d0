import {
  BlueGreenListener,
  RollbackWatchdog,
  VersionedArtifactStore,
  type BlueGreenListenerProps,
  type ListenerRuleOptions,
} from '../../../index';
import { parseWatchdogConfig } from '../../../lib';
import {
  blockAt,
  blocksOfType,
  newStack,
  refTo,
  resolveIn,
  synthStack,
  watchdogConfigOf,
} from '../../support/synth';
import { expectValidationError } from '../../support/validation';
import { LOAD_BALANCER_ARN, VPC_ID } from '../fixtures';

const BASE: BlueGreenListenerProps = {
  loadBalancerArn: LOAD_BALANCER_ARN,
  vpcId: VPC_ID,
  serviceName: 'checkout',
  canaryWeightPercent: 20,
};
const API: ListenerRuleOptions = { priority: 10, pathPatterns: ['/api/*'] };
const ADMIN: ListenerRuleOptions = { priority: 20, hostHeaders: ['admin.example.com'] };

function listenerIn(props: Partial<BlueGreenListenerProps> = {}) {
  const { stack } = newStack();
  const listener = new BlueGreenListener(stack, 'Checkout', { ...BASE, ...props });
  return { stack, listener };
}

describe('BlueGreenListener.addRule', () => {
  it('defines the rule on the production listener, forwarding like the default action', () => {
    const { stack, listener } = listenerIn();
    listener.addRule(ADMIN);
    const json = synthStack(stack);

    const blue = refTo(json, 'aws_lb_target_group', 'Checkout/BlueTargetGroup', 'arn');
    const green = refTo(json, 'aws_lb_target_group', 'Checkout/GreenTargetGroup', 'arn');
    expect(blockAt(json, 'aws_lb_listener_rule', 'Checkout/ProductionRule20')).toEqual(
      expect.objectContaining({
        listener_arn: refTo(json, 'aws_lb_listener', 'Checkout/ProductionListener', 'arn'),
        priority: 20,
        condition: [{ host_header: { values: ['admin.example.com'] } }],
        action: [
          {
            type: 'forward',
            forward: {
              target_group: [
                { arn: blue, weight: 80 },
                { arn: green, weight: 20 },
              ],
            },
          },
        ],
      }),
    );
  });

  it('gives a rule the same Terraform address whether it comes in the props or through addRule', () => {
    const fromProps = listenerIn({ rules: [API, ADMIN] });
    const added = listenerIn({ rules: [API] });
    added.listener.addRule(ADMIN);

    const rulesOf = (stack: Parameters<typeof synthStack>[0]) =>
      Object.fromEntries(blocksOfType(synthStack(stack), 'aws_lb_listener_rule'));
    expect(rulesOf(added.stack)).toEqual(rulesOf(fromProps.stack));
    expect(Object.keys(rulesOf(added.stack))).toEqual([
      expect.stringMatching(/^Checkout_ProductionRule10_/),
      expect.stringMatching(/^Checkout_ProductionRule20_/),
    ]);
  });

  it('lists the added rule for the watchdog: its priority, its protected listener and its traffic resource', () => {
    const { stack, listener } = listenerIn({ rules: [API], testListener: {} });
    listener.addRule(ADMIN);
    const json = synthStack(stack);

    expect(listener.rulePriorities).toEqual([10, 20]);
    const protectedListeners = resolveIn(listener, listener.protectedListeners) as Record<string, unknown>[];
    expect(protectedListeners[0]).toEqual(
      expect.objectContaining({ name: 'production', role: 'production', rulePriorities: [10, 20] }),
    );
    expect(protectedListeners[1]).not.toHaveProperty('rulePriorities');
    expect(
      parseWatchdogConfig({
        schemaVersion: 1,
        service: 'checkout',
        store: { bucket: 'checkout-store' },
        listeners: protectedListeners,
      }).listeners[0].rulePriorities,
    ).toEqual([10, 20]);
    const fqn = (r: unknown) => resolveIn(listener, (r as { fqn: string }).fqn);
    expect(listener.trafficResources.map(fqn)).toContain(
      refTo(json, 'aws_lb_listener_rule', 'Checkout/ProductionRule20', 'arn').replace(/\.arn\}$/, '}'),
    );
    expect(listener.rules.map((rule) => rule.node.id)).toEqual(['ProductionRule10', 'ProductionRule20']);
  });

  it('fails when the added rule takes a priority a props rule already has', () => {
    const { listener } = listenerIn({ rules: [API] });

    expectValidationError(
      () => listener.addRule({ priority: 10, pathPatterns: ['/other/*'] }),
      'test/Checkout',
      'addRule(priority 10).priority',
      /priority 10 is used by another rule; each rule on a listener needs its own priority/,
    );
    expect(listener.rulePriorities).toEqual([10]);
  });

  it('fails when two added rules share a priority', () => {
    const { listener } = listenerIn();
    listener.addRule(ADMIN);

    expectValidationError(
      () => listener.addRule({ ...ADMIN, hostHeaders: ['ops.example.com'] }),
      'test/Checkout',
      'addRule(priority 20).priority',
      /priority 20 is used by another rule/,
    );
  });

  it.each<[string, ListenerRuleOptions, string, RegExp]>([
    [
      'its priority is out of range',
      { priority: 0, pathPatterns: ['/a'] },
      'addRule(priority 0).priority',
      /got 0; must be an integer from 1 to 50000/,
    ],
    ['it has no condition', { priority: 5 }, 'addRule(priority 5)', /needs at least one condition/],
    [
      'it has too many condition values',
      { priority: 5, pathPatterns: ['/a', '/b', '/c'], hostHeaders: ['x.io', 'y.io', 'z.io'] },
      'addRule(priority 5)',
      /at most 5 condition values .* got 6/,
    ],
    [
      'a host header is empty',
      { priority: 5, hostHeaders: [''] },
      'addRule(priority 5).hostHeaders[0]',
      /must be 1-128 characters/,
    ],
  ])('fails like a props rule when %s', (_case, rule, prop, message) => {
    const { listener } = listenerIn();
    expectValidationError(() => listener.addRule(rule), 'test/Checkout', prop, message);
  });

  it('reads the added rule in protectedListeners taken after it, and leaves an earlier copy alone', () => {
    const { listener } = listenerIn({ rules: [API] });
    const before = listener.protectedListeners;
    listener.addRule(ADMIN);

    expect(before[0].rulePriorities).toEqual([10]);
    expect(listener.protectedListeners[0].rulePriorities).toEqual([10, 20]);
  });

  it('protects a rule added after the watchdog: in its configuration, and waiting for its capture', () => {
    const { stack, listener } = listenerIn({ rules: [API] });
    const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
    new RollbackWatchdog(stack, 'Watchdog', {
      store,
      releaseId: 'r42',
      listeners: [listener],
      alarms: [
        {
          name: 'checkout-rollback',
          arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-rollback',
        },
      ],
    });
    listener.addRule(ADMIN);
    const json = synthStack(stack);

    const config = watchdogConfigOf(json, 'Watchdog/Configuration', 'checkout');
    expect(config.listeners).toEqual([
      expect.objectContaining({ name: 'production', rulePriorities: [10, 20] }),
    ]);
    const capture = blocksOfType(json, 'aws_lambda_invocation').map(([id]) => `aws_lambda_invocation.${id}`);
    expect(capture).toHaveLength(1);
    expect(blockAt(json, 'aws_lb_listener_rule', 'Checkout/ProductionRule20').depends_on).toEqual(capture);
    expect(blockAt(json, 'aws_lb_listener_rule', 'Checkout/ProductionRule10').depends_on).toEqual(capture);
  });

  it('adds no dependency to a rule of a listener nothing waits on', () => {
    const { stack, listener } = listenerIn();
    listener.addRule(ADMIN);

    expect(
      blockAt(synthStack(stack), 'aws_lb_listener_rule', 'Checkout/ProductionRule20'),
    ).not.toHaveProperty('depends_on');
  });
});
