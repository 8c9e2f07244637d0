import { AwsError, constraintMessage } from '../../core/aws-error';
import { Params } from '../../core/params';
import { Operation, read, write } from '../../core/service';
import { readActions, readConditions } from './actions';
import { listenerArn, ruleArn } from './arns';
import { validationError } from './errors';
import { readTags } from './load-balancers';
import { defaultRuleOutput, getListener, getLoadBalancer, getRule, page, ruleOutput } from './lookup';
import { ElbState, Listener, LoadBalancer, Rule } from './model';

const PROTOCOLS_BY_TYPE: Record<LoadBalancer['Type'], readonly string[]> = {
  application: ['HTTP', 'HTTPS'],
  network: ['TCP', 'TLS', 'UDP', 'TCP_UDP'],
  gateway: ['GENEVE'],
};
const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';
const MAX_RULES_PER_LISTENER = 100;

/**
 * Applies listener fields from `p` over `base` (ModifyListener) or a blank listener
 * (CreateListener): unspecified fields stay, given lists replace the old ones whole.
 */
function configure(state: ElbState, p: Params, lb: LoadBalancer, base: Listener | undefined): Listener {
  const next: Listener = base
    ? structuredClone(base)
    : {
        ListenerArn: listenerArn(lb.LoadBalancerArn),
        LoadBalancerArn: lb.LoadBalancerArn,
        DefaultActions: [],
      };
  const protocol = p.enumStr('Protocol', [
    'HTTP',
    'HTTPS',
    'TCP',
    'TLS',
    'UDP',
    'TCP_UDP',
    'GENEVE',
  ] as const);
  if (protocol !== undefined) {
    if (!PROTOCOLS_BY_TYPE[lb.Type].includes(protocol)) {
      throw new AwsError(
        'UnsupportedProtocol',
        `Protocol '${protocol}' is not supported by load balancers of type '${lb.Type}'`,
      );
    }
    next.Protocol = protocol;
  }
  const port = p.int('Port');
  if (port !== undefined) {
    if (port < 1 || port > 65535) {
      throw validationError(
        constraintMessage(String(port), 'port', 'Member must have value between 1 and 65535'),
      );
    }
    next.Port = port;
  }
  if (!base && lb.Type !== 'gateway') {
    if (next.Protocol === undefined) throw validationError('A listener protocol must be specified');
    if (next.Port === undefined) throw validationError('A listener port must be specified');
  }
  const certificates = p.list('Certificates');
  if (certificates !== undefined) {
    next.Certificates = certificates.map((c) => {
      const arn = c.reqStr('CertificateArn');
      if (!/^arn:aws[a-z-]*:(acm|iam):/.test(arn))
        throw new AwsError('CertificateNotFound', `Certificate '${arn}' not found`);
      return { CertificateArn: arn };
    });
  }
  const sslPolicy = p.str('SslPolicy');
  if (sslPolicy !== undefined) {
    if (!sslPolicy.startsWith('ELBSecurityPolicy-'))
      throw new AwsError('SSLPolicyNotFound', `Policy '${sslPolicy}' not found`);
    next.SslPolicy = sslPolicy;
  }
  const alpn = p.strList('AlpnPolicy');
  if (alpn !== undefined) next.AlpnPolicy = alpn;
  const actions = p.list('DefaultActions');
  if (actions !== undefined) next.DefaultActions = readActions(actions, state);
  else if (!base) throw p.errors.missing('defaultActions');
  if (next.Protocol === 'HTTPS' || next.Protocol === 'TLS') {
    if (next.Certificates?.length !== 1) {
      throw new AwsError(
        'InvalidConfigurationRequest',
        `You must provide a list containing exactly one certificate if the listener protocol is ${next.Protocol}.`,
      );
    }
    next.SslPolicy ??= DEFAULT_SSL_POLICY;
  } else {
    delete next.Certificates;
    delete next.SslPolicy;
  }
  const clash = [...state.listeners.values()].find(
    (l) =>
      l.LoadBalancerArn === lb.LoadBalancerArn && l.Port === next.Port && l.ListenerArn !== next.ListenerArn,
  );
  if (clash)
    throw new AwsError('DuplicateListener', 'A listener already exists on this port for this load balancer');
  return next;
}

function checkPriority(p: Params, name: string): number {
  const priority = p.reqInt(name);
  if (priority < 1 || priority > 50000) {
    throw validationError(
      constraintMessage(String(priority), p.path(name), 'Member must have value between 1 and 50000'),
    );
  }
  return priority;
}

function priorityInUse(state: ElbState, listenerArnValue: string, priority: number, except?: string): void {
  const taken = [...state.rules.values()].some(
    (r) => r.ListenerArn === listenerArnValue && r.Priority === String(priority) && r.RuleArn !== except,
  );
  if (taken) throw new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`);
}

function byPriority(a: Rule, b: Rule): number {
  return Number(a.Priority) - Number(b.Priority);
}

export const listenerOperations: Record<string, Operation<ElbState>> = {
  CreateListener: write((state, { params: p }) => {
    const lb = getLoadBalancer(state, p.reqStr('LoadBalancerArn'));
    const listener = configure(state, p, lb, undefined);
    const tags = readTags(p);
    state.listeners.set(listener.ListenerArn, listener);
    if (tags.length > 0) state.tags.set(listener.ListenerArn, tags);
    return { Listeners: [structuredClone(listener)] };
  }),

  DescribeListeners: read((state, { params: p }) => {
    const lbArn = p.str('LoadBalancerArn');
    const arns = p.strList('ListenerArns');
    let listeners: Listener[];
    if (arns && arns.length > 0) {
      if (lbArn !== undefined)
        throw validationError('Listener ARNs and a load balancer ARN cannot be specified at the same time');
      listeners = arns.map((arn) => getListener(state, arn));
    } else if (lbArn !== undefined) {
      getLoadBalancer(state, lbArn);
      listeners = [...state.listeners.values()].filter((l) => l.LoadBalancerArn === lbArn);
    } else {
      throw validationError('You must specify either listener ARNs or a load balancer ARN');
    }
    const { page: items, next } = page(p, listeners);
    return { Listeners: structuredClone(items), NextMarker: next };
  }),

  ModifyListener: write((state, { params: p }) => {
    const current = getListener(state, p.reqStr('ListenerArn'));
    const lb = getLoadBalancer(state, current.LoadBalancerArn);
    const next = configure(state, p, lb, current);
    state.listeners.set(next.ListenerArn, next);
    return { Listeners: [structuredClone(next)] };
  }),

  DeleteListener: write((state, { params: p }) => {
    const listener = getListener(state, p.reqStr('ListenerArn'));
    for (const rule of [...state.rules.values()].filter((r) => r.ListenerArn === listener.ListenerArn)) {
      state.rules.delete(rule.RuleArn);
      state.tags.delete(rule.RuleArn);
    }
    state.listeners.delete(listener.ListenerArn);
    state.tags.delete(listener.ListenerArn);
    return {};
  }),

  CreateRule: write((state, { params: p }) => {
    const listener = getListener(state, p.reqStr('ListenerArn'));
    const priority = checkPriority(p, 'Priority');
    const conditions = readConditions(p.reqList('Conditions'));
    const actions = readActions(p.reqList('Actions'), state);
    const tags = readTags(p);
    priorityInUse(state, listener.ListenerArn, priority);
    if (
      [...state.rules.values()].filter((r) => r.ListenerArn === listener.ListenerArn).length >=
      MAX_RULES_PER_LISTENER
    ) {
      throw new AwsError('TooManyRules', "You've reached the limit on the number of rules per listener");
    }
    const rule: Rule = {
      RuleArn: ruleArn(listener.ListenerArn),
      ListenerArn: listener.ListenerArn,
      Priority: String(priority),
      Conditions: conditions,
      Actions: actions,
    };
    state.rules.set(rule.RuleArn, rule);
    if (tags.length > 0) state.tags.set(rule.RuleArn, tags);
    return { Rules: [ruleOutput(rule)] };
  }),

  DescribeRules: read((state, { params: p }) => {
    const listenerArnValue = p.str('ListenerArn');
    const arns = p.strList('RuleArns');
    let rules: Array<Record<string, unknown>>;
    if (arns && arns.length > 0) {
      if (listenerArnValue !== undefined)
        throw validationError('Listener ARN and rule ARNs cannot be specified at the same time');
      rules = arns.map((arn) => {
        const found = getRule(state, arn);
        return 'rule' in found ? ruleOutput(found.rule) : defaultRuleOutput(found.defaultOf);
      });
    } else if (listenerArnValue !== undefined) {
      const listener = getListener(state, listenerArnValue);
      const own = [...state.rules.values()]
        .filter((r) => r.ListenerArn === listener.ListenerArn)
        .sort(byPriority);
      rules = [...own.map(ruleOutput), defaultRuleOutput(listener)];
    } else {
      throw validationError('You must specify either listener rule ARNs or a listener ARN');
    }
    const { page: items, next } = page(p, rules);
    return { Rules: items, NextMarker: next };
  }),

  ModifyRule: write((state, { params: p }) => {
    const found = getRule(state, p.reqStr('RuleArn'));
    const conditions = p.list('Conditions');
    const actions = p.list('Actions');
    if (conditions === undefined && actions === undefined) {
      throw validationError('Either conditions or actions must be specified');
    }
    if ('defaultOf' in found) {
      if (conditions !== undefined && conditions.length > 0) {
        throw new AwsError('OperationNotPermitted', 'Conditions cannot be specified for a default rule');
      }
      const listener = found.defaultOf;
      if (actions !== undefined) listener.DefaultActions = readActions(actions, state);
      return { Rules: [defaultRuleOutput(listener)] };
    }
    const next = structuredClone(found.rule);
    if (conditions !== undefined) next.Conditions = readConditions(conditions);
    if (actions !== undefined) next.Actions = readActions(actions, state);
    state.rules.set(next.RuleArn, next);
    return { Rules: [ruleOutput(next)] };
  }),

  DeleteRule: write((state, { params: p }) => {
    const arn = p.reqStr('RuleArn');
    const found = getRule(state, arn);
    if ('defaultOf' in found)
      throw new AwsError('OperationNotPermitted', `Default rule '${arn}' cannot be deleted`);
    state.rules.delete(arn);
    state.tags.delete(arn);
    return {};
  }),

  SetRulePriorities: write((state, { params: p }) => {
    const changes = p.reqList('RulePriorities').map((rp) => {
      const found = getRule(state, rp.reqStr('RuleArn'));
      if ('defaultOf' in found)
        throw new AwsError('OperationNotPermitted', 'The priority of a default rule cannot be changed');
      return { rule: found.rule, priority: checkPriority(rp, 'Priority') };
    });
    const wanted = changes.map((c) => `${c.rule.ListenerArn}#${c.priority}`);
    const dup = wanted.find((w, i) => wanted.indexOf(w) !== i);
    if (dup) throw validationError(`Priority '${dup.split('#')[1]}' was provided multiple times`);
    const moving = new Set(changes.map((c) => c.rule.RuleArn));
    for (const c of changes) {
      const taken = [...state.rules.values()].some(
        (r) =>
          !moving.has(r.RuleArn) && r.ListenerArn === c.rule.ListenerArn && r.Priority === String(c.priority),
      );
      if (taken) throw new AwsError('PriorityInUse', `Priority '${c.priority}' is currently in use`);
    }
    for (const c of changes) state.rules.set(c.rule.RuleArn, { ...c.rule, Priority: String(c.priority) });
    return { Rules: changes.map((c) => ruleOutput({ ...c.rule, Priority: String(c.priority) })) };
  }),
};
