/**
 * The traffic part of a shift: read the production listeners, see whether someone changed their
 * weights by hand, set the candidate's weight on every listener's default actions and rules
 * (level-triggered: only where the live actions differ, then read back), and write the traffic marker
 * that keeps a re-apply of the same release from undoing it.
 */
import { trafficMarkerKey, type CapturedListener, type ReleaseManifest, type StepRecord } from '../../../lib';
import type { ListenerState } from '../ports';
import type { EngineContext } from './context';
import { executionContext } from './facts';
import { restoreTraffic } from './execute';
import { sameActions, type TrafficStep } from './plan';
import { withRetry } from './retry';
import { candidateSharesOf, groupsOfListener, shiftedActions } from './shift-decision';
import { blueWeightPercentOf, writeTrafficMarker } from './traffic-markers';

/**
 * The live production listeners of a manifest, by ARN (one that could not be read is missing). The
 * default actions of listeners without captured rules come in one batched DescribeListeners; only
 * listeners with rules are described with their rules.
 */
export async function readShiftListeners(
  context: EngineContext,
  manifest: ReleaseManifest,
): Promise<Map<string, ListenerState>> {
  const { traffic } = context.ports;
  const plain = manifest.listeners.filter((l) => l.rules.length === 0).map((l) => l.listenerArn);
  const withRules = manifest.listeners.filter((l) => l.rules.length > 0);
  const [defaults, described] = await Promise.all([
    plain.length > 0
      ? retry(context, () => traffic.describeDefaultActions(plain)).catch(() => new Map<string, never>())
      : Promise.resolve(new Map<string, ListenerState['defaultActions']>()),
    Promise.all(
      withRules.map((listener) =>
        retry(context, () => traffic.describeListener(listener.listenerArn)).catch(() => undefined),
      ),
    ),
  ]);
  const live = new Map<string, ListenerState>();
  for (const [listenerArn, defaultActions] of defaults)
    live.set(listenerArn, { listenerArn, defaultActions, rules: [] });
  for (const state of described) if (state) live.set(state.listenerArn, state);
  return live;
}

/**
 * Where the live weights are not what the watchdog last set (`expectedPercent`), one line each: a
 * listener or rule someone changed by hand.
 */
export function weightDrift(
  manifest: ReleaseManifest,
  live: ReadonlyMap<string, ListenerState>,
  expectedPercent: number,
): string[] {
  const drift: string[] = [];
  for (const listener of manifest.listeners) {
    const groups = groupsOfListener(listener);
    const state = live.get(listener.listenerArn);
    // Not read is not drift (see unreadListeners): nothing is known about it.
    if (!state) continue;
    const check = (
      what: string,
      captured: ListenerState['defaultActions'],
      actions: ListenerState['defaultActions'],
    ) => {
      const expected = candidateSharesOf(shiftedActions(captured, groups, expectedPercent), groups);
      const found = candidateSharesOf(actions, groups);
      if (found.length !== expected.length || found.some((share, i) => share !== expected[i])) {
        drift.push(
          `${what} sends ${found.length > 0 ? found.map((s) => `${s}%`).join('/') : 'nothing'} to the candidate, the watchdog last set ${expectedPercent}%`,
        );
      }
    };
    check(`listener ${listener.name}`, listener.defaultActions, state.defaultActions);
    for (const rule of listener.rules) {
      const liveRule = state.rules.find((r) => r.ruleArn === rule.ruleArn);
      if (!liveRule) drift.push(`rule ${rule.ruleArn} of ${listener.name} is gone`);
      else check(`rule ${rule.priority} of ${listener.name}`, rule.actions, liveRule.actions);
    }
  }
  return drift;
}

/** The release's listeners that could not be read: the shift waits for the next tick. */
export function unreadListeners(
  manifest: ReleaseManifest,
  live: ReadonlyMap<string, ListenerState>,
): string[] {
  return manifest.listeners.filter((l) => !live.has(l.listenerArn)).map((l) => l.name);
}

/** What setting a weight came to. */
export interface WeightResult {
  /** One per listener and rule (`unchanged` where the live actions already matched), then the marker. */
  readonly steps: StepRecord[];
  /** Every write landed and was read back, and the marker was written. */
  readonly ok: boolean;
  /** The marker's sequence number (the shift's `markerSeq` from now on), when it was written. */
  readonly markerSeq?: number;
}

/**
 * Sets the candidate's weight on every production listener of the release (default actions and
 * rules), reads it back, then writes the traffic marker `markerSeq + 1`. The marker is written only
 * once the weights are read back: it tells Terraform what the listeners do, never what they might.
 */
export async function setCandidateWeight(
  context: EngineContext,
  manifest: ReleaseManifest,
  live: ReadonlyMap<string, ListenerState>,
  candidatePercent: number,
  markerSeq: number,
): Promise<WeightResult> {
  const startedAt = new Date(context.clock.now()).toISOString();
  const writes: TrafficStep[] = [];
  const unchanged: StepRecord[] = [];
  for (const listener of manifest.listeners) {
    const groups = groupsOfListener(listener);
    const state = live.get(listener.listenerArn);
    const shared = {
      knownGoodTargetGroupArns: [...groups.knownGood],
      candidateTargetGroupArns: [...groups.candidate],
    };
    const wanted = shiftedActions(listener.defaultActions, groups, candidatePercent);
    if (state && sameActions(state.defaultActions, wanted)) {
      unchanged.push(unchangedStep('listener', listener.listenerArn, startedAt, candidatePercent));
    } else {
      writes.push({ kind: 'listener', target: listener.listenerArn, actions: wanted, ...shared });
    }
    for (const rule of listener.rules) {
      const ruleWanted = shiftedActions(rule.actions, groups, candidatePercent);
      const liveRule = state?.rules.find((r) => r.ruleArn === rule.ruleArn);
      if (liveRule && sameActions(liveRule.actions, ruleWanted)) {
        unchanged.push(unchangedStep('rule', rule.ruleArn, startedAt, candidatePercent));
      } else {
        writes.push({
          kind: 'rule',
          target: rule.ruleArn,
          listenerArn: listener.listenerArn,
          actions: ruleWanted,
          ...shared,
        });
      }
    }
  }
  const written =
    writes.length > 0
      ? (await restoreTraffic(writes, new Map(), executionContext(context))).steps.map((step) => ({
          ...step,
          detail: `candidate ${candidatePercent}%: ${step.detail ?? ''}`.trim(),
        }))
      : [];
  const trafficSteps = [...written, ...unchanged];
  if (!trafficSteps.every((s) => s.outcome === 'applied' || s.outcome === 'unchanged')) {
    return { steps: trafficSteps, ok: false };
  }
  const marker = await writeShiftMarker(context, manifest, candidatePercent, markerSeq + 1);
  return {
    steps: [...trafficSteps, marker.step],
    ok: marker.step.outcome === 'applied',
    ...(marker.step.outcome === 'applied' ? { markerSeq: markerSeq + 1 } : {}),
  };
}

/** Writes marker `seq` with blue's weight in the release's first production listener. */
async function writeShiftMarker(
  context: EngineContext,
  manifest: ReleaseManifest,
  candidatePercent: number,
  seq: number,
): Promise<{ readonly step: StepRecord }> {
  const started = context.clock.now();
  const startedAt = new Date(started).toISOString();
  const listener = manifest.listeners[0];
  const record = (outcome: StepRecord['outcome'], target: string, detail: string): { step: StepRecord } => ({
    step: {
      kind: 'marker',
      target,
      outcome,
      attempts: 1,
      startedAt,
      durationMs: Math.max(0, context.clock.now() - started),
      detail,
    },
  });
  if (!listener) return record('unchanged', manifest.releaseId, 'no production listener was captured');
  try {
    const blueArn = await blueTargetGroupArn(context, listener);
    const actions = shiftedActions(listener.defaultActions, groupsOfListener(listener), candidatePercent);
    const blue = blueWeightPercentOf(actions, blueArn);
    const key = trafficMarkerKey(context.config.service, manifest.releaseId, seq, blue);
    await retry(context, () => writeTrafficMarker(context, manifest.releaseId, seq, blue));
    return record('applied', key, `blue ${blue}%: a re-apply of ${manifest.releaseId} keeps these weights`);
  } catch (error) {
    return record('failed', `traffic marker ${seq}`, error instanceof Error ? error.message : String(error));
  }
}

/**
 * The blue target group of a captured listener's configuration (found by name, or by ARN when it was
 * renamed), resolved as resolve.ts does: by ARN when the configuration has it, else by name (one
 * DescribeTargetGroups). Throws, saying why, when it cannot be known. The one lookup of blue.
 */
export async function blueTargetGroupArn(
  context: EngineContext,
  captured: Pick<CapturedListener, 'name' | 'listenerArn'>,
): Promise<string> {
  const configured = context.config.listeners.find(
    (l) => l.name === captured.name || l.listenerArn === captured.listenerArn,
  );
  if (!configured) throw new Error(`listener ${captured.name} is no longer in the configuration`);
  if (configured.targetGroupArns) return configured.targetGroupArns.blue;
  const name = configured.targetGroupNames?.blue;
  if (name === undefined)
    throw new Error(`listener ${captured.name} has neither targetGroupArns nor targetGroupNames`);
  const found = await retry(context, () => context.ports.traffic.findTargetGroupArns([name]));
  const arn = found.get(name);
  if (!arn) throw new Error(`target group ${name} (blue of ${captured.name}) not found`);
  return arn;
}

/** The color of the release's candidate: the color whose group is a candidate of the first listener. */
export async function candidateColor(
  context: EngineContext,
  manifest: ReleaseManifest,
): Promise<'blue' | 'green'> {
  const listener = manifest.listeners[0];
  if (!listener) return 'green';
  const blue = await blueTargetGroupArn(context, listener);
  return listener.candidateTargetGroupArns.includes(blue) ? 'blue' : 'green';
}

function unchangedStep(
  kind: 'listener' | 'rule',
  target: string,
  startedAt: string,
  candidatePercent: number,
): StepRecord {
  return {
    kind,
    target,
    outcome: 'unchanged',
    attempts: 0,
    startedAt,
    durationMs: 0,
    detail: `already sends ${candidatePercent}% to the candidate`,
  };
}

function retry<T>(context: EngineContext, fn: () => Promise<T>): Promise<T> {
  return withRetry(fn, { budgetMs: context.config.policy.stepTimeBudgetMs, clock: context.clock }).then(
    (r) => r.value,
  );
}
