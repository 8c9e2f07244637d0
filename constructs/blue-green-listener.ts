import { LbListener, type LbListenerDefaultAction } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerCertificate } from '@cdktf/provider-aws/lib/lb-listener-certificate';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Fn, Op, TerraformLocal, Token, type IResolvable, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsS3Objects } from '@cdktf/provider-aws/lib/data-aws-s3-objects';
import {
  acknowledgementKey,
  ARN_PATTERNS,
  BUCKET_NAME_PATTERN,
  RELEASE_ID_PATTERN,
  SERVICE_NAME_PATTERN,
  releaseHoldPrefix,
  rollbackMarkerKey,
  type ProtectedListenerInput,
} from '../lib';
import { isKnown, PropValidator } from './internal/validation';
import { sanitizeName, targetGroupName } from './internal/names';
import { inOwnFramework } from './internal/framework';

/** The two colors of a blue-green pair. */
export type Color = 'blue' | 'green';

/** A protocol the ALB speaks, to clients or to targets. */
export type ApplicationProtocol = 'HTTP' | 'HTTPS';

/** What the target groups route to. */
export type TargetType = 'ip' | 'instance' | 'lambda';

/** The TLS policy used when none is given: TLS 1.3 with TLS 1.2 fallback, forward secrecy only. */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * TLS policies with TLS 1.2 as the oldest protocol. The `-Ext1`/`-Ext2` variants of TLS13-1-2 are left
 * out: they re-admit CBC and SHA-1 ciphers.
 */
const MODERN_SSL_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]-(?!Ext)|TLS-1-2-|FS-1-2-)[A-Za-z0-9-]+$/;
const VPC_ID = /^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const CERTIFICATE_ARN =
  /^arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+|iam::\d{12}:server-certificate\/.+)$/;
const HEALTH_CHECK_MATCHER = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;

/** How the ALB checks the health of the targets of both colors. */
export interface HealthCheckOptions {
  /**
   * Whether health checks run.
   * @default true - except for `lambda` targets, where AWS bills each check as an invocation
   */
  readonly enabled?: boolean;
  /** @default '/' */
  readonly path?: string;
  /**
   * The port the check connects to, a number or `traffic-port`.
   * @default 'traffic-port' - the port each target receives traffic on
   */
  readonly port?: number | 'traffic-port';
  /** @default - the target protocol */
  readonly protocol?: ApplicationProtocol;
  /**
   * HTTP codes that mean healthy: `200`, a range `200-299`, or a list `200,204`.
   * @default '200'
   */
  readonly healthyHttpCodes?: string;
  /**
   * Seconds between checks, 5-300. Shorter than AWS's 30 s so a known-good group is proven healthy
   * (or not) quickly before the watchdog flips traffic to it.
   * @default 10
   */
  readonly intervalSeconds?: number;
  /** Seconds before a check counts as failed, 2-120, less than the interval. @default 5 */
  readonly timeoutSeconds?: number;
  /** Consecutive successes before a target is healthy, 2-10. @default 2 */
  readonly healthyThresholdCount?: number;
  /** Consecutive failures before a target is unhealthy, 2-10. @default 3 */
  readonly unhealthyThresholdCount?: number;
}

/** Session stickiness for clients, across targets and across colors. */
export interface StickinessOptions {
  /**
   * How long a client sticks to its target, and during a canary to its color, 1-604800 seconds.
   * @default 3600
   */
  readonly durationSeconds?: number;
}

/** A second listener that always forwards to the candidate color, for testing a release before it goes live. */
export interface TestListenerOptions {
  /** @default - 8443 for an HTTPS production listener, 8080 for HTTP */
  readonly port?: number;
}

/** A listener that redirects plain HTTP to the HTTPS production listener. */
export interface HttpRedirectOptions {
  /** @default 80 */
  readonly port?: number;
}

/** A path- or host-based rule on the production listener, forwarding like the default action. */
export interface ListenerRuleOptions {
  /** The rule's priority, 1-50000, unique on the listener; lower numbers are evaluated first. */
  readonly priority: number;
  /** Path patterns such as `/api/*`; each at most 128 characters. @default - no path condition */
  readonly pathPatterns?: string[];
  /** Host headers such as `api.example.com`; each at most 128 characters. @default - no host condition */
  readonly hostHeaders?: string[];
}

/**
 * Keeps a rolled-back release on the known-good color across later `cdktf deploy` runs: at plan time
 * the listener lists the release holds in the artifact store, and while release `releaseId` has a
 * rollback marker and no acknowledgement, the candidate gets no traffic, whatever
 * `canaryWeightPercent` says.
 */
export interface RollbackHoldOptions {
  /** The artifact store's bucket, where the watchdog writes its rollback markers. */
  readonly storeBucket: string;
  /** The release this deploy is for. A new release id lifts the hold of the previous one. */
  readonly releaseId: string;
  /**
   * Lift the hold of a rolled-back release anyway (an operator decided green may go live again).
   * @default false - the CLI's acknowledgement (a marker in the store) is the usual way
   */
  readonly acknowledged?: boolean;
}

/** Props of {@link BlueGreenListener}. */
export interface BlueGreenListenerProps {
  /** The ARN of an existing application load balancer (may be a Terraform reference). */
  readonly loadBalancerArn: string;
  /** The id of the VPC the targets live in (may be a Terraform reference). Not used for `lambda` targets. */
  readonly vpcId: string;
  /**
   * The service name: lowercase letters, digits and hyphens, 1-40 characters. It prefixes the target
   * group names and names the service in the watchdog's configuration.
   * @default - the construct id, lowercased, with other characters turned into hyphens
   */
  readonly serviceName?: string;
  /**
   * The production listener's protocol.
   * @default - 'HTTPS' when `certificateArn` is given, otherwise 'HTTP'
   */
  readonly protocol?: ApplicationProtocol;
  /** @default - 443 for HTTPS, 80 for HTTP */
  readonly port?: number;
  /** The default certificate of an HTTPS listener (ACM or IAM). Required for HTTPS. @default - none */
  readonly certificateArn?: string;
  /** More certificates for an HTTPS listener, selected by SNI. @default - none */
  readonly additionalCertificateArns?: string[];
  /**
   * The TLS policy of HTTPS listeners. Only policies whose oldest protocol is TLS 1.2 are accepted.
   * @default 'ELBSecurityPolicy-TLS13-1-2-2021-06'
   */
  readonly sslPolicy?: string;
  /**
   * Adds a listener that redirects HTTP to the HTTPS production listener (301). Only with HTTPS.
   * @default - no redirect listener (the load balancer may already have one on port 80)
   */
  readonly httpRedirect?: HttpRedirectOptions;
  /** Adds a test listener that always forwards to the candidate color. @default - no test listener */
  readonly testListener?: TestListenerOptions;
  /** The protocol the ALB uses to reach targets. Not used for `lambda` targets. @default 'HTTP' */
  readonly targetProtocol?: ApplicationProtocol;
  /**
   * The port targets receive traffic on. Not used for `lambda` targets.
   * @default - 80 for HTTP, 443 for HTTPS
   */
  readonly targetPort?: number;
  /** @default 'ip' */
  readonly targetType?: TargetType;
  /** @default - see {@link HealthCheckOptions} */
  readonly healthCheck?: HealthCheckOptions;
  /**
   * Seconds the ALB waits before deregistering a draining target, 0-3600.
   * @default 60 - short enough for fast releases, long enough to finish most requests
   */
  readonly deregistrationDelaySeconds?: number;
  /**
   * Seconds a new target ramps up its share of traffic, 30-900, or 0 for no slow start. Not for
   * `lambda` targets.
   * @default 0
   */
  readonly slowStartSeconds?: number;
  /** Sticks clients to a target and to a color. @default - no stickiness */
  readonly stickiness?: StickinessOptions;
  /**
   * The color serving production traffic: the known-good color of the release.
   * @default 'blue'
   */
  readonly activeColor?: Color;
  /**
   * The percentage of production traffic sent to the other color (the candidate), 0-100. Both target
   * groups are always attached to a weighted forward, so a switchback is a weight change.
   * @default 0
   */
  readonly canaryWeightPercent?: number;
  /** Path- or host-based rules on the production listener. @default - the default action only */
  readonly rules?: ListenerRuleOptions[];
  /**
   * Hold a rolled-back release on the known-good color (drift-free switchback).
   * @default - no hold: a deploy renders the weights from `activeColor` and `canaryWeightPercent`
   */
  readonly rollbackHold?: RollbackHoldOptions;
}

/**
 * A blue-green pair of target groups behind the production listener of an existing application load
 * balancer, with an optional test listener, HTTP-to-HTTPS redirect and path/host rules.
 *
 * Both colors are always attached to a weighted forward action: `activeColor` gets
 * `100 - canaryWeightPercent`, the other color the rest. That is the state the watchdog captures before
 * a release and restores after a breach.
 */
export class BlueGreenListener extends Construct {
  /** The service name used for names and for the watchdog's configuration. */
  public readonly serviceName: string;
  /** The production listener. */
  public readonly listener: LbListener;
  /** The ARN of the production listener. */
  public readonly listenerArn: string;
  /** The production listener's protocol. */
  public readonly protocol: ApplicationProtocol;
  /** The production listener's port. */
  public readonly port: number;
  /** The blue target group. */
  public readonly blueTargetGroup: LbTargetGroup;
  /** The green target group. */
  public readonly greenTargetGroup: LbTargetGroup;
  /** The color serving production traffic. */
  public readonly activeColor: Color;
  /** The other color: the one a release deploys to. */
  public readonly candidateColor: Color;
  /** The percentage of production traffic sent to the candidate color. */
  public readonly canaryWeightPercent: number;
  /** The test listener, when requested. */
  public readonly testListener?: LbListener;
  /** The HTTP-to-HTTPS redirect listener, when requested. */
  public readonly redirectListener?: LbListener;
  /** The production listener's rules, in the order given. */
  public readonly rules: LbListenerRule[];
  /** The load balancer the listeners are on. */
  public readonly loadBalancerArn: string;
  /** The name of the blue target group (known at synth time). */
  public readonly blueTargetGroupName: string;
  /** The name of the green target group (known at synth time). */
  public readonly greenTargetGroupName: string;
  private readonly rulePriorityList: readonly number[];
  /** The test listener's port, when there is a test listener. */
  public readonly testListenerPort?: number;
  /**
   * Whether the candidate is held at no traffic because its release was rolled back (a Terraform
   * expression evaluated at plan time), when a rollback hold is configured.
   */
  public readonly rollbackHeld?: IResolvable;

  constructor(scope: Construct, id: string, props: BlueGreenListenerProps) {
    super(inOwnFramework(scope, 'BlueGreenListener', id), id);
    const settings = resolveSettings(this, id, props);
    this.serviceName = settings.serviceName;
    this.protocol = settings.protocol;
    this.port = settings.port;
    this.activeColor = settings.activeColor;
    this.candidateColor = otherColor(settings.activeColor);
    this.canaryWeightPercent = settings.canaryWeightPercent;
    this.loadBalancerArn = props.loadBalancerArn;
    this.testListenerPort = settings.testListenerPort;
    this.rulePriorityList = (props.rules ?? []).map((rule) => rule.priority);
    if (props.rollbackHold && !props.rollbackHold.acknowledged) {
      this.rollbackHeld = this.defineRollbackHold(props.rollbackHold);
    }

    this.blueTargetGroupName = this.targetGroupNameFor('blue', settings);
    this.greenTargetGroupName = this.targetGroupNameFor('green', settings);
    this.blueTargetGroup = this.defineTargetGroup('blue', this.blueTargetGroupName, props, settings);
    this.greenTargetGroup = this.defineTargetGroup('green', this.greenTargetGroupName, props, settings);

    const tls =
      settings.protocol === 'HTTPS'
        ? { certificateArn: props.certificateArn, sslPolicy: settings.sslPolicy }
        : {};
    this.listener = new LbListener(this, 'ProductionListener', {
      loadBalancerArn: props.loadBalancerArn,
      port: settings.port,
      protocol: settings.protocol,
      ...tls,
      defaultAction: [this.weightedForward(props.stickiness)],
    });
    this.listenerArn = this.listener.arn;

    (props.additionalCertificateArns ?? []).forEach((certificateArn, index) => {
      new LbListenerCertificate(this, `ProductionListenerCertificate${index + 1}`, {
        listenerArn: this.listener.arn,
        certificateArn,
      });
    });

    this.rules = (props.rules ?? []).map(
      (rule) =>
        new LbListenerRule(this, `ProductionRule${rule.priority}`, {
          listenerArn: this.listener.arn,
          priority: rule.priority,
          action: [this.weightedForward(props.stickiness)],
          condition: [
            ...(rule.pathPatterns?.length ? [{ pathPattern: { values: rule.pathPatterns } }] : []),
            ...(rule.hostHeaders?.length ? [{ hostHeader: { values: rule.hostHeaders } }] : []),
          ],
        }),
    );

    if (settings.testListenerPort !== undefined) {
      this.testListener = new LbListener(this, 'TestListener', {
        loadBalancerArn: props.loadBalancerArn,
        port: settings.testListenerPort,
        protocol: settings.protocol,
        ...tls,
        defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroupArn(this.candidateColor) }],
      });
    }

    if (settings.redirectPort !== undefined) {
      this.redirectListener = new LbListener(this, 'HttpRedirectListener', {
        loadBalancerArn: props.loadBalancerArn,
        port: settings.redirectPort,
        protocol: 'HTTP',
        defaultAction: [
          {
            type: 'redirect',
            redirect: {
              protocol: 'HTTPS',
              port: isKnown(settings.port) ? String(settings.port) : Token.asString(settings.port),
              statusCode: 'HTTP_301',
            },
          },
        ],
      });
    }
  }

  /** The ARN of the blue target group. */
  public get blueTargetGroupArn(): string {
    return this.blueTargetGroup.arn;
  }

  /** The ARN of the green target group. */
  public get greenTargetGroupArn(): string {
    return this.greenTargetGroup.arn;
  }

  /** The ARN of the target group serving production traffic. */
  public get activeTargetGroupArn(): string {
    return this.targetGroupArn(this.activeColor);
  }

  /** The ARN of the candidate target group. */
  public get candidateTargetGroupArn(): string {
    return this.targetGroupArn(this.candidateColor);
  }

  /** The ARNs of the production listener's rules, in the order given. */
  public get ruleArns(): string[] {
    return this.rules.map((rule) => rule.arn);
  }

  /** The ARN of the test listener, when there is one. */
  public get testListenerArn(): string | undefined {
    return this.testListener?.arn;
  }

  /** The ARN of the target group of one color. */
  public targetGroupArn(color: Color): string {
    return color === 'blue' ? this.blueTargetGroup.arn : this.greenTargetGroup.arn;
  }

  /**
   * The listeners the watchdog protects, in the shape of the watchdog configuration: the production
   * listener with its rules and, when defined, the test listener. They are named by load balancer and
   * port, target groups by name and rules by priority: all known at synth time, so the watchdog's
   * configuration and its capture do not depend on the resources they protect (no cycle when these
   * resources depend on the capture).
   */
  public get protectedListeners(): ProtectedListenerInput[] {
    const targetGroupNames = { blue: this.blueTargetGroupName, green: this.greenTargetGroupName };
    const listeners: ProtectedListenerInput[] = [
      {
        name: 'production',
        role: 'production',
        loadBalancerArn: this.loadBalancerArn,
        port: this.port,
        targetGroupNames,
        rulePriorities: this.rulePriorities,
      },
    ];
    if (this.testListenerPort !== undefined) {
      listeners.push({
        name: 'test',
        role: 'test',
        loadBalancerArn: this.loadBalancerArn,
        port: this.testListenerPort,
        targetGroupNames,
      });
    }
    return listeners;
  }

  /** The priorities of the production listener's rules. */
  public get rulePriorities(): number[] {
    return [...this.rulePriorityList];
  }

  /** Every resource that changes where traffic goes: what must wait for the watchdog's capture. */
  public get trafficResources(): ITerraformDependable[] {
    return [this.listener, ...this.rules, ...(this.testListener ? [this.testListener] : [])];
  }

  private defineRollbackHold(hold: RollbackHoldOptions): IResolvable {
    const holds = new DataAwsS3Objects(this, 'ReleaseHolds', {
      bucket: hold.storeBucket,
      // This release's holds only: the listing stays small however many releases came before.
      prefix: `${releaseHoldPrefix(this.serviceName)}${hold.releaseId}.`,
    });
    // held = rolled back and not acknowledged, evaluated by Terraform at plan time. A local keeps
    // the expression whole: nested conditionals are not parenthesized when rendered.
    const rolledBack = Fn.contains(holds.keys, rollbackMarkerKey(this.serviceName, hold.releaseId));
    const acknowledged = Fn.contains(holds.keys, acknowledgementKey(this.serviceName, hold.releaseId));
    const held = new TerraformLocal(this, 'RollbackHeld', Op.and(rolledBack, Op.not(acknowledged)));
    return held.expression as IResolvable;
  }

  private weightedForward(stickiness: StickinessOptions | undefined): LbListenerDefaultAction {
    const candidateWeight = this.canaryWeightPercent;
    // Under a rollback hold the candidate gets nothing; without a canary there is nothing to hold.
    const held = this.rollbackHeld !== undefined && candidateWeight > 0;
    const weight = (unheld: number, whenHeld: number) =>
      held ? Token.asNumber(Fn.conditional(this.rollbackHeld, whenHeld, unheld)) : unheld;
    return {
      type: 'forward',
      forward: {
        targetGroup: [
          { arn: this.targetGroupArn(this.activeColor), weight: weight(100 - candidateWeight, 100) },
          { arn: this.targetGroupArn(this.candidateColor), weight: weight(candidateWeight, 0) },
        ],
        ...(stickiness
          ? {
              stickiness: {
                enabled: true,
                duration: stickiness.durationSeconds ?? DEFAULT_STICKINESS_SECONDS,
              },
            }
          : {}),
      },
    };
  }

  private targetGroupNameFor(color: Color, settings: Settings): string {
    return targetGroupName(settings.serviceName, color, [
      this.node.path,
      color,
      settings.targetType,
      settings.targetProtocol,
      settings.targetPort,
    ]);
  }

  private defineTargetGroup(
    color: Color,
    name: string,
    props: BlueGreenListenerProps,
    settings: Settings,
  ): LbTargetGroup {
    const isLambda = settings.targetType === 'lambda';
    const health = props.healthCheck ?? {};
    return new LbTargetGroup(this, `${color === 'blue' ? 'Blue' : 'Green'}TargetGroup`, {
      name,
      targetType: settings.targetType,
      ...(isLambda
        ? {}
        : {
            port: settings.targetPort,
            protocol: settings.targetProtocol,
            vpcId: props.vpcId,
            slowStart: props.slowStartSeconds ?? 0,
          }),
      deregistrationDelay: String(props.deregistrationDelaySeconds ?? 60),
      healthCheck: {
        enabled: health.enabled ?? !isLambda,
        path: health.path ?? '/',
        matcher: health.healthyHttpCodes ?? '200',
        interval: health.intervalSeconds ?? 10,
        timeout: health.timeoutSeconds ?? 5,
        healthyThreshold: health.healthyThresholdCount ?? 2,
        unhealthyThreshold: health.unhealthyThresholdCount ?? 3,
        ...(isLambda
          ? {}
          : {
              port: String(health.port ?? 'traffic-port'),
              protocol: health.protocol ?? settings.targetProtocol,
            }),
      },
      ...(props.stickiness && !isLambda
        ? {
            stickiness: {
              type: 'lb_cookie',
              enabled: true,
              cookieDuration: props.stickiness.durationSeconds ?? DEFAULT_STICKINESS_SECONDS,
            },
          }
        : {}),
      // A changed port, protocol or target type replaces the group; the new one gets a new name, so
      // it can be created and attached before the old one is destroyed.
      lifecycle: { createBeforeDestroy: true },
    });
  }
}

const DEFAULT_STICKINESS_SECONDS = 3600;

function otherColor(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

interface Settings {
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
function resolveSettings(scope: Construct, id: string, props: BlueGreenListenerProps): Settings {
  const check = new PropValidator(scope);

  check.matches(
    'loadBalancerArn',
    props.loadBalancerArn,
    ARN_PATTERNS.loadBalancer,
    'must be the ARN of an application load balancer (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>).',
  );
  check.matches('vpcId', props.vpcId, VPC_ID, "must be a VPC id such as 'vpc-0123456789abcdef0'.");

  const serviceName = props.serviceName ?? sanitizeName(id, 40);
  check.matches(
    'serviceName',
    serviceName,
    SERVICE_NAME_PATTERN,
    'must be 1-40 lowercase letters, digits or hyphens, starting and ending with a letter or digit.',
  );

  check.oneOf('protocol', props.protocol, ['HTTP', 'HTTPS']);
  const protocol: ApplicationProtocol =
    props.protocol ?? (props.certificateArn !== undefined ? 'HTTPS' : 'HTTP');
  const port = props.port ?? (protocol === 'HTTPS' ? 443 : 80);
  check.port('port', port);

  if (protocol === 'HTTPS') {
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
  } else {
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

  check.oneOf('targetType', props.targetType, ['ip', 'instance', 'lambda']);
  const targetType = props.targetType ?? 'ip';
  check.oneOf('targetProtocol', props.targetProtocol, ['HTTP', 'HTTPS']);
  if (targetType === 'lambda') {
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
  const targetProtocol = props.targetProtocol ?? 'HTTP';
  const targetPort = props.targetPort ?? (targetProtocol === 'HTTPS' ? 443 : 80);
  check.port('targetPort', targetPort);

  validateHealthCheck(check, props.healthCheck);
  check.integerInRange('deregistrationDelaySeconds', props.deregistrationDelaySeconds, 0, 3600);
  if (isKnown(props.slowStartSeconds) && props.slowStartSeconds !== 0) {
    check.integerInRange('slowStartSeconds', props.slowStartSeconds, 30, 900, 'or 0 to turn slow start off');
  }
  check.integerInRange('stickiness.durationSeconds', props.stickiness?.durationSeconds, 1, 604800);

  check.oneOf('activeColor', props.activeColor, ['blue', 'green']);
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

  const testListenerPort = props.testListener
    ? (props.testListener.port ?? (protocol === 'HTTPS' ? 8443 : 8080))
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

  validateRules(check, props.rules ?? []);
  if (props.rollbackHold) {
    check.matches(
      'rollbackHold.releaseId',
      props.rollbackHold.releaseId,
      RELEASE_ID_PATTERN,
      'must be 1-128 letters, digits, dots, underscores or hyphens, starting with a letter or digit.',
    );
    check.matches(
      'rollbackHold.storeBucket',
      props.rollbackHold.storeBucket,
      BUCKET_NAME_PATTERN,
      'must be an S3 bucket name.',
    );
  }

  return {
    serviceName,
    protocol,
    port,
    sslPolicy: props.sslPolicy ?? DEFAULT_SSL_POLICY,
    targetType,
    targetProtocol,
    targetPort,
    activeColor: props.activeColor ?? 'blue',
    canaryWeightPercent,
    testListenerPort,
    redirectPort,
  };
}

function validateHealthCheck(check: PropValidator, health: HealthCheckOptions | undefined): void {
  if (!health) return;
  if (health.path !== undefined && !(health.path.startsWith('/') && health.path.length <= 1024)) {
    check.fail('healthCheck.path', health.path, "must start with '/' and be at most 1024 characters.");
  }
  if (health.port !== undefined && health.port !== 'traffic-port')
    check.port('healthCheck.port', health.port);
  check.oneOf('healthCheck.protocol', health.protocol, ['HTTP', 'HTTPS']);
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

const MAX_CONDITION_VALUES_PER_RULE = 5;

function validateRules(check: PropValidator, rules: readonly ListenerRuleOptions[]): void {
  const priorities = new Set<number>();
  rules.forEach((rule, index) => {
    const prop = `rules[${index}]`;
    check.integerInRange(`${prop}.priority`, rule.priority, 1, 50000);
    if (priorities.has(rule.priority)) {
      check.conflict(
        `${prop}.priority`,
        `priority ${rule.priority} is used by another rule; each rule on a listener needs its own priority.`,
      );
    }
    priorities.add(rule.priority);
    const conditions = [
      ...(rule.pathPatterns ?? []).map((value, i) => [`${prop}.pathPatterns[${i}]`, value] as const),
      ...(rule.hostHeaders ?? []).map((value, i) => [`${prop}.hostHeaders[${i}]`, value] as const),
    ];
    const values = conditions.map(([, value]) => value);
    if (values.length === 0) {
      check.conflict(prop, 'a rule needs at least one condition; give pathPatterns or hostHeaders.');
    }
    if (values.length > MAX_CONDITION_VALUES_PER_RULE) {
      check.conflict(
        prop,
        `a rule takes at most ${MAX_CONDITION_VALUES_PER_RULE} condition values (path patterns and host headers together), got ${values.length}.`,
      );
    }
    conditions.forEach(([conditionProp, value]) => {
      if (isKnown(value) && (value.length === 0 || value.length > 128)) {
        check.fail(conditionProp, value, 'must be 1-128 characters.');
      }
    });
  });
}
