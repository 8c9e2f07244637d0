/** docs/constructs/rollback-alarms.md: alarms on the candidate, 2 of 4 with a KPI, wired to the watchdog. */
import { App, TerraformStack } from 'cdktf';
import { DataAwsLb } from '@cdktf/provider-aws/lib/data-aws-lb';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  BlueGreenListener,
  Color,
  KpiComparison,
  KpiStatistic,
  RollbackAlarms,
  RollbackWatchdog,
  VersionedArtifactStore,
} from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });

const loadBalancerArn =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';
const listener = new BlueGreenListener(stack, 'BlueGreen', {
  serviceName: 'checkout',
  loadBalancerArn,
  vpcId: 'vpc-0123456789abcdef0',
  activeColor: Color.BLUE,
  canaryWeightPercent: 10,
});
const candidate =
  listener.candidateColor === Color.GREEN ? listener.greenTargetGroup : listener.blueTargetGroup;

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
    statistic: KpiStatistic.SUM,
    comparison: KpiComparison.LESS_THAN_THRESHOLD,
    threshold: 5, // fewer than 5 orders a minute on the candidate
  },
  requiredBreaches: 2, // 2 of 4
  evaluationWindowMinutes: 60,
});

// The watchdog protects the composite (`protectedAlarms`: [{ name: 'checkout-rollback', arn }]) ...
const watchdog = new RollbackWatchdog(stack, 'Watchdog', {
  store: new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' }),
  releaseId: process.env.SWITCHBACK_RELEASE_ID ?? 'local',
  listeners: [listener],
  alarms: alarms.protectedAlarms,
});
// ... and the composite invokes the watchdog, and pages on-call (at most 5 actions in all).
alarms.addWatchdog(watchdog);
alarms.addAlarmAction('arn:aws:sns:us-east-1:123456789012:checkout-on-call');
app.synth();
