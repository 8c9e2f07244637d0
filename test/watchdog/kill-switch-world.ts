/**
 * A world for the kill-switch and verification tests: the engine over in-memory ports (fakes.ts),
 * plus an in-memory AppConfig environment and smoke checks, a captured release whose manifest holds
 * the kill switches' state, and a way to run the engine as one invocation.
 */
import {
  currentReleaseKey,
  decisionRecordKey,
  parseAuditRecord,
  parseReleaseManifest,
  parseWatchdogConfig,
  auditKeyPrefix,
  releaseManifestKey,
  watchdogStateKey,
  watchdogStateSchema,
  type AuditRecord,
  type ListenerAction,
  type ReleaseManifest,
  type WatchdogConfigInput,
  type WatchdogState,
} from '../../lib';
import type { EngineContext } from '../../lambdas/watchdog/engine/context';
import { captureKillSwitches } from '../../lambdas/watchdog/engine/kill-switches';
import type {
  AppConfigDeployment,
  AppConfigPort,
  SmokeCheckPort,
  WatchdogPorts,
} from '../../lambdas/watchdog/ports';
import {
  ALARM,
  awsError,
  BUCKET,
  FakeAlarms,
  FakeAliases,
  FakeBucket,
  FakeParameters,
  FakeTraffic,
  fakeArtifacts,
  journaled,
  Journal,
  fakeNotify,
  fakeStore,
  ManualClock,
  RecordingLog,
  RecordingMetrics,
  SERVICE,
  TOPIC_ARN,
  type Notification,
} from './fakes';
import { alarmArn, iso, listenerArn, minutes } from './fixtures';

export const APP = 'app1234';
export const ENV = 'env1234';
export const PROFILE = 'prf1234';

/** One AppConfig environment: deployments of profiles, whose state a test sets. */
export class FakeAppConfig implements AppConfigPort {
  readonly list: {
    deploymentNumber: number;
    configurationProfileId: string;
    configurationVersion: string;
    state: string;
    strategy?: string;
  }[] = [];
  readonly stopped: number[] = [];
  /** The state a deployment the watchdog starts is in (a gradual strategy: `DEPLOYING`). */
  startsAs = 'COMPLETE';
  /**
   * A gradual deployment reaching its last target: after this many more reads of the deployments,
   * every `DEPLOYING` one is `COMPLETE`. Undefined: deployments stay as they are.
   */
  readsUntilComplete: number | undefined;

  /** What a deploy does (not the watchdog). */
  deploy(version: string, state = 'COMPLETE', profile = PROFILE): number {
    const deploymentNumber = this.list.length + 1;
    this.list.push({
      deploymentNumber,
      configurationProfileId: profile,
      configurationVersion: version,
      state,
    });
    return deploymentNumber;
  }

  async deployments(
    applicationId: string,
    environmentId: string,
    profile: string,
  ): Promise<AppConfigDeployment[]> {
    if (applicationId !== APP || environmentId !== ENV)
      throw awsError('not-found', 'ListDeployments', 'ResourceNotFoundException', 'no such environment');
    if (this.readsUntilComplete !== undefined && --this.readsUntilComplete <= 0) {
      this.readsUntilComplete = undefined;
      this.completeDeployments();
    }
    return this.list
      .filter((d) => d.configurationProfileId === profile)
      .map(({ strategy: _strategy, ...d }) => ({ ...d }))
      .reverse();
  }

  async stopDeployment(_app: string, _env: string, deploymentNumber: number): Promise<void> {
    const found = this.list.find((d) => d.deploymentNumber === deploymentNumber);
    if (!found) throw awsError('not-found', 'StopDeployment', 'ResourceNotFoundException', 'no deployment');
    found.state = 'ROLLED_BACK';
    this.stopped.push(deploymentNumber);
  }

  async startDeployment(input: Parameters<AppConfigPort['startDeployment']>[0]): Promise<number> {
    const n = this.deploy(input.configurationVersion, this.startsAs, input.configurationProfileId);
    this.list[n - 1]!.strategy = input.deploymentStrategyId;
    return n;
  }

  /** Every deployment still reaching its targets has reached them all. */
  completeDeployments(): void {
    for (const d of this.list) if (d.state === 'DEPLOYING') d.state = 'COMPLETE';
  }

  /** The version served: the newest delivered deployment's. */
  deployed(): string | undefined {
    return [...this.list].reverse().find((d) => d.state === 'COMPLETE' || d.state === 'BAKING')
      ?.configurationVersion;
  }
}

/** Smoke checks whose answers a test sets, by URL or function ARN. */
export class FakeChecks implements SmokeCheckPort {
  readonly answers = new Map<string, number>();
  readonly calls: string[] = [];

  async httpGet(url: string) {
    this.calls.push(url);
    return { status: this.answers.get(url) ?? 200, body: 'ok' };
  }

  async invokeFunction(functionArn: string) {
    this.calls.push(functionArn);
    return { result: { passed: true } };
  }
}

const LOAD_BALANCER_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';

export function forward(blue: string, green: string, blueWeight: number): ListenerAction[] {
  return [
    {
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { targetGroupArn: blue, weight: blueWeight },
          { targetGroupArn: green, weight: 100 - blueWeight },
        ],
      },
    },
  ];
}

/**
 * Blue serving, the alarm OK, the watchdog configured with `extra` (kill switches, verification...).
 * `parts` lets a test put other ports in (the real adapters against the emulator).
 */
export function killSwitchWorld(
  extra: Partial<WatchdogConfigInput> = {},
  parts: Partial<Pick<WatchdogPorts, 'parameters' | 'appConfig'>> = {},
) {
  const clock = new ManualClock();
  const bucket = new FakeBucket(BUCKET);
  const traffic = new FakeTraffic();
  const alarms = new FakeAlarms(clock);
  const aliases = new FakeAliases();
  const parameters = new FakeParameters();
  const appConfig = new FakeAppConfig();
  const checks = new FakeChecks();
  const published: Notification[] = [];
  const log = new RecordingLog();
  // The order of traffic and AppConfig calls, for the tests of what waits for what.
  const journal = new Journal();
  const blue = traffic.addTargetGroup('checkout-blue');
  const green = traffic.addTargetGroup('checkout-green');
  traffic.addListener({
    listenerArn: listenerArn(1),
    loadBalancerArn: LOAD_BALANCER_ARN,
    port: 443,
    defaultActions: forward(blue, green, 100),
  });
  alarms.set(ALARM, 'OK');
  const config = parseWatchdogConfig({
    schemaVersion: 1,
    service: SERVICE,
    store: { bucket: BUCKET },
    listeners: [
      {
        name: 'production',
        role: 'production',
        listenerArn: listenerArn(1),
        targetGroupArns: { blue, green },
      },
    ],
    notificationTopicArn: TOPIC_ARN,
    alarms: [{ name: ALARM, arn: alarmArn(ALARM) }],
    ...extra,
  });
  const ports: WatchdogPorts = {
    traffic: journaled('traffic', traffic, journal),
    alarms,
    aliases,
    parameters: parts.parameters ?? parameters,
    artifacts: fakeArtifacts(bucket),
    store: fakeStore(bucket),
    notify: fakeNotify(TOPIC_ARN, published),
    appConfig: journaled('appConfig', parts.appConfig ?? appConfig, journal),
    checks,
  };
  let runs = 0;
  /** The engine's context for one invocation. */
  const context = (): EngineContext => ({
    config,
    ports,
    clock,
    log,
    metrics: new RecordingMetrics(),
    invocationId: `run-${String(++runs).padStart(4, '0')}`,
    lockWaitMs: 0,
  });

  return {
    clock,
    bucket,
    traffic,
    alarms,
    parameters,
    appConfig,
    checks,
    published,
    log,
    journal,
    blue,
    green,
    config,
    context,
    /**
     * Captures release `releaseId` as capture does (listener, parameters, kill switches), then points
     * at it. `candidate`: the color the release deploys (blue after a promotion of green).
     */
    async capture(releaseId = 'r1', candidate: 'blue' | 'green' = 'green'): Promise<ReleaseManifest> {
      const now = clock.now();
      const manifest = parseReleaseManifest({
        schemaVersion: 1,
        service: SERVICE,
        releaseId,
        capturedAt: iso(now),
        evaluationWindowEndsAt: iso(now + minutes(60)),
        listeners: [
          {
            name: 'production',
            listenerArn: listenerArn(1),
            knownGoodTargetGroupArns: [candidate === 'green' ? blue : green],
            candidateTargetGroupArns: [candidate === 'green' ? green : blue],
            defaultActions: traffic.defaultActionsOf(listenerArn(1)),
            rules: [],
          },
        ],
        parameters: await Promise.all(
          config.parameters.map(async (p) => ({
            name: p.name,
            version: await ports.parameters.currentVersion(p.name),
          })),
        ),
        alarms: [{ name: ALARM, state: 'OK' }],
        killSwitches: await captureKillSwitches(context()),
      });
      const manifestKey = releaseManifestKey(SERVICE, releaseId);
      await ports.store.putJson(manifestKey, manifest);
      await ports.store.putJson(currentReleaseKey(SERVICE), {
        releaseId,
        manifestKey,
        capturedAt: manifest.capturedAt,
        evaluationWindowEndsAt: manifest.evaluationWindowEndsAt,
        manifest,
      });
      return manifest;
    },
    /** What the release does after capture: all traffic to green. */
    shiftToGreen(): void {
      traffic.setDefaultActions(listenerArn(1), forward(blue, green, 0));
    },
    blueWeight(): number {
      const groups = traffic
        .defaultActionsOf(listenerArn(1))
        .flatMap((a) => (a.type === 'forward' ? a.forwardConfig.targetGroups : []));
      return groups.find((g) => g.targetGroupArn === blue)?.weight ?? 0;
    },
    state(): WatchdogState {
      const key = watchdogStateKey(SERVICE);
      return watchdogStateSchema.parse(bucket.current(key) ? bucket.json(key) : { schemaVersion: 1 });
    },
    async setState(state: WatchdogState): Promise<void> {
      await ports.store.putJson(watchdogStateKey(SERVICE), state);
    },
    records(): AuditRecord[] {
      return bucket
        .keys(`${auditKeyPrefix(SERVICE)}decisions/`)
        .map((key) => parseAuditRecord(bucket.json(key)));
    },
    record(decidedAt: string, decisionId: string): AuditRecord {
      return parseAuditRecord(bucket.json(decisionRecordKey(SERVICE, decidedAt, decisionId)));
    },
    /** The alarm breached now, as SNS delivers it. */
    breach(at = clock.now()) {
      alarms.set(ALARM, 'ALARM');
      return {
        kind: 'alarm' as const,
        source: 'sns' as const,
        alarmName: ALARM,
        alarmArn: alarmArn(ALARM),
        state: 'ALARM' as const,
        stateChangedAt: iso(at),
        eventId: `${ALARM}|${iso(at)}|ALARM`,
      };
    },
  };
}

export type KillSwitchWorld = ReturnType<typeof killSwitchWorld>;
