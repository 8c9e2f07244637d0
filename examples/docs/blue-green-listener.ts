/** docs/constructs/blue-green-listener.md: a listener on its own, with a canary and the rollback hold. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { BlueGreenListener, Color, VersionedArtifactStore } from '../../index';

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
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  httpRedirect: {}, // HTTP :80 -> HTTPS
  testListener: { port: 8443 }, // always the candidate: test a release before it gets traffic
  targetPort: 8080,
  healthCheck: { path: '/healthz' },
  activeColor: Color.BLUE, // the known-good color
  canaryWeightPercent: 10, // the candidate (green) gets 10 %
  rules: [{ priority: 10, pathPatterns: ['/api/*'] }],
  // Keep a rolled-back release on blue across deploys (SwitchbackService sets this for you).
  rollbackHold: { storeBucket: store.bucketName, releaseId },
});

// More rules after construction: checked like `rules`, with the same ids.
listener.addRule({ priority: 20, hostHeaders: ['admin.example.com'] });

// What other constructs need: the candidate's target group, and the listener in the watchdog's terms.
export const candidateArn = listener.candidateTargetGroupArn;
export const protectedListeners = listener.protectedListeners;

// A listener defined elsewhere (another stack, another tool), for a watchdog to protect.
export const catalog = BlueGreenListener.fromBlueGreenListenerAttributes(stack, 'Catalog', {
  serviceName: 'catalog',
  loadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
  port: 8443,
  blueTargetGroupName: 'catalog-blue',
  greenTargetGroupName: 'catalog-green',
});
app.synth();
