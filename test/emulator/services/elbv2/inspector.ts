import { defaultRuleArn } from './arns';
import { HEALTH_REASONS } from './target-groups';
import {
  ElbAction,
  ElbState,
  Listener,
  LoadBalancer,
  RegisteredTarget,
  RuleCondition,
  TargetGroup,
  TargetHealthState,
} from './model';
import { routeRequest, RouteDecision, SimulatedRequest } from './routing';

/** A rule as the inspector shows it (the default rule included, last). */
export interface RuleView {
  readonly ruleArn: string;
  readonly priority: string;
  readonly isDefault: boolean;
  readonly conditions: RuleCondition[];
  readonly actions: ElbAction[];
}

/** In-process access to ELBv2 state for tests and drills. Everything returned is a copy. */
export class Elbv2Inspector {
  constructor(private readonly state: () => ElbState) {}

  loadBalancers(): LoadBalancer[] {
    return structuredClone([...this.state().loadBalancers.values()]);
  }

  /** Target groups with their registered targets and stored health. */
  targetGroups(): TargetGroup[] {
    return structuredClone([...this.state().targetGroups.values()]);
  }

  /** Listeners, optionally of one load balancer. */
  listeners(loadBalancerArn?: string): Listener[] {
    const all = [...this.state().listeners.values()];
    return structuredClone(loadBalancerArn ? all.filter((l) => l.LoadBalancerArn === loadBalancerArn) : all);
  }

  /** One listener; throws when it does not exist. */
  listener(listenerArn: string): Listener {
    const listener = this.state().listeners.get(listenerArn);
    if (!listener) throw new Error(`No listener ${listenerArn} in the emulator`);
    return structuredClone(listener);
  }

  /** A listener's rules by priority, then its default rule. */
  rules(listenerArn: string): RuleView[] {
    const listener = this.listener(listenerArn);
    const own = [...this.state().rules.values()]
      .filter((r) => r.ListenerArn === listenerArn)
      .sort((a, b) => Number(a.Priority) - Number(b.Priority))
      .map((r) => ({
        ruleArn: r.RuleArn,
        priority: r.Priority,
        isDefault: false,
        conditions: r.Conditions,
        actions: r.Actions,
      }));
    const fallback = {
      ruleArn: defaultRuleArn(listenerArn),
      priority: 'default',
      isDefault: true,
      conditions: [],
      actions: listener.DefaultActions,
    };
    return structuredClone([...own, fallback]);
  }

  /**
   * Sets what DescribeTargetHealth reports for a registered target (every port of it unless
   * `port` is given). Reason and description default to AWS's for the state.
   */
  setTargetHealth(
    targetGroupArn: string,
    targetId: string,
    health: TargetHealthState,
    options: { readonly port?: number; readonly reason?: string; readonly description?: string } = {},
  ): void {
    const tg = this.state().targetGroups.get(targetGroupArn);
    if (!tg) throw new Error(`No target group ${targetGroupArn} in the emulator`);
    const targets = tg.targets.filter(
      (t) => t.Id === targetId && (options.port === undefined || t.Port === options.port),
    );
    if (targets.length === 0) throw new Error(`Target ${targetId} is not registered in ${targetGroupArn}`);
    for (const t of targets) {
      t.State = health;
      t.Reason = options.reason ?? HEALTH_REASONS[health].Reason;
      t.Description = options.description ?? HEALTH_REASONS[health].Description;
    }
  }

  /** Registered targets of a group with their stored health. */
  targets(targetGroupArn: string): RegisteredTarget[] {
    const tg = this.state().targetGroups.get(targetGroupArn);
    if (!tg) throw new Error(`No target group ${targetGroupArn} in the emulator`);
    return structuredClone(tg.targets);
  }

  /** Where the listener would send a simulated request right now (see {@link routeRequest}). */
  route(listenerArn: string, request: SimulatedRequest = {}, random?: () => number): RouteDecision {
    return routeRequest(this.state(), listenerArn, request, random);
  }
}
