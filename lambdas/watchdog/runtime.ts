/**
 * The composition root: environment checked and AWS clients built once per cold start, configuration
 * loaded from the store and cached per container. The SDK honours AWS_ENDPOINT_URL, which is how
 * tests and the drill point the watchdog at the local emulator.
 */
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { BackupClient } from '@aws-sdk/client-backup';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { parseWatchdogConfig, type WatchdogConfig } from '../../lib';
import {
  createAlarmAdapter,
  createBackupAdapter,
  createAliasAdapter,
  createAppConfigAdapter,
  createArtifactAdapter,
  createGroupAdapter,
  createIdentityAdapter,
  createNotifyAdapter,
  createParameterAdapter,
  createSmokeCheckAdapter,
  createStoreAdapter,
  createTrafficAdapter,
} from './adapters';
import { httpProbe, type Probe } from './engine/health-ping';
import type { Clock } from './engine/retry';
import { createHandler, type HandlerDependencies } from './handler';
import type { WatchdogPorts } from './ports';
import { createLogger, createMetrics } from './telemetry';
import { ELBV2_DESCRIBE_BUDGET, RequestBudget } from './adapters/request-budget';

/** The environment the Lambda needs: only where its configuration is. */
const environmentSchema = z.object({
  SWITCHBACK_CONFIG_BUCKET: z.string().check(z.minLength(3)),
  SWITCHBACK_CONFIG_KEY: z.string().check(z.minLength(1)),
  /** Set on the health-ping prober: the watchdog function it hands breaches to. */
  SWITCHBACK_WATCHDOG_FUNCTION: z.optional(z.string().check(z.minLength(1))),
});

const CONFIG_CACHE_MS = 60_000;

/** Settings every AWS client of the watchdog takes. */
export interface ClientSettings {
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts?: number;
}

export interface RuntimeOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Extra client settings (tests and the drill: endpoint, credentials, attempts). */
  readonly clientConfig?: ClientSettings;
  /** Time (tests move it). @default the system clock */
  readonly clock?: Clock;
  /** How long to wait for another run's lock. @default 15000 */
  readonly lockWaitMs?: number;
  /** Health probe (tests). @default an HTTP GET */
  readonly probe?: Probe;
}

/** Builds the handler with real AWS clients. Throws at cold start if the environment is incomplete. */
export function createRuntime(options: RuntimeOptions = {}) {
  const env = environmentSchema.safeParse(options.env ?? process.env);
  if (!env.success) {
    throw new Error(
      `the watchdog's environment is incomplete: ${env.error.issues.map((i) => i.path.join('.')).join(', ')} must be set (the store bucket and the key of the watchdog configuration)`,
    );
  }
  const {
    SWITCHBACK_CONFIG_BUCKET: configBucket,
    SWITCHBACK_CONFIG_KEY: configKey,
    SWITCHBACK_WATCHDOG_FUNCTION: watchdogFunction,
  } = env.data;
  const clientConfig = { ...options.clientConfig };
  const processEnv = options.env ?? process.env;
  // A custom endpoint (the local emulator) is addressed path-style; AWS itself virtual-hosted. The
  // store may be in another region than the watchdog: follow S3's region redirects.
  const s3 = new S3Client({
    ...clientConfig,
    forcePathStyle: Boolean(clientConfig.endpoint ?? processEnv.AWS_ENDPOINT_URL),
    followRegionRedirects: true,
  });
  // The protected service's clients, per region (the watchdog may run in another one).
  const serviceClients = new Map<string, ReturnType<typeof createServiceClients>>();
  const clientsFor = (region: string | undefined) => {
    const key = region ?? '';
    let clients = serviceClients.get(key);
    if (!clients) {
      clients = createServiceClients(region ? { ...clientConfig, region } : clientConfig);
      serviceClients.set(key, clients);
    }
    return clients;
  };
  clientsFor(undefined); // built at cold start for the usual case: the watchdog beside its service

  // Log level and metrics switches come from the process (Lambda's settings), not the config location.
  const logger = createLogger({ serviceName: 'switchback-watchdog' });
  const metrics = createMetrics({ namespace: 'Switchback', serviceName: 'switchback-watchdog' });

  const clock: Clock = options.clock ?? {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };

  // Caller proofs are checked at the watchdog's own STS endpoint (its region's, or the custom
  // endpoint's: the emulator, moto), never at one a proof names; their age on the watchdog's clock.
  const ownRegion = clientConfig.region ?? processEnv.AWS_REGION ?? processEnv.AWS_DEFAULT_REGION;
  const stsEndpoint = clientConfig.endpoint ?? processEnv.AWS_ENDPOINT_URL_STS ?? processEnv.AWS_ENDPOINT_URL;
  // A proof's age is judged on the wall clock, the one STS and the signer use (not the engine's
  // clock, which tests and the drill may move).
  const identity = createIdentityAdapter({
    ...(ownRegion ? { region: ownRegion } : {}),
    ...(stsEndpoint ? { endpoint: stsEndpoint } : {}),
  });
  // The coordinator of a rollback group may be in any region: the Lambda client of its region.
  const group = createGroupAdapter((region) => clientsFor(region).lambda);

  // Cached per container for a minute (of the injected clock: tests move time): warm containers
  // pick up a redeployed configuration soon, and a capture always reads it fresh.
  let cachedConfig: { readonly loaded: Promise<WatchdogConfig>; readonly at: number } | undefined;
  const loadConfig = (loadOptions: { readonly fresh?: boolean } = {}): Promise<WatchdogConfig> => {
    const now = clock.now();
    if (!cachedConfig || loadOptions.fresh || now - cachedConfig.at > CONFIG_CACHE_MS) {
      const loaded = createStoreAdapter(s3, configBucket)
        .getJson(configKey)
        .then((stored) => {
          if (!stored) throw new Error(`no watchdog configuration at s3://${configBucket}/${configKey}`);
          return parseWatchdogConfig(stored.body);
        });
      cachedConfig = { loaded, at: now };
      // A failed load is not cached: the next invocation tries again.
      loaded.catch(() => {
        if (cachedConfig?.loaded === loaded) cachedConfig = undefined;
      });
    }
    return cachedConfig.loaded;
  };

  const portsByConfig = new Map<string, WatchdogPorts>();
  const portsFor = (config: WatchdogConfig): WatchdogPorts => {
    const key = [
      config.store.bucket,
      config.region ?? '',
      config.notificationTopicArn ?? '',
      config.backup ? 'backup' : '',
      config.group?.coordinatorFunctionArn ?? '',
    ].join('|');
    const existing = portsByConfig.get(key);
    if (existing) return existing;
    const clients = { ...clientsFor(config.region), s3 };
    const ports: WatchdogPorts = {
      // One Describe budget per container and service region, on the same clock as the engine.
      traffic: createTrafficAdapter(clients.elbv2, {
        describeBudget: new RequestBudget({ ...ELBV2_DESCRIBE_BUDGET, clock }),
      }),
      alarms: createAlarmAdapter(clients.cloudwatch),
      aliases: createAliasAdapter(clients.lambda),
      parameters: createParameterAdapter(clients.ssm),
      artifacts: createArtifactAdapter(clients.s3, config.store.bucket),
      store: createStoreAdapter(clients.s3, config.store.bucket),
      // The topic lives with the watchdog, which may be in another region than the service.
      notify: createNotifyAdapter(
        clientsFor(config.notificationTopicArn?.split(':')[3] || config.region).sns,
        config.notificationTopicArn,
      ),
      ...(config.backup ? { backup: createBackupAdapter(clients.backup) } : {}),
      identity,
      ...(config.group ? { group } : {}),
      ...(config.hooks || config.verification ? { checks: createSmokeCheckAdapter(clients.lambda) } : {}),
      // Built only for a service with an AppConfig kill switch: most services have none.
      ...(config.killSwitches?.switches.some((s) => s.kind === 'appconfig')
        ? {
            appConfig: createAppConfigAdapter(
              new AppConfigClient(config.region ? { ...clientConfig, region: config.region } : clientConfig),
            ),
          }
        : {}),
    };
    portsByConfig.set(key, ports);
    return ports;
  };

  const dependencies: HandlerDependencies = {
    loadConfig,
    portsFor,
    warm: {},
    clock,
    ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}),
    log: {
      info: (message, extra) => logger.info(message, extra ?? {}),
      warn: (message, extra) => logger.warn(message, extra ?? {}),
      error: (message, extra) => logger.error(message, extra ?? {}),
      withKeys: (keys) => logger.appendKeys(keys),
      clearKeys: () => logger.resetKeys(),
    },
    metrics: {
      timeToRollback: (ms) => metrics.addMetric('TimeToRollback', 'Milliseconds', ms),
      decision: (outcome) => metrics.addMetric(`Decision_${outcome}`, 'Count', 1),
      forService: (service) => metrics.addDimension('ProtectedService', service),
      flush: () => metrics.publishStoredMetrics(),
    },
    probe: options.probe ?? httpProbe,
    ...(watchdogFunction
      ? {
          forwardBreach: async (report) => {
            await clientsFor(undefined).lambda.send(
              new InvokeCommand({
                FunctionName: watchdogFunction,
                InvocationType: 'Event',
                Payload: new TextEncoder().encode(JSON.stringify({ action: 'health-breach', ...report })),
              }),
            );
          },
        }
      : {}),
    newId: randomUUID,
  };
  return { handler: createHandler(dependencies), dependencies };
}

function createServiceClients(config: ClientSettings) {
  return {
    elbv2: new ElasticLoadBalancingV2Client(config),
    cloudwatch: new CloudWatchClient(config),
    lambda: new LambdaClient(config),
    ssm: new SSMClient(config),
    sns: new SNSClient(config),
    backup: new BackupClient(config),
  };
}
