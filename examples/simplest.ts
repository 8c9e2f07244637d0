/**
 * The README's simplest working example, as a real file: CI type-checks it, a test keeps the README's
 * copy equal to it, and the package check synthesizes it in a scratch app of each framework with the
 * import below naming the installed package.
 */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SwitchbackService } from '../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });

new SwitchbackService(stack, 'Checkout', {
  releaseId: process.env.SWITCHBACK_RELEASE_ID ?? 'local',
  loadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
  vpcId: 'vpc-0123456789abcdef0',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
});
app.synth();
