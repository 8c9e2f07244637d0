/**
 * A BlueGreenListener's props checked (throwing on the first bad one, naming the prop) and completed with
 * their defaults: the settings the construct builds from.
 */
import type { Construct } from 'constructs';
import { ARN_PATTERNS, BUCKET_NAME_PATTERN, RELEASE_ID_PATTERN } from '../../lib';
import { checkServiceName, defaultServiceName } from '../internal/service-name';
import { isKnown, PropValidator } from '../internal/validation';
import { Color } from '../contracts';
import {
  ApplicationProtocol,
  TargetType,
  type BlueGreenListenerProps,
  type HealthCheckOptions,
  type RollbackHoldOptions,
} from './props';
import { validateRules } from './rules';

/**
 * The TLS policy used when none is given: TLS 1.3 with TLS 1.2 fallback, forward secrecy only.
 * Published as `BlueGreenListener.DEFAULT_SSL_POLICY`.
 */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * TLS policies with TLS 1.2 as the oldest protocol. The `-Ext1`/`-Ext2` variants of TLS13-1-2 are left
 * out: they re-admit CBC and SHA-1 ciphers.
 */
const MODERN_SSL_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]-(?!Ext)|TLS-1-2-|FS-1-2-)[A-Za-z0-9-]+$/;
const VPC_ID = /^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const CERTIFICATE_ARN = ARN_PATTERNS.certificate;
const HEALTH_CHECK_MATCHER = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;

/** The props with their defaults filled in. */
export interface Settings {
  readonly serviceName: string;
  readonly protocol: ApplicationProtocol;
  readonly port: number;
  readonly sslPolicy: string;
  readonly targetType: TargetType;
  readonly targetProtocol: ApplicationProtocol;
  readonly targetPort: number;
  readonly activeColor: Color;
  readonly canaryWeightPercent: number;
  readonly testListenerPort?: number;
  readonly redirectPort?: number;
}

/** Validates the props (throwing on the first bad one) and fills in the defaults. */
export function resolveSettings(scope: Construct, id: string, props: BlueGreenListenerProps): Settings {
  const check = new PropValidator(scope);
  check.matches(
    'loadBalancerArn',
    props.loadBalancerArn,
    ARN_PATTERNS.loadBalancer,
    'must be the ARN of an application load balancer (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>).',
  );
  check.matches('vpcId', props.vpcId, VPC_ID, "must be a VPC id such as 'vpc-0123456789abcdef0'.");
  const serviceName = props.serviceName ?? defaultServiceName(id);
  checkServiceName(check, serviceName);

  const { protocol, port } = resolveProductionListener(check, props);
  const targets = resolveTargets(check, props);
  validateTargetGroupOptions(check, props);
  const canaryWeightPercent = resolveCanaryWeight(check, props);
  const { testListenerPort, redirectPort } = resolveExtraListeners(check, props, protocol, port);
  validateRules(check, props.rules ?? []);
  if (props.rollbackHold) validateRollbackHold(check, props.rollbackHold, canaryWeightPercent);

  return {
    serviceName,
    protocol,
    port,
    sslPolicy: props.sslPolicy ?? DEFAULT_SSL_POLICY,
    ...targets,
    activeColor: props.activeColor ?? Color.BLUE,
    canaryWeightPercent,
    testListenerPort,
    redirectPort,
  };
}

/** The production listener's protocol and port, and its TLS settings (HTTPS only). */
function resolveProductionListener(
  check: PropValidator,
  props: BlueGreenListenerProps,
): Pick<Settings, 'protocol' | 'port'> {
  check.oneOf('protocol', props.protocol, Object.values(ApplicationProtocol));
  const protocol =
    props.protocol ??
    (props.certificateArn !== undefined ? ApplicationProtocol.HTTPS : ApplicationProtocol.HTTP);
  const port = props.port ?? (protocol === ApplicationProtocol.HTTPS ? 443 : 80);
  check.port('port', port);
  if (protocol === ApplicationProtocol.HTTPS) validateTls(check, props);
  else {
    for (const prop of [
      'certificateArn',
      'additionalCertificateArns',
      'sslPolicy',
      'httpRedirect',
    ] as const) {
      if (props[prop] !== undefined) {
        check.conflict(
          prop,
          `only applies to an HTTPS listener, but protocol is ${protocol}; set protocol to 'HTTPS' or remove ${prop}.`,
        );
      }
    }
  }
  return { protocol, port };
}

function validateTls(check: PropValidator, props: BlueGreenListenerProps): void {
  if (props.certificateArn === undefined) {
    check.conflict(
      'certificateArn',
      'an HTTPS listener needs a certificate; set certificateArn to an ACM certificate ARN, or use protocol HTTP.',
    );
  }
  check.matches(
    'certificateArn',
    props.certificateArn,
    CERTIFICATE_ARN,
    'must be an ACM certificate ARN or an IAM server certificate ARN.',
  );
  (props.additionalCertificateArns ?? []).forEach((arn, index) =>
    check.matches(
      `additionalCertificateArns[${index}]`,
      arn,
      CERTIFICATE_ARN,
      'must be an ACM certificate ARN or an IAM server certificate ARN.',
    ),
  );
  check.matches(
    'sslPolicy',
    props.sslPolicy,
    MODERN_SSL_POLICY,
    `must be an ELB security policy whose oldest protocol is TLS 1.2, such as '${DEFAULT_SSL_POLICY}' or 'ELBSecurityPolicy-TLS13-1-3-2021-06'.`,
  );
}

/** What the target groups route to, and how (lambda targets take no port, protocol or slow start). */
function resolveTargets(
  check: PropValidator,
  props: BlueGreenListenerProps,
): Pick<Settings, 'targetType' | 'targetProtocol' | 'targetPort'> {
  check.oneOf('targetType', props.targetType, Object.values(TargetType));
  const targetType = props.targetType ?? TargetType.IP;
  check.oneOf('targetProtocol', props.targetProtocol, Object.values(ApplicationProtocol));
  if (targetType === TargetType.LAMBDA) {
    for (const prop of ['targetPort', 'targetProtocol'] as const) {
      if (props[prop] !== undefined)
        check.conflict(
          prop,
          `does not apply to lambda targets; remove ${prop} or use targetType 'ip' or 'instance'.`,
        );
    }
    if (props.slowStartSeconds)
      check.conflict(
        'slowStartSeconds',
        'slow start is not supported for lambda targets; remove slowStartSeconds or set it to 0.',
      );
    if (props.stickiness)
      check.conflict('stickiness', 'stickiness is not supported for lambda targets; remove stickiness.');
  }
  const targetProtocol = props.targetProtocol ?? ApplicationProtocol.HTTP;
  const targetPort = props.targetPort ?? (targetProtocol === ApplicationProtocol.HTTPS ? 443 : 80);
  check.port('targetPort', targetPort);
  return { targetType, targetProtocol, targetPort };
}

/** Health checks, draining, slow start and stickiness of both target groups. */
function validateTargetGroupOptions(check: PropValidator, props: BlueGreenListenerProps): void {
  validateHealthCheck(check, props.healthCheck);
  check.integerInRange('deregistrationDelaySeconds', props.deregistrationDelaySeconds, 0, 3600);
  if (isKnown(props.slowStartSeconds) && props.slowStartSeconds !== 0) {
    check.integerInRange('slowStartSeconds', props.slowStartSeconds, 30, 900, 'or 0 to turn slow start off');
  }
  check.integerInRange('stickiness.durationSeconds', props.stickiness?.durationSeconds, 1, 604800);
}

/** The active color and the candidate's share of production traffic (known at synth: weights derive from it). */
function resolveCanaryWeight(check: PropValidator, props: BlueGreenListenerProps): number {
  check.oneOf('activeColor', props.activeColor, Object.values(Color));
  const canaryWeightPercent = props.canaryWeightPercent ?? 0;
  if (!isKnown(canaryWeightPercent)) {
    check.conflict(
      'canaryWeightPercent',
      'must be a number known at synth time (the weights are computed from it), not a Terraform reference.',
    );
  }
  check.integerInRange(
    'canaryWeightPercent',
    canaryWeightPercent,
    0,
    100,
    'the percentage of production traffic sent to the candidate color',
  );
  return canaryWeightPercent;
}

/** The test and redirect listeners' ports, each different from the others on the load balancer. */
function resolveExtraListeners(
  check: PropValidator,
  props: BlueGreenListenerProps,
  protocol: ApplicationProtocol,
  port: number,
): Pick<Settings, 'testListenerPort' | 'redirectPort'> {
  const testListenerPort = props.testListener
    ? (props.testListener.port ?? (protocol === ApplicationProtocol.HTTPS ? 8443 : 8080))
    : undefined;
  check.port('testListener.port', testListenerPort);
  const redirectPort = props.httpRedirect ? (props.httpRedirect.port ?? 80) : undefined;
  check.port('httpRedirect.port', redirectPort);
  const ports = [
    ['port', port],
    ['testListener.port', testListenerPort],
    ['httpRedirect.port', redirectPort],
  ] as const;
  ports.forEach(([prop, value], index) => {
    const clash = ports.slice(0, index).find(([, other]) => value !== undefined && other === value);
    if (clash)
      check.conflict(
        prop,
        `port ${value} is already used by ${clash[0]}; each listener on a load balancer needs its own port.`,
      );
  });
  return { testListenerPort, redirectPort };
}

function validateRollbackHold(
  check: PropValidator,
  hold: RollbackHoldOptions,
  canaryWeightPercent: number,
): void {
  if (hold.shifting && canaryWeightPercent > 0) {
    check.conflict(
      'canaryWeightPercent',
      `got ${canaryWeightPercent}; with rollbackHold.shifting the candidate is declared at 0% and the watchdog's shifting plan sets its weight step by step; leave canaryWeightPercent out (or 0), or give a TrafficShifting.canary plan instead.`,
    );
  }
  check.matches(
    'rollbackHold.releaseId',
    hold.releaseId,
    RELEASE_ID_PATTERN,
    'must be 1-128 letters, digits, dots, underscores or hyphens, starting with a letter or digit.',
  );
  check.matches(
    'rollbackHold.storeBucket',
    hold.storeBucket,
    BUCKET_NAME_PATTERN,
    'must be an S3 bucket name.',
  );
}

function validateHealthCheck(check: PropValidator, health: HealthCheckOptions | undefined): void {
  if (!health) return;
  if (health.path !== undefined && !(health.path.startsWith('/') && health.path.length <= 1024)) {
    check.fail('healthCheck.path', health.path, "must start with '/' and be at most 1024 characters.");
  }
  check.integerInRange(
    'healthCheck.port',
    health.port,
    1,
    65535,
    'leave healthCheck.port out to check the port each target receives traffic on',
  );
  check.oneOf('healthCheck.protocol', health.protocol, Object.values(ApplicationProtocol));
  check.matches(
    'healthCheck.healthyHttpCodes',
    health.healthyHttpCodes,
    HEALTH_CHECK_MATCHER,
    "must be HTTP codes such as '200', '200-299' or '200,204'.",
  );
  check.integerInRange('healthCheck.intervalSeconds', health.intervalSeconds, 5, 300);
  check.integerInRange('healthCheck.timeoutSeconds', health.timeoutSeconds, 2, 120);
  check.integerInRange('healthCheck.healthyThresholdCount', health.healthyThresholdCount, 2, 10);
  check.integerInRange('healthCheck.unhealthyThresholdCount', health.unhealthyThresholdCount, 2, 10);
  const interval = health.intervalSeconds ?? 10;
  const timeout = health.timeoutSeconds ?? 5;
  if (timeout >= interval) {
    check.conflict(
      'healthCheck.timeoutSeconds',
      `must be less than healthCheck.intervalSeconds (${interval}), got ${timeout}.`,
    );
  }
}
