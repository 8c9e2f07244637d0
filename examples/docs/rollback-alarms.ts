/** docs/constructs/rollback-alarms.md: alarms on the candidate, 2 of 4 with a KPI. */
import { App, TerraformStack } from 'cdktf';
import { DataAwsLb } from '@cdktf/provider-aws/lib/data-aws-lb';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { BlueGreenListener, RollbackAlarms } from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });

const loadBalancerArn =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';
const listener = new BlueGreenListener(stack, 'BlueGreen', {
  serviceName: 'checkout',
  loadBalancerArn,
  vpcId: 'vpc-0123456789abcdef0',
  activeColor: 'blue',
  canaryWeightPercent: 10,
});
const candidate = listener.candidateColor === 'green' ? listener.greenTargetGroup : listener.blueTargetGroup;

const alarms = new RollbackAlarms(stack, 'RollbackAlarms', {
  serviceName: 'checkout',
  loadBalancerArnSuffix: new DataAwsLb(stack, 'Shop', { arn: loadBalancerArn }).arnSuffix,
  targetGroupArnSuffix: candidate.arnSuffix,
  errorRatePercent: 2,
  p99LatencySeconds: 1.5,
  kpi: {
    namespace: 'Checkout',
    metricName: 'OrdersPlaced',
    dimensions: [{ name: 'Color', value: listener.candidateColor }],
    statistic: 'Sum',
    comparison: 'LessThanThreshold',
    threshold: 5, // fewer than 5 orders a minute on the candidate
  },
  requiredBreaches: 2, // 2 of 4
  alarmActionArns: ['arn:aws:lambda:us-east-1:123456789012:function:checkout-watchdog'],
  evaluationWindowMinutes: 60,
});

// The watchdog configuration's `alarms` entry: [{ name: 'checkout-rollback', arn: '${aws_cloudwatch_composite_alarm…arn}' }]
export const protectedAlarms = alarms.protectedAlarms;
app.synth();
