/**
 * RollbackWatchdog composed after construction: addListener, addProtectedListener and addAlarm cover
 * what the props cover (configuration, IAM, triggers, the capture's order), and a watchdog with
 * nothing protected fails at synth.
 */
import { App, Testing, TerraformStack } from 'cdktf';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BlueGreenListener,
  ListenerRole,
  RollbackWatchdog,
  VersionedArtifactStore,
  type ProtectedAlarmProps,
  type ProtectedListenerAttributes,
  type RollbackWatchdogProps,
} from '../../../index';
import { dependencyGraph, dependsOn } from '../../support/graph';
import {
  blockAt,
  blocksOfType,
  newStack,
  refTo,
  synthStack,
  watchdogConfigOf,
  type SynthesizedStack,
} from '../../support/synth';
import { expectValidationError } from '../../support/validation';
import { LOAD_BALANCER_ARN, VPC_ID } from '../fixtures';

const ALARM: ProtectedAlarmProps = {
  name: 'checkout-rollback',
  arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-rollback',
};
const OTHER_ALARM: ProtectedAlarmProps = {
  name: 'checkout-latency',
  arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-latency',
};
const OTHER_LOAD_BALANCER_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/admin/0123456789abcdef';
const ADMIN: ProtectedListenerAttributes = {
  name: 'admin',
  role: ListenerRole.PRODUCTION,
  loadBalancerArn: OTHER_LOAD_BALANCER_ARN,
  port: 443,
  targetGroupNames: { blue: 'admin-blue', green: 'admin-green' },
};
const LISTENER_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/api/0123456789abcdef/fedcba9876543210';
const API: ProtectedListenerAttributes = {
  name: 'api',
  role: ListenerRole.PRODUCTION,
  listenerArn: LISTENER_ARN,
  targetGroupNames: { blue: 'api-blue', green: 'api-green' },
};

type Statement = { sid: string; actions: string[]; resources: string[] };
const statements = (json: SynthesizedStack) =>
  blockAt(json, 'aws_iam_policy_document', 'Watchdog/Permissions', 'data').statement as Statement[];
const sid = (json: SynthesizedStack, name: string) => statements(json).find((s) => s.sid === name);

/** A stack with a store and a blue-green listener; the watchdog is for the test to make. */
function fixture() {
  const { app, stack } = newStack();
  const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
  const listener = new BlueGreenListener(stack, 'BlueGreen', {
    serviceName: 'checkout',
    loadBalancerArn: LOAD_BALANCER_ARN,
    vpcId: VPC_ID,
    rules: [{ priority: 10, pathPatterns: ['/api/*'] }],
    testListener: {},
  });
  const watchdog = (props: Partial<RollbackWatchdogProps> = {}) =>
    new RollbackWatchdog(stack, 'Watchdog', { store, releaseId: 'r42', ...props });
  return { app, stack, store, listener, watchdog };
}

describe('RollbackWatchdog.addListener', () => {
  it('protects the listener’s listeners: configuration, IAM scope and the capture’s order', () => {
    const { stack, listener, watchdog } = fixture();
    const dog = watchdog({ protectedListeners: [ADMIN] });

    dog.addListener(listener);
    const json = synthStack(stack);

    const config = watchdogConfigOf(json, 'Watchdog/Configuration', 'checkout');
    expect((config.listeners as { name: string }[]).map((l) => l.name)).toEqual([
      'admin',
      'production',
      'test',
    ]);
    expect(sid(json, 'RestoreListenerActions')?.resources).toEqual([
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/admin/0123456789abcdef/*',
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/*',
    ]);
    expect(sid(json, 'RestoreRuleActions')?.resources).toEqual([
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/admin/0123456789abcdef/*',
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/50dc6c495c0c9188/*',
    ]);
    const graph = dependencyGraph(json);
    const capture = [...graph.keys()].find((id) => id.startsWith('aws_lambda_invocation.')) as string;
    const traffic = [...blocksOfType(json, 'aws_lb_listener'), ...blocksOfType(json, 'aws_lb_listener_rule')];
    expect(traffic.length).toBeGreaterThanOrEqual(3);
    for (const [id] of traffic) {
      const node = [...graph.keys()].find((key) => key.endsWith(`.${id}`)) as string;
      expect(dependsOn(graph, node, capture)).toBe(true);
    }
  });

  it('orders nothing after a capture that is left to the CLI', () => {
    const { stack, listener, watchdog } = fixture();
    watchdog({ captureOnDeploy: false }).addListener(listener);

    const json = synthStack(stack);

    expect(blockAt(json, 'aws_lb_listener', 'BlueGreen/ProductionListener')).not.toHaveProperty('depends_on');
  });

  it('refuses a listener whose listeners’ names are protected already', () => {
    const { stack, listener, watchdog } = fixture();
    const dog = watchdog({ listeners: [listener] });
    const other = new BlueGreenListener(stack, 'Other', {
      serviceName: 'checkout',
      loadBalancerArn: OTHER_LOAD_BALANCER_ARN,
      vpcId: VPC_ID,
    });

    expectValidationError(
      () => dog.addListener(other),
      'test/Watchdog',
      'addListener(listener).protectedListeners[0].name',
      /got 'production'; listener names must be unique: the watchdog protects a listener of that name already\./,
    );
  });
});

describe('RollbackWatchdog.addProtectedListener', () => {
  it('protects a listener by ARN: configuration and IAM scope', () => {
    const { stack, listener, watchdog } = fixture();
    const dog = watchdog({ listeners: [listener] });

    dog.addProtectedListener(API);
    const json = synthStack(stack);

    const config = watchdogConfigOf(json, 'Watchdog/Configuration', 'checkout');
    expect((config.listeners as unknown[])[2]).toEqual({
      name: 'api',
      role: 'production',
      listenerArn: LISTENER_ARN,
      targetGroupNames: { blue: 'api-blue', green: 'api-green' },
    });
    expect(sid(json, 'RestoreListenerActions')?.resources).toEqual([
      LISTENER_ARN,
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/*',
    ]);
    expect(sid(json, 'RestoreRuleActions')?.resources).toContain(
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/api/0123456789abcdef/fedcba9876543210/*',
    );
  });

  it('refuses a name that is protected already, naming the call', () => {
    const { listener, watchdog } = fixture();
    const dog = watchdog({ listeners: [listener] });

    expectValidationError(
      () => dog.addProtectedListener({ ...ADMIN, name: 'test' }),
      'test/Watchdog',
      'addProtectedListener(listener).name',
      /got 'test'; listener names must be unique/,
    );
  });

  it('checks the listener with the configuration’s rule, naming the call and the field', () => {
    const { listener, watchdog } = fixture();
    const dog = watchdog({ listeners: [listener] });

    expectValidationError(
      () => dog.addProtectedListener({ ...ADMIN, port: 70000 }),
      'test/Watchdog',
      'addProtectedListener(listener).port',
      /got 70000; must be a whole number from 1 to 65535/,
    );
    expectValidationError(
      () => dog.addProtectedListener({ ...ADMIN, listenerArn: LISTENER_ARN }),
      'test/Watchdog',
      'addProtectedListener(listener)',
      /give either listenerArn, or loadBalancerArn and port \(not both\)/,
    );
    expectValidationError(
      () => dog.addProtectedListener({ ...ADMIN, role: 'canary' as ListenerRole }),
      'test/Watchdog',
      'addProtectedListener(listener).role',
      /got 'canary'/,
    );
  });
});

describe('RollbackWatchdog.addAlarm', () => {
  it('protects the alarm: configuration, IAM scope, its action permission and the EventBridge pattern', () => {
    const { stack, listener, watchdog } = fixture();
    const dog = watchdog({ listeners: [listener], alarms: [ALARM] });

    dog.addAlarm(OTHER_ALARM);
    const json = synthStack(stack);

    expect(watchdogConfigOf(json, 'Watchdog/Configuration', 'checkout').alarms).toEqual([ALARM, OTHER_ALARM]);
    const partition = refTo(json, 'aws_partition', 'Watchdog/Partition', 'partition', 'data');
    const region = refTo(json, 'aws_region', 'Watchdog/Region', 'region', 'data');
    const account = refTo(json, 'aws_caller_identity', 'Watchdog/Account', 'account_id', 'data');
    expect(sid(json, 'ReadProtectedAlarms')?.resources).toEqual([
      `arn:${partition}:cloudwatch:${region}:${account}:alarm:checkout-rollback`,
      `arn:${partition}:cloudwatch:${region}:${account}:alarm:checkout-latency`,
    ]);
    expect(
      blocksOfType(json, 'aws_lambda_permission')
        .map(([, p]) => p)
        .filter((p) => p.principal === 'lambda.alarms.cloudwatch.amazonaws.com')
        .map((p) => p.source_arn)
        .sort(),
    ).toEqual([ALARM.arn, OTHER_ALARM.arn].sort());
    const rule = blockAt(json, 'aws_cloudwatch_event_rule', 'Watchdog/AlarmStateChangeRule');
    expect(JSON.parse(rule.event_pattern as string)).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: [ALARM.arn, OTHER_ALARM.arn],
      detail: { state: { value: ['ALARM'] } },
    });
  });

  it('defines the EventBridge rule, its target and the dead-letter policy with the first alarm', () => {
    const { stack, listener, watchdog } = fixture();
    // No tick, no health pings: without alarms there is no rule and no queue policy.
    const dog = watchdog({ listeners: [listener], scheduleTick: false });
    expect(dog.policyStatements.map((s) => s.sid)).not.toContain('ReadProtectedAlarms');

    dog.addAlarm(ALARM);
    const json = synthStack(stack);

    expect(dog.policyStatements.map((s) => s.sid)).toContain('ReadProtectedAlarms');
    expect(statements(json).map((s) => s.sid)).toContain('ReadProtectedAlarms');
    expect(blockAt(json, 'aws_cloudwatch_event_target', 'Watchdog/AlarmStateChangeTarget').arn).toBe(
      refTo(json, 'aws_lambda_function', 'Watchdog/Function', 'arn'),
    );
    const deadLetters = blockAt(json, 'aws_iam_policy_document', 'Watchdog/DeadLetterPolicyDocument', 'data')
      .statement as { condition: { values: string[] }[] }[];
    expect(deadLetters[0].condition[0].values).toEqual([
      refTo(json, 'aws_cloudwatch_event_rule', 'Watchdog/AlarmStateChangeRule', 'arn'),
    ]);
    expect(blocksOfType(json, 'aws_sqs_queue_policy')).toHaveLength(1);
  });

  it('defines no EventBridge rule when eventBridgeTrigger is off', () => {
    const { stack, listener, watchdog } = fixture();
    watchdog({ listeners: [listener], eventBridgeTrigger: false }).addAlarm(ALARM);

    const json = synthStack(stack);

    expect(blocksOfType(json, 'aws_cloudwatch_event_rule').map(([, r]) => r.name)).toEqual([
      'switchback-checkout-watchdog-tick',
    ]);
  });

  it('refuses an alarm that is protected already, naming the call', () => {
    const { listener, watchdog } = fixture();
    const dog = watchdog({ listeners: [listener], alarms: [ALARM] });

    expectValidationError(
      () => dog.addAlarm({ ...ALARM }),
      'test/Watchdog',
      'addAlarm(alarm).name',
      /got 'checkout-rollback'; the watchdog protects an alarm of that name already: each alarm may appear once\./,
    );
  });

  it('checks the alarm with the configuration’s rule, naming the call and the field', () => {
    const { listener, watchdog } = fixture();
    const dog = watchdog({ listeners: [listener] });

    expectValidationError(
      () => dog.addAlarm({ name: 'a', arn: 'arn:aws:sns:us-east-1:123456789012:a' }),
      'test/Watchdog',
      'addAlarm(alarm).arn',
      /got 'arn:aws:sns:us-east-1:123456789012:a'; must be a CloudWatch alarm ARN/,
    );
  });
});

describe('RollbackWatchdog composed after construction', () => {
  it('synthesizes what the same listeners and alarms given as props synthesize', () => {
    const viaProps = fixture();
    viaProps.watchdog({
      listeners: [viaProps.listener],
      protectedListeners: [ADMIN],
      alarms: [ALARM, OTHER_ALARM],
      operatorRoleArns: ['arn:aws:iam::123456789012:role/on-call'],
    });
    const viaAdd = fixture();
    const dog = viaAdd.watchdog({ operatorRoleArns: ['arn:aws:iam::123456789012:role/on-call'] });
    dog.addListener(viaAdd.listener);
    dog.addProtectedListener(ADMIN);
    dog.addAlarm(ALARM);
    dog.addAlarm(OTHER_ALARM);

    // Terraform's moved blocks are a set: they come in the order their resources were defined.
    const normalized = (json: SynthesizedStack & { moved?: { from: string }[] }) => ({
      ...json,
      moved: [...(json.moved ?? [])].sort((a, b) => a.from.localeCompare(b.from)),
    });
    const expected = normalized(synthStack(viaProps.stack));
    expect(expected.moved).toHaveLength(3);
    expect(normalized(synthStack(viaAdd.stack))).toEqual(expected);
  });
});

describe('RollbackWatchdog with nothing protected', () => {
  const message =
    /: a watchdog with nothing protected does nothing; give listeners \(BlueGreenListener\) or protectedListeners, or call addListener\(\) or addProtectedListener\(\) before synth\.$/;

  it('is created (listeners may still be added) but fails the synth, naming the prop', () => {
    const { stack, watchdog } = fixture();
    watchdog({ alarms: [ALARM] });

    expectValidationError(() => synthStack(stack), 'test/Watchdog', 'listeners', message);
    expectValidationError(() => Testing.synth(stack), 'test/Watchdog', 'listeners', message);
  });

  it('fails app.synth() with the same error', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'switchback-watchdog-')) });
    const stack = new TerraformStack(app, 'test');
    const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
    new RollbackWatchdog(stack, 'Watchdog', {
      store,
      releaseId: 'r42',
      listeners: [],
      protectedListeners: [],
    });

    expectValidationError(() => app.synth(), 'test/Watchdog', 'listeners', message);
  });

  it('synthesizes once a listener is added', () => {
    const { stack, watchdog } = fixture();
    watchdog().addProtectedListener(ADMIN);

    const json = synthStack(stack);

    expect(watchdogConfigOf(json, 'Watchdog/Configuration', 'checkout').listeners).toEqual([
      { ...ADMIN, role: 'production' },
    ]);
  });
});
