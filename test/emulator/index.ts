/**
 * A local AWS API emulator for tests and drills: one loopback HTTP endpoint speaking the wire
 * protocols of the pinned AWS SDK v3 clients (ELBv2, Lambda, SSM, S3, CloudWatch, SNS, Backup, AppConfig),
 * plus STS GetCallerIdentity with SigV4 verification, with in-memory state, fault injection and a
 * request log. Test infrastructure only: never shipped.
 *
 * @example
 * const emu = await startEmulator();
 * const elbv2 = new ElasticLoadBalancingV2Client(emu.clientConfig());
 * emu.faults.add({ service: 'elbv2', action: 'ModifyListener', throttle: 'always', times: 2 });
 * ...
 * await emu.stop();
 */
import { ACCOUNT_ID } from './core/ids';
import { AppConfigInspector, appConfigService } from './services/appconfig';
import { Runtime, ServiceDefinition } from './core/service';
import { ServiceName } from './core/types';
import { Engine } from './engine';
import { FaultInjector } from './faults';
import { RequestLog, type RequestLogEntry } from './request-log';
import { Edge, listen } from './server';
import { backupService } from './services/backup';
import { BackupInspector } from './services/backup-inspector';
import { CloudWatchInspector, cloudWatchService } from './services/cloudwatch';
import { elbv2Service } from './services/elbv2';
import { Elbv2Inspector } from './services/elbv2/inspector';
import { LambdaInspector, lambdaService } from './services/lambda';
import { S3Inspector, s3Service } from './services/s3';
import { deliver, SnsInspector, snsService, SnsState } from './services/sns';
import { SsmInspector, ssmService } from './services/ssm';
import { EMULATOR_IDENTITY, StsInspector, stsService } from './services/sts';

export type { FaultCall, FaultHandle, FaultRule, InjectedError, ThrottleSpec } from './faults';
export type { RequestLogEntry, RequestLogFilter } from './request-log';
export type { ServiceName } from './core/types';
export type { LambdaHandler, LambdaHandlerContext, SnsDelivery } from './core/service';
export type { RouteDecision, SimulatedRequest } from './services/elbv2/routing';
export type { RuleView } from './services/elbv2/inspector';
export type {
  ElbAction,
  Listener,
  LoadBalancer,
  RegisteredTarget,
  TargetGroup,
  TargetHealthState,
} from './services/elbv2/model';
export type { AliasConfiguration, FunctionConfiguration } from './services/lambda';
export type { ParameterVersion } from './services/ssm';
export type { ObjectVersionView } from './services/s3';
export type { AlarmState, CompositeAlarm, MetricAlarm, MetricDatum } from './services/cloudwatch';
export type { PublishedMessage, Topic } from './services/sns';
export type {
  BackupJob,
  BackupJobBehaviour,
  BackupJobState,
  BackupVault,
  RecoveryPoint,
  RecoveryPointStatus,
  RestoreJob,
  RestoreJobBehaviour,
  RestoreJobEnd,
  RestoreJobStatus,
  RestoreValidationStatus,
} from './services/backup';
export type { RestoreJobView } from './services/backup-inspector';
export type { SeedRecoveryPointInput, SeedRestoreTestInput } from './services/backup-seed';
export type { PresignExpiry, StsCall, StsIdentity, StsIdentityInput } from './services/sts';
export { EMULATOR_IDENTITY };
export type { DeploymentState as AppConfigDeploymentState } from './services/appconfig';
export {
  Elbv2Inspector,
  LambdaInspector,
  SsmInspector,
  S3Inspector,
  CloudWatchInspector,
  SnsInspector,
  BackupInspector,
  AppConfigInspector,
  StsInspector,
};

/** How to start the emulator. */
export interface EmulatorOptions {
  /** TCP port. @default 0 (a free port, read it from `emulator.port`) */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Region for requests without a SigV4 scope. @default 'us-east-1' */
  readonly defaultRegion?: string;
  /**
   * Milliseconds since the epoch, for stale-read windows, token buckets and timestamps. Inject a
   * manual clock to make time-dependent tests deterministic. @default Date.now
   */
  readonly clock?: () => number;
}

/** Configuration for an AWS SDK v3 client pointed at the emulator. */
export interface EmulatorClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The fault-rule API (see {@link FaultRule}). */
export type Faults = Pick<FaultInjector, 'add' | 'clear' | 'list'>;

/** The request-log API (see {@link RequestLogEntry}). */
export type RequestLogView = Pick<RequestLog, 'entries' | 'count' | 'actions' | 'clear' | 'subscribe'>;

/** A running emulator. */
export interface Emulator {
  /** `http://<host>:<port>`: pass as the SDK's `endpoint` or `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  readonly port: number;
  readonly host: string;
  /** The account every ARN carries. */
  readonly accountId: string;
  readonly faults: Faults;
  readonly requestLog: RequestLogView;
  readonly elbv2: Elbv2Inspector;
  readonly lambda: LambdaInspector;
  readonly ssm: SsmInspector;
  readonly s3: S3Inspector;
  readonly cloudwatch: CloudWatchInspector;
  readonly sns: SnsInspector;
  readonly backup: BackupInspector;
  readonly appConfig: AppConfigInspector;
  /** The identities STS knows (its signature checks) and the calls it checked. */
  readonly sts: StsInspector;
  /** `{ endpoint, region, credentials }` for any client; add `forcePathStyle: true` for S3 (or use `s3ClientConfig`). */
  clientConfig(region?: string): EmulatorClientConfig;
  /** `clientConfig()` plus `forcePathStyle: true`. */
  s3ClientConfig(region?: string): EmulatorClientConfig & { readonly forcePathStyle: true };
  /** Empties every service, removes fault rules, Lambda handlers and SNS subscribers, and clears the log. */
  reset(): void;
  /** Stops listening and closes every connection. */
  stop(): Promise<void>;
}

const SERVICES: ReadonlyArray<ServiceDefinition<unknown>> = [
  elbv2Service,
  lambdaService,
  ssmService,
  s3Service,
  cloudWatchService,
  snsService,
  backupService,
  appConfigService,
  stsService,
] as ReadonlyArray<ServiceDefinition<unknown>>;

/**
 * Whether the emulator models a logged call as a write (it changes state: S3 Put/Copy/Delete, SNS
 * Publish...). An action it does not know counts as a write: it is surely not a plain read.
 */
export function isWriteCall(call: Pick<RequestLogEntry, 'service' | 'action'>): boolean {
  const service = SERVICES.find((s) => s.name === call.service);
  const operations: Record<string, { readonly kind: 'read' | 'write' }> = service?.operations ?? {};
  const operation = Object.prototype.hasOwnProperty.call(operations, call.action)
    ? operations[call.action]
    : undefined;
  return operation?.kind !== 'read';
}

/** Starts an emulator on a loopback port. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? Date.now;
  const defaultRegion = options.defaultRegion ?? 'us-east-1';
  const runtime: Runtime = {
    accountId: ACCOUNT_ID,
    now: clock,
    lambdaHandlers: new Map(),
    snsSubscribers: new Map(),
    publishToTopic(topicArn, message, subject) {
      const sns = live.state<SnsState>('sns');
      if (sns.topics.has(topicArn))
        deliver(sns, runtime, { topicArn, message, subject, messageAttributes: {} });
    },
  };
  const faults = new FaultInjector(clock);
  const log = new RequestLog();
  const live: Engine = new Engine(SERVICES, runtime, faults, log);
  const edge: Edge = await listen(live, host, options.port ?? 0, defaultRegion);
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${edge.port}`;
  const state =
    <S>(service: ServiceName) =>
    () =>
      live.state<S>(service);
  const clientConfig = (region = defaultRegion): EmulatorClientConfig => ({
    endpoint,
    region,
    credentials: {
      accessKeyId: EMULATOR_IDENTITY.accessKeyId,
      secretAccessKey: EMULATOR_IDENTITY.secretAccessKey,
    },
  });
  return {
    endpoint,
    port: edge.port,
    host,
    accountId: ACCOUNT_ID,
    faults,
    requestLog: log,
    elbv2: new Elbv2Inspector(state('elbv2')),
    lambda: new LambdaInspector(state('lambda'), runtime),
    ssm: new SsmInspector(state('ssm')),
    s3: new S3Inspector(state('s3')),
    cloudwatch: new CloudWatchInspector(state('cloudwatch'), runtime),
    sns: new SnsInspector(state('sns'), runtime),
    backup: new BackupInspector(state('backup'), runtime),
    appConfig: new AppConfigInspector(state('appconfig'), clock),
    sts: new StsInspector(state('sts')),
    clientConfig,
    s3ClientConfig: (region?: string) => ({ ...clientConfig(region), forcePathStyle: true as const }),
    reset() {
      live.resetState();
      faults.clear();
      log.clear();
      runtime.lambdaHandlers.clear();
      runtime.snsSubscribers.clear();
    },
    stop: () => edge.close(),
  };
}
