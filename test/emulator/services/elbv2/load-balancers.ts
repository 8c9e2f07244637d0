import { AwsError } from '../../core/aws-error';
import { digits } from '../../core/ids';
import { Params } from '../../core/params';
import { Operation, read, write } from '../../core/service';
import { arnKind, checkArn, loadBalancerArn } from './arns';
import { validationError } from './errors';
import { getListener, getLoadBalancer, getRule, getTargetGroup, page } from './lookup';
import { ElbState, LoadBalancer, Tag } from './model';

const HOSTED_ZONES: Record<LoadBalancer['Type'], string> = {
  application: 'Z35SXDOTRQ7X7K',
  network: 'Z26RNL4JYFTOTI',
  gateway: 'Z26RNL4JYFTOTI',
};

/** AWS's rules for load balancer and target group names. */
export function checkResourceName(kind: 'Load balancer' | 'Target group', name: string): string {
  if (name.length > 32) throw validationError(`${kind} name cannot be longer than 32 characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw validationError(
      `${kind} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`,
    );
  }
  if (name.startsWith('-') || name.endsWith('-')) {
    throw validationError(`${kind} name '${name}' cannot begin or end with a hyphen`);
  }
  if (kind === 'Load balancer' && name.toLowerCase().startsWith('internal-')) {
    throw validationError(`Load balancer name '${name}' cannot begin with 'internal-'`);
  }
  return name;
}

/** Reads `Tags.member.N.{Key,Value}`, refusing repeated keys like AWS. */
export function readTags(p: Params): Tag[] {
  const tags = (p.list('Tags') ?? []).map((t) => ({ Key: t.reqStr('Key'), Value: t.str('Value') }));
  const keys = tags.map((t) => t.Key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined)
    throw new AwsError('DuplicateTagKeys', `Tag key was specified more than once: ${dup}`);
  return tags;
}

function mergeTags(state: ElbState, arn: string, tags: Tag[]): void {
  const merged = new Map((state.tags.get(arn) ?? []).map((t) => [t.Key, t]));
  for (const t of tags) merged.set(t.Key, t);
  if (merged.size > 50) {
    throw new AwsError(
      'TooManyTags',
      'The quota for the number of tags that can be assigned to a resource has been reached',
    );
  }
  state.tags.set(arn, [...merged.values()]);
}

/** Throws the right NotFound for an ARN of any ELBv2 kind. */
function requireResource(state: ElbState, arn: string): void {
  const kind = arnKind(arn);
  if (kind === 'loadBalancer') getLoadBalancer(state, arn);
  else if (kind === 'targetGroup') getTargetGroup(state, arn);
  else if (kind === 'listener') getListener(state, arn);
  else if (kind === 'rule') getRule(state, arn);
  else throw validationError(`'${arn}' is not a valid resource ARN`);
}

export const loadBalancerOperations: Record<string, Operation<ElbState>> = {
  CreateLoadBalancer: write((state, { params: p, region, runtime }) => {
    const name = checkResourceName('Load balancer', p.reqStr('Name'));
    const type = p.enumStr('Type', ['application', 'network', 'gateway'] as const) ?? 'application';
    const scheme = p.enumStr('Scheme', ['internet-facing', 'internal'] as const) ?? 'internet-facing';
    const ipAddressType = p.enumStr('IpAddressType', [
      'ipv4',
      'dualstack',
      'dualstack-without-public-ipv4',
    ] as const);
    const subnets = p.strList('Subnets') ?? (p.list('SubnetMappings') ?? []).map((m) => m.reqStr('SubnetId'));
    const tags = readTags(p);
    const existing = [...state.loadBalancers.values()].find((lb) => lb.LoadBalancerName === name);
    if (existing) {
      if (existing.Type !== type || existing.Scheme !== scheme) {
        throw new AwsError('DuplicateLoadBalancerName', 'A load balancer with the same name already exists');
      }
      return { LoadBalancers: [structuredClone(existing)] };
    }
    const arn = loadBalancerArn(region, type, name);
    const lb: LoadBalancer = {
      LoadBalancerArn: arn,
      DNSName: `${scheme === 'internal' ? 'internal-' : ''}${name}-${digits(10)}.${region}.elb.amazonaws.com`,
      CanonicalHostedZoneId: HOSTED_ZONES[type],
      CreatedTime: new Date(runtime.now()),
      LoadBalancerName: name,
      Scheme: scheme,
      VpcId: 'vpc-0123456789abcdef0',
      State: { Code: 'active' },
      Type: type,
      AvailabilityZones: subnets.map((SubnetId, i) => ({
        SubnetId,
        ZoneName: `${region}${'abcdef'[i % 6]}`,
      })),
      SecurityGroups: type === 'application' ? (p.strList('SecurityGroups') ?? []) : [],
      IpAddressType: ipAddressType ?? 'ipv4',
    };
    state.loadBalancers.set(arn, lb);
    if (tags.length > 0) mergeTags(state, arn, tags);
    return { LoadBalancers: [structuredClone(lb)] };
  }),

  DescribeLoadBalancers: read((state, { params: p }) => {
    const arns = p.strList('LoadBalancerArns');
    const names = p.strList('Names');
    let lbs = [...state.loadBalancers.values()];
    if (arns && arns.length > 0) lbs = arns.map((arn) => getLoadBalancer(state, arn));
    if (names && names.length > 0) {
      const missing = names.filter((n) => !lbs.some((lb) => lb.LoadBalancerName === n));
      if (missing.length > 0) {
        throw new AwsError('LoadBalancerNotFound', `Load balancers '[${missing.join(', ')}]' not found`);
      }
      lbs = lbs.filter((lb) => names.includes(lb.LoadBalancerName));
    }
    const { page: items, next } = page(p, lbs);
    return { LoadBalancers: structuredClone(items), NextMarker: next };
  }),

  DeleteLoadBalancer: write((state, { params: p }) => {
    const arn = checkArn('loadBalancer', p.reqStr('LoadBalancerArn'));
    if (!state.loadBalancers.has(arn)) return {}; // AWS: deleting a deleted load balancer succeeds
    for (const listener of [...state.listeners.values()].filter((l) => l.LoadBalancerArn === arn)) {
      for (const rule of [...state.rules.values()].filter((r) => r.ListenerArn === listener.ListenerArn)) {
        state.rules.delete(rule.RuleArn);
        state.tags.delete(rule.RuleArn);
      }
      state.listeners.delete(listener.ListenerArn);
      state.tags.delete(listener.ListenerArn);
    }
    state.loadBalancers.delete(arn);
    state.tags.delete(arn);
    return {};
  }),

  AddTags: write((state, { params: p }) => {
    const arns = p.strList('ResourceArns') ?? [];
    if (arns.length === 0) throw p.errors.missing('resourceArns');
    const tags = readTags(p);
    if (tags.length === 0) throw p.errors.missing('tags');
    for (const arn of arns) requireResource(state, arn);
    for (const arn of arns) mergeTags(state, arn, tags);
    return {};
  }),

  RemoveTags: write((state, { params: p }) => {
    const arns = p.strList('ResourceArns') ?? [];
    const keys = p.strList('TagKeys') ?? [];
    if (arns.length === 0) throw p.errors.missing('resourceArns');
    for (const arn of arns) requireResource(state, arn);
    for (const arn of arns)
      state.tags.set(
        arn,
        (state.tags.get(arn) ?? []).filter((t) => !keys.includes(t.Key)),
      );
    return {};
  }),

  DescribeTags: read((state, { params: p }) => {
    const arns = p.strList('ResourceArns') ?? [];
    if (arns.length === 0) throw p.errors.missing('resourceArns');
    if (arns.length > 20) throw validationError('You can specify up to 20 resource ARNs');
    for (const arn of arns) requireResource(state, arn);
    return {
      TagDescriptions: arns.map((arn) => ({
        ResourceArn: arn,
        Tags: structuredClone(state.tags.get(arn) ?? []),
      })),
    };
  }),
};
