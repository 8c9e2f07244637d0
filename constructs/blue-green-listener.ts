import { LbListener, type LbListenerDefaultAction } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerCertificate } from '@cdktf/provider-aws/lib/lb-listener-certificate';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Token, type IResolvable, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import {
  Color,
  type BlueGreenListenerAttributes,
  type IBlueGreenListener,
  type ProtectedListenerAttributes,
} from './contracts';
import { protectedListenersOf, validateBlueGreenListenerAttributes } from './blue-green/attributes';
import {
  ApplicationProtocol,
  TargetType,
  type BlueGreenListenerProps,
  type ListenerRuleOptions,
  type RollbackHoldOptions,
  type StickinessOptions,
} from './blue-green/props';
import { defineTrafficHold, type TrafficHold } from './blue-green/hold';
import { ruleConditions, validateRule } from './blue-green/rules';
import { DEFAULT_SSL_POLICY, resolveSettings, type Settings } from './blue-green/settings';
import { memberKeys } from './internal/member-keys';
import { movedFrom } from './internal/stable-ids';
import { isKnown, PropValidator, show } from './internal/validation';
import { targetGroupName } from './internal/names';
import { inOwnFramework } from './internal/framework';

// The props live in ./blue-green/props; they stay importable from here.
export {
  ApplicationProtocol,
  TargetType,
  type BlueGreenListenerOptions,
  type BlueGreenListenerProps,
  type HealthCheckOptions,
  type HttpRedirectOptions,
  type ListenerRuleOptions,
  type RollbackHoldOptions,
  type StickinessOptions,
  type TestListenerOptions,
} from './blue-green/props';

/**
 * A blue-green pair of target groups behind the production listener of an existing application load
 * balancer, with an optional test listener, HTTP-to-HTTPS redirect and path/host rules.
 *
 * Both colors are always attached to a weighted forward action: `activeColor` gets
 * `100 - canaryWeightPercent`, the other color the rest. That is the state the watchdog captures before
 * a release and restores after a breach.
 */
export class BlueGreenListener extends Construct implements IBlueGreenListener {
  /** The TLS policy used when none is given: TLS 1.3 with TLS 1.2 fallback, forward secrecy only. */
  public static readonly DEFAULT_SSL_POLICY: string = DEFAULT_SSL_POLICY;

  /**
   * A blue-green listener defined elsewhere (another stack, another tool), by its load balancer, ports
   * and target group names, for a watchdog to protect. The attributes are checked now, like props.
   * Its `trafficResources` are empty: nothing here can wait for the watchdog's capture.
   */
  public static fromBlueGreenListenerAttributes(
    scope: Construct,
    id: string,
    attrs: BlueGreenListenerAttributes,
  ): IBlueGreenListener {
    return new ImportedBlueGreenListener(scope, id, attrs);
  }

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
  /**
   * The percentage of production traffic declared for the candidate color (0 when the release shifts
   * its traffic in steps: the watchdog sets the weights then).
   */
  public readonly canaryWeightPercent: number;
  /** The test listener, when requested. */
  public readonly testListener?: LbListener;
  /** The HTTP-to-HTTPS redirect listener, when requested. */
  public readonly redirectListener?: LbListener;
  /** The production listener's rules: those of the `rules` prop in the order given, then those added by `addRule`. */
  public readonly rules: LbListenerRule[] = [];
  /** The load balancer the listeners are on. */
  public readonly loadBalancerArn: string;
  /** The name of the blue target group (known at synth time). */
  public readonly blueTargetGroupName: string;
  /** The name of the green target group (known at synth time). */
  public readonly greenTargetGroupName: string;
  private readonly rulePriorityList: number[] = [];
  private readonly ruleStickiness?: StickinessOptions;
  /** The test listener's port, when there is a test listener. */
  public readonly testListenerPort?: number;
  /**
   * Whether the candidate is held at no traffic because its release was rolled back (a Terraform
   * expression evaluated at plan time), when a rollback hold is configured.
   */
  public readonly rollbackHeld?: IResolvable;
  /** The weights the hold renders, when a rollback hold is configured and not acknowledged in the props. */
  private readonly hold?: TrafficHold;

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
    if (props.rollbackHold && !props.rollbackHold.acknowledged) {
      this.hold = this.defineHold(props.rollbackHold);
      this.rollbackHeld = this.hold.rollbackHeld;
    }

    this.blueTargetGroupName = this.targetGroupNameFor(Color.BLUE, settings);
    this.greenTargetGroupName = this.targetGroupNameFor(Color.GREEN, settings);
    this.blueTargetGroup = this.defineTargetGroup(Color.BLUE, this.blueTargetGroupName, props, settings);
    this.greenTargetGroup = this.defineTargetGroup(Color.GREEN, this.greenTargetGroupName, props, settings);

    const tls =
      settings.protocol === ApplicationProtocol.HTTPS
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

    this.attachCertificates(props.additionalCertificateArns ?? []);

    this.ruleStickiness = props.stickiness;
    // Validated with the other props, as rules[i].
    for (const rule of props.rules ?? []) this.defineRule(rule);

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
        protocol: ApplicationProtocol.HTTP,
        defaultAction: [
          {
            type: 'redirect',
            redirect: {
              protocol: ApplicationProtocol.HTTPS,
              port: isKnown(settings.port) ? String(settings.port) : Token.asString(settings.port),
              statusCode: 'HTTP_301',
            },
          },
        ],
      });
    }
  }

  /**
   * Adds a path- or host-based rule to the production listener, forwarding like the default action.
   * It is checked like an entry of the `rules` prop (its priority unique among all the listener's
   * rules) and gets the same id (`ProductionRule<priority>`), so moving a rule between the prop and
   * this method changes no Terraform address. Errors name it `addRule(priority <n>)`.
   *
   * From then on its priority is in `rulePriorities` and `protectedListeners`, and the rule in
   * `rules` and `trafficResources`. A rule added after a `RollbackWatchdog` made the production
   * listener wait for its capture waits for the same (it takes the listener's `dependsOn`); a copy of
   * `protectedListeners` taken before is not updated.
   */
  public addRule(rule: ListenerRuleOptions): void {
    const check = new PropValidator(this);
    validateRule(check, `addRule(priority ${show(rule.priority)})`, rule, this.rulePriorityList);
    const defined = this.defineRule(rule);
    const waitsFor = this.listener.dependsOn ?? [];
    if (waitsFor.length > 0) defined.dependsOn = [...waitsFor];
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
    new PropValidator(this).oneOf('targetGroupArn(color)', color, Object.values(Color));
    return color === Color.BLUE ? this.blueTargetGroup.arn : this.greenTargetGroup.arn;
  }

  /**
   * The listeners the watchdog protects, in the shape of the watchdog configuration: the production
   * listener with its rules and, when defined, the test listener. They are named by load balancer and
   * port, target groups by name and rules by priority: all known at synth time, so the watchdog's
   * configuration and its capture do not depend on the resources they protect (no cycle when these
   * resources depend on the capture).
   */
  public get protectedListeners(): ProtectedListenerAttributes[] {
    return protectedListenersOf({
      loadBalancerArn: this.loadBalancerArn,
      port: this.port,
      blueTargetGroupName: this.blueTargetGroupName,
      greenTargetGroupName: this.greenTargetGroupName,
      rulePriorities: this.rulePriorities,
      testListenerPort: this.testListenerPort,
      activeColor: this.activeColor,
    });
  }

  /** The priorities of the production listener's rules. */
  public get rulePriorities(): number[] {
    return [...this.rulePriorityList];
  }

  /** Every resource that changes where traffic goes: what must wait for the watchdog's capture. */
  public get trafficResources(): ITerraformDependable[] {
    return [this.listener, ...this.rules, ...(this.testListener ? [this.testListener] : [])];
  }

  /** Defines a (validated) rule on the production listener. Its id is keyed by its priority. */
  private defineRule(rule: ListenerRuleOptions): LbListenerRule {
    const defined = new LbListenerRule(this, `ProductionRule${rule.priority}`, {
      listenerArn: this.listener.arn,
      priority: rule.priority,
      action: [this.weightedForward(this.ruleStickiness)],
      condition: ruleConditions(rule),
    });
    this.rules.push(defined);
    this.rulePriorityList.push(rule.priority);
    return defined;
  }

  /**
   * One attachment per extra certificate, keyed by the certificate (not its place in the list, so a
   * reordered list replaces nothing). The ids used to be positional (`ProductionListenerCertificate<n>`): a `moved`
   * block carries each attachment's state from its old address.
   */
  private attachCertificates(certificateArns: readonly string[]): void {
    const check = new PropValidator(this);
    const keys = memberKeys(this, certificateArns, (index) =>
      check.fail(
        `additionalCertificateArns[${index}]`,
        certificateArns[index],
        'must be unique: a listener holds each certificate once.',
      ),
    );
    keys.forEach((key, index) => {
      const attachment = new LbListenerCertificate(this, `ProductionListenerCertificate-${key}`, {
        listenerArn: this.listener.arn,
        certificateArn: certificateArns[index],
      });
      movedFrom(attachment, `ProductionListenerCertificate${index + 1}`);
    });
  }

  /** The drift-free hold: see ./blue-green/hold. Weights are blue's: the markers record blue's weight. */
  private defineHold(hold: RollbackHoldOptions): TrafficHold {
    const blueOf = (candidateWeight: number) =>
      this.activeColor === Color.BLUE ? 100 - candidateWeight : candidateWeight;
    return defineTrafficHold(this, {
      serviceName: this.serviceName,
      storeBucket: hold.storeBucket,
      releaseId: hold.releaseId,
      declaredBlueWeightPercent: blueOf(this.canaryWeightPercent),
      heldBlueWeightPercent: blueOf(0),
    });
  }

  private weightedForward(stickiness: StickinessOptions | undefined): LbListenerDefaultAction {
    const candidateWeight = this.canaryWeightPercent;
    const declared = {
      [Color.BLUE]: this.activeColor === Color.BLUE ? 100 - candidateWeight : candidateWeight,
      [Color.GREEN]: this.activeColor === Color.GREEN ? 100 - candidateWeight : candidateWeight,
    };
    // Under a hold, the weights the watchdog last set for this release (see ./blue-green/hold).
    const weights = this.hold
      ? { [Color.BLUE]: this.hold.blueWeightPercent, [Color.GREEN]: this.hold.greenWeightPercent }
      : declared;
    return {
      type: 'forward',
      forward: {
        targetGroup: [this.activeColor, this.candidateColor].map((color) => ({
          arn: this.targetGroupArn(color),
          weight: weights[color],
        })),
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
    const isLambda = settings.targetType === TargetType.LAMBDA;
    const health = props.healthCheck ?? {};
    return new LbTargetGroup(this, `${color === Color.BLUE ? 'Blue' : 'Green'}TargetGroup`, {
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
              port: healthCheckPort(health.port),
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
  return color === Color.BLUE ? Color.GREEN : Color.BLUE;
}

/** The health check's port as the provider takes it: a number as a string, or `traffic-port`. */
function healthCheckPort(port: number | undefined): string {
  if (port === undefined) return 'traffic-port';
  return isKnown(port) ? String(port) : Token.asString(port);
}

/** A blue-green listener defined elsewhere: its attributes, checked, in the watchdog's terms. */
class ImportedBlueGreenListener extends Construct implements IBlueGreenListener {
  public readonly serviceName: string;
  private readonly attrs: BlueGreenListenerAttributes;

  constructor(scope: Construct, id: string, attrs: BlueGreenListenerAttributes) {
    super(inOwnFramework(scope, 'BlueGreenListener', id), id);
    validateBlueGreenListenerAttributes(new PropValidator(this), attrs);
    this.serviceName = attrs.serviceName;
    this.attrs = { ...attrs, rulePriorities: [...(attrs.rulePriorities ?? [])] };
  }

  public get protectedListeners(): ProtectedListenerAttributes[] {
    return protectedListenersOf(this.attrs);
  }

  /** None: the listener's resources are defined elsewhere, so nothing here can wait for the capture. */
  public get trafficResources(): ITerraformDependable[] {
    return [];
  }
}
