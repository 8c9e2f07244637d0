import { TerraformVariable } from 'cdktf';
import {
  KpiComparison,
  KpiStatistic,
  MissingDataTreatment,
  RollbackAlarms,
  type KpiAlarmOptions,
  type RollbackAlarmsProps,
} from '../../index';
import { expectValidationError } from '../support/validation';
import { callersWatchdog } from './alarms/callers-watchdog';
import { newStack, synth } from '../support/synth';

const BASE: RollbackAlarmsProps = {
  loadBalancerArnSuffix: 'app/shop/50dc6c495c0c9188',
  targetGroupArnSuffix: 'targetgroup/checkout-green-1a2b3c4d/73e2d6bc24d8a067',
  serviceName: 'checkout',
};

const KPI: KpiAlarmOptions = {
  namespace: 'Checkout',
  metricName: 'OrdersPlaced',
  statistic: KpiStatistic.SUM,
  comparison: KpiComparison.LESS_THAN_THRESHOLD,
  threshold: 10,
};

function define(props: Partial<RollbackAlarmsProps>): void {
  const { stack } = newStack();
  new RollbackAlarms(stack, 'Checkout', { ...BASE, ...props });
}

// One row per rule: the props that break it, the prop the error must name, and a stable fragment of
// the message that says what is allowed.
const cases: [string, Partial<RollbackAlarmsProps>, string, RegExp][] = [
  [
    'more breaches are required than there are alarms',
    { requiredBreaches: 4 },
    'requiredBreaches',
    /got 4; must be an integer from 1 to 3 \(at least 1, at most the 3 alarms defined: 5xx-rate, p99-latency, unhealthy-hosts\)/,
  ],
  [
    'more breaches are required than there are alarms with a KPI',
    { kpi: KPI, requiredBreaches: 5 },
    'requiredBreaches',
    /must be an integer from 1 to 4 .*unhealthy-hosts, kpi/,
  ],
  [
    'no breach is required',
    { requiredBreaches: 0 },
    'requiredBreaches',
    /got 0; must be an integer from 1 to 3/,
  ],
  [
    'the required breaches are not a whole number',
    { requiredBreaches: 1.5 },
    'requiredBreaches',
    /got 1.5; must be an integer from 1 to 3/,
  ],
  [
    'more data points must breach than are evaluated',
    { evaluationPeriods: 3, datapointsToAlarm: 4 },
    'datapointsToAlarm',
    /got 4; must be at most evaluationPeriods \(3\)/,
  ],
  [
    'no data point must breach',
    { datapointsToAlarm: 0 },
    'datapointsToAlarm',
    /got 0; must be an integer from 1/,
  ],
  [
    'no period is evaluated',
    { evaluationPeriods: 0 },
    'evaluationPeriods',
    /got 0; must be an integer from 1/,
  ],
  [
    'the alarms would look back more than a day',
    { periodSeconds: 60, evaluationPeriods: 1441 },
    'evaluationPeriods',
    /60 s × 1441 evaluation periods = 86460 s, but CloudWatch evaluates at most 86400 s/,
  ],
  [
    'the period is not a multiple of 60',
    { periodSeconds: 90 },
    'periodSeconds',
    /got 90; must be a multiple of 60 from 60 to 86400, or 10, 20 or 30 with a high-resolution KPI/,
  ],
  [
    'the period is shorter than 10 s',
    { periodSeconds: 5 },
    'periodSeconds',
    /got 5; must be a multiple of 60/,
  ],
  [
    'the period is longer than a day',
    { periodSeconds: 86460, evaluationPeriods: 1, datapointsToAlarm: 1 },
    'periodSeconds',
    /got 86460; must be a multiple of 60 from 60 to 86400/,
  ],
  [
    'a high-resolution period is asked for without a KPI',
    { periodSeconds: 10 },
    'periodSeconds',
    /a period of 10 s needs a high-resolution KPI, and no kpi is defined/,
  ],
  [
    'a high-resolution period is asked for with a standard-resolution KPI',
    { kpi: KPI, periodSeconds: 30 },
    'periodSeconds',
    /a period of 30 s needs a high-resolution KPI; set kpi.highResolution to true/,
  ],
  [
    'the error rate threshold is 0',
    { errorRatePercent: 0 },
    'errorRatePercent',
    /got 0; must be a percentage above 0 and at most 100/,
  ],
  [
    'the error rate threshold is above 100',
    { errorRatePercent: 101 },
    'errorRatePercent',
    /got 101; must be a percentage above 0 and at most 100/,
  ],
  [
    'the latency threshold is 0',
    { p99LatencySeconds: 0 },
    'p99LatencySeconds',
    /got 0; must be a number of seconds above 0/,
  ],
  [
    'the latency threshold is negative',
    { p99LatencySeconds: -1 },
    'p99LatencySeconds',
    /got -1; must be a number of seconds above 0/,
  ],
  [
    'the unhealthy host threshold is 0',
    { unhealthyHostThreshold: 0 },
    'unhealthyHostThreshold',
    /got 0; must be an integer from 1 to .* \(the number of unhealthy targets that breaches\)/,
  ],
  [
    'the load balancer suffix is a full ARN',
    {
      loadBalancerArnSuffix:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
    },
    'loadBalancerArnSuffix',
    /must be an application load balancer's CloudWatch dimension, 'app\/<name>\/<id>': the arnSuffix of the aws_lb/,
  ],
  [
    'the load balancer suffix names a network load balancer',
    { loadBalancerArnSuffix: 'net/shop/50dc6c495c0c9188' },
    'loadBalancerArnSuffix',
    /got 'net\/shop\/50dc6c495c0c9188'; must be an application load balancer's CloudWatch dimension/,
  ],
  [
    'the target group suffix is a full ARN',
    {
      targetGroupArnSuffix:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/73e2d6bc24d8a067',
    },
    'targetGroupArnSuffix',
    /must be a target group's CloudWatch dimension, 'targetgroup\/<name>\/<id>'/,
  ],
  [
    'the evaluation window is as short as the slowest member',
    { evaluationWindowMinutes: 3 },
    'evaluationWindowMinutes',
    /slowest member needs a period of 60 s × 3 evaluation periods = 180 s, which is not shorter than the window of 3 minutes \(180 s\)/,
  ],
  [
    'the evaluation window is shorter than the load balancer alarms need, with a high-resolution KPI',
    {
      kpi: { ...KPI, highResolution: true },
      periodSeconds: 10,
      evaluationPeriods: 5,
      evaluationWindowMinutes: 4,
    },
    'evaluationWindowMinutes',
    /60 s × 5 evaluation periods = 300 s, which is not shorter than the window of 4 minutes \(240 s\)/,
  ],
  [
    'the evaluation window is above the watchdog policy maximum',
    { evaluationWindowMinutes: 10081 },
    'evaluationWindowMinutes',
    /got 10081; must be an integer from 1 to 10080/,
  ],
  [
    'the alarm names would be longer than 255 characters',
    { alarmNamePrefix: 'a'.repeat(240) },
    'alarmNamePrefix',
    /alarm names are '<prefix>-<kind>', at most 255 characters, but .* would be 256; use a prefix of at most 239 characters/,
  ],
  [
    'the alarm name prefix has quotes, which would break the composite rule',
    { alarmNamePrefix: 'checkout"prod' },
    'alarmNamePrefix',
    /got 'checkout"prod'; must be letters, digits, '.', '_', '\/' or '-'/,
  ],
  [
    'the service name has invalid characters',
    { serviceName: 'Check_Out' },
    'serviceName',
    /got 'Check_Out'; must be 1-40 lowercase letters, digits or hyphens/,
  ],
  [
    'the service name is too long',
    { serviceName: 'a'.repeat(41) },
    'serviceName',
    /must be 1-40 lowercase letters/,
  ],
  [
    'there are more than 5 alarm actions',
    {
      alarmActionArns: Array.from(
        { length: 6 },
        (_, i) => `arn:aws:sns:us-east-1:123456789012:rollback-${i}`,
      ),
    },
    'alarmActionArns',
    /got 6 actions; CloudWatch takes at most 5 per alarm state/,
  ],
  [
    'an alarm action is not a Lambda, SNS or Systems Manager ARN',
    { alarmActionArns: ['arn:aws:sqs:us-east-1:123456789012:rollback'] },
    'alarmActionArns[0]',
    /must be the ARN of a Lambda function, an SNS topic or a Systems Manager action/,
  ],
  [
    'the KPI namespace is empty',
    { kpi: { ...KPI, namespace: '' } },
    'kpi.namespace',
    /must be 1-255 printable ASCII characters, not starting with ':'/,
  ],
  [
    'the KPI metric name is too long',
    { kpi: { ...KPI, metricName: 'm'.repeat(256) } },
    'kpi.metricName',
    /must be 1-255 printable ASCII characters/,
  ],
  [
    'the KPI statistic is a percentile',
    { kpi: { ...KPI, statistic: 'p99' as KpiStatistic } },
    'kpi.statistic',
    /got 'p99'; must be one of 'Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'/,
  ],
  [
    'the KPI comparison is an anomaly band',
    { kpi: { ...KPI, comparison: 'LessThanLowerThreshold' as KpiComparison } },
    'kpi.comparison',
    /got 'LessThanLowerThreshold'; must be one of 'GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'\./,
  ],
  [
    'the KPI missing-data treatment is unknown',
    { kpi: { ...KPI, treatMissingData: 'zero' as MissingDataTreatment } },
    'kpi.treatMissingData',
    /got 'zero'; must be one of 'breaching', 'notBreaching', 'ignore', 'missing'\./,
  ],
  [
    'the KPI threshold is not a number',
    { kpi: { ...KPI, threshold: Number.NaN } },
    'kpi.threshold',
    /must be a finite number/,
  ],
  [
    'the KPI has more than 30 dimensions',
    { kpi: { ...KPI, dimensions: Array.from({ length: 31 }, (_, i) => ({ name: `D${i}`, value: 'v' })) } },
    'kpi.dimensions',
    /got 31 dimensions; a CloudWatch metric has at most 30/,
  ],
  [
    'a KPI dimension name is empty',
    { kpi: { ...KPI, dimensions: [{ name: '', value: 'green' }] } },
    'kpi.dimensions[0].name',
    /must be 1-255 printable ASCII characters/,
  ],
  [
    'a KPI dimension value is empty',
    { kpi: { ...KPI, dimensions: [{ name: 'Color', value: '' }] } },
    'kpi.dimensions[0].value',
    /got ''; must be 1-1024 characters/,
  ],
  [
    'a KPI dimension is given twice',
    {
      kpi: {
        ...KPI,
        dimensions: [
          { name: 'Color', value: 'green' },
          { name: 'Color', value: 'blue' },
        ],
      },
    },
    'kpi.dimensions[1].name',
    /dimension 'Color' is given twice/,
  ],
];

describe('RollbackAlarms validation', () => {
  it.each(cases)('fails at synth when %s', (_rule, props, prop, message) => {
    expectValidationError(() => define(props), 'test/Checkout', prop, message);
  });

  it.each(['periodSeconds', 'evaluationPeriods', 'datapointsToAlarm', 'requiredBreaches'] as const)(
    'fails at synth when %s is a Terraform reference',
    (prop) => {
      const { stack } = newStack();
      const value = new TerraformVariable(stack, 'value', { type: 'number' });

      expect(() => new RollbackAlarms(stack, 'Checkout', { ...BASE, [prop]: value.numberValue })).toThrow(
        new RegExp(`invalid prop '${prop}': must be a number known at synth time`),
      );
    },
  );

  const watchdogNamed = (alarms: RollbackAlarms, functionArn: string) => callersWatchdog(alarms, functionArn);
  it.each([
    [
      'an SQS queue',
      'addAlarmAction(arn)',
      (alarms: RollbackAlarms) => alarms.addAlarmAction('arn:aws:sqs:us-east-1:123456789012:q'),
      /got 'arn:aws:sqs:us-east-1:123456789012:q'; must be the ARN of a Lambda function, an SNS topic or a Systems Manager action/,
    ],
    [
      'no value (a JavaScript caller)',
      'addAlarmAction(arn)',
      (alarms: RollbackAlarms) => alarms.addAlarmAction(undefined as unknown as string),
      /got undefined; must be an alarm action ARN/,
    ],
    [
      'a watchdog whose function ARN is a name',
      'addWatchdog(watchdog)',
      (alarms: RollbackAlarms) => alarms.addWatchdog(watchdogNamed(alarms, 'checkout-watchdog')),
      /got 'checkout-watchdog'; must be the ARN of a Lambda function/,
    ],
  ])('fails at the add call given %s, naming %s', (_case, method, add, message) => {
    const { stack } = newStack();
    const alarms = new RollbackAlarms(stack, 'Checkout', BASE);

    expectValidationError(() => add(alarms), 'test/Checkout', method, message);
  });

  it('accepts every boundary value', () => {
    expect(() =>
      define({
        errorRatePercent: 100,
        p99LatencySeconds: 0.001,
        unhealthyHostThreshold: 1,
        periodSeconds: 60,
        evaluationPeriods: 1440,
        datapointsToAlarm: 1440,
        requiredBreaches: 3,
        alarmNamePrefix: 'a'.repeat(239),
        alarmActionArns: Array.from({ length: 5 }, (_, i) => `arn:aws:sns:us-east-1:123456789012:t${i}`),
      }),
    ).not.toThrow();
    expect(() =>
      define({ kpi: { ...KPI, highResolution: true }, periodSeconds: 10, requiredBreaches: 4 }),
    ).not.toThrow();
    expect(() => define({ periodSeconds: 86400, evaluationPeriods: 7, datapointsToAlarm: 1 })).not.toThrow();
    expect(() => define({ requiredBreaches: 1, evaluationWindowMinutes: 4 })).not.toThrow();
    expect(() =>
      define({
        kpi: { ...KPI, dimensions: Array.from({ length: 30 }, (_, i) => ({ name: `D${i}`, value: 'v' })) },
      }),
    ).not.toThrow();
  });

  it('skips format and range checks for values only Terraform knows', () => {
    expect(() =>
      synth((stack) => {
        const text = (id: string) => new TerraformVariable(stack, id, { type: 'string' }).stringValue;
        const number = (id: string) => new TerraformVariable(stack, id, { type: 'number' }).numberValue;
        new RollbackAlarms(stack, 'Checkout', {
          loadBalancerArnSuffix: text('lb'),
          targetGroupArnSuffix: text('tg'),
          errorRatePercent: number('rate'),
          p99LatencySeconds: number('latency'),
          unhealthyHostThreshold: number('hosts'),
          evaluationWindowMinutes: number('window'),
          alarmActionArns: [text('watchdog')],
          kpi: { ...KPI, threshold: number('kpi'), dimensions: [{ name: 'Color', value: text('color') }] },
        });
      }),
    ).not.toThrow();
  });
});
