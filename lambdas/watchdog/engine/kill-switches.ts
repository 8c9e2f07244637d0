/**
 * Kill switches: capture records each switch's state, a breach turns each off before anything else
 * moves, and verification checks that they stay off.
 *
 * - SSM parameter: off is the configured `offValue`, written as a new version (the type is kept);
 *   read back as the live value.
 * - AppConfig profile: off is the version that was deployed at capture. A deployment of another
 *   version still in progress is stopped (AppConfig then rolls the environment back to the version
 *   deployed before it); if the environment still serves another version, the captured one is
 *   deployed again with the configured strategy. Read back from the environment's deployments.
 */
import type { CapturedKillSwitch, KillSwitch, ReleaseManifest, StepRecord } from '../../../lib';
import type { AppConfigDeployment, AppConfigPort } from '../ports';
import type { EngineContext } from './context';
import { errorMessage } from './execute';
import type { RestorePlan } from './plan';
import { pollUntil, RetriesExhausted, withRetry } from './retry';

type AppConfigSwitch = Extract<KillSwitch, { kind: 'appconfig' }>;

/** A deployment that has not reached every target, or is being watched: AppConfig's own words. */
const IN_PROGRESS = new Set(['DEPLOYING', 'BAKING', 'VALIDATING']);
/**
 * Delivered to every target: `COMPLETE`, or `BAKING` (AppConfig's final watch after 100%). A
 * deployment that was stopped or rolled back (`ROLLING_BACK`, `ROLLED_BACK`, `REVERTED`) left the
 * environment on the version before it.
 */
const DELIVERED = new Set(['COMPLETE', 'BAKING']);

/** The configuration version an environment serves: the newest delivered deployment's. */
export function deployedVersion(deployments: readonly AppConfigDeployment[]): string | undefined {
  return deployments.find((d) => DELIVERED.has(d.state))?.configurationVersion;
}

/** How a step record names a switch. */
export function killSwitchTarget(kill: KillSwitch | CapturedKillSwitch): string {
  return kill.kind === 'ssm-parameter'
    ? kill.name
    : `appconfig:${kill.applicationId}/${kill.environmentId}/${kill.configurationProfileId}`;
}

/** The SSM parameters that are kill switches: the configuration restore leaves them off. */
export function killSwitchParameterNames(context: Pick<EngineContext, 'config'>): Set<string> {
  return new Set(
    (context.config.killSwitches?.switches ?? []).flatMap((s) =>
      s.kind === 'ssm-parameter' ? [s.name] : [],
    ),
  );
}

/** A kill-switch parameter stays off: the configuration restore does not put its captured value back. */
export function withoutKillSwitchParameters(
  context: Pick<EngineContext, 'config'>,
  plan: RestorePlan,
): RestorePlan {
  const switches = killSwitchParameterNames(context);
  if (switches.size === 0) return plan;
  return {
    ...plan,
    configuration: plan.configuration.filter((s) => !(s.kind === 'parameter' && switches.has(s.target))),
  };
}

function appConfigPort(context: EngineContext): AppConfigPort {
  const port = context.ports.appConfig;
  if (!port)
    throw new Error('the configuration has AppConfig kill switches, but no AppConfig client is available');
  return port;
}

function retry<T>(context: EngineContext, fn: () => Promise<T>): Promise<T> {
  return withRetry(fn, { budgetMs: context.config.policy.stepTimeBudgetMs, clock: context.clock }).then(
    (r) => r.value,
  );
}

/** Each configured switch's state now (SSM: the live version; AppConfig: the deployed version). */
export async function captureKillSwitches(context: EngineContext): Promise<CapturedKillSwitch[]> {
  const switches = context.config.killSwitches?.switches ?? [];
  return Promise.all(
    switches.map(async (kill): Promise<CapturedKillSwitch> => {
      if (kill.kind === 'ssm-parameter') {
        return {
          kind: 'ssm-parameter',
          name: kill.name,
          version: await retry(context, () => context.ports.parameters.currentVersion(kill.name)),
        };
      }
      const deployments = await retry(context, () => listDeployments(appConfigPort(context), kill));
      const version = deployedVersion(deployments);
      return {
        kind: 'appconfig',
        applicationId: kill.applicationId,
        environmentId: kill.environmentId,
        configurationProfileId: kill.configurationProfileId,
        ...(version !== undefined ? { configurationVersion: version } : {}),
      };
    }),
  );
}

function listDeployments(port: AppConfigPort, kill: AppConfigSwitch): Promise<AppConfigDeployment[]> {
  return port.deployments(kill.applicationId, kill.environmentId, kill.configurationProfileId);
}

/** The capture of an AppConfig switch, from the release's manifest. */
function capturedOf(manifest: ReleaseManifest, kill: AppConfigSwitch) {
  return manifest.killSwitches.find(
    (c): c is Extract<CapturedKillSwitch, { kind: 'appconfig' }> =>
      c.kind === 'appconfig' &&
      c.applicationId === kill.applicationId &&
      c.environmentId === kill.environmentId &&
      c.configurationProfileId === kill.configurationProfileId,
  );
}

/**
 * Turns every configured switch off, all at once, each read back. A switch that fails does not stop
 * the others. Nothing configured: no steps.
 */
export async function applyKillSwitches(
  context: EngineContext,
  manifest: ReleaseManifest,
): Promise<StepRecord[]> {
  return (await issueKillSwitches(context, manifest)).readBack;
}

/** Switches whose writes have been issued; their read-backs go on in `readBack` (it never rejects). */
export interface IssuedKillSwitches {
  readonly readBack: Promise<StepRecord[]>;
}

/**
 * Issues every configured switch's writes, all at once, and resolves once they are issued; the
 * read-backs (an AppConfig deployment can take minutes) go on in the answer's `readBack`, so that
 * traffic can move meanwhile. Wrapped in an object: a promise of a promise would be flattened.
 */
export async function issueKillSwitches(
  context: EngineContext,
  manifest: ReleaseManifest,
): Promise<IssuedKillSwitches> {
  const switches = context.config.killSwitches?.switches ?? [];
  const issued = await Promise.all(switches.map((kill) => issueOne(context, manifest, kill)));
  return { readBack: Promise.all(issued.map((one) => one.readBack)) };
}

/** Describes the switches a rollback would turn off, without touching them (dry run). */
export function plannedKillSwitches(
  context: EngineContext,
  manifest: ReleaseManifest,
  now: string,
): StepRecord[] {
  return (context.config.killSwitches?.switches ?? []).map((kill) => ({
    kind: 'kill-switch' as const,
    target: killSwitchTarget(kill),
    outcome: 'planned' as const,
    attempts: 0,
    startedAt: now,
    durationMs: 0,
    detail:
      kill.kind === 'ssm-parameter'
        ? `write "${kill.offValue}"`
        : `stop a deployment in progress; keep version ${capturedOf(manifest, kill)?.configurationVersion ?? '(none captured)'} deployed`,
  }));
}

async function issueOne(
  context: EngineContext,
  manifest: ReleaseManifest,
  kill: KillSwitch,
): Promise<{ readonly readBack: Promise<StepRecord> }> {
  const started = context.clock.now();
  const target = killSwitchTarget(kill);
  const record = (outcome: StepRecord['outcome'], attempts: number, detail: string): StepRecord => ({
    kind: 'kill-switch',
    target,
    outcome,
    attempts,
    startedAt: new Date(started).toISOString(),
    durationMs: context.clock.now() - started,
    detail,
  });
  const failed = (error: unknown): StepRecord => {
    const cause = error instanceof RetriesExhausted ? error.lastError : error;
    const attempts = error instanceof RetriesExhausted ? error.attempts : 1;
    return record('failed', attempts, errorMessage(cause));
  };
  try {
    const readBack =
      kill.kind === 'ssm-parameter'
        ? await switchParameterOff(context, kill, record)
        : await switchAppConfigOff(context, manifest, kill, record);
    return { readBack: readBack().catch(failed) };
  } catch (error) {
    return { readBack: Promise.resolve(failed(error)) };
  }
}

type Recorder = (outcome: StepRecord['outcome'], attempts: number, detail: string) => StepRecord;
/** What is left once a switch's writes are issued: reading them back, into the switch's step. */
type ReadBack = () => Promise<StepRecord>;

async function switchParameterOff(
  context: EngineContext,
  kill: Extract<KillSwitch, { kind: 'ssm-parameter' }>,
  record: Recorder,
): Promise<ReadBack> {
  const budget = { budgetMs: context.config.policy.stepTimeBudgetMs, clock: context.clock };
  const { parameters } = context.ports;
  const written = await withRetry(() => parameters.putValue(kill.name, kill.offValue), budget);
  return async () => {
    const readBack = await pollUntil(
      async () => (await parameters.currentValue(kill.name)) === kill.offValue,
      budget,
    );
    const attempts = written.attempts + readBack.attempts;
    return readBack.ok
      ? record('applied', attempts, `switched off: "${kill.offValue}" is version ${written.value}`)
      : record(
          'failed',
          attempts,
          `written, but reading it back still shows another value after ${budget.budgetMs} ms`,
        );
  };
}

async function switchAppConfigOff(
  context: EngineContext,
  manifest: ReleaseManifest,
  kill: AppConfigSwitch,
  record: Recorder,
): Promise<ReadBack> {
  const budget = { budgetMs: context.config.policy.stepTimeBudgetMs, clock: context.clock };
  const port = appConfigPort(context);
  const wanted = capturedOf(manifest, kill)?.configurationVersion;
  let attempts = 0;
  const list = async () => {
    const listed = await withRetry(() => listDeployments(port, kill), budget);
    attempts += listed.attempts;
    return listed.value;
  };
  const before = await list();
  // A deployment of the captured version in progress is this switch's own earlier attempt: let it land.
  const stray = before.filter((d) => IN_PROGRESS.has(d.state) && d.configurationVersion !== wanted);
  for (const deployment of stray) {
    attempts += (
      await withRetry(
        () => port.stopDeployment(kill.applicationId, kill.environmentId, deployment.deploymentNumber),
        budget,
      )
    ).attempts;
  }
  const done: string[] = stray.map(
    (d) => `stopped deployment ${d.deploymentNumber} (version ${d.configurationVersion})`,
  );
  const afterStop = stray.length > 0 ? await list() : before;
  const live = deployedVersion(afterStop);
  const ownInProgress = afterStop.some((d) => IN_PROGRESS.has(d.state) && d.configurationVersion === wanted);
  if (wanted === undefined) {
    // Nothing was deployed at capture: there is no version to go back to, only a deployment to stop.
    const step =
      live === undefined
        ? record(
            stray.length > 0 ? 'applied' : 'unchanged',
            attempts,
            done.join('; ') || 'nothing deployed, as at capture',
          )
        : record(
            'failed',
            attempts,
            `${[...done, `version ${live} is deployed`].join('; ')}: nothing was deployed at capture, so there is no version to deploy back`,
          );
    return () => Promise.resolve(step);
  }
  if (live !== wanted && !ownInProgress) {
    const started = await withRetry(
      () =>
        port.startDeployment({
          applicationId: kill.applicationId,
          environmentId: kill.environmentId,
          configurationProfileId: kill.configurationProfileId,
          configurationVersion: wanted,
          deploymentStrategyId: kill.deploymentStrategyId,
          description: `switchback: kill switch of release ${manifest.releaseId}`,
        }),
      budget,
    );
    attempts += started.attempts;
    done.push(`deployment ${started.value} of version ${wanted} started (was ${live ?? 'none'})`);
  }
  if (stray.length === 0 && live === wanted && !ownInProgress) {
    const unchanged = record('unchanged', attempts, `version ${wanted} is deployed, as at capture`);
    return () => Promise.resolve(unchanged);
  }
  return async () => {
    const readBack = await pollUntil(async () => {
      const now = await listDeployments(port, kill);
      return (
        deployedVersion(now) === wanted &&
        !now.some((d) => IN_PROGRESS.has(d.state) && d.configurationVersion !== wanted)
      );
    }, budget);
    attempts += readBack.attempts;
    return readBack.ok
      ? record('applied', attempts, `${done.join('; ')}; version ${wanted} is deployed`)
      : record(
          'unverified',
          attempts,
          `${done.join('; ')}; version ${wanted} is not deployed to every target after ${budget.budgetMs} ms (a gradual strategy takes longer): verification follows it`,
        );
  };
}

/**
 * What is still on, one line per switch (verification's diff), in two kinds. `wrong`: a switch that is
 * on, or could not be read. `settling`: an AppConfig switch on its way off (a deployment of the
 * captured version still reaching its targets, or a stopped deployment rolling back): verification
 * waits for it until its deadline, as it waits for the alarms. Reads only.
 */
export async function killSwitchDiff(
  context: EngineContext,
  manifest: ReleaseManifest,
): Promise<{ readonly wrong: string[]; readonly settling: string[] }> {
  const switches = context.config.killSwitches?.switches ?? [];
  const lines = await Promise.all(
    switches.map(async (kill): Promise<{ line: string; settling: boolean } | undefined> => {
      try {
        if (kill.kind === 'ssm-parameter') {
          const value = await retry(context, () => context.ports.parameters.currentValue(kill.name));
          return value === kill.offValue
            ? undefined
            : { line: `kill switch ${kill.name} is "${value}", not "${kill.offValue}"`, settling: false };
        }
        const wanted = capturedOf(manifest, kill)?.configurationVersion;
        const deployments = await retry(context, () => listDeployments(appConfigPort(context), kill));
        const live = deployedVersion(deployments);
        if (live === wanted) return undefined;
        const settling = deployments.some(
          (d) =>
            (IN_PROGRESS.has(d.state) && d.configurationVersion === wanted) || d.state === 'ROLLING_BACK',
        );
        return {
          line: `kill switch ${killSwitchTarget(kill)} serves version ${live ?? 'none'}, not the captured ${wanted ?? 'none'}${settling ? ' (still deploying)' : ''}`,
          settling,
        };
      } catch (error) {
        return {
          line: `kill switch ${killSwitchTarget(kill)} could not be read: ${errorMessage(error instanceof RetriesExhausted ? error.lastError : error)}`,
          settling: false,
        };
      }
    }),
  );
  const found = lines.filter((line) => line !== undefined);
  return {
    wrong: found.filter((l) => !l.settling).map((l) => l.line),
    settling: found.filter((l) => l.settling).map((l) => l.line),
  };
}
