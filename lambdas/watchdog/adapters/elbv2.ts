/**
 * The traffic port over ELBv2: reads a listener's default actions and rules, restores actions,
 * reads target health. Only forward, redirect and fixed-response actions are understood: they are
 * what a release changes and what the watchdog can put back without touching authentication.
 */
import {
  type Action,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ListenerAction } from '../../../lib';
import {
  AwsCallError,
  type ListenerState,
  type RuleState,
  type TargetHealthSummary,
  type TrafficPort,
} from '../ports';
import { call, isFailure } from './errors';
import { ELBV2_DESCRIBE_BUDGET, RequestBudget } from './request-budget';

/** DescribeListeners takes at most 20 listener ARNs per call. */
const LISTENERS_PER_CALL = 20;

/** Options for {@link createTrafficAdapter}. */
export interface TrafficAdapterOptions {
  /** Rules per DescribeRules page (1-400). @default - ELBv2's default page size */
  readonly pageSize?: number;
  /**
   * The budget every Describe* call of this adapter waits on (share one per account and region).
   * @default - ELBv2's documented Describe* bucket: 40 tokens, 10 a second
   */
  readonly describeBudget?: RequestBudget;
}

type ForwardAction = Extract<ListenerAction, { type: 'forward' }>;
type RedirectAction = Extract<ListenerAction, { type: 'redirect' }>;
type FixedResponseAction = Extract<ListenerAction, { type: 'fixed-response' }>;

/** Where an action was read, for error messages. */
export interface ActionSource {
  readonly operation: string;
  readonly listenerArn: string;
  readonly ruleArn?: string;
}

function unreadable(source: ActionSource, code: string, problem: string): AwsCallError {
  const where = source.ruleArn
    ? `rule ${source.ruleArn} of listener ${source.listenerArn}`
    : `listener ${source.listenerArn} (default actions)`;
  return new AwsCallError('invalid', source.operation, code, `${where}: ${problem}`);
}

/** Copies the defined entries of `fields` only, so results deep-equal what they were built from. */
function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

function forwardFromSdk(action: Action, source: ActionSource): ForwardAction['forwardConfig'] {
  const config = action.ForwardConfig;
  const listed = config?.TargetGroups ?? [];
  const targetGroups =
    listed.length > 0
      ? listed.map((g) => {
          if (!g.TargetGroupArn)
            throw unreadable(source, 'MalformedAction', 'a forward target group has no ARN');
          return { targetGroupArn: g.TargetGroupArn, weight: g.Weight ?? 1 };
        })
      : action.TargetGroupArn
        ? [{ targetGroupArn: action.TargetGroupArn, weight: 1 }]
        : undefined;
  if (!targetGroups) throw unreadable(source, 'MalformedAction', 'a forward action names no target group');
  const stickiness = config?.TargetGroupStickinessConfig;
  if (stickiness?.Enabled === undefined) return { targetGroups };
  return {
    targetGroups,
    stickiness: defined({ enabled: stickiness.Enabled, durationSeconds: stickiness.DurationSeconds }),
  };
}

function redirectFromSdk(action: Action, source: ActionSource): RedirectAction['redirectConfig'] {
  const c = action.RedirectConfig;
  if (c?.StatusCode !== 'HTTP_301' && c?.StatusCode !== 'HTTP_302') {
    throw unreadable(source, 'MalformedAction', 'a redirect action has no HTTP_301 or HTTP_302 status code');
  }
  return defined({
    protocol: c.Protocol,
    port: c.Port,
    host: c.Host,
    path: c.Path,
    query: c.Query,
    statusCode: c.StatusCode,
  });
}

function fixedResponseFromSdk(
  action: Action,
  source: ActionSource,
): FixedResponseAction['fixedResponseConfig'] {
  const c = action.FixedResponseConfig;
  if (!c?.StatusCode)
    throw unreadable(source, 'MalformedAction', 'a fixed-response action has no status code');
  return defined({ statusCode: c.StatusCode, contentType: c.ContentType, messageBody: c.MessageBody });
}

/**
 * An ELBv2 action as the domain's `ListenerAction`. Throws `AwsCallError` kind `invalid` for action
 * types the watchdog cannot restore (authenticate-oidc, authenticate-cognito, jwt-validation...).
 */
export function actionFromSdk(action: Action, source: ActionSource): ListenerAction {
  const order = action.Order;
  switch (action.Type) {
    case 'forward':
      return defined({ type: 'forward', order, forwardConfig: forwardFromSdk(action, source) });
    case 'redirect':
      return defined({ type: 'redirect', order, redirectConfig: redirectFromSdk(action, source) });
    case 'fixed-response':
      return defined({
        type: 'fixed-response',
        order,
        fixedResponseConfig: fixedResponseFromSdk(action, source),
      });
    default:
      throw unreadable(
        source,
        'UnsupportedAction',
        `it has a '${action.Type ?? 'untyped'}' action; the watchdog restores forward, redirect and ` +
          'fixed-response actions only, so it cannot protect this listener',
      );
  }
}

/**
 * A domain `ListenerAction` as an ELBv2 action. A forward is always sent as a `ForwardConfig`
 * (never also `TargetGroupArn`), so one shape covers single and weighted forwards.
 */
export function actionToSdk(action: ListenerAction): Action {
  switch (action.type) {
    case 'forward': {
      const { targetGroups, stickiness } = action.forwardConfig;
      return defined({
        Type: 'forward',
        Order: action.order,
        ForwardConfig: defined({
          TargetGroups: targetGroups.map((g) => ({ TargetGroupArn: g.targetGroupArn, Weight: g.weight })),
          TargetGroupStickinessConfig: stickiness
            ? defined({ Enabled: stickiness.enabled, DurationSeconds: stickiness.durationSeconds })
            : undefined,
        }),
      });
    }
    case 'redirect': {
      const c = action.redirectConfig;
      return defined({
        Type: 'redirect',
        Order: action.order,
        RedirectConfig: defined({
          Protocol: c.protocol,
          Port: c.port,
          Host: c.host,
          Path: c.path,
          Query: c.query,
          StatusCode: c.statusCode,
        }),
      });
    }
    case 'fixed-response': {
      const c = action.fixedResponseConfig;
      return defined({
        Type: 'fixed-response',
        Order: action.order,
        FixedResponseConfig: defined({
          StatusCode: c.statusCode,
          ContentType: c.contentType,
          MessageBody: c.messageBody,
        }),
      });
    }
  }
}

/** The traffic port over an ELBv2 client. */
export function createTrafficAdapter(
  client: ElasticLoadBalancingV2Client,
  options: TrafficAdapterOptions = {},
): TrafficPort {
  const budget = options.describeBudget ?? new RequestBudget(ELBV2_DESCRIBE_BUDGET);
  /** A Describe* call: waits for a token; a throttle from AWS empties the budget. */
  const describe = async <T>(operation: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    await budget.take(signal);
    try {
      return await call(operation, fn);
    } catch (error) {
      if (isFailure(error, 'throttled')) budget.throttled();
      throw error;
    }
  };

  const describeDefaultActions = async (listenerArn: string): Promise<ListenerAction[]> => {
    const found = await describeManyDefaultActions([listenerArn]);
    const actions = found.get(listenerArn);
    if (!actions) {
      throw new AwsCallError(
        'not-found',
        'DescribeListeners',
        'ListenerNotFound',
        `listener ${listenerArn} not found`,
      );
    }
    return actions;
  };

  /** One DescribeListeners call per 20 ARNs; a listener that does not exist is missing from the map. */
  const describeManyDefaultActions = async (
    listenerArns: readonly string[],
  ): Promise<Map<string, ListenerAction[]>> => {
    const operation = 'DescribeListeners';
    const unique = [...new Set(listenerArns)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += LISTENERS_PER_CALL)
      batches.push(unique.slice(i, i + LISTENERS_PER_CALL));
    const found = new Map<string, ListenerAction[]>();
    await Promise.all(
      batches.map(async (batch) => {
        let out;
        try {
          out = await describe(operation, () =>
            client.send(new DescribeListenersCommand({ ListenerArns: batch })),
          );
        } catch (error) {
          // One unknown ARN fails the whole call: ask for each of the batch on its own.
          if (batch.length > 1 && isFailure(error, 'not-found')) {
            const single = await Promise.all(batch.map((arn) => describeManyDefaultActions([arn])));
            for (const map of single) for (const [arn, actions] of map) found.set(arn, actions);
            return;
          }
          if (batch.length === 1 && isFailure(error, 'not-found')) return;
          throw error;
        }
        for (const listener of out.Listeners ?? []) {
          const listenerArn = listener.ListenerArn;
          if (!listenerArn || !batch.includes(listenerArn)) continue;
          found.set(
            listenerArn,
            (listener.DefaultActions ?? []).map((a) => actionFromSdk(a, { operation, listenerArn })),
          );
        }
      }),
    );
    return found;
  };

  const describeRules = async (listenerArn: string): Promise<RuleState[]> => {
    const operation = 'DescribeRules';
    const rules: Rule[] = [];
    let marker: string | undefined;
    do {
      const out = await describe(operation, () =>
        client.send(
          new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker, PageSize: options.pageSize }),
        ),
      );
      rules.push(...(out.Rules ?? []));
      marker = out.NextMarker;
    } while (marker);
    // ELBv2 does not promise an order (moto answers in creation order): sort by priority here.
    return rules
      .filter((r) => r.IsDefault !== true)
      .sort((a, b) => Number(a.Priority) - Number(b.Priority))
      .map((r) => {
        if (!r.RuleArn || r.Priority === undefined) {
          throw unreadable({ operation, listenerArn }, 'MalformedRule', 'a rule has no ARN or priority');
        }
        const source = { operation, listenerArn, ruleArn: r.RuleArn };
        try {
          return {
            ruleArn: r.RuleArn,
            priority: r.Priority,
            actions: (r.Actions ?? []).map((a) => actionFromSdk(a, source)),
          };
        } catch (error) {
          // A rule the watchdog cannot restore (e.g. authenticate-oidc) must not make the whole
          // listener unprotectable: it is reported, and fatal only if the configuration names it.
          if (error instanceof AwsCallError && error.code === 'UnsupportedAction') {
            return { ruleArn: r.RuleArn, priority: r.Priority, actions: [], unsupported: error.message };
          }
          throw error;
        }
      });
  };

  return {
    async describeListener(listenerArn: string): Promise<ListenerState> {
      const [defaultActions, rules] = await Promise.all([
        describeDefaultActions(listenerArn),
        describeRules(listenerArn),
      ]);
      return { listenerArn, defaultActions, rules };
    },

    describeDefaultActions: describeManyDefaultActions,

    describeRules,

    async restoreListenerActions(listenerArn: string, actions: ListenerAction[]): Promise<void> {
      // ModifyListener leaves omitted fields as they are and replaces given lists whole: send the
      // default actions only, never protocol, port, TLS policy or certificates.
      await call('ModifyListener', () =>
        client.send(
          new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: actions.map(actionToSdk) }),
        ),
      );
    },

    async restoreRuleActions(ruleArn: string, actions: ListenerAction[]): Promise<void> {
      // Actions only: the rule's conditions and priority stay.
      await call('ModifyRule', () =>
        client.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: actions.map(actionToSdk) })),
      );
    },

    async targetHealth(
      targetGroupArn: string,
      callOptions: { readonly signal?: AbortSignal } = {},
    ): Promise<TargetHealthSummary> {
      const out = await describe(
        'DescribeTargetHealth',
        () => client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
        callOptions.signal,
      );
      const targets = out.TargetHealthDescriptions ?? [];
      return {
        targetGroupArn,
        healthy: targets.filter((t) => t.TargetHealth?.State === 'healthy').length,
        total: targets.length,
      };
    },

    async findListenerArn(loadBalancerArn: string, port: number): Promise<string | undefined> {
      let marker: string | undefined;
      do {
        const out = await describe('DescribeListeners', () =>
          client.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker: marker })));
        const match = out.Listeners?.find((l) => l.Port === port);
        if (match?.ListenerArn) return match.ListenerArn;
        marker = out.NextMarker;
      } while (marker);
      return undefined;
    },

    async findTargetGroupArns(names: readonly string[]): Promise<Map<string, string>> {
      // DescribeTargetGroups fails the whole call when one name is unknown: ask one name at a time.
      const found = await Promise.all(
        names.map(async (name) => {
          try {
            const out = await describe('DescribeTargetGroups', () =>
              client.send(new DescribeTargetGroupsCommand({ Names: [name] })));
            const arn = out.TargetGroups?.[0]?.TargetGroupArn;
            return arn ? ([name, arn] as const) : undefined;
          } catch (error) {
            if (error instanceof AwsCallError && error.kind === 'not-found') return undefined;
            throw error;
          }
        }),
      );
      return new Map(found.filter((entry): entry is readonly [string, string] => entry !== undefined));
    },
  };
}
