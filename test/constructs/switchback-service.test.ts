import {
  Color,
  SmokeCheck,
  SwitchbackService,
  TrafficShifting,
  type SwitchbackServiceProps,
} from '../../index';
import { SwitchbackValidationError } from '../../constructs/internal/validation';
import { dependencyGraph, dependsOn, findCycle } from '../support/graph';
import {
  blockAt,
  blocksOfType,
  newStack,
  refTo,
  resolveIn,
  synthStack,
  watchdogConfigOf,
  type SynthesizedStack,
} from '../support/synth';
import { LOAD_BALANCER_ARN, VPC_ID } from './fixtures';
import { expectValidationError } from '../support/validation';

function build(props: Partial<SwitchbackServiceProps> = {}): {
  json: SynthesizedStack;
  service: SwitchbackService;
} {
  const { stack } = newStack();
  const service = new SwitchbackService(stack, 'Checkout', {
    serviceName: 'checkout',
    releaseId: 'r42',
    loadBalancerArn: LOAD_BALANCER_ARN,
    vpcId: VPC_ID,
    listener: { canaryWeightPercent: 10 },
    ...props,
  });
  return { json: synthStack(stack), service };
}

describe('SwitchbackService', () => {
  it('composes the store, the held blue-green listener, the alarms on the candidate and the watchdog', () => {
    const { json, service } = build();

    expect(blocksOfType(json, 'aws_s3_bucket')).toHaveLength(1);
    expect(blocksOfType(json, 'aws_lb_target_group')).toHaveLength(2);
    expect(blocksOfType(json, 'aws_cloudwatch_metric_alarm')).toHaveLength(3);
    expect(blocksOfType(json, 'aws_lambda_function')).toHaveLength(1);
    // The alarms watch the candidate (green) and invoke the watchdog.
    const errorRate = blockAt(json, 'aws_cloudwatch_metric_alarm', 'Checkout/Alarms/ErrorRateAlarm');
    expect(JSON.stringify(errorRate)).toContain(
      refTo(json, 'aws_lb_target_group', 'Checkout/BlueGreen/GreenTargetGroup', 'arn_suffix'),
    );
    expect(JSON.stringify(errorRate)).toContain('app/shop/50dc6c495c0c9188');
    expect(
      blockAt(json, 'aws_cloudwatch_composite_alarm', 'Checkout/Alarms/CompositeAlarm').alarm_actions,
    ).toEqual([refTo(json, 'aws_lambda_function', 'Checkout/Watchdog/Function', 'arn')]);
    // The watchdog protects the composite and lets it invoke it.
    expect(
      blocksOfType(json, 'aws_lambda_permission')
        .filter(([, p]) => p.principal === 'lambda.alarms.cloudwatch.amazonaws.com')
        .map(([, p]) => p.source_arn),
    ).toEqual([refTo(json, 'aws_cloudwatch_composite_alarm', 'Checkout/Alarms/CompositeAlarm', 'arn')]);
    // The listener reads the release holds of the store, keyed on this release.
    expect(blockAt(json, 'aws_s3_objects', 'Checkout/BlueGreen/ReleaseHolds', 'data').bucket).toBe(
      refTo(json, 'aws_s3_bucket', 'Checkout/ArtifactStore/Bucket', 'bucket'),
    );
    expect(JSON.stringify((json as { locals?: Record<string, string> }).locals)).toContain(
      'audit/checkout/holds/r42.rolled-back',
    );
    expect(service.watchdog.capture).toBeDefined();
  });

  it('orders the capture before every traffic change, without a cycle', () => {
    const { json } = build({
      listener: { canaryWeightPercent: 10, rules: [{ priority: 5, pathPatterns: ['/a'] }], testListener: {} },
    });

    const graph = dependencyGraph(json);
    expect(findCycle(graph)).toBeUndefined();
    const capture = [...graph.keys()].find((id) => id.startsWith('aws_lambda_invocation.')) as string;
    const traffic = [...graph.keys()].filter(
      (id) => id.startsWith('aws_lb_listener.') || id.startsWith('aws_lb_listener_rule.'),
    );
    expect(traffic).toHaveLength(3);
    for (const id of traffic) expect(dependsOn(graph, id, capture)).toBe(true);
  });

  it('passes overrides through to each part', () => {
    const { json, service } = build({
      alarms: { requiredBreaches: 1, errorRatePercent: 3 },
      watchdog: { memorySizeMb: 512, evaluationWindowMinutes: 30 },
      store: { noncurrentVersionsToKeep: 20 },
    });

    expect(blockAt(json, 'aws_lambda_function', 'Checkout/Watchdog/Function').memory_size).toBe(512);
    expect(service.alarms.requiredBreaches).toBe(1);
    const [rule] = blockAt(json, 'aws_s3_bucket_lifecycle_configuration', 'Checkout/ArtifactStore/Lifecycle')
      .rule as { noncurrent_version_expiration: unknown[] }[];
    expect(rule.noncurrent_version_expiration).toEqual([
      expect.objectContaining({ newer_noncurrent_versions: 20 }),
    ]);
    expect(resolveIn(service, service.alarms.protectedAlarms)).toEqual([
      {
        name: 'checkout-rollback',
        arn: refTo(json, 'aws_cloudwatch_composite_alarm', 'Checkout/Alarms/CompositeAlarm', 'arn'),
      },
    ]);
  });

  it('backs up the service data with its store, and the data before each release when asked', () => {
    const database = 'arn:aws:rds:us-east-1:123456789012:db:orders';
    const { json, service } = build({
      backup: { resourceArns: [database], backupBeforeRelease: true, releaseBackupDeleteAfterDays: 14 },
    });

    expect(blockAt(json, 'aws_backup_selection', 'Checkout/Backup/Selection').resources).toEqual([
      database,
      refTo(json, 'aws_s3_bucket', 'Checkout/ArtifactStore/Bucket', 'arn'),
    ]);
    const statements = blockAt(json, 'aws_iam_policy_document', 'Checkout/Watchdog/Permissions', 'data')
      .statement as { sid: string }[];
    expect(statements.map((s) => s.sid)).toEqual(
      expect.arrayContaining(['StartReleaseBackups', 'PassBackupRoleToBackupOnly']),
    );
    const config = watchdogConfigOf(json, 'Checkout/Watchdog/Configuration', 'checkout');
    expect(config.backup).toEqual(expect.objectContaining({ resourceArns: [database], deleteAfterDays: 14 }));
    expect(service.backup).toBeDefined();
  });

  it('schedules backups without release backups unless asked', () => {
    const { json } = build({ backup: { resourceArns: ['arn:aws:rds:us-east-1:123456789012:db:orders'] } });

    const statements = blockAt(json, 'aws_iam_policy_document', 'Checkout/Watchdog/Permissions', 'data')
      .statement as { sid: string }[];
    expect(statements.map((s) => s.sid)).not.toContain('StartReleaseBackups');
  });

  it('watches the active color when there is no canary (a promotion puts all traffic on it)', () => {
    const { json } = build({ listener: { activeColor: Color.GREEN, canaryWeightPercent: 0 } });

    const errorRate = JSON.stringify(
      blockAt(json, 'aws_cloudwatch_metric_alarm', 'Checkout/Alarms/ErrorRateAlarm'),
    );
    expect(errorRate).toContain(
      refTo(json, 'aws_lb_target_group', 'Checkout/BlueGreen/GreenTargetGroup', 'arn_suffix'),
    );
    expect(errorRate).not.toContain(
      refTo(json, 'aws_lb_target_group', 'Checkout/BlueGreen/BlueTargetGroup', 'arn_suffix'),
    );
  });

  it.each([
    ['Checkout_', 'checkout'],
    ['Checkout__Orders', 'checkout-orders'],
    // Valid as 0.1.0 derived it: kept, so no service is renamed.
    ['Check--Out', 'check--out'],
    ['C'.repeat(45), 'c'.repeat(40)],
  ])('derives the service name from the id %s the way every part does: %s', (id, expected) => {
    const { stack } = newStack();
    const service = new SwitchbackService(stack, id, {
      releaseId: 'r42',
      loadBalancerArn: LOAD_BALANCER_ARN,
      vpcId: VPC_ID,
    });
    expect(service.serviceName).toBe(expected);
    expect(service.store.serviceName).toBe(expected);
    expect(service.listener.serviceName).toBe(expected);
    expect(service.watchdog.serviceName).toBe(expected);
    expect(watchdogConfigOf(synthStack(stack), `${id}/Watchdog/Configuration`, expected).service).toBe(
      expected,
    );
  });

  it('blames itself, not a child, for a service name no part accepts', () => {
    const { stack } = newStack();
    let error: unknown;
    try {
      new SwitchbackService(stack, 'Checkout', {
        serviceName: 'Check_out',
        releaseId: 'r42',
        loadBalancerArn: LOAD_BALANCER_ARN,
        vpcId: VPC_ID,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SwitchbackValidationError);
    expect((error as Error).message).toBe(
      "test/Checkout: invalid prop 'serviceName': got 'Check_out'; must be 1-40 lowercase letters, digits or hyphens, starting and ending with a letter or digit.",
    );
  });

  it('wires the composite alarm to its own watchdog only, whatever a JavaScript caller slips in', () => {
    const { json } = build({
      alarms: { alarmActionArns: ['arn:aws:sns:us-east-1:123456789012:elsewhere'] } as never,
    });
    expect(
      blockAt(json, 'aws_cloudwatch_composite_alarm', 'Checkout/Alarms/CompositeAlarm').alarm_actions,
    ).toEqual([refTo(json, 'aws_lambda_function', 'Checkout/Watchdog/Function', 'arn')]);
  });

  it('lifts the hold when the rollback is acknowledged', () => {
    const { json } = build({ acknowledgeRollback: true });

    expect(blocksOfType(json, 'aws_s3_objects', 'data')).toHaveLength(0);
  });

  it.each([
    [
      'the alarms are to watch a color the listener does not have',
      // A JavaScript caller can pass any string.
      { alarms: { watchColor: 'purple' as Color } },
      'alarms.watchColor',
      /got 'purple'; must be one of 'blue', 'green'/,
    ],
    [
      'the alarms need more breaches than there are alarms',
      { alarms: { requiredBreaches: 4 } },
      'requiredBreaches',
      /got 4; must be an integer from 1 to 3/,
    ],
    [
      'the evaluation window is shorter than the alarms need',
      { watchdog: { evaluationWindowMinutes: 2 } },
      'evaluationWindowMinutes',
      /cannot fire inside the evaluation window/,
    ],
  ])('fails at synth when %s', (_case, props, prop, message) => {
    let error: unknown;
    try {
      build(props as Partial<SwitchbackServiceProps>);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(SwitchbackValidationError);
    expect((error as SwitchbackValidationError).prop).toBe(prop);
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    [Color.BLUE, 'Blue', 'Green'],
    [Color.GREEN, 'Green', 'Blue'],
  ] as const)('watches the %s target group when told, whatever the canary', (watchColor, watched, other) => {
    // The canary makes green the candidate: the default would watch green.
    const { json } = build({ alarms: { watchColor } });
    const errorRate = JSON.stringify(
      blockAt(json, 'aws_cloudwatch_metric_alarm', 'Checkout/Alarms/ErrorRateAlarm'),
    );
    const suffix = (color: string) =>
      refTo(json, 'aws_lb_target_group', `Checkout/BlueGreen/${color}TargetGroup`, 'arn_suffix');
    expect(errorRate).toContain(suffix(watched));
    expect(errorRate).not.toContain(suffix(other));
  });
});

describe('SwitchbackService progressive delivery', () => {
  it('with a shifting plan, declares the candidate at 0%, holds the watchdog’s weights and watches the candidate', () => {
    const { json, service } = build({
      listener: {},
      watchdog: {
        shifting: TrafficShifting.linear(10, 1),
        preTrafficChecks: [SmokeCheck.http({ url: 'https://shop.example.com:8080/health' })],
      },
    });

    expect(service.listener.canaryWeightPercent).toBe(0);
    const locals = (json as { locals?: Record<string, unknown> }).locals ?? {};
    expect(JSON.stringify(locals)).toContain('audit/checkout/holds/r42.traffic-0000-blue-100');
    expect(
      (locals.switchback_watchdog_config_checkout as { shifting?: { steps: unknown[] } }).shifting?.steps,
    ).toHaveLength(10);
    // The alarms watch the candidate (green), which the shift moves traffic to.
    expect(
      JSON.stringify(blockAt(json, 'aws_cloudwatch_metric_alarm', 'Checkout/Alarms/ErrorRateAlarm')),
    ).toContain(refTo(json, 'aws_lb_target_group', 'Checkout/BlueGreen/GreenTargetGroup', 'arn_suffix'));
  });

  it('fails when the listener declares a canary and the watchdog shifts, naming both props', () => {
    expectValidationError(
      () =>
        build({
          listener: { canaryWeightPercent: 10 },
          watchdog: { shifting: TrafficShifting.canary(10, 5) },
        }),
      'test/Checkout',
      'listener.canaryWeightPercent',
      /got 10; with watchdog.shifting the candidate is declared at 0%.*TrafficShifting.canary\(10, <bake minutes>\)/,
    );
  });
});
