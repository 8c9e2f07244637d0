import { AwsError, constraintMessage } from '../../core/aws-error';
import { Params } from '../../core/params';
import { Operation, read, write } from '../../core/service';
import { targetGroupArn } from './arns';
import { validationError } from './errors';
import { checkResourceName, readTags } from './load-balancers';
import { getLoadBalancer, getTargetGroup, loadBalancersUsing, page, targetGroupOutput } from './lookup';
import { ElbState, RegisteredTarget, TargetGroup, TargetHealthState } from './model';

const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE'] as const;

/** The reason and description AWS gives with each health state. */
export const HEALTH_REASONS: Record<TargetHealthState, { Reason?: string; Description?: string }> = {
  healthy: {},
  initial: { Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' },
  unhealthy: { Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' },
  draining: {
    Reason: 'Target.DeregistrationInProgress',
    Description: 'Target deregistration is in progress',
  },
  unavailable: {
    Reason: 'Target.HealthCheckDisabled',
    Description: 'Health checks are disabled for the target group',
  },
  unused: {
    Reason: 'Target.NotInUse',
    Description: 'Target group is not configured to receive traffic from the load balancer',
  },
};

function checkPort(p: Params, name: string): number | undefined {
  const port = p.int(name);
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw validationError(
      constraintMessage(String(port), p.path(name), 'Member must have value between 1 and 65535'),
    );
  }
  return port;
}

function readTargetGroup(p: Params, arn: string): TargetGroup {
  const name = checkResourceName('Target group', p.reqStr('Name'));
  const targetType = p.enumStr('TargetType', ['instance', 'ip', 'lambda', 'alb'] as const) ?? 'instance';
  const protocol = p.enumStr('Protocol', PROTOCOLS);
  const port = checkPort(p, 'Port');
  const vpcId = p.str('VpcId');
  const lambda = targetType === 'lambda';
  if (lambda && (protocol !== undefined || port !== undefined)) {
    throw validationError('A protocol and port cannot be specified for a target group of type lambda');
  }
  if (!lambda) {
    if (protocol === undefined) throw validationError('A protocol must be specified');
    if (port === undefined) throw validationError('A port must be specified');
    if (vpcId === undefined) throw validationError('A VPC ID must be specified');
  }
  const http = protocol === 'HTTP' || protocol === 'HTTPS' || lambda;
  const healthProtocol =
    p.enumStr('HealthCheckProtocol', ['HTTP', 'HTTPS', 'TCP'] as const) ??
    (lambda ? undefined : http ? protocol : 'TCP');
  const matcher = p.obj('Matcher');
  return {
    TargetGroupArn: arn,
    TargetGroupName: name,
    Protocol: protocol,
    ProtocolVersion:
      protocol === 'HTTP' || protocol === 'HTTPS' ? (p.str('ProtocolVersion') ?? 'HTTP1') : undefined,
    Port: port,
    VpcId: vpcId,
    HealthCheckProtocol: healthProtocol,
    HealthCheckPort: lambda ? undefined : (p.str('HealthCheckPort') ?? 'traffic-port'),
    HealthCheckEnabled: p.bool('HealthCheckEnabled') ?? !lambda,
    HealthCheckIntervalSeconds: p.int('HealthCheckIntervalSeconds') ?? (lambda ? 35 : 30),
    HealthCheckTimeoutSeconds: p.int('HealthCheckTimeoutSeconds') ?? (lambda ? 30 : http ? 5 : 10),
    HealthyThresholdCount: p.int('HealthyThresholdCount') ?? 5,
    UnhealthyThresholdCount: p.int('UnhealthyThresholdCount') ?? 2,
    HealthCheckPath: http ? (p.str('HealthCheckPath') ?? '/') : undefined,
    Matcher: http ? { HttpCode: matcher?.str('HttpCode') ?? '200' } : undefined,
    TargetType: targetType,
    IpAddressType: lambda ? undefined : (p.str('IpAddressType') ?? 'ipv4'),
    targets: [],
  };
}

function readTargets(
  p: Params,
  tg: TargetGroup,
): Array<{ Id: string; Port?: number; AvailabilityZone?: string }> {
  const targets = p.reqList('Targets');
  if (targets.length === 0) throw validationError('You must specify at least one target');
  return targets.map((t) => {
    const id = t.reqStr('Id');
    const valid =
      tg.TargetType === 'instance'
        ? /^i-[0-9a-f]{8,17}$/.test(id)
        : tg.TargetType === 'ip'
          ? /^(\d{1,3}\.){3}\d{1,3}$|:/.test(id)
          : tg.TargetType === 'lambda'
            ? /^arn:aws[a-z-]*:lambda:/.test(id)
            : /^arn:aws[a-z-]*:elasticloadbalancing:/.test(id);
    if (!valid) {
      throw new AwsError(
        'InvalidTarget',
        `The following targets are not valid for target group type '${tg.TargetType}': ${id}`,
      );
    }
    return {
      Id: id,
      Port: checkPort(t, 'Port') ?? (tg.TargetType === 'lambda' ? undefined : tg.Port),
      AvailabilityZone: t.str('AvailabilityZone'),
    };
  });
}

/** The health DescribeTargetHealth reports: `unused` while no load balancer sends traffic to the group. */
export function reportedHealth(
  state: ElbState,
  tg: TargetGroup,
  target: RegisteredTarget,
): Record<string, unknown> {
  const inUse = loadBalancersUsing(state, tg.TargetGroupArn).length > 0;
  const health = inUse
    ? { State: target.State, Reason: target.Reason, Description: target.Description }
    : { State: 'unused', ...HEALTH_REASONS.unused };
  return {
    Target: { Id: target.Id, Port: target.Port, AvailabilityZone: target.AvailabilityZone },
    HealthCheckPort:
      tg.TargetType === 'lambda'
        ? undefined
        : tg.HealthCheckPort === 'traffic-port'
          ? String(target.Port)
          : tg.HealthCheckPort,
    TargetHealth: health,
  };
}

export const targetGroupOperations: Record<string, Operation<ElbState>> = {
  CreateTargetGroup: write((state, { params: p, region }) => {
    const tg = readTargetGroup(p, targetGroupArn(region, p.reqStr('Name')));
    const tags = readTags(p);
    const existing = [...state.targetGroups.values()].find((t) => t.TargetGroupName === tg.TargetGroupName);
    if (existing) {
      const same =
        existing.Protocol === tg.Protocol &&
        existing.Port === tg.Port &&
        existing.VpcId === tg.VpcId &&
        existing.TargetType === tg.TargetType;
      if (!same)
        throw new AwsError(
          'DuplicateTargetGroupName',
          'A target group with the same name exists, but with different settings',
        );
      return { TargetGroups: [targetGroupOutput(state, existing)] };
    }
    state.targetGroups.set(tg.TargetGroupArn, tg);
    if (tags.length > 0) state.tags.set(tg.TargetGroupArn, tags);
    return { TargetGroups: [targetGroupOutput(state, tg)] };
  }),

  DescribeTargetGroups: read((state, { params: p }) => {
    let groups = [...state.targetGroups.values()];
    const lbArn = p.str('LoadBalancerArn');
    if (lbArn !== undefined) {
      getLoadBalancer(state, lbArn);
      groups = groups.filter((tg) => loadBalancersUsing(state, tg.TargetGroupArn).includes(lbArn));
    }
    const arns = p.strList('TargetGroupArns');
    if (arns && arns.length > 0) groups = arns.map((arn) => getTargetGroup(state, arn));
    const names = p.strList('Names');
    if (names && names.length > 0) {
      const missing = names.filter((n) => !groups.some((tg) => tg.TargetGroupName === n));
      if (missing.length > 0)
        throw new AwsError('TargetGroupNotFound', `Target groups '[${missing.join(', ')}]' not found`);
      groups = groups.filter((tg) => names.includes(tg.TargetGroupName));
    }
    const { page: items, next } = page(p, groups);
    return { TargetGroups: items.map((tg) => targetGroupOutput(state, tg)), NextMarker: next };
  }),

  DeleteTargetGroup: write((state, { params: p }) => {
    const arn = getTargetGroup(state, p.reqStr('TargetGroupArn')).TargetGroupArn;
    if (loadBalancersUsing(state, arn).length > 0) {
      throw new AwsError(
        'ResourceInUse',
        `Target group '${arn}' is currently in use by a listener or a rule`,
      );
    }
    state.targetGroups.delete(arn);
    state.tags.delete(arn);
    return {};
  }),

  RegisterTargets: write((state, { params: p }) => {
    const tg = getTargetGroup(state, p.reqStr('TargetGroupArn'));
    for (const t of readTargets(p, tg)) {
      const known = tg.targets.find((r) => r.Id === t.Id && r.Port === t.Port);
      if (!known) tg.targets.push({ ...t, State: 'healthy' });
    }
    return {};
  }),

  DeregisterTargets: write((state, { params: p }) => {
    const tg = getTargetGroup(state, p.reqStr('TargetGroupArn'));
    const wanted = readTargets(p, tg);
    for (const t of wanted) {
      if (!tg.targets.some((r) => r.Id === t.Id && (t.Port === undefined || r.Port === t.Port))) {
        throw new AwsError(
          'InvalidTarget',
          `The target '${t.Id}' is not registered in target group '${tg.TargetGroupArn}'`,
        );
      }
    }
    tg.targets = tg.targets.filter(
      (r) => !wanted.some((t) => t.Id === r.Id && (t.Port === undefined || t.Port === r.Port)),
    );
    return {};
  }),

  DescribeTargetHealth: read((state, { params: p }) => {
    const tg = getTargetGroup(state, p.reqStr('TargetGroupArn'));
    const asked = p.list('Targets');
    if (!asked || asked.length === 0) {
      return { TargetHealthDescriptions: tg.targets.map((t) => reportedHealth(state, tg, t)) };
    }
    return {
      TargetHealthDescriptions: asked.map((a) => {
        const id = a.reqStr('Id');
        const port = a.int('Port');
        const target = tg.targets.find((t) => t.Id === id && (port === undefined || t.Port === port));
        if (target) return reportedHealth(state, tg, target);
        return {
          Target: { Id: id, Port: port },
          TargetHealth: {
            State: 'unused',
            Reason: 'Target.NotRegistered',
            Description: 'Target is not registered to the target group',
          },
        };
      }),
    };
  }),
};
