/**
 * The restore plan: the difference between the captured manifest and the live state, traffic first.
 * Pure. Applying a plan and planning again yields an empty plan: that is what makes a repeated or
 * concurrent rollback safe.
 */
import type { CapturedAlias, ListenerAction, ReleaseManifest } from '../../../lib';
import type { ListenerState } from '../ports';

export type RestoreStep =
  | {
      readonly kind: 'listener';
      readonly target: string;
      readonly actions: ListenerAction[];
      /** Where the actions send traffic: these must be healthy before the step runs. */
      readonly knownGoodTargetGroupArns: string[];
      /** The release's groups the traffic is taken from (their load is what must be absorbed). */
      readonly candidateTargetGroupArns: string[];
    }
  | {
      readonly kind: 'rule';
      readonly target: string;
      readonly listenerArn: string;
      readonly actions: ListenerAction[];
      readonly knownGoodTargetGroupArns: string[];
      readonly candidateTargetGroupArns: string[];
    }
  | { readonly kind: 'alias'; readonly target: string; readonly alias: CapturedAlias }
  | { readonly kind: 'parameter'; readonly target: string; readonly version: number }
  | { readonly kind: 'artifact'; readonly target: string; readonly versionId: string };

export type TrafficStep = Extract<RestoreStep, { kind: 'listener' | 'rule' }>;

/** The live state the plan is computed against. */
export interface LiveState {
  readonly listeners: ReadonlyMap<string, ListenerState>;
  readonly aliases: ReadonlyMap<string, CapturedAlias>;
  /** Whether each parameter's live value is the captured version's. */
  readonly parametersAtCapturedVersion: ReadonlyMap<string, boolean>;
  /** Whether each artifact's live content is the captured version's. */
  readonly artifactsAtCapturedVersion: ReadonlyMap<string, boolean>;
}

export interface RestorePlan {
  /** Listener default actions and rule actions, applied first and all at once. */
  readonly traffic: TrafficStep[];
  /** Aliases, parameters and artifact versions, applied after traffic. */
  readonly configuration: RestoreStep[];
  /** What already matches the manifest. */
  readonly unchanged: string[];
}

/** The key of an alias in {@link LiveState.aliases}. */
export const aliasKey = (functionName: string, aliasName: string): string => `${functionName}:${aliasName}`;

export function planRestore(manifest: ReleaseManifest, live: LiveState): RestorePlan {
  const traffic: TrafficStep[] = [];
  const configuration: RestoreStep[] = [];
  const unchanged: string[] = [];

  for (const listener of manifest.listeners) {
    const liveListener = live.listeners.get(listener.listenerArn);
    if (!liveListener || !sameActions(liveListener.defaultActions, listener.defaultActions)) {
      traffic.push({
        kind: 'listener',
        target: listener.listenerArn,
        actions: listener.defaultActions,
        knownGoodTargetGroupArns: forwardedTargetGroups(listener.defaultActions),
        candidateTargetGroupArns: listener.candidateTargetGroupArns,
      });
    } else {
      unchanged.push(listener.listenerArn);
    }
    for (const rule of listener.rules) {
      const liveRule = liveListener?.rules.find((r) => r.ruleArn === rule.ruleArn);
      if (!liveRule || !sameActions(liveRule.actions, rule.actions)) {
        traffic.push({
          kind: 'rule',
          target: rule.ruleArn,
          listenerArn: listener.listenerArn,
          actions: rule.actions,
          knownGoodTargetGroupArns: forwardedTargetGroups(rule.actions),
          candidateTargetGroupArns: listener.candidateTargetGroupArns,
        });
      } else {
        unchanged.push(rule.ruleArn);
      }
    }
  }

  for (const alias of manifest.aliases) {
    const key = aliasKey(alias.functionName, alias.aliasName);
    const liveAlias = live.aliases.get(key);
    if (liveAlias && canonical(liveAlias) === canonical(alias)) unchanged.push(key);
    else configuration.push({ kind: 'alias', target: key, alias });
  }
  for (const parameter of manifest.parameters) {
    if (live.parametersAtCapturedVersion.get(parameter.name) === true) unchanged.push(parameter.name);
    else configuration.push({ kind: 'parameter', target: parameter.name, version: parameter.version });
  }
  for (const artifact of manifest.artifacts) {
    if (live.artifactsAtCapturedVersion.get(artifact.key) === true) unchanged.push(artifact.key);
    else configuration.push({ kind: 'artifact', target: artifact.key, versionId: artifact.versionId });
  }

  return { traffic, configuration, unchanged };
}

/** The target groups that get a share of traffic from these actions. */
export function forwardedTargetGroups(actions: readonly ListenerAction[]): string[] {
  const arns = actions.flatMap((action) =>
    action.type === 'forward'
      ? action.forwardConfig.targetGroups.filter((g) => g.weight > 0).map((g) => g.targetGroupArn)
      : [],
  );
  return [...new Set(arns)];
}

/**
 * Whether two action lists do the same (key order and list order of target groups aside, and a
 * forward without stickiness the same as one with stickiness off: ELBv2 may echo either for the
 * same forward, depending on how it was written).
 */
export function sameActions(a: readonly ListenerAction[], b: readonly ListenerAction[]): boolean {
  return canonical(a.map(normalize)) === canonical(b.map(normalize));
}

function normalize(action: ListenerAction): ListenerAction {
  if (action.type !== 'forward') return action;
  const targetGroups = [...action.forwardConfig.targetGroups].sort((x, y) =>
    x.targetGroupArn.localeCompare(y.targetGroupArn),
  );
  const stickiness = action.forwardConfig.stickiness;
  const { stickiness: _ignored, ...forwardConfig } = action.forwardConfig;
  return {
    ...action,
    forwardConfig: stickiness?.enabled
      ? { ...forwardConfig, targetGroups, stickiness }
      : { ...forwardConfig, targetGroups },
  };
}

/** JSON with object keys sorted, so equal data gives equal strings. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)),
        )
      : v,
  );
}
