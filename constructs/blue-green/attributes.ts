/**
 * A blue-green listener by its attributes: what a BlueGreenListener, and one defined elsewhere
 * (`BlueGreenListener.fromBlueGreenListenerAttributes`), give the watchdog, and the check of the
 * attributes of one defined elsewhere (the bounds the watchdog's configuration holds them to).
 */
import { ARN_PATTERNS, TARGET_GROUP_NAME_PATTERN } from '../../lib';
import {
  Color,
  ListenerRole,
  type BlueGreenListenerAttributes,
  type ProtectedListenerAttributes,
} from '../contracts';
import { checkServiceName } from '../internal/service-name';
import { isKnown, type PropValidator } from '../internal/validation';

/** Throws on the first attribute that is missing or malformed, naming it. */
export function validateBlueGreenListenerAttributes(
  check: PropValidator,
  attrs: BlueGreenListenerAttributes,
): void {
  check.required(
    attrs,
    ['serviceName', 'loadBalancerArn', 'port', 'blueTargetGroupName', 'greenTargetGroupName'],
    'to protect a listener defined elsewhere',
  );
  checkServiceName(check, attrs.serviceName);
  check.matches(
    'loadBalancerArn',
    attrs.loadBalancerArn,
    ARN_PATTERNS.loadBalancer,
    'must be the ARN of an application load balancer (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>).',
  );
  check.port('port', attrs.port);
  check.port('testListenerPort', attrs.testListenerPort);
  check.oneOf('activeColor', attrs.activeColor, Object.values(Color));
  if (isKnown(attrs.testListenerPort) && attrs.testListenerPort === attrs.port) {
    check.conflict(
      'testListenerPort',
      `port ${attrs.port} is already used by port; the test listener is a different listener on the load balancer.`,
    );
  }
  for (const prop of ['blueTargetGroupName', 'greenTargetGroupName'] as const) {
    check.matches(
      prop,
      attrs[prop],
      TARGET_GROUP_NAME_PATTERN,
      'must be a target group name: 1-32 letters, digits or hyphens.',
    );
  }
  if (isKnown(attrs.blueTargetGroupName) && attrs.blueTargetGroupName === attrs.greenTargetGroupName) {
    check.conflict(
      'greenTargetGroupName',
      `'${attrs.greenTargetGroupName}' is also the blue target group; a blue-green pair needs two target groups.`,
    );
  }
  const priorities = attrs.rulePriorities ?? [];
  priorities.forEach((priority, index) => {
    check.integerInRange(`rulePriorities[${index}]`, priority, 1, 50000);
    if (priorities.slice(0, index).includes(priority)) {
      check.conflict(
        `rulePriorities[${index}]`,
        `priority ${priority} is listed twice; each rule on a listener has its own priority.`,
      );
    }
  });
}

/**
 * The listeners a watchdog protects, in the watchdog configuration's shape: the production listener
 * with its rule priorities and, when there is one, the test listener; all named by what is known at
 * synth (load balancer, port, target group names, priorities).
 */
export function protectedListenersOf(
  attrs: Omit<BlueGreenListenerAttributes, 'serviceName'>,
): ProtectedListenerAttributes[] {
  const { activeColor } = attrs;
  const targetGroupNames = { blue: attrs.blueTargetGroupName, green: attrs.greenTargetGroupName };
  const listeners: ProtectedListenerAttributes[] = [
    {
      name: 'production',
      role: ListenerRole.PRODUCTION,
      loadBalancerArn: attrs.loadBalancerArn,
      port: attrs.port,
      targetGroupNames,
      rulePriorities: [...(attrs.rulePriorities ?? [])],
      ...(activeColor !== undefined ? { activeColor } : {}),
    },
  ];
  if (attrs.testListenerPort !== undefined) {
    listeners.push({
      name: 'test',
      role: ListenerRole.TEST,
      loadBalancerArn: attrs.loadBalancerArn,
      port: attrs.testListenerPort,
      targetGroupNames,
    });
  }
  return listeners;
}
