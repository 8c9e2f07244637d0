import { defaultRuleArn } from './arns';
import { ElbAction, ElbState, RuleCondition } from './model';

/** A simulated HTTP request reaching a listener. */
export interface SimulatedRequest {
  /** @default '/' */
  readonly path?: string;
  readonly host?: string;
  /** @default 'GET' */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly sourceIp?: string;
}

/** Where the listener sends a simulated request. */
export interface RouteDecision {
  /** The matching rule (the default rule's ARN when no other matched). */
  readonly ruleArn: string;
  readonly priority: string;
  /** The terminal action (forward, redirect or fixed-response). */
  readonly action: ElbAction;
  /** For forward actions: the target group picked by weight; undefined when every weight is 0. */
  readonly targetGroupArn?: string;
}

function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '').test(value);
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(base);
  const n = Number(bits ?? 32);
  if (a === undefined || b === undefined) return false;
  const size = 2 ** (32 - n);
  return Math.floor(a / size) === Math.floor(b / size);
}

function conditionMatches(c: RuleCondition, req: SimulatedRequest): boolean {
  const path = req.path ?? '/';
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const host = req.host ?? headers.host ?? '';
  if (c.HostHeaderConfig) return c.HostHeaderConfig.Values.some((v) => wildcard(v, host, true));
  if (c.PathPatternConfig) return c.PathPatternConfig.Values.some((v) => wildcard(v, path, false));
  if (c.HttpRequestMethodConfig) return c.HttpRequestMethodConfig.Values.includes(req.method ?? 'GET');
  if (c.SourceIpConfig)
    return (
      req.sourceIp !== undefined && c.SourceIpConfig.Values.some((v) => inCidr(req.sourceIp as string, v))
    );
  if (c.HttpHeaderConfig) {
    const value = headers[c.HttpHeaderConfig.HttpHeaderName.toLowerCase()];
    return value !== undefined && c.HttpHeaderConfig.Values.some((v) => wildcard(v, value, true));
  }
  if (c.QueryStringConfig) {
    const query = Object.entries(req.query ?? {});
    return c.QueryStringConfig.Values.some((kv) =>
      query.some(
        ([k, v]) => (kv.Key === undefined || wildcard(kv.Key, k, true)) && wildcard(kv.Value, v, true),
      ),
    );
  }
  return false;
}

function terminal(actions: readonly ElbAction[]): ElbAction {
  return actions[actions.length - 1];
}

function pick(action: ElbAction, random: () => number): string | undefined {
  const groups = action.ForwardConfig?.TargetGroups ?? [];
  const total = groups.reduce((sum, g) => sum + g.Weight, 0);
  if (total === 0) return undefined;
  let r = random() * total;
  for (const g of groups) {
    if (r < g.Weight) return g.TargetGroupArn;
    r -= g.Weight;
  }
  return groups.filter((g) => g.Weight > 0).at(-1)?.TargetGroupArn;
}

/**
 * Routes a simulated request through a listener's live rules, like the load balancer's data
 * plane: rules by priority, first match wins, else the default actions; weighted forwards pick a
 * target group with `random`.
 */
export function routeRequest(
  state: ElbState,
  listenerArn: string,
  req: SimulatedRequest,
  random: () => number = Math.random,
): RouteDecision {
  const listener = state.listeners.get(listenerArn);
  if (!listener) throw new Error(`No listener ${listenerArn} in the emulator`);
  const rules = [...state.rules.values()]
    .filter((r) => r.ListenerArn === listenerArn)
    .sort((a, b) => Number(a.Priority) - Number(b.Priority));
  const rule = rules.find((r) => r.Conditions.every((c) => conditionMatches(c, req)));
  const actions = rule ? rule.Actions : listener.DefaultActions;
  const action = structuredClone(terminal(actions));
  return {
    ruleArn: rule ? rule.RuleArn : defaultRuleArn(listenerArn),
    priority: rule ? rule.Priority : 'default',
    action,
    targetGroupArn: action.Type === 'forward' ? pick(action, random) : undefined,
  };
}
