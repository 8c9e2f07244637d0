import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { TerraformVariable } from 'cdktf';
import {
  KpiComparison,
  KpiStatistic,
  MissingDataTreatment,
  RollbackAlarmKind,
  RollbackAlarms,
  type KpiAlarmOptions,
  type RollbackAlarmsProps,
} from '../../index';
import { blockAt, blocksOfType, refTo, resolveIn, synth, type SynthesizedStack } from '../support/synth';
import { VPC_ID } from './fixtures';

const LB_SUFFIX = 'app/shop/50dc6c495c0c9188';
const TG_SUFFIX = 'targetgroup/checkout-green-1a2b3c4d/73e2d6bc24d8a067';
const WATCHDOG_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:checkout-watchdog';

const BASE: RollbackAlarmsProps = {
  loadBalancerArnSuffix: LB_SUFFIX,
  targetGroupArnSuffix: TG_SUFFIX,
  serviceName: 'checkout',
};

/** An "orders per minute" KPI: a floor the candidate must stay above. */
const ORDERS: KpiAlarmOptions = {
  namespace: 'Checkout',
  metricName: 'OrdersPlaced',
  dimensions: [
    { name: 'Service', value: 'checkout' },
    { name: 'Color', value: 'green' },
  ],
  statistic: KpiStatistic.SUM,
  comparison: KpiComparison.LESS_THAN_THRESHOLD,
  threshold: 10,
};

const METRIC_ALARM = 'aws_cloudwatch_metric_alarm';
const COMPOSITE_ALARM = 'aws_cloudwatch_composite_alarm';
const ALB_DIMENSIONS = { LoadBalancer: LB_SUFFIX, TargetGroup: TG_SUFFIX };

function synthAlarms(props: Partial<RollbackAlarmsProps> = {}): {
  json: SynthesizedStack;
  alarms: RollbackAlarms;
} {
  let alarms: RollbackAlarms | undefined;
  const json = synth((stack) => {
    alarms = new RollbackAlarms(stack, 'Checkout', { ...BASE, ...props });
  });
  return { json, alarms: alarms as RollbackAlarms };
}

const errorRate = (json: SynthesizedStack) => blockAt(json, METRIC_ALARM, 'Checkout/ErrorRateAlarm');
const latency = (json: SynthesizedStack) => blockAt(json, METRIC_ALARM, 'Checkout/LatencyAlarm');
const unhealthy = (json: SynthesizedStack) => blockAt(json, METRIC_ALARM, 'Checkout/UnhealthyHostsAlarm');
const kpi = (json: SynthesizedStack) => blockAt(json, METRIC_ALARM, 'Checkout/KpiAlarm');
const composite = (json: SynthesizedStack) => blockAt(json, COMPOSITE_ALARM, 'Checkout/CompositeAlarm');

const alarm = (name: string) => `ALARM("checkout-${name}")`;

describe('RollbackAlarms member alarms', () => {
  it('defines the 5xx-rate, p99-latency and unhealthy-hosts alarms and one composite by default', () => {
    const { json } = synthAlarms();

    expect(blocksOfType(json, METRIC_ALARM).map(([, a]) => a.alarm_name)).toEqual([
      'checkout-5xx-rate',
      'checkout-p99-latency',
      'checkout-unhealthy-hosts',
    ]);
    expect(blocksOfType(json, COMPOSITE_ALARM)).toHaveLength(1);
    expect(composite(json).alarm_name).toBe('checkout-rollback');
  });

  it('computes the 5xx rate with metric math, guarded against periods without traffic', () => {
    const { json } = synthAlarms();

    const alarmBlock = errorRate(json);
    expect(alarmBlock).toEqual(
      expect.objectContaining({
        alarm_name: 'checkout-5xx-rate',
        comparison_operator: 'GreaterThanThreshold',
        threshold: 5,
        evaluation_periods: 3,
        datapoints_to_alarm: 2,
        treat_missing_data: 'notBreaching',
      }),
    );
    expect(alarmBlock.metric_query).toEqual([
      {
        id: 'errors',
        label: 'Target 5XX responses',
        return_data: false,
        metric: {
          namespace: 'AWS/ApplicationELB',
          metric_name: 'HTTPCode_Target_5XX_Count',
          stat: 'Sum',
          period: 60,
          dimensions: ALB_DIMENSIONS,
        },
      },
      {
        id: 'requests',
        label: 'Requests',
        return_data: false,
        metric: {
          namespace: 'AWS/ApplicationELB',
          metric_name: 'RequestCount',
          stat: 'Sum',
          period: 60,
          dimensions: ALB_DIMENSIONS,
        },
      },
      {
        id: 'error_rate',
        label: '5XX rate (%)',
        expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
        return_data: true,
      },
    ]);
  });

  it('returns data only from the expression, and sets no single metric on the math alarm', () => {
    const { json } = synthAlarms();

    const queries = errorRate(json).metric_query as Record<string, unknown>[];
    expect(queries.filter((query) => query.return_data === true)).toEqual([
      expect.objectContaining({ id: 'error_rate', expression: expect.any(String) }),
    ]);
    for (const key of [
      'metric_name',
      'namespace',
      'period',
      'statistic',
      'extended_statistic',
      'dimensions',
    ]) {
      expect(errorRate(json)).not.toHaveProperty(key);
    }
  });

  it('alarms on the p99 target response time with an extended statistic', () => {
    const { json } = synthAlarms();

    const alarmBlock = latency(json);
    expect(alarmBlock).toEqual(
      expect.objectContaining({
        alarm_name: 'checkout-p99-latency',
        namespace: 'AWS/ApplicationELB',
        metric_name: 'TargetResponseTime',
        extended_statistic: 'p99',
        dimensions: ALB_DIMENSIONS,
        period: 60,
        comparison_operator: 'GreaterThanThreshold',
        threshold: 2,
        evaluation_periods: 3,
        datapoints_to_alarm: 2,
        evaluate_low_sample_count_percentiles: 'evaluate',
        treat_missing_data: 'notBreaching',
      }),
    );
    expect(alarmBlock).not.toHaveProperty('statistic');
  });

  it('alarms on the maximum unhealthy host count, at or above the threshold', () => {
    const { json } = synthAlarms();

    expect(unhealthy(json)).toEqual(
      expect.objectContaining({
        alarm_name: 'checkout-unhealthy-hosts',
        namespace: 'AWS/ApplicationELB',
        metric_name: 'UnHealthyHostCount',
        statistic: 'Maximum',
        dimensions: ALB_DIMENSIONS,
        period: 60,
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        treat_missing_data: 'notBreaching',
      }),
    );
  });

  it('gives the member alarms no actions: only the composite acts', () => {
    const { json } = synthAlarms({ alarmActionArns: [WATCHDOG_ARN] });

    for (const [, member] of blocksOfType(json, METRIC_ALARM)) {
      expect(member).not.toHaveProperty('alarm_actions');
      expect(member).not.toHaveProperty('ok_actions');
      expect(member).not.toHaveProperty('insufficient_data_actions');
    }
  });

  it('applies custom thresholds, period and evaluation settings to every member', () => {
    const { json } = synthAlarms({
      errorRatePercent: 2.5,
      p99LatencySeconds: 0.75,
      unhealthyHostThreshold: 2,
      periodSeconds: 120,
      evaluationPeriods: 5,
      datapointsToAlarm: 4,
    });

    expect(errorRate(json).threshold).toBe(2.5);
    expect(latency(json).threshold).toBe(0.75);
    expect(unhealthy(json).threshold).toBe(2);
    for (const member of [errorRate(json), latency(json), unhealthy(json)]) {
      expect(member).toEqual(expect.objectContaining({ evaluation_periods: 5, datapoints_to_alarm: 4 }));
    }
    expect(latency(json).period).toBe(120);
    expect(unhealthy(json).period).toBe(120);
    const queries = errorRate(json).metric_query as { metric?: { period: number } }[];
    expect(queries.flatMap((query) => (query.metric ? [query.metric.period] : []))).toEqual([120, 120]);
  });

  it('needs every evaluated period to breach when only one period is evaluated', () => {
    const { json } = synthAlarms({ evaluationPeriods: 1 });

    expect(latency(json)).toEqual(expect.objectContaining({ evaluation_periods: 1, datapoints_to_alarm: 1 }));
  });

  it('passes load balancer and target group references through to the dimensions', () => {
    let alarms: RollbackAlarms | undefined;
    const json = synth((stack) => {
      const lb = new TerraformVariable(stack, 'lb_suffix', { type: 'string' });
      const group = new LbTargetGroup(stack, 'Green', { name: 'checkout-green', port: 80, vpcId: VPC_ID });
      alarms = new RollbackAlarms(stack, 'Checkout', {
        loadBalancerArnSuffix: lb.stringValue,
        targetGroupArnSuffix: group.arnSuffix,
      });
    });

    const dimensions = {
      LoadBalancer: '${var.lb_suffix}',
      TargetGroup: refTo(json, 'aws_lb_target_group', 'Green', 'arn_suffix'),
    };
    expect(latency(json).dimensions).toEqual(dimensions);
    expect(unhealthy(json).dimensions).toEqual(dimensions);
    for (const query of errorRate(json).metric_query as { metric?: { dimensions: unknown } }[]) {
      if (query.metric) expect(query.metric.dimensions).toEqual(dimensions);
    }
    expect(alarms?.serviceName).toBe('checkout');
  });
});

describe('RollbackAlarms KPI alarm', () => {
  it('alarms on an app-published business metric with its dimensions', () => {
    const { json } = synthAlarms({ kpi: ORDERS });

    expect(kpi(json)).toEqual(
      expect.objectContaining({
        alarm_name: 'checkout-kpi',
        namespace: 'Checkout',
        metric_name: 'OrdersPlaced',
        dimensions: { Service: 'checkout', Color: 'green' },
        statistic: 'Sum',
        period: 60,
        comparison_operator: 'LessThanThreshold',
        threshold: 10,
        evaluation_periods: 3,
        datapoints_to_alarm: 2,
      }),
    );
    expect(kpi(json)).not.toHaveProperty('extended_statistic');
  });

  it('treats a silent floor KPI as breaching: the candidate stopped reporting', () => {
    const { json } = synthAlarms({
      kpi: { ...ORDERS, comparison: KpiComparison.LESS_THAN_OR_EQUAL_TO_THRESHOLD },
    });

    expect(kpi(json).treat_missing_data).toBe('breaching');
  });

  it('treats a silent ceiling KPI as not breaching: an error count is published only when non-zero', () => {
    const { json } = synthAlarms({
      kpi: {
        ...ORDERS,
        metricName: 'PaymentFailures',
        comparison: KpiComparison.GREATER_THAN_THRESHOLD,
        threshold: 3,
      },
    });

    expect(kpi(json).treat_missing_data).toBe('notBreaching');
  });

  it('treats missing data as told', () => {
    const { json } = synthAlarms({ kpi: { ...ORDERS, treatMissingData: MissingDataTreatment.IGNORE } });

    expect(kpi(json).treat_missing_data).toBe('ignore');
  });

  it('leaves dimensions out when the KPI has none', () => {
    const { json } = synthAlarms({ kpi: { ...ORDERS, dimensions: [] } });

    expect(kpi(json)).not.toHaveProperty('dimensions');
  });

  it('evaluates a high-resolution KPI every 10 s while the load balancer alarms keep 60 s', () => {
    const { json } = synthAlarms({ kpi: { ...ORDERS, highResolution: true }, periodSeconds: 10 });

    expect(kpi(json).period).toBe(10);
    expect(latency(json).period).toBe(60);
    expect(unhealthy(json).period).toBe(60);
    const queries = errorRate(json).metric_query as { metric?: { period: number } }[];
    expect(queries.flatMap((query) => (query.metric ? [query.metric.period] : []))).toEqual([60, 60]);
  });
});

describe('RollbackAlarms composite alarm', () => {
  it('requires 2 of the 3 members in ALARM by default', () => {
    const { json } = synthAlarms();

    expect(composite(json).alarm_rule).toBe(
      '(ALARM("checkout-5xx-rate") AND ALARM("checkout-p99-latency")) OR ' +
        '(ALARM("checkout-5xx-rate") AND ALARM("checkout-unhealthy-hosts")) OR ' +
        '(ALARM("checkout-p99-latency") AND ALARM("checkout-unhealthy-hosts"))',
    );
  });

  it('is a plain OR when one breach is enough', () => {
    const { json } = synthAlarms({ requiredBreaches: 1 });

    expect(composite(json).alarm_rule).toBe(
      'ALARM("checkout-5xx-rate") OR ALARM("checkout-p99-latency") OR ALARM("checkout-unhealthy-hosts")',
    );
  });

  it('is a plain AND when every member must breach', () => {
    const { json } = synthAlarms({ requiredBreaches: 3 });

    expect(composite(json).alarm_rule).toBe(
      'ALARM("checkout-5xx-rate") AND ALARM("checkout-p99-latency") AND ALARM("checkout-unhealthy-hosts")',
    );
  });

  it('covers every pair of the 4 members when a KPI is added', () => {
    const { json, alarms } = synthAlarms({ kpi: ORDERS });

    const pairs = [
      ['5xx-rate', 'p99-latency'],
      ['5xx-rate', 'unhealthy-hosts'],
      ['5xx-rate', 'kpi'],
      ['p99-latency', 'unhealthy-hosts'],
      ['p99-latency', 'kpi'],
      ['unhealthy-hosts', 'kpi'],
    ];
    expect(composite(json).alarm_rule).toBe(
      pairs.map(([a, b]) => `(${alarm(a)} AND ${alarm(b)})`).join(' OR '),
    );
    expect(alarms.alarmRule).toBe(composite(json).alarm_rule);
  });

  it('lists 3 of 4 members per term when three breaches are required', () => {
    const { json } = synthAlarms({ kpi: ORDERS, requiredBreaches: 3 });

    const rule = composite(json).alarm_rule as string;
    expect(rule.split(' OR ')).toHaveLength(4);
    expect(
      rule.startsWith(`(${alarm('5xx-rate')} AND ${alarm('p99-latency')} AND ${alarm('unhealthy-hosts')})`),
    ).toBe(true);
  });

  it('sends ALARM to the watchdog, and nothing on OK or INSUFFICIENT_DATA', () => {
    const { json } = synthAlarms({ alarmActionArns: [WATCHDOG_ARN] });

    expect(composite(json)).toEqual(
      expect.objectContaining({
        actions_enabled: true,
        alarm_actions: [WATCHDOG_ARN],
        ok_actions: [],
        insufficient_data_actions: [],
      }),
    );
  });

  it('has no actions until some are given', () => {
    const { json } = synthAlarms();

    expect(composite(json).alarm_actions).toEqual([]);
  });

  it('passes an action reference through', () => {
    const json = synth((stack) => {
      const watchdog = new TerraformVariable(stack, 'watchdog_arn', { type: 'string' });
      new RollbackAlarms(stack, 'Checkout', { ...BASE, alarmActionArns: [watchdog.stringValue] });
    });

    expect(composite(json).alarm_actions).toEqual(['${var.watchdog_arn}']);
  });

  it('is created after its members, which its rule names', () => {
    const { json } = synthAlarms({ kpi: ORDERS });

    // Terraform addresses, as depends_on lists them: '${type.id.id}' without the braces and the attribute.
    const member = (path: string) =>
      refTo(json, METRIC_ALARM, `Checkout/${path}`, 'id').replace(/^\$\{(.*)\.id\}$/, '$1');
    expect(composite(json).depends_on).toEqual([
      member('ErrorRateAlarm'),
      member('LatencyAlarm'),
      member('UnhealthyHostsAlarm'),
      member('KpiAlarm'),
    ]);
  });
});

describe('RollbackAlarms names and attributes', () => {
  it('names alarms after the construct id when no service name is given', () => {
    const json = synth((stack) => {
      new RollbackAlarms(stack, 'Checkout_EU', {
        loadBalancerArnSuffix: LB_SUFFIX,
        targetGroupArnSuffix: TG_SUFFIX,
      });
    });

    expect(blocksOfType(json, METRIC_ALARM).map(([, a]) => a.alarm_name)).toEqual([
      'checkout-eu-5xx-rate',
      'checkout-eu-p99-latency',
      'checkout-eu-unhealthy-hosts',
    ]);
    expect(blockAt(json, COMPOSITE_ALARM, 'Checkout_EU/CompositeAlarm').alarm_name).toBe(
      'checkout-eu-rollback',
    );
  });

  it('prefixes every alarm name with alarmNamePrefix, in the rule too', () => {
    const { json, alarms } = synthAlarms({ alarmNamePrefix: 'prod/checkout', requiredBreaches: 1 });

    expect(composite(json).alarm_name).toBe('prod/checkout-rollback');
    expect(composite(json).alarm_rule).toBe(
      'ALARM("prod/checkout-5xx-rate") OR ALARM("prod/checkout-p99-latency") OR ALARM("prod/checkout-unhealthy-hosts")',
    );
    expect(alarms.serviceName).toBe('checkout');
    expect(alarms.alarmNamePrefix).toBe('prod/checkout');
  });

  it('exposes the alarms, their names and the composite as typed attributes', () => {
    const { json, alarms } = synthAlarms({ kpi: ORDERS, requiredBreaches: 3 });

    expect(alarms.compositeAlarmName).toBe('checkout-rollback');
    expect(alarms.memberAlarmNames).toEqual([
      'checkout-5xx-rate',
      'checkout-p99-latency',
      'checkout-unhealthy-hosts',
      'checkout-kpi',
    ]);
    expect(alarms.requiredBreaches).toBe(3);
    expect(alarms.memberAlarms).toEqual([
      alarms.errorRateAlarm,
      alarms.latencyAlarm,
      alarms.unhealthyHostsAlarm,
      alarms.kpiAlarm,
    ]);
    expect(resolveIn(alarms, alarms.compositeAlarmArn)).toBe(
      refTo(json, COMPOSITE_ALARM, 'Checkout/CompositeAlarm', 'arn'),
    );
    expect(resolveIn(alarms, alarms.compositeAlarm.arn)).toBe(
      refTo(json, COMPOSITE_ALARM, 'Checkout/CompositeAlarm', 'arn'),
    );
    expect(resolveIn(alarms, alarms.errorRateAlarm.arn)).toBe(
      refTo(json, METRIC_ALARM, 'Checkout/ErrorRateAlarm', 'arn'),
    );
    expect(resolveIn(alarms, alarms.kpiAlarm?.arn)).toBe(
      refTo(json, METRIC_ALARM, 'Checkout/KpiAlarm', 'arn'),
    );
  });

  it('has no KPI alarm unless a KPI is given', () => {
    const { alarms } = synthAlarms();

    expect(alarms.kpiAlarm).toBeUndefined();
    expect(alarms.memberAlarms).toHaveLength(3);
  });

  it('names each member alarm <prefix>-<RollbackAlarmKind>', () => {
    const { alarms } = synthAlarms({ kpi: ORDERS });

    expect(alarms.memberAlarmNames).toEqual(
      Object.values(RollbackAlarmKind).map((kind) => `checkout-${kind}`),
    );
  });

  it('protects the composite alone, in the shape of the watchdog configuration', () => {
    const { json, alarms } = synthAlarms();

    expect(resolveIn(alarms, alarms.protectedAlarms)).toEqual([
      { name: 'checkout-rollback', arn: refTo(json, COMPOSITE_ALARM, 'Checkout/CompositeAlarm', 'arn') },
    ]);
  });
});
