/**
 * The adapter suites run twice: against our emulator (test/emulator) and against moto, a peer's AWS
 * emulator (pinned in requirements/moto.txt, installed in .venv-moto, started on loopback by
 * test/moto/server.ts). A test that works through the AWS API alone runs on both. A test that needs
 * something moto lacks names it in `needs`: it runs on the emulator only, and its title says so.
 * Every such gap is listed, with the reason, in {@link MOTO_GAPS} (and in docs/verification.md);
 * nothing is skipped. Every client, CloudWatch's included, speaks its SDK's default protocol on both.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator';
import { EMULATOR_NETWORK } from '../../emulator/elbv2-fixtures';
import { fastRetry } from '../../emulator/testing';
import { CERTIFICATE_ARN } from './fixtures';
import { createLambdaRole, defaultNetwork, type MotoNetwork, requestCertificate } from '../../moto/fixtures';
import { startMoto, type MotoServer } from '../../moto/server';

/** The two backends every adapter suite runs on. */
export const BACKEND_NAMES = ['emulator', 'moto'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * What our emulator offers and moto (the version requirements/moto.txt pins) does not: a test that
 * needs one of these runs on the emulator only. Each entry is the moto gap that forces it.
 */
export const MOTO_GAPS = {
  faults:
    'moto cannot inject throttling, server errors or dropped connections on demand, so the mapping of ' +
    "those failures and the SDK's retries of them cannot be provoked",
  requestLog:
    'moto keeps no log of the attempts it answered (HTTP status per SDK attempt); a client records ' +
    'the commands it sends, but not what the SDK retried',
  targetHealthStates:
    'moto reports every registered target as healthy (DescribeTargetHealth has no unhealthy, initial ' +
    'or draining state to set)',
  compositeAlarms: 'moto has no PutCompositeAlarm (HTTP 500)',
  alarmPaging:
    'moto ignores MaxRecords in DescribeAlarms and answers every alarm on one page, so following ' +
    'NextToken cannot be provoked',
  initialAlarmState:
    'moto creates a metric alarm in OK; CloudWatch creates it in INSUFFICIENT_DATA until it is evaluated',
  forwardEcho:
    'moto echoes a forward action created with TargetGroupArn alone without the ForwardConfig ' +
    'stickiness (TargetGroupStickinessConfig Enabled false) that ELBv2 adds',
  redirectDefaults:
    'moto echoes a redirect as it was written; ELBv2 fills in the host, path and query it leaves ' +
    "out ('#{host}', '/#{path}', '#{query}')",
  targetGroupChecks:
    'moto accepts ModifyListener and ModifyRule forwarding to a target group that does not exist; ' +
    'ELBv2 answers TargetGroupNotFound',
  arnValidation:
    'moto does not check the shape of an ARN: DescribeListeners of "not-an-arn" answers ' +
    'ListenerNotFound, where ELBv2 answers ValidationError',
  manualClock:
    'moto stamps state changes with its own wall clock; the emulator takes an injected clock, so a ' +
    'test can name the exact timestamp',
  backupJobs:
    'moto implements only backup vaults, plans and vault lock in AWS Backup: no StartBackupJob, ' +
    'jobs, recovery points, restore jobs or restore metadata (each answers a 404 page; checked on 5.2.6)',
} as const;

/** A feature a test may need beyond the AWS API both backends speak. */
export type Capability = keyof typeof MOTO_GAPS;

const EVERYTHING: ReadonlySet<Capability> = new Set(Object.keys(MOTO_GAPS) as Capability[]);

/** What each backend has: the emulator all of it, moto none (that is what the gaps are). */
const CAPABILITIES: Readonly<Record<BackendName, ReadonlySet<Capability>>> = {
  emulator: EVERYTHING,
  moto: new Set(),
};

/** SDK client settings for a backend: the SDK's standard retries (3 attempts) with a 1 ms backoff. */
export interface ClientSettings {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly retryStrategy: ReturnType<typeof fastRetry>;
}

/** A message a topic delivered to a subscriber. */
export interface DeliveredMessage {
  readonly subject?: string;
  readonly message: string;
}

/** A subscriber on a topic, collecting what the topic delivers from now on. */
export interface TopicWatch {
  /** What was delivered so far, oldest first. */
  messages(): DeliveredMessage[];
}

/** One backend, started for the test file and reset before each test. */
export interface Backend {
  readonly name: BackendName;
  has(capability: Capability): boolean;
  sdkConfig(): ClientSettings;
  /** `sdkConfig()` plus path-style addressing. */
  s3Config(): ClientSettings & { readonly forcePathStyle: true };
  /** A VPC and two subnets a load balancer can be created in (moto checks that they exist). */
  network(): Promise<MotoNetwork>;
  /** An ACM certificate an HTTPS listener can use (moto checks that it exists, as AWS does). */
  certificateArn(): Promise<string>;
  /** An IAM role a function can be created with (moto checks that it exists, as AWS does). */
  lambdaRole(name: string): Promise<string>;
  /** Subscribes to `topicArn` the way this backend delivers (in process, or SNS over HTTP). */
  watchTopic(topicArn: string): Promise<TopicWatch>;
  /**
   * The emulator's own hooks (faults, request log, inspectors). Throws on moto: use it only in a
   * test that names the capability it needs.
   */
  emulator(): Emulator;
}

/** How the suite's backends are started. */
export interface BackendOptions {
  /** The emulator's options (a manual clock, say); moto always runs on its own clock. */
  readonly emulator?: EmulatorOptions;
  /**
   * What every test of the suite needs: the suite is declared only on the backends that have it,
   * its title saying so (for a service whose every call moto lacks).
   */
  readonly needs?: readonly Capability[];
}

/** What a suite body gets: the backend of the current run, and `it` for tests with needs. */
export interface BackendSuite {
  /** Which backend this run of the suite is on. */
  readonly backendName: BackendName;
  /** The started backend (inside hooks and tests). */
  (): Backend;
  /**
   * A test that needs `capabilities`: registered only on a backend that has them all, and titled
   * `(emulator only: <capabilities>)` so the run shows where it ran. Never skipped: on moto it
   * does not exist, and MOTO_GAPS says why.
   */
  needs(
    capabilities: readonly Capability[],
    name: string,
    fn: () => Promise<unknown>,
    timeout?: number,
  ): void;
}

/**
 * Declares `suite` once per backend (`describe.each`): `<title> on emulator` and `<title> on moto`,
 * each with its backend started before the file's tests, reset before each test, stopped after.
 */
export function describeBackends(
  title: string,
  suite: (backend: BackendSuite) => void,
  options: BackendOptions = {},
): void {
  const needs = options.needs ?? [];
  const backends = BACKEND_NAMES.filter((name) => needs.every((c) => CAPABILITIES[name].has(c)));
  const suffix = needs.length > 0 ? ` (emulator only: ${needs.join(', ')})` : '';
  describe.each(backends)(`${title} on %s${suffix}`, (name) => {
    const current = useBackend(name, options);
    const handle = Object.assign(() => current(), {
      backendName: name,
      needs(
        capabilities: readonly Capability[],
        testName: string,
        fn: () => Promise<unknown>,
        timeout?: number,
      ) {
        if (capabilities.length === 0) throw new Error(`'${testName}' names no capability: use it()`);
        if (capabilities.every((c) => CAPABILITIES[name].has(c)))
          it(`${testName} (emulator only: ${capabilities.join(', ')})`, fn, timeout);
      },
    });
    suite(handle);
  });
}

/** Starts `name` before the tests of the enclosing block, resets it before each, stops it after. */
function useBackend(name: BackendName, options: BackendOptions): () => Backend {
  let backend: RunningBackend | undefined;
  beforeAll(async () => {
    backend = name === 'emulator' ? await emulatorBackend(options.emulator) : await motoBackend();
  }, 30_000);
  beforeEach(() => backend?.reset());
  afterEach(() => backend?.afterTest());
  afterAll(() => backend?.stop());
  return () => {
    if (!backend) throw new Error(`The ${name} backend is not started (use inside a test)`);
    return backend;
  };
}

interface RunningBackend extends Backend {
  reset(): Promise<void>;
  afterTest(): Promise<void>;
  stop(): Promise<void>;
}

const settings = (endpoint: string, region: string, credentials: ClientSettings['credentials']) => ({
  endpoint,
  region,
  credentials,
  retryStrategy: fastRetry(),
});

async function emulatorBackend(options: EmulatorOptions = {}): Promise<RunningBackend> {
  const emulator = await startEmulator(options);
  const unsubscribes: Array<() => void> = [];
  const config = (): ClientSettings => {
    const { endpoint, region, credentials } = emulator.clientConfig();
    return settings(endpoint, region, credentials);
  };
  return {
    name: 'emulator',
    has: (capability) => CAPABILITIES.emulator.has(capability),
    sdkConfig: config,
    s3Config: () => ({ ...config(), forcePathStyle: true }),
    network: async () => EMULATOR_NETWORK,
    // The emulator has no ACM: it accepts any certificate ARN of the right shape.
    certificateArn: async () => CERTIFICATE_ARN,
    // Nor IAM: any role ARN does.
    lambdaRole: async (roleName) => `arn:aws:iam::${emulator.accountId}:role/${roleName}`,
    async watchTopic(topicArn) {
      const delivered: DeliveredMessage[] = [];
      unsubscribes.push(
        emulator.sns.subscribe(topicArn, ({ subject, message }) =>
          delivered.push({ ...(subject !== undefined && { subject }), message }),
        ),
      );
      return { messages: () => [...delivered] };
    },
    emulator: () => emulator,
    async reset() {
      emulator.reset();
    },
    async afterTest() {
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
    },
    stop: () => emulator.stop(),
  };
}

async function motoBackend(): Promise<RunningBackend> {
  const moto: MotoServer = await startMoto();
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const config = (): ClientSettings => settings(moto.endpoint, 'us-east-1', credentials);
  let network: Promise<MotoNetwork> | undefined;
  const receivers: Server[] = [];
  return {
    name: 'moto',
    has: (capability) => CAPABILITIES.moto.has(capability),
    sdkConfig: config,
    s3Config: () => ({ ...config(), forcePathStyle: true }),
    network: () => (network ??= defaultNetwork(moto.endpoint)),
    certificateArn: () => requestCertificate(moto.endpoint, 'shop.example.com'),
    lambdaRole: (roleName) => createLambdaRole(moto.endpoint, roleName),
    watchTopic: async (topicArn) => {
      const { server, messages } = await httpSubscriber();
      receivers.push(server);
      const sns = new SNSClient(config());
      try {
        await sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'http',
            Endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
          }),
        );
      } finally {
        sns.destroy();
      }
      return { messages: () => [...messages] };
    },
    emulator: () => {
      throw new Error('This test runs on moto: it must name what it needs of the emulator in needs([...])');
    },
    async reset() {
      await moto.reset();
      network = undefined;
    },
    async afterTest() {
      await Promise.all(receivers.splice(0).map(closeServer));
    },
    stop: () => moto.stop(),
  };
}

/** A loopback HTTP endpoint that keeps the SNS notifications posted to it. */
async function httpSubscriber(): Promise<{ server: Server; messages: DeliveredMessage[] }> {
  const messages: DeliveredMessage[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const posted = JSON.parse(body) as { Type?: string; Subject?: string | null; Message?: string };
      if (posted.Type === 'Notification' && typeof posted.Message === 'string') {
        messages.push({
          ...(typeof posted.Subject === 'string' && { subject: posted.Subject }),
          message: posted.Message,
        });
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, messages };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A topic on `backend` (SNS CreateTopic), for suites that need one. */
export async function createTopic(backend: Backend, name: string): Promise<string> {
  const sns = new SNSClient(backend.sdkConfig());
  try {
    return (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn as string;
  } finally {
    sns.destroy();
  }
}

/** A command a client sent, as the adapter built it (before the SDK's retries). */
export interface SentCommand {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/** Any SDK v3 client (only its middleware stack is used). */
interface WithMiddleware {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: { input: object }) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: { input: object }) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** The commands a client sends from now on: how many calls an adapter makes, on any backend. */
export interface CommandRecord {
  readonly sent: SentCommand[];
  count(name?: string): number;
  inputs(name: string): Record<string, unknown>[];
  clear(): void;
}

/** Records every command `client` sends (once per command, however often the SDK retries it). */
export function recordCommands(client: WithMiddleware): CommandRecord {
  const sent: SentCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({
        name: (context.commandName ?? 'unknown').replace(/Command$/, ''),
        input: { ...args.input },
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordSentCommands' },
  );
  return {
    sent,
    count: (name) => sent.filter((c) => name === undefined || c.name === name).length,
    inputs: (name) => sent.filter((c) => c.name === name).map((c) => c.input),
    clear: () => void sent.splice(0),
  };
}
