/** docs/constructs/rollback-watchdog.md: the watchdog over a listener, its alarms and configuration. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import {
  BlueGreenListener,
  ListenerRole,
  RollbackAlarms,
  RollbackWatchdog,
  VersionedArtifactStore,
} from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });
const releaseId = process.env.SWITCHBACK_RELEASE_ID ?? 'local';

const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
const listener = new BlueGreenListener(stack, 'BlueGreen', {
  serviceName: 'checkout',
  loadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
  vpcId: 'vpc-0123456789abcdef0',
  canaryWeightPercent: 10,
});
const alarms = new RollbackAlarms(stack, 'Alarms', {
  serviceName: 'checkout',
  loadBalancerArnSuffix: 'app/shop/50dc6c495c0c9188',
  targetGroupArnSuffix: listener.greenTargetGroup.arnSuffix,
});

const watchdog = new RollbackWatchdog(stack, 'Watchdog', {
  store,
  releaseId,
  listeners: [listener],
  alarms: alarms.protectedAlarms,
  aliases: [{ functionName: 'checkout-worker', aliasName: 'live' }],
  parameterNames: ['/checkout/feature-flags'],
  artifactKeys: ['artifacts/checkout/frontend.zip'],
  operatorRoleArns: ['arn:aws:iam::123456789012:role/on-call'],
  evaluationWindowMinutes: 60,
  cooldownMinutes: 15,
});

// More to protect after construction, covered like the props (configuration, IAM, triggers):
// a listener of another stack, by load balancer and port, and an alarm defined elsewhere.
watchdog.addProtectedListener({
  name: 'admin',
  role: ListenerRole.PRODUCTION,
  loadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/admin/0123456789abcdef',
  port: 443,
  targetGroupNames: { blue: 'admin-blue', green: 'admin-green' },
});
watchdog.addAlarm({
  name: 'checkout-orders-dropped',
  arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-orders-dropped',
});

// A configuration change of the release waits for the capture, like the listener does.
const flags = new SsmParameter(stack, 'FeatureFlags', {
  name: '/checkout/feature-flags',
  type: 'String',
  value: JSON.stringify({ newCheckout: true }),
});
watchdog.mustFollowCapture(flags);

// A watchdog defined elsewhere (another stack, another tool), e.g. for alarm actions.
export const shared = RollbackWatchdog.fromRollbackWatchdogAttributes(stack, 'SharedWatchdog', {
  serviceName: 'payments',
  functionArn: 'arn:aws:lambda:us-west-2:123456789012:function:switchback-payments-watchdog',
  functionName: 'switchback-payments-watchdog',
});
app.synth();
