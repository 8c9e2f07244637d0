/**
 * The coordinator's composition root: environment checked and AWS clients built once per cold start,
 * the group's configuration loaded from the store and cached per container for a minute. It runs
 * from the watchdog's bundle (handler `index.groupHandler`), so it shares its adapters and its SDK
 * clients' code.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import { groupConfigSchema, parseContract, type GroupConfig } from '../../lib';
import { createNotifyAdapter, createStoreAdapter } from '../watchdog/adapters';
import type { Clock } from '../watchdog/engine/retry';
import type { ClientSettings } from '../watchdog/runtime';
import { createLogger } from '../watchdog/telemetry';
import { createMemberAdapter, createProofAdapter } from './adapters';
import { createGroupHandler, type GroupHandlerDependencies } from './handler';
import type { GroupPorts } from './ports';

/** The environment the coordinator needs: only where its configuration is. */
const environmentSchema = z.object({
  SWITCHBACK_GROUP_CONFIG_BUCKET: z.string().check(z.minLength(3)),
  SWITCHBACK_GROUP_CONFIG_KEY: z.string().check(z.minLength(1)),
});

const CONFIG_CACHE_MS = 60_000;

export interface GroupRuntimeOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Extra client settings (tests and the drill: endpoint, credentials, attempts). */
  readonly clientConfig?: ClientSettings;
  /** Time (tests move it). @default the system clock */
  readonly clock?: Clock;
}

/** Builds the coordinator's handler with real AWS clients. Throws at cold start if the environment is incomplete. */
export function createGroupRuntime(options: GroupRuntimeOptions = {}) {
  const processEnv = options.env ?? process.env;
  const env = environmentSchema.safeParse(processEnv);
  if (!env.success) {
    throw new Error(
      `the group coordinator's environment is incomplete: ${env.error.issues.map((i) => i.path.join('.')).join(', ')} must be set (the store bucket and the key of the group's configuration)`,
    );
  }
  const { SWITCHBACK_GROUP_CONFIG_BUCKET: configBucket, SWITCHBACK_GROUP_CONFIG_KEY: configKey } = env.data;
  const clientConfig = { ...options.clientConfig };
  const endpoint = clientConfig.endpoint ?? processEnv.AWS_ENDPOINT_URL;
  const stsEndpoint = clientConfig.endpoint ?? processEnv.AWS_ENDPOINT_URL_STS ?? processEnv.AWS_ENDPOINT_URL;
  const s3 = new S3Client({
    ...clientConfig,
    forcePathStyle: Boolean(endpoint),
    followRegionRedirects: true,
  });

  // Members may live in any region: one Lambda client per region, built when first needed.
  const lambdaClients = new Map<string, LambdaClient>();
  const lambdaFor = (region: string | undefined): LambdaClient => {
    const key = region ?? '';
    let client = lambdaClients.get(key);
    if (!client) {
      client = new LambdaClient(region ? { ...clientConfig, region } : clientConfig);
      lambdaClients.set(key, client);
    }
    return client;
  };
  const home = lambdaFor(undefined); // the coordinator's own region: its credentials sign the proofs

  // The log level comes from the process (Lambda's settings), not the configuration's location.
  const logger = createLogger({ serviceName: 'switchback-group-coordinator' });
  const clock: Clock = options.clock ?? {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };

  let cachedConfig: { readonly loaded: Promise<GroupConfig>; readonly at: number } | undefined;
  const loadConfig = (): Promise<GroupConfig> => {
    const now = clock.now();
    if (!cachedConfig || now - cachedConfig.at > CONFIG_CACHE_MS) {
      const loaded = createStoreAdapter(s3, configBucket)
        .getJson(configKey)
        .then((stored) => {
          if (!stored) throw new Error(`no group configuration at s3://${configBucket}/${configKey}`);
          return parseContract('group coordinator config', groupConfigSchema(), stored.body);
        });
      cachedConfig = { loaded, at: now };
      // A failed load is not cached: the next invocation tries again.
      loaded.catch(() => {
        if (cachedConfig?.loaded === loaded) cachedConfig = undefined;
      });
    }
    return cachedConfig.loaded;
  };

  const portsByConfig = new Map<string, GroupPorts>();
  const portsFor = (config: GroupConfig): GroupPorts => {
    const key = `${config.store.bucket}|${config.notificationTopicArn ?? ''}`;
    const existing = portsByConfig.get(key);
    if (existing) return existing;
    const topicRegion = config.notificationTopicArn?.split(':')[3];
    const ports: GroupPorts = {
      members: createMemberAdapter((region) => lambdaFor(region)),
      store: createStoreAdapter(s3, config.store.bucket),
      notify: createNotifyAdapter(
        new SNSClient(topicRegion ? { ...clientConfig, region: topicRegion } : clientConfig),
        config.notificationTopicArn,
      ),
      proofs: createProofAdapter({
        credentials: () => home.config.credentials(),
        // The STS endpoint the members' watchdogs trust (they read the same variables).
        ...(stsEndpoint ? { endpoint: stsEndpoint } : {}),
        now: () => clock.now(),
      }),
    };
    portsByConfig.set(key, ports);
    return ports;
  };

  const dependencies: GroupHandlerDependencies = {
    loadConfig,
    portsFor,
    clock,
    log: {
      info: (message, extra) => logger.info(message, extra ?? {}),
      warn: (message, extra) => logger.warn(message, extra ?? {}),
      error: (message, extra) => logger.error(message, extra ?? {}),
      withKeys: (keys) => logger.appendKeys(keys),
      clearKeys: () => logger.resetKeys(),
    },
  };
  return { handler: createGroupHandler(dependencies), dependencies };
}
