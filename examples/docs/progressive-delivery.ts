/** docs/constructs/switchback-service.md: a canary with pre-traffic and after-step hooks and a kill switch. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KillSwitch, SmokeCheck, SwitchbackService, TrafficShifting } from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });

new SwitchbackService(stack, 'Checkout', {
  serviceName: 'checkout',
  releaseId: process.env.SWITCHBACK_RELEASE_ID ?? 'local',
  loadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
  vpcId: 'vpc-0123456789abcdef0',
  // The test listener always forwards to the candidate: the hooks test it before it takes traffic.
  listener: { testListener: { port: 8080 } },
  watchdog: {
    // 10% for 5 minutes with every alarm OK, then all of it, and green becomes the known-good color.
    shifting: TrafficShifting.canary(10, 5),
    preTrafficChecks: [
      SmokeCheck.http({ url: 'http://shop.example.com:8080/healthz', bodyPattern: '"status":\\s*"ok"' }),
      SmokeCheck.lambda({
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:checkout-smoke-tests',
        timeoutMs: 10000,
      }),
    ],
    afterStepChecks: [SmokeCheck.http({ url: 'http://shop.example.com:8080/healthz' })],
    // After a rollback: production answers again, and the alarms are OK within 10 minutes.
    verificationChecks: [SmokeCheck.http({ url: 'http://shop.example.com/healthz' })],
    alarmsOkWithinMinutes: 10,
    // Turned off first on a breach, before traffic moves back.
    killSwitches: [KillSwitch.ssmParameter({ name: '/checkout/new-pricing', offValue: 'off' })],
  },
});
app.synth();
