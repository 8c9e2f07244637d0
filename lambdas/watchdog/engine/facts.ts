/**
 * What a rollback decision and its plan read: the release pointer (with its manifest), the state and
 * how to replace it, the alarm read back, target health read ahead for the remembered release, and
 * the live configuration. Reads only; the order of work is in rollback.ts.
 */
import {
  parseReleaseManifest,
  type CurrentRelease,
  type ReleaseManifest,
  type WatchdogState,
} from '../../../lib';
import type { AlarmState, WriteCondition } from '../ports';
import { readCurrentRelease, readVersionedState } from './coordination';
import { coordination, type EngineContext } from './context';
import { readCapacity, type HealthReadings } from './execute';
import { aliasKey, planRestore, type LiveState, type TrafficStep } from './plan';
import { withRetry } from './retry';
import { rememberedManifest, rememberRelease } from './warm';

/** What a decision reads: the release, the state (and how to replace it), the alarm now. */
export interface Facts {
  readonly release: CurrentRelease | undefined;
  readonly state: WatchdogState;
  readonly stateCondition: WriteCondition;
  readonly alarmNow: AlarmState | undefined;
}

export async function readFacts(context: EngineContext, alarmName: string | undefined): Promise<Facts> {
  const coord = coordination(context);
  const [release, versioned, alarmNow] = await Promise.all([
    readCurrentRelease(coord),
    readVersionedState(coord),
    alarmName !== undefined ? readAlarm(context, alarmName) : Promise.resolve(undefined),
  ]);
  return { release, state: versioned.state, stateCondition: versioned.condition, alarmNow };
}

/** Target health read ahead for a release's manifest. */
export interface CapacityReads {
  readonly releaseId: string;
  readonly readings: Promise<HealthReadings>;
}

export function startCapacityReads(context: EngineContext, manifest: ReleaseManifest): CapacityReads {
  const { knownGood, candidates } = groupsOf(planRestore(manifest, NOTHING_READ).traffic);
  const readings = readCapacity(knownGood, candidates, executionContext(context));
  // Read ahead and not needed (no action): its failure is nobody's business.
  readings.catch(() => undefined);
  return { releaseId: manifest.releaseId, readings };
}

export function groupsOf(steps: readonly TrafficStep[]): { knownGood: string[]; candidates: string[] } {
  return {
    knownGood: [...new Set(steps.flatMap((s) => s.knownGoodTargetGroupArns))],
    candidates: [...new Set(steps.flatMap((s) => s.candidateTargetGroupArns))],
  };
}

/** Live state not read: every captured listener and rule is written back as captured. */
export const NOTHING_READ: LiveState = {
  listeners: new Map(),
  aliases: new Map(),
  parametersAtCapturedVersion: new Map(),
  artifactsAtCapturedVersion: new Map(),
};

async function readAlarm(context: EngineContext, alarmName: string): Promise<AlarmState | undefined> {
  const { value } = await withRetry(() => context.ports.alarms.alarmStates([alarmName]), {
    budgetMs: context.config.policy.stepTimeBudgetMs,
    clock: context.clock,
  });
  return value.find((s) => s.name === alarmName);
}

/**
 * The release's manifest: embedded in the pointer, or remembered by this container (a manifest
 * version never changes), or read by its version id (pointers written before it was embedded).
 */
export async function manifestOf(context: EngineContext, release: CurrentRelease): Promise<ReleaseManifest> {
  const known =
    release.manifest ?? rememberedManifest(context.warm, release.releaseId, release.manifestVersionId);
  const manifest = known ?? (await loadManifest(context, release));
  rememberRelease(context.warm, release.releaseId, release.manifestVersionId, manifest);
  return manifest;
}

async function loadManifest(context: EngineContext, release: CurrentRelease): Promise<ReleaseManifest> {
  const stored = await context.ports.store.getJson(release.manifestKey, release.manifestVersionId);
  if (!stored)
    throw new Error(`the manifest of release ${release.releaseId} (${release.manifestKey}) is missing`);
  return parseReleaseManifest(stored.body);
}

/** The live state of the configuration the manifest restores (aliases, parameters, artifacts). */
export async function readConfigurationState(
  context: EngineContext,
  manifest: ReleaseManifest,
): Promise<Omit<LiveState, 'listeners'>> {
  const { listeners: _skipped, ...configuration } = await readLiveState(context, {
    ...manifest,
    listeners: [],
  });
  return configuration;
}

export async function readLiveState(context: EngineContext, manifest: ReleaseManifest): Promise<LiveState> {
  const { ports } = context;
  const retry = <T>(fn: () => Promise<T>) =>
    withRetry(fn, { budgetMs: context.config.policy.stepTimeBudgetMs, clock: context.clock }).then(
      (r) => r.value,
    );
  // A read that fails leaves the item out of the live state; the plan then restores it (and verifies).
  const settle = async <T>(fn: () => Promise<T>): Promise<T | undefined> => retry(fn).catch(() => undefined);
  const [listeners, aliases, parameters, artifacts] = await Promise.all([
    Promise.all(manifest.listeners.map((l) => settle(() => ports.traffic.describeListener(l.listenerArn)))),
    Promise.all(
      manifest.aliases.map((a) => settle(() => ports.aliases.describeAlias(a.functionName, a.aliasName))),
    ),
    Promise.all(
      manifest.parameters.map((p) => settle(() => ports.parameters.matchesVersion(p.name, p.version))),
    ),
    Promise.all(
      manifest.artifacts.map((a) => settle(() => ports.artifacts.matchesVersion(a.key, a.versionId))),
    ),
  ]);
  return {
    listeners: new Map(listeners.flatMap((l) => (l ? [[l.listenerArn, l] as const] : []))),
    aliases: new Map(
      aliases.flatMap((a) => (a ? [[aliasKey(a.functionName, a.aliasName), a] as const] : [])),
    ),
    parametersAtCapturedVersion: new Map(manifest.parameters.map((p, i) => [p.name, parameters[i] === true])),
    artifactsAtCapturedVersion: new Map(manifest.artifacts.map((a, i) => [a.key, artifacts[i] === true])),
  };
}

export function executionContext(context: EngineContext) {
  return { ports: context.ports, policy: context.config.policy, clock: context.clock };
}
