/** docs/constructs/switchback-service.md: the composed construct with each part tuned. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SwitchbackService } from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });

const checkout = new SwitchbackService(stack, 'Checkout', {
  serviceName: 'checkout',
  releaseId: process.env.SWITCHBACK_RELEASE_ID ?? 'local', // a commit or build id
  loadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
  vpcId: 'vpc-0123456789abcdef0',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  // Each part takes its own construct's props.
  listener: { targetPort: 8080, healthCheck: { path: '/healthz' }, canaryWeightPercent: 10 },
  alarms: { errorRatePercent: 2, p99LatencySeconds: 1.5, requiredBreaches: 2 },
  watchdog: { operatorRoleArns: ['arn:aws:iam::123456789012:role/on-call'] },
  // The database and the artifact store under one schedule, and a backup of the database at each capture.
  backup: {
    resourceArns: ['arn:aws:rds:us-east-1:123456789012:db:checkout'],
    backupBeforeRelease: true,
  },
});

// Every part is a public field.
export const { store, listener, alarms, watchdog } = checkout;
app.synth();
