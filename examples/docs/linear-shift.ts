/** docs/constructs/rollback-watchdog.md: a linear shift, verification and an AppConfig kill switch. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  BlueGreenListener,
  KillSwitch,
  KillSwitchMode,
  RollbackWatchdog,
  SmokeCheck,
  TrafficShifting,
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
  testListener: {},
  // The watchdog shifts this release's traffic: the candidate is declared at 0%, and a deploy of the
  // same release keeps the weights the watchdog set (SwitchbackService sets this by itself).
  rollbackHold: { storeBucket: store.bucketName, releaseId, shifting: true },
});

new RollbackWatchdog(stack, 'Watchdog', {
  store,
  releaseId,
  listeners: [listener],
  alarms: [
    {
      name: 'checkout-rollback',
      arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-rollback',
    },
  ],
  // +20% every 3 minutes: 20, 40, 60, 80, 100, then promoted: at least 21 minutes (15 baked, a
  // tick per step and one for the promotion), inside the evaluation window with room for the deploy.
  shifting: TrafficShifting.linear(20, 3),
  evaluationWindowMinutes: 60,
  preTrafficChecks: [SmokeCheck.http({ url: 'http://shop.example.com:8080/healthz', expectedStatus: 200 })],
  verificationChecks: [SmokeCheck.http({ url: 'http://shop.example.com/healthz' })],
  // The new checkout flow is behind an AppConfig feature flag: on a breach, the flag's deployment
  // is stopped and its captured version deployed again, and traffic stays where it is.
  killSwitches: [
    KillSwitch.appConfig({
      applicationId: 'abc1234',
      environmentId: 'prod567',
      configurationProfileId: 'flags89',
    }),
  ],
  killSwitchMode: KillSwitchMode.INSTEAD_OF_TRAFFIC,
});
app.synth();
