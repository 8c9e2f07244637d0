import { TerraformVariable } from 'cdktf';
import {
  BlueGreenListener,
  ListenerRole,
  type BlueGreenListenerAttributes,
  type IBlueGreenListener,
} from '../../../index';
import { parseWatchdogConfig } from '../../../lib';
import { blocksOfType, newStack, resolveIn, synthStack } from '../../support/synth';
import { expectValidationError } from '../../support/validation';
import { LOAD_BALANCER_ARN } from '../fixtures';

const ATTRS: BlueGreenListenerAttributes = {
  serviceName: 'checkout',
  loadBalancerArn: LOAD_BALANCER_ARN,
  port: 443,
  blueTargetGroupName: 'checkout-blue',
  greenTargetGroupName: 'checkout-green',
};

function imported(attrs: Partial<BlueGreenListenerAttributes> = {}): IBlueGreenListener {
  const { stack } = newStack();
  return BlueGreenListener.fromBlueGreenListenerAttributes(stack, 'Imported', { ...ATTRS, ...attrs });
}

describe('BlueGreenListener.fromBlueGreenListenerAttributes', () => {
  it('describes the production listener like a defined one, and defines nothing', () => {
    const { stack } = newStack();
    const listener = BlueGreenListener.fromBlueGreenListenerAttributes(stack, 'Imported', {
      ...ATTRS,
      rulePriorities: [10, 20],
    });

    expect(listener.serviceName).toBe('checkout');
    expect(listener.node.path).toBe('test/Imported');
    expect(listener.protectedListeners).toEqual([
      {
        name: 'production',
        role: ListenerRole.PRODUCTION,
        loadBalancerArn: LOAD_BALANCER_ARN,
        port: 443,
        targetGroupNames: { blue: 'checkout-blue', green: 'checkout-green' },
        rulePriorities: [10, 20],
      },
    ]);
    expect(listener.trafficResources).toEqual([]);
    expect(synthStack(stack).resource ?? {}).toEqual({});
  });

  it('adds the test listener when its port is given, in the shape the watchdog configuration parses', () => {
    const listener = imported({ testListenerPort: 8443 });

    expect(listener.protectedListeners).toEqual([
      expect.objectContaining({ name: 'production', role: 'production', rulePriorities: [] }),
      {
        name: 'test',
        role: ListenerRole.TEST,
        loadBalancerArn: LOAD_BALANCER_ARN,
        port: 8443,
        targetGroupNames: { blue: 'checkout-blue', green: 'checkout-green' },
      },
    ]);
    const config = parseWatchdogConfig({
      schemaVersion: 1,
      service: 'checkout',
      store: { bucket: 'checkout-store' },
      listeners: listener.protectedListeners,
    });
    expect(config.listeners.map((l) => [l.name, l.role, l.port])).toEqual([
      ['production', 'production', 443],
      ['test', 'test', 8443],
    ]);
  });

  it('describes a defined listener and its imported twin the same way', () => {
    const { stack } = newStack();
    const defined = new BlueGreenListener(stack, 'Checkout', {
      serviceName: 'checkout',
      loadBalancerArn: LOAD_BALANCER_ARN,
      vpcId: 'vpc-0123456789abcdef0',
      testListener: {},
      rules: [{ priority: 7, pathPatterns: ['/api/*'] }],
    });
    const twin = BlueGreenListener.fromBlueGreenListenerAttributes(stack, 'Twin', {
      serviceName: defined.serviceName,
      loadBalancerArn: defined.loadBalancerArn,
      port: defined.port,
      blueTargetGroupName: defined.blueTargetGroupName,
      greenTargetGroupName: defined.greenTargetGroupName,
      rulePriorities: defined.rulePriorities,
      testListenerPort: defined.testListenerPort,
      activeColor: defined.activeColor,
    });

    expect(twin.protectedListeners).toEqual(resolveIn(defined, defined.protectedListeners));
  });

  it('copies the rule priorities it is given', () => {
    const priorities = [10];
    const listener = imported({ rulePriorities: priorities });
    priorities.push(20);

    expect(listener.protectedListeners[0].rulePriorities).toEqual([10]);
  });

  it('accepts attributes only Terraform knows', () => {
    const { stack } = newStack();
    const lb = new TerraformVariable(stack, 'lb', { type: 'string' });
    const port = new TerraformVariable(stack, 'port', { type: 'number' });

    expect(() =>
      BlueGreenListener.fromBlueGreenListenerAttributes(stack, 'Imported', {
        ...ATTRS,
        loadBalancerArn: lb.stringValue,
        port: port.numberValue,
      }),
    ).not.toThrow();
    expect(blocksOfType(synthStack(stack), 'aws_lb_listener')).toHaveLength(0);
  });

  it.each<[string, Partial<BlueGreenListenerAttributes>, string, RegExp]>([
    [
      'the service name has invalid characters',
      { serviceName: 'Check_Out' },
      'serviceName',
      /got 'Check_Out'; must be 1-40 lowercase letters, digits or hyphens/,
    ],
    ['the service name is too long', { serviceName: 'a'.repeat(41) }, 'serviceName', /must be 1-40/],
    [
      'the load balancer is a network load balancer',
      {
        loadBalancerArn:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/50dc6c495c0c9188',
      },
      'loadBalancerArn',
      /must be the ARN of an application load balancer/,
    ],
    ['the port is 0', { port: 0 }, 'port', /got 0; must be an integer from 1 to 65535/],
    ['the port is above 65535', { port: 65536 }, 'port', /from 1 to 65535/],
    ['the test listener port is not an integer', { testListenerPort: 80.5 }, 'testListenerPort', /got 80.5/],
    [
      'the test listener port is the production port',
      { testListenerPort: 443 },
      'testListenerPort',
      /port 443 is already used by port/,
    ],
    [
      'a target group name has an underscore',
      { blueTargetGroupName: 'checkout_blue' },
      'blueTargetGroupName',
      /got 'checkout_blue'; must be a target group name: 1-32 letters, digits or hyphens/,
    ],
    [
      'a target group name is longer than 32 characters',
      { greenTargetGroupName: 'g'.repeat(33) },
      'greenTargetGroupName',
      /1-32 letters/,
    ],
    [
      'both colors name the same target group',
      { greenTargetGroupName: 'checkout-blue' },
      'greenTargetGroupName',
      /a blue-green pair needs two target groups/,
    ],
    [
      'a rule priority is out of range',
      { rulePriorities: [10, 50001] },
      'rulePriorities[1]',
      /got 50001; must be an integer from 1 to 50000/,
    ],
    [
      'a rule priority is listed twice',
      { rulePriorities: [10, 20, 10] },
      'rulePriorities[2]',
      /priority 10 is listed twice/,
    ],
    [
      'a required attribute is missing (JavaScript callers)',
      { port: undefined },
      'port',
      /is required to protect a listener defined elsewhere/,
    ],
  ])('fails when %s', (_case, attrs, prop, message) => {
    expectValidationError(() => imported(attrs), 'test/Imported', prop, message);
  });
});
