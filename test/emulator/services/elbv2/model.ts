/** A load balancer, kept in the shape DescribeLoadBalancers returns. */
export interface LoadBalancer {
  LoadBalancerArn: string;
  DNSName: string;
  CanonicalHostedZoneId: string;
  CreatedTime: Date;
  LoadBalancerName: string;
  Scheme: 'internet-facing' | 'internal';
  VpcId: string;
  State: { Code: 'active' | 'provisioning' | 'failed' };
  Type: 'application' | 'network' | 'gateway';
  AvailabilityZones: Array<{ ZoneName: string; SubnetId: string }>;
  SecurityGroups: string[];
  IpAddressType: string;
}

/** One target in a weighted forward action. */
export interface WeightedTargetGroup {
  TargetGroupArn: string;
  Weight: number;
}

/** A listener or rule action, kept in the normalized shape AWS echoes back. */
export interface ElbAction {
  Type: string;
  Order?: number;
  TargetGroupArn?: string;
  ForwardConfig?: {
    TargetGroups: WeightedTargetGroup[];
    TargetGroupStickinessConfig: { Enabled: boolean; DurationSeconds?: number };
  };
  RedirectConfig?: {
    Protocol: string;
    Port: string;
    Host: string;
    Path: string;
    Query: string;
    StatusCode: string;
  };
  FixedResponseConfig?: { StatusCode: string; ContentType?: string; MessageBody?: string };
  AuthenticateOidcConfig?: Record<string, unknown>;
  AuthenticateCognitoConfig?: Record<string, unknown>;
}

/** A listener rule condition, normalized (Values mirrored into the typed config). */
export interface RuleCondition {
  Field: string;
  Values?: string[];
  HostHeaderConfig?: { Values: string[] };
  PathPatternConfig?: { Values: string[] };
  HttpHeaderConfig?: { HttpHeaderName: string; Values: string[] };
  QueryStringConfig?: { Values: Array<{ Key?: string; Value: string }> };
  HttpRequestMethodConfig?: { Values: string[] };
  SourceIpConfig?: { Values: string[] };
}

export interface Listener {
  ListenerArn: string;
  LoadBalancerArn: string;
  Port?: number;
  Protocol?: string;
  Certificates?: Array<{ CertificateArn: string }>;
  SslPolicy?: string;
  DefaultActions: ElbAction[];
  AlpnPolicy?: string[];
}

/** A non-default rule. The default rule of each listener is derived from its default actions. */
export interface Rule {
  RuleArn: string;
  ListenerArn: string;
  Priority: string;
  Conditions: RuleCondition[];
  Actions: ElbAction[];
}

/** Target health states DescribeTargetHealth reports. */
export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface RegisteredTarget {
  Id: string;
  Port?: number;
  AvailabilityZone?: string;
  State: TargetHealthState;
  Reason?: string;
  Description?: string;
}

/** A target group, kept in the shape DescribeTargetGroups returns (LoadBalancerArns derived). */
export interface TargetGroup {
  TargetGroupArn: string;
  TargetGroupName: string;
  Protocol?: string;
  ProtocolVersion?: string;
  Port?: number;
  VpcId?: string;
  HealthCheckProtocol?: string;
  HealthCheckPort?: string;
  HealthCheckEnabled: boolean;
  HealthCheckIntervalSeconds: number;
  HealthCheckTimeoutSeconds: number;
  HealthyThresholdCount: number;
  UnhealthyThresholdCount: number;
  HealthCheckPath?: string;
  Matcher?: { HttpCode?: string; GrpcCode?: string };
  TargetType: 'instance' | 'ip' | 'lambda' | 'alb';
  IpAddressType?: string;
  targets: RegisteredTarget[];
}

export interface Tag {
  Key: string;
  Value?: string;
}

/** Everything ELBv2 remembers. Maps keep creation order, which Describe* follows. */
export interface ElbState {
  loadBalancers: Map<string, LoadBalancer>;
  targetGroups: Map<string, TargetGroup>;
  listeners: Map<string, Listener>;
  rules: Map<string, Rule>;
  tags: Map<string, Tag[]>;
}

export function createElbState(): ElbState {
  return {
    loadBalancers: new Map(),
    targetGroups: new Map(),
    listeners: new Map(),
    rules: new Map(),
    tags: new Map(),
  };
}
