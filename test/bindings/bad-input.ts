/**
 * The TypeScript side of bad_input.py: the same bad prop, the message printed as one JSON line.
 */
import { App, TerraformStack } from 'cdktf';
import { SwitchbackService } from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
try {
  new SwitchbackService(stack, 'Checkout', {
    releaseId: 'r1',
    loadBalancerArn:
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
    vpcId: 'vpc-0123456789abcdef0',
    listener: { canaryWeightPercent: 150 },
  });
  console.error('SwitchbackService accepted canaryWeightPercent: 150');
  process.exitCode = 1;
} catch (error) {
  console.log(JSON.stringify({ message: (error as Error).message }));
}
