/**
 * Resolves a protected listener of the configuration to ARNs. The constructs name listeners by load
 * balancer and port, and target groups by name, because those are known at synth time: the
 * configuration, and the capture that reads it, then need not depend on the resources they protect.
 */
import type { ProtectedListener } from '../../../lib';
import type { ListenerState, TrafficPort } from '../ports';

/** A protected listener with every ARN known, and its live state. */
export interface ResolvedListener {
  readonly name: string;
  readonly listenerArn: string;
  readonly targetGroupArns: { readonly blue: string; readonly green: string };
  readonly live: ListenerState;
  /** The live rules the configuration names (by ARN or priority). */
  readonly rules: ListenerState['rules'];
}

/** Not created yet (a first release) or deleted: nothing to capture or restore for it. */
export interface ListenerNotFound {
  readonly found: false;
  readonly name: string;
  readonly reason: string;
}

export type Resolution = { readonly found: true; readonly listener: ResolvedListener } | ListenerNotFound;

/**
 * A listener as it is, problems included: capture refuses a listener with problems, status shows
 * where its traffic goes all the same.
 */
export type Inspection =
  | {
      readonly found: true;
      readonly listener: ResolvedListener;
      /** Configured rules the watchdog cannot restore, each with why (the adapter's words). */
      readonly unsupported: string[];
      /** Configured rules that do not exist: their ARNs, or `priority N`. */
      readonly missing: string[];
    }
  | ListenerNotFound;

/** The rule problems of an inspection as one message each, in the order resolution reports them. */
export function ruleProblems(inspection: { readonly unsupported: string[]; readonly missing: string[] }) {
  return [
    ...(inspection.unsupported.length > 0 ? [inspection.unsupported.join('; ')] : []),
    ...(inspection.missing.length > 0
      ? [`configured rules not found: ${inspection.missing.join(', ')}`]
      : []),
  ];
}

export async function inspectListener(
  listener: ProtectedListener,
  traffic: TrafficPort,
  retry: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<Inspection> {
  const listenerArn =
    listener.listenerArn ??
    (await retry(() => traffic.findListenerArn(listener.loadBalancerArn as string, listener.port as number)));
  if (!listenerArn) {
    return {
      found: false,
      name: listener.name,
      reason: `no listener on port ${listener.port} of ${listener.loadBalancerArn}`,
    };
  }
  let targetGroupArns = listener.targetGroupArns;
  if (!targetGroupArns) {
    const names = listener.targetGroupNames as { blue: string; green: string };
    const found = await retry(() => traffic.findTargetGroupArns([names.blue, names.green]));
    const blue = found.get(names.blue);
    const green = found.get(names.green);
    if (!blue || !green) {
      return {
        found: false,
        name: listener.name,
        reason: `target group ${blue ? names.green : names.blue} not found`,
      };
    }
    targetGroupArns = { blue, green };
  }
  const live = await retry(() => traffic.describeListener(listenerArn));
  const rules = live.rules.filter(
    (r) => listener.ruleArns.includes(r.ruleArn) || listener.rulePriorities.includes(Number(r.priority)),
  );
  const missing = [
    ...listener.ruleArns.filter((arn) => !live.rules.some((r) => r.ruleArn === arn)),
    ...listener.rulePriorities
      .filter((p) => !live.rules.some((r) => Number(r.priority) === p))
      .map((p) => `priority ${p}`),
  ];
  const unsupported = rules.flatMap((r) => (r.unsupported === undefined ? [] : [r.unsupported]));
  return {
    found: true,
    listener: { name: listener.name, listenerArn, targetGroupArns, live, rules },
    unsupported,
    missing,
  };
}

/** Like {@link inspectListener}, but a configured rule that is missing or unrestorable throws. */
export async function resolveListener(
  listener: ProtectedListener,
  traffic: TrafficPort,
  retry: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<Resolution> {
  const inspection = await inspectListener(listener, traffic, retry);
  if (!inspection.found) return inspection;
  // The first problem only, as before: unrestorable rules, then missing ones.
  const [problem] = ruleProblems(inspection);
  if (problem !== undefined) throw new Error(`listener ${listener.name}: ${problem}`);
  return { found: true, listener: inspection.listener };
}
