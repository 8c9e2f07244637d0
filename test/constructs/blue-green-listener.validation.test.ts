import { TerraformVariable } from 'cdktf';
import {
  ApplicationProtocol,
  BlueGreenListener,
  Color,
  TargetType,
  type BlueGreenListenerProps,
} from '../../index';
import { expectValidationError } from '../support/validation';
import { newStack, synth } from '../support/synth';
import { CERTIFICATE_ARN, LOAD_BALANCER_ARN, VPC_ID } from './fixtures';

const BASE: BlueGreenListenerProps = {
  loadBalancerArn: LOAD_BALANCER_ARN,
  vpcId: VPC_ID,
  serviceName: 'checkout',
};
const HTTPS = { certificateArn: CERTIFICATE_ARN };

function define(props: Partial<BlueGreenListenerProps>): void {
  const { stack } = newStack();
  new BlueGreenListener(stack, 'Checkout', { ...BASE, ...props });
}

// One row per rule: the props that break it, the prop the error must name, and a stable fragment of
// the message that says what is allowed.
const cases: [string, Partial<BlueGreenListenerProps>, string, RegExp][] = [
  [
    'the listener port is above 65535',
    { port: 70000 },
    'port',
    /got 70000; must be an integer from 1 to 65535/,
  ],
  ['the listener port is 0', { port: 0 }, 'port', /got 0; must be an integer from 1 to 65535/],
  [
    'the target port is not an integer',
    { targetPort: 80.5 },
    'targetPort',
    /got 80.5; must be an integer from 1 to 65535/,
  ],
  [
    'the test listener port is out of range',
    { testListener: { port: 65536 } },
    'testListener.port',
    /must be an integer from 1 to 65535/,
  ],
  [
    'the redirect port is out of range',
    { ...HTTPS, httpRedirect: { port: -1 } },
    'httpRedirect.port',
    /must be an integer from 1 to 65535/,
  ],
  [
    'the test listener reuses the production port',
    { port: 8080, testListener: { port: 8080 } },
    'testListener.port',
    /port 8080 is already used by port/,
  ],
  [
    'the redirect listener reuses the production port',
    { ...HTTPS, port: 80, httpRedirect: {} },
    'httpRedirect.port',
    /port 80 is already used by port/,
  ],
  [
    'the canary weight is above 100',
    { canaryWeightPercent: 101 },
    'canaryWeightPercent',
    /got 101; must be an integer from 0 to 100/,
  ],
  [
    'the canary weight is negative',
    { canaryWeightPercent: -5 },
    'canaryWeightPercent',
    /must be an integer from 0 to 100/,
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
    'HTTPS is asked for without a certificate',
    { protocol: ApplicationProtocol.HTTPS },
    'certificateArn',
    /an HTTPS listener needs a certificate/,
  ],
  [
    'the certificate is not an ACM or IAM certificate ARN',
    { certificateArn: 'arn:aws:s3:::bucket' },
    'certificateArn',
    /must be an ACM certificate ARN or an IAM server certificate ARN/,
  ],
  [
    'an HTTP listener is given a certificate',
    { protocol: ApplicationProtocol.HTTP, certificateArn: CERTIFICATE_ARN },
    'certificateArn',
    /only applies to an HTTPS listener, but protocol is HTTP/,
  ],
  [
    'an HTTP listener is given a redirect',
    { httpRedirect: {} },
    'httpRedirect',
    /only applies to an HTTPS listener/,
  ],
  [
    'an HTTP listener is given a TLS policy',
    { sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' },
    'sslPolicy',
    /only applies to an HTTPS listener/,
  ],
  [
    'the TLS policy allows TLS 1.0',
    { ...HTTPS, sslPolicy: 'ELBSecurityPolicy-2016-08' },
    'sslPolicy',
    /oldest protocol is TLS 1.2/,
  ],
  [
    'the TLS policy re-admits weak ciphers',
    { ...HTTPS, sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06' },
    'sslPolicy',
    /oldest protocol is TLS 1.2/,
  ],
  [
    'the protocol is not HTTP or HTTPS',
    { protocol: 'TCP' as ApplicationProtocol },
    'protocol',
    /must be one of 'HTTP', 'HTTPS'/,
  ],
  [
    'the target type is unknown',
    { targetType: 'alb' as TargetType },
    'targetType',
    /got 'alb'; must be one of 'ip', 'instance', 'lambda'/,
  ],
  [
    'the target protocol is not HTTP or HTTPS',
    { targetProtocol: 'TCP' as ApplicationProtocol },
    'targetProtocol',
    /got 'TCP'; must be one of 'HTTP', 'HTTPS'/,
  ],
  [
    'the health check protocol is not HTTP or HTTPS',
    { healthCheck: { protocol: 'GRPC' as ApplicationProtocol } },
    'healthCheck.protocol',
    /got 'GRPC'; must be one of 'HTTP', 'HTTPS'/,
  ],
  [
    "the health check port is 'traffic-port' (the value it took before 0.x: leave it out instead)",
    { healthCheck: { port: 'traffic-port' as unknown as number } },
    'healthCheck.port',
    /got 'traffic-port'; must be an integer from 1 to 65535 \(leave healthCheck.port out to check the port each target receives traffic on\)/,
  ],
  [
    'the active color is unknown',
    { activeColor: 'red' as Color },
    'activeColor',
    /got 'red'; must be one of 'blue', 'green'/,
  ],
  [
    'the load balancer ARN is not an ALB ARN',
    {
      loadBalancerArn:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/50dc6c495c0c9188',
    },
    'loadBalancerArn',
    /must be the ARN of an application load balancer/,
  ],
  ['the VPC id is malformed', { vpcId: 'vpc-xyz' }, 'vpcId', /must be a VPC id/],
  [
    'lambda targets are given a port',
    { targetType: TargetType.LAMBDA, targetPort: 8080 },
    'targetPort',
    /does not apply to lambda targets/,
  ],
  [
    'lambda targets are given slow start',
    { targetType: TargetType.LAMBDA, slowStartSeconds: 60 },
    'slowStartSeconds',
    /not supported for lambda targets/,
  ],
  [
    'lambda targets are given stickiness',
    { targetType: TargetType.LAMBDA, stickiness: {} },
    'stickiness',
    /not supported for lambda targets/,
  ],
  [
    'slow start is below 30 seconds',
    { slowStartSeconds: 10 },
    'slowStartSeconds',
    /must be an integer from 30 to 900 \(or 0 to turn slow start off\)/,
  ],
  [
    'the deregistration delay is above an hour',
    { deregistrationDelaySeconds: 3601 },
    'deregistrationDelaySeconds',
    /from 0 to 3600/,
  ],
  [
    'the stickiness duration is above 7 days',
    { stickiness: { durationSeconds: 604801 } },
    'stickiness.durationSeconds',
    /from 1 to 604800/,
  ],
  [
    'the health check path is relative',
    { healthCheck: { path: 'healthz' } },
    'healthCheck.path',
    /must start with '\/'/,
  ],
  [
    'the health check port is out of range',
    { healthCheck: { port: 0 } },
    'healthCheck.port',
    /from 1 to 65535/,
  ],
  [
    'the health check codes are malformed',
    { healthCheck: { healthyHttpCodes: '2xx' } },
    'healthCheck.healthyHttpCodes',
    /must be HTTP codes such as '200'/,
  ],
  [
    'the health check interval is below 5 seconds',
    { healthCheck: { intervalSeconds: 1 } },
    'healthCheck.intervalSeconds',
    /from 5 to 300/,
  ],
  [
    'the health check timeout is not below the interval',
    { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } },
    'healthCheck.timeoutSeconds',
    /must be less than healthCheck.intervalSeconds \(10\)/,
  ],
  [
    'the healthy threshold is above 10',
    { healthCheck: { healthyThresholdCount: 11 } },
    'healthCheck.healthyThresholdCount',
    /from 2 to 10/,
  ],
  [
    'the unhealthy threshold is below 2',
    { healthCheck: { unhealthyThresholdCount: 1 } },
    'healthCheck.unhealthyThresholdCount',
    /from 2 to 10/,
  ],
  [
    'a rule priority is out of range',
    { rules: [{ priority: 50001, pathPatterns: ['/a'] }] },
    'rules[0].priority',
    /from 1 to 50000/,
  ],
  [
    'two rules share a priority',
    {
      rules: [
        { priority: 5, pathPatterns: ['/a'] },
        { priority: 5, pathPatterns: ['/b'] },
      ],
    },
    'rules[1].priority',
    /priority 5 is used by another rule/,
  ],
  ['a rule has no condition', { rules: [{ priority: 5 }] }, 'rules[0]', /needs at least one condition/],
  [
    'a rule has too many condition values',
    { rules: [{ priority: 5, pathPatterns: ['/a', '/b', '/c', '/d'], hostHeaders: ['x.io', 'y.io'] }] },
    'rules[0]',
    /at most 5 condition values .* got 6/,
  ],
  [
    'a rule path pattern is too long',
    { rules: [{ priority: 5, pathPatterns: ['/' + 'a'.repeat(128)] }] },
    'rules[0].pathPatterns[0]',
    /must be 1-128 characters/,
  ],
  [
    'the rollback hold names a bad release id',
    { rollbackHold: { storeBucket: 'store-bucket', releaseId: 'r 1' } },
    'rollbackHold.releaseId',
    /got 'r 1'; must be 1-128 letters/,
  ],
  [
    'the rollback hold names a bad bucket',
    { rollbackHold: { storeBucket: 'Store', releaseId: 'r1' } },
    'rollbackHold.storeBucket',
    /must be an S3 bucket name/,
  ],
];

describe('BlueGreenListener validation', () => {
  it.each(cases)('fails at synth when %s', (_rule, props, prop, message) => {
    expectValidationError(() => define(props), 'test/Checkout', prop, message);
  });

  it('fails at synth when the canary weight is a Terraform reference', () => {
    const { stack } = newStack();
    const weight = new TerraformVariable(stack, 'weight', { type: 'number' });

    expect(
      () => new BlueGreenListener(stack, 'Checkout', { ...BASE, canaryWeightPercent: weight.numberValue }),
    ).toThrow(/invalid prop 'canaryWeightPercent': must be a number known at synth time/);
  });

  it('accepts every boundary value', () => {
    expect(() =>
      define({
        port: 65535,
        targetPort: 1,
        canaryWeightPercent: 100,
        slowStartSeconds: 900,
        deregistrationDelaySeconds: 0,
        testListener: { port: 1 },
        healthCheck: {
          intervalSeconds: 300,
          timeoutSeconds: 120,
          healthyThresholdCount: 10,
          unhealthyThresholdCount: 2,
        },
        rules: [
          { priority: 1, pathPatterns: ['/a'.padEnd(128, 'a')] },
          { priority: 50000, hostHeaders: ['a.io'] },
        ],
      }),
    ).not.toThrow();
  });

  it('skips format checks for values only Terraform knows', () => {
    expect(() =>
      synth((stack) => {
        const arn = new TerraformVariable(stack, 'lb', { type: 'string' });
        const cert = new TerraformVariable(stack, 'cert', { type: 'string' });
        const port = new TerraformVariable(stack, 'port', { type: 'number' });
        new BlueGreenListener(stack, 'Checkout', {
          loadBalancerArn: arn.stringValue,
          vpcId: VPC_ID,
          certificateArn: cert.stringValue,
          port: port.numberValue,
        });
      }),
    ).not.toThrow();
  });
});
