import { AwsError, constraintMessage } from '../../core/aws-error';
import { Params } from '../../core/params';
import { paginate } from '../../core/service';
import { checkArn, defaultRuleArn } from './arns';
import { notFound, validationError } from './errors';
import { ElbState, Listener, LoadBalancer, Rule, TargetGroup } from './model';

export function getLoadBalancer(state: ElbState, arn: string): LoadBalancer {
  const lb = state.loadBalancers.get(checkArn('loadBalancer', arn));
  if (!lb) throw notFound.loadBalancer();
  return lb;
}

export function getTargetGroup(state: ElbState, arn: string): TargetGroup {
  const tg = state.targetGroups.get(checkArn('targetGroup', arn));
  if (!tg) throw notFound.targetGroups();
  return tg;
}

export function getListener(state: ElbState, arn: string): Listener {
  const listener = state.listeners.get(checkArn('listener', arn));
  if (!listener) throw notFound.listener();
  return listener;
}

/** A rule, or the listener whose default rule `arn` names. */
export function getRule(state: ElbState, arn: string): { rule: Rule } | { defaultOf: Listener } {
  const rule = state.rules.get(checkArn('rule', arn));
  if (rule) return { rule };
  const listener = [...state.listeners.values()].find((l) => defaultRuleArn(l.ListenerArn) === arn);
  if (listener) return { defaultOf: listener };
  throw notFound.rule();
}

/** Load balancers whose listeners or rules forward to the target group. */
export function loadBalancersUsing(state: ElbState, tgArn: string): string[] {
  const lbs = new Set<string>();
  const forwardsTo = (actions: Listener['DefaultActions']): boolean =>
    actions.some((a) => a.ForwardConfig?.TargetGroups.some((g) => g.TargetGroupArn === tgArn));
  for (const listener of state.listeners.values()) {
    if (forwardsTo(listener.DefaultActions)) lbs.add(listener.LoadBalancerArn);
  }
  for (const rule of state.rules.values()) {
    const listener = state.listeners.get(rule.ListenerArn);
    if (listener && forwardsTo(rule.Actions)) lbs.add(listener.LoadBalancerArn);
  }
  return [...lbs];
}

/** The wire shape of a rule, default rule included. */
export function ruleOutput(rule: Rule): Record<string, unknown> {
  return {
    RuleArn: rule.RuleArn,
    Priority: rule.Priority,
    Conditions: structuredClone(rule.Conditions),
    Actions: structuredClone(rule.Actions),
    IsDefault: false,
  };
}

export function defaultRuleOutput(listener: Listener): Record<string, unknown> {
  return {
    RuleArn: defaultRuleArn(listener.ListenerArn),
    Priority: 'default',
    Conditions: [],
    Actions: structuredClone(listener.DefaultActions),
    IsDefault: true,
  };
}

/** The wire shape of a target group (targets dropped, LoadBalancerArns derived). */
export function targetGroupOutput(state: ElbState, tg: TargetGroup): Record<string, unknown> {
  const out: Partial<TargetGroup> = structuredClone(tg);
  delete out.targets;
  return { ...out, LoadBalancerArns: loadBalancersUsing(state, tg.TargetGroupArn) };
}

/** Marker/PageSize paging as ELBv2 Describe* does it (PageSize 1-400). */
export function page<T>(p: Params, items: readonly T[]): { page: T[]; next: string | undefined } {
  const size = p.int('PageSize');
  if (size !== undefined && (size < 1 || size > 400)) {
    throw validationError(
      constraintMessage(String(size), 'pageSize', 'Member must have value between 1 and 400'),
    );
  }
  return paginate(
    items,
    p.str('Marker'),
    size ?? 400,
    () => new AwsError('ValidationError', 'Invalid Marker'),
  );
}
