/**
 * What a BlueGreenListener is given: the load balancer and VPC, the listeners' protocol, TLS and
 * ports, the target groups' settings, the release's colors and canary weight, rules and the rollback
 * hold.
 */
import type { Color } from '../contracts';

/** A protocol the ALB speaks, to clients or to targets. */
export enum ApplicationProtocol {
  /** Plain HTTP. */
  HTTP = 'HTTP',
  /** HTTP over TLS. */
  HTTPS = 'HTTPS',
}

/** What the target groups route to. */
export enum TargetType {
  /** Targets registered by IP address (Fargate, ECS `awsvpc`, on-premises). */
  IP = 'ip',
  /** Targets registered by EC2 instance id. */
  INSTANCE = 'instance',
  /** A Lambda function. */
  LAMBDA = 'lambda',
}

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
   * The port the check connects to, 1-65535. Leave it out to check each target on the port it
   * receives traffic on.
   * @default - the traffic port
   */
  readonly port?: number;
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
 * Keeps what the watchdog set for a release across later `cdktf deploy` runs of it (drift-free): at
 * plan time the listener lists the release's markers in the artifact store, and until the release is
 * acknowledged the production listener and its rules take the weights of the newest traffic marker
 * the watchdog wrote (a shift step, a promotion, a rollback), whatever `canaryWeightPercent` says. A
 * rolled-back release whose newest traffic marker is not the rollback's (a watchdog that writes no
 * traffic markers, or a rollback whose marker write failed) keeps the candidate at no traffic.
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
  /**
   * The release shifts its traffic in steps (a watchdog with a `shifting` plan): the candidate is
   * declared at 0% and the watchdog sets each step. `SwitchbackService` sets this from its watchdog's
   * `shifting`; set it yourself when a `RollbackWatchdog` with a plan protects this listener. Not with
   * `canaryWeightPercent` > 0.
   * @default false - the candidate is declared at `canaryWeightPercent`
   */
  readonly shifting?: boolean;
}

/**
 * What can be set on a {@link BlueGreenListener} beyond where it lives: the listeners' protocol,
 * ports and TLS, the target groups, the colors and canary weight, and rules. `SwitchbackService`
 * takes these as its `listener` overrides; {@link BlueGreenListenerProps} adds the load balancer,
 * the VPC, the service name, the certificate and the rollback hold.
 */
export interface BlueGreenListenerOptions {
  /**
   * The production listener's protocol.
   * @default - `ApplicationProtocol.HTTPS` when `certificateArn` is given, otherwise `ApplicationProtocol.HTTP`
   */
  readonly protocol?: ApplicationProtocol;
  /**
   * The production listener's port, 1-65535.
   * @default - 443 for HTTPS, 80 for HTTP
   */
  readonly port?: number;
  /** More certificates for an HTTPS listener, selected by SNI. @default - none */
  readonly additionalCertificateArns?: string[];
  /**
   * The TLS policy of HTTPS listeners. Only policies whose oldest protocol is TLS 1.2 are accepted.
   * @default - `BlueGreenListener.DEFAULT_SSL_POLICY` ('ELBSecurityPolicy-TLS13-1-2-2021-06')
   */
  readonly sslPolicy?: string;
  /**
   * Adds a listener that redirects HTTP to the HTTPS production listener (301). Only with HTTPS.
   * @default - no redirect listener (the load balancer may already have one on port 80)
   */
  readonly httpRedirect?: HttpRedirectOptions;
  /** Adds a test listener that always forwards to the candidate color. @default - no test listener */
  readonly testListener?: TestListenerOptions;
  /**
   * The protocol the ALB uses to reach targets. Not used for `TargetType.LAMBDA` targets.
   * @default ApplicationProtocol.HTTP
   */
  readonly targetProtocol?: ApplicationProtocol;
  /**
   * The port targets receive traffic on, 1-65535. Not used for `TargetType.LAMBDA` targets.
   * @default - 80 for HTTP, 443 for HTTPS
   */
  readonly targetPort?: number;
  /**
   * What the target groups route to.
   * @default TargetType.IP
   */
  readonly targetType?: TargetType;
  /** How the ALB checks the targets' health. @default - see {@link HealthCheckOptions} */
  readonly healthCheck?: HealthCheckOptions;
  /**
   * Seconds the ALB waits before deregistering a draining target, 0-3600.
   * @default 60 - short enough for fast releases, long enough to finish most requests
   */
  readonly deregistrationDelaySeconds?: number;
  /**
   * Seconds a new target ramps up its share of traffic, 30-900, or 0 for no slow start. Not for
   * `TargetType.LAMBDA` targets.
   * @default 0
   */
  readonly slowStartSeconds?: number;
  /** Sticks clients to a target and to a color. @default - no stickiness */
  readonly stickiness?: StickinessOptions;
  /**
   * The color serving production traffic: the known-good color of the release.
   * @default Color.BLUE
   */
  readonly activeColor?: Color;
  /**
   * The percentage of production traffic sent to the other color (the candidate), 0-100. Both target
   * groups are always attached to a weighted forward, so a switchback is a weight change.
   * @default 0
   */
  readonly canaryWeightPercent?: number;
  /**
   * Path- or host-based rules on the production listener (more can be added with
   * `BlueGreenListener.addRule`).
   * @default - the default action only
   */
  readonly rules?: ListenerRuleOptions[];
}

/** Props of {@link BlueGreenListener}. */
export interface BlueGreenListenerProps extends BlueGreenListenerOptions {
  /** The ARN of an existing application load balancer (may be a Terraform reference). */
  readonly loadBalancerArn: string;
  /**
   * The id of the VPC the targets live in (may be a Terraform reference). Not used for
   * `TargetType.LAMBDA` targets.
   */
  readonly vpcId: string;
  /**
   * The service name: lowercase letters, digits and hyphens, 1-40 characters. It prefixes the target
   * group names and names the service in the watchdog's configuration.
   * @default - the construct id, lowercased, with other characters turned into hyphens
   */
  readonly serviceName?: string;
  /** The default certificate of an HTTPS listener (ACM or IAM). Required for HTTPS. @default - none */
  readonly certificateArn?: string;
  /**
   * Hold a rolled-back release on the known-good color (drift-free switchback).
   * @default - no hold: a deploy renders the weights from `activeColor` and `canaryWeightPercent`
   */
  readonly rollbackHold?: RollbackHoldOptions;
}
