/**
 * The difference between the live state and a release's manifest, one line per thing that is not as
 * captured: what a verified rollback must find empty. Reads only.
 */
import type { ListenerAction, ReleaseManifest, StepRecord } from '../../../lib';
import type { EngineContext } from './context';
import { readConfigurationState } from './facts';
import { killSwitchDiff, killSwitchParameterNames } from './kill-switches';
import { aliasKey, canonical, sameActions } from './plan';
import { readShiftListeners } from './shift-traffic';

/**
 * What differs, one line each. `wrong`: not as captured. `settling`: kill switches on their way off
 * (see killSwitchDiff), which verification waits for until its deadline.
 */
export interface ManifestDiff {
  readonly wrong: string[];
  readonly settling: string[];
}

/**
 * What differs from the manifest. `switchesOnly`: the decision turned kill switches off and left
 * traffic and configuration as they were on purpose, so only the switches are compared.
 */
export async function manifestDiff(
  context: EngineContext,
  manifest: ReleaseManifest,
  options: {
    readonly switchesOnly: boolean;
    /**
     * The rollback's own traffic steps, read back moments ago: the listeners and rules are judged by
     * them instead of being read again (the read-back wave is the one the critical path pays for).
     */
    readonly trafficReadBack?: readonly StepRecord[];
  },
): Promise<ManifestDiff> {
  const [restored, switches] = await Promise.all([
    options.switchesOnly ? Promise.resolve([]) : restoredDiff(context, manifest, options.trafficReadBack),
    killSwitchDiff(context, manifest),
  ]);
  return { wrong: [...restored, ...switches.wrong], settling: switches.settling };
}

async function restoredDiff(
  context: EngineContext,
  manifest: ReleaseManifest,
  trafficReadBack: readonly StepRecord[] | undefined,
): Promise<string[]> {
  const [listeners, live] = await Promise.all([
    // Read as a shift reads them: a listener that could not be read is missing (reported as such).
    trafficReadBack ? Promise.resolve(undefined) : readShiftListeners(context, manifest),
    readConfigurationState(context, manifest),
  ]);
  const lines: string[] = (trafficReadBack ?? [])
    .filter((step) => step.outcome !== 'applied')
    .map((step) => `${step.kind} ${step.target} was not read back as restored (${step.outcome})`);
  for (const listener of listeners === undefined ? [] : manifest.listeners) {
    const seen = listeners?.get(listener.listenerArn);
    if (!seen) {
      lines.push(`listener ${listener.name} could not be read`);
      continue;
    }
    if (!sameActions(seen.defaultActions, listener.defaultActions)) {
      lines.push(
        `listener ${listener.name} ${describeActions(seen.defaultActions)}, not ${describeActions(listener.defaultActions)}`,
      );
    }
    for (const rule of listener.rules) {
      const liveRule = seen.rules.find((r) => r.ruleArn === rule.ruleArn);
      if (!liveRule) lines.push(`rule ${rule.ruleArn} of listener ${listener.name} is missing`);
      else if (!sameActions(liveRule.actions, rule.actions)) {
        lines.push(
          `rule ${rule.priority} of listener ${listener.name} ${describeActions(liveRule.actions)}, not ${describeActions(rule.actions)}`,
        );
      }
    }
  }
  for (const alias of manifest.aliases) {
    const key = aliasKey(alias.functionName, alias.aliasName);
    const seen = live.aliases.get(key);
    if (!seen) lines.push(`alias ${key} could not be read`);
    else if (canonical(seen) !== canonical(alias)) {
      lines.push(`alias ${key} points to version ${seen.functionVersion}, not ${alias.functionVersion}`);
    }
  }
  // A kill-switch parameter stays off after a rollback: compared as a switch, not as captured.
  const switches = killSwitchParameterNames(context);
  for (const parameter of manifest.parameters) {
    if (switches.has(parameter.name)) continue;
    if (live.parametersAtCapturedVersion.get(parameter.name) !== true)
      lines.push(`parameter ${parameter.name} is not the value of version ${parameter.version}`);
  }
  for (const artifact of manifest.artifacts) {
    if (live.artifactsAtCapturedVersion.get(artifact.key) !== true)
      lines.push(`artifact ${artifact.key} is not version ${artifact.versionId}`);
  }
  return lines;
}

/** `forwards to A 100%, B 0%`, or the action types. */
function describeActions(actions: readonly ListenerAction[]): string {
  return actions
    .map((action) =>
      action.type === 'forward'
        ? `forwards to ${action.forwardConfig.targetGroups
            .map((g) => `${shortName(g.targetGroupArn)} ${g.weight}`)
            .join(', ')}`
        : `answers with ${action.type}`,
    )
    .join('; ');
}

/** `targetgroup/<name>/<id>` → `<name>`: enough to read a page. */
function shortName(targetGroupArn: string): string {
  return /targetgroup\/([^/]+)\//.exec(targetGroupArn)?.[1] ?? targetGroupArn;
}
