/**
 * One protected service of a release-safety scenario, built through the real SDK as its deploy builds
 * it, and named by the service, so that several services share one control plane (the members of a
 * rollback group): a load balancer with blue and green target groups and a production listener
 * (weighted forward, blue 100), the service's rollback alarms (members and a k-of-n composite whose
 * action is an SNS topic), its own versioned store with the watchdog's configuration, and its own
 * watchdog function (the real bundle in a container), subscribed to the alarm topic as SNS invokes
 * Lambda. Beside it, its data plane: blue and green apps, a router for the production listener, the
 * load and the alarm evaluator. world.ts builds the single `checkout` service of the other scenarios
 * the same way.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { readFileSync } from 'node:fs';
import {
  auditKeyPrefix,
  parseAuditRecord,
  watchdogConfigKey,
  watchdogStateKey,
  watchdogStateSchema,
  type AuditRecord,
  type WatchdogConfigInput,
  type WatchdogState,
} from '../../lib';
import { createBlueGreen, setForwardWeights } from '../emulator/elbv2-fixtures';
import {
  compositeRule,
  startAlarmEvaluator,
  type AlarmEvaluator,
  type AlarmTransition,
  type CompositeAlarmSpec,
  type DrillMetric,
  type MetricAlarmSpec,
} from './alarm-evaluator';
import type { ControlPlane } from './control-plane';
import {
  greenSharePercent,
  startApp,
  startLoad,
  startRouter,
  type App,
  type AppBehaviour,
  type ClientRequest,
  type Load,
  type RoutedRequest,
  type Router,
} from './data-plane';
import { defaultAlarms } from './run-scenario';
import { WatchdogFunction } from './watchdog-function';
import { snsLambdaEvent, type Notification } from './world';

/** The release-safety parts of a service's watchdog configuration a scenario sets. */
export type ReleaseSafetyConfig = Pick<WatchdogConfigInput, 'backup' | 'policy' | 'group'>;

/** Options of {@link buildServiceWorld}. */
export interface ServiceWorldOptions {
  readonly plane: ControlPlane;
  /** The protected service's name: every resource of it is named after it. */
  readonly service: string;
  /** Its production listener's port (each service has its own load balancer). */
  readonly listenerPort: number;
  readonly bundlePath: string;
  readonly timeScale: number;
  /** The function's timeout (real time, not scaled). */
  readonly functionTimeoutSeconds: number;
  /** Production requests per second the service's users send. */
  readonly requestsPerSecond: number;
  /** A request without an answer after this long counts as failed. */
  readonly requestTimeoutMs: number;
  /** The release-safety parts of its watchdog configuration. @default none */
  readonly config?: ReleaseSafetyConfig;
  /** Changes to its member alarms, by metric. @default the other scenarios' alarms */
  readonly alarmOverrides?: AlarmOverrides;
}

/** Changes to a service's member alarms, by metric. */
export type AlarmOverrides = Partial<Record<DrillMetric, Partial<MetricAlarmSpec>>>;

/** What the service's users saw and its load balancer routed, with the alarm changes they caused. */
export interface ServiceTraffic {
  readonly routed: readonly RoutedRequest[];
  readonly client: readonly ClientRequest[];
  readonly transitions: readonly AlarmTransition[];
  /** Failed alarm publications. */
  readonly errors: readonly string[];
}

/** One protected service, its watchdog and its data plane. */
export interface ServiceWorld extends ServiceTraffic {
  readonly service: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly bucket: string;
  readonly blueArn: string;
  readonly greenArn: string;
  readonly productionListenerArn: string;
  /** The composite alarm the watchdog protects the service with. */
  readonly compositeName: string;
  readonly watchdog: WatchdogFunction;
  /** Replaces how green answers from now on. */
  green(behaviour: AppBehaviour): void;
  /** Starts the router, the users' load and the alarm evaluator; resolves with the evaluator. */
  startTraffic(): Promise<AlarmEvaluator>;
  /** Stops the load and the alarm evaluator (waiting for what is in flight). */
  stopTraffic(): Promise<void>;
  /** Invokes the watchdog through the Lambda API and waits (as Terraform's invocation and the CLI do). */
  invoke(payload: unknown): Promise<unknown>;
  /** Sets the production listener's weighted forward (what a release's apply does). */
  setWeights(blue: number, green: number): Promise<void>;
  /** The production listener's live weights, blue/green (DescribeListeners). */
  weights(): Promise<[number, number]>;
  /** The production listener's live share to green, as the data plane routes by it now. */
  greenShare(): number;
  /** The service's audit records in its store, oldest first. */
  auditRecords(): Promise<AuditRecord[]>;
  /** The watchdog's state document, or undefined before the first write. */
  watchdogState(): Promise<WatchdogState | undefined>;
  /** Notifications the service's notification topic delivered so far, oldest first. */
  notificationMessages(): readonly Notification[];
  /** Stops the traffic, the function's container, the apps and the clients. */
  close(): Promise<void>;
}

/** The service's rollback alarms: the other scenarios' alarms, named after the service. */
export function serviceAlarms(
  service: string,
  overrides: AlarmOverrides = {},
): {
  metricAlarms: MetricAlarmSpec[];
  composite: CompositeAlarmSpec;
} {
  const base = defaultAlarms();
  const rename = (name: string) => name.replace(/^checkout-/, `${service}-`);
  return {
    metricAlarms: base.metricAlarms.map((a) => ({ ...a, ...overrides[a.metric], name: rename(a.name) })),
    composite: {
      ...base.composite,
      name: rename(base.composite.name),
      members: base.composite.members.map(rename),
    },
  };
}

/** The watchdog function's name of a service. */
export const watchdogFunctionName = (service: string) => `switchback-${service}-watchdog`;

/** The environment a function's container gets: where its configuration is, and the control plane. */
export function functionEnvironment(
  plane: ControlPlane,
  variables: Readonly<Record<string, string>>,
  credentials: FunctionCredentials = plane.clientConfig().credentials,
): Record<string, string> {
  return {
    ...variables,
    AWS_ENDPOINT_URL: plane.endpoint,
    AWS_REGION: plane.clientConfig().region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** The credentials Lambda gives a function's container: its role's, temporary (with a session token). */
export interface FunctionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * What Lambda sets in a container besides the function's own variables (which may not set them): the
 * handler it runs. The bundle builds the entry point `_HANDLER` names at init.
 */
export function runtimeVariables(handler: string): Record<string, string> {
  return { _HANDLER: handler };
}

/** Builds the service on the control plane and starts its watchdog function (a cold start). */
export async function buildServiceWorld(options: ServiceWorldOptions): Promise<ServiceWorld> {
  const { plane, service } = options;
  const config = plane.clientConfig();
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  const cloudwatch = new CloudWatchClient(config);
  const sns = new SNSClient(config);
  const s3 = new S3Client(plane.s3ClientConfig());
  const lambda = new LambdaClient(config);
  const clients = [elbv2, cloudwatch, sns, s3, lambda];
  const closers: Array<() => Promise<void> | void> = [() => clients.forEach((c) => c.destroy())];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await Promise.resolve(close()).catch(() => undefined);
  };
  try {
    const bucket = `${service}-artifacts-drill`;
    const functionName = watchdogFunctionName(service);
    const alarms = serviceAlarms(service, options.alarmOverrides);

    const pair = await createBlueGreen(elbv2, service, options.listenerPort, await plane.network());
    await setForwardWeights(elbv2, pair, 100, 0);
    const alarmTopicArn = (await sns.send(new CreateTopicCommand({ Name: `switchback-${service}-alarms` })))
      .TopicArn as string;
    const notificationTopicArn = (
      await sns.send(new CreateTopicCommand({ Name: `switchback-${service}-watchdog-notifications` }))
    ).TopicArn as string;
    const dimensions = [
      { Name: 'LoadBalancer', Value: pair.loadBalancerArn.split(':loadbalancer/')[1] as string },
      { Name: 'TargetGroup', Value: pair.greenArn.split(':')[5] as string },
    ];
    for (const alarm of alarms.metricAlarms) {
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: alarm.name,
          AlarmDescription: `Drill: ${service}'s candidate ${alarm.metric}. Member of ${alarms.composite.name}.`,
          Namespace: 'AWS/ApplicationELB',
          MetricName: alarm.metric === 'target-5xx-rate' ? 'HTTPCode_Target_5XX_Count' : 'TargetResponseTime',
          ...(alarm.metric === 'target-5xx-rate' ? { Statistic: 'Sum' } : { ExtendedStatistic: 'p99' }),
          Dimensions: dimensions,
          Period: alarm.periodSeconds,
          EvaluationPeriods: alarm.evaluationPeriods,
          DatapointsToAlarm: alarm.datapointsToAlarm,
          Threshold: alarm.threshold,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: alarm.treatMissingData,
        }),
      );
    }
    await plane.putCompositeAlarm(cloudwatch, {
      name: alarms.composite.name,
      rule: compositeRule(alarms.composite),
      alarmActions: [alarmTopicArn],
    });

    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const watchdogConfig: WatchdogConfigInput = {
      schemaVersion: 1,
      service,
      store: { bucket },
      listeners: [
        {
          name: 'production',
          role: 'production',
          listenerArn: pair.listenerArn,
          targetGroupArns: { blue: pair.blueArn, green: pair.greenArn },
        },
      ],
      notificationTopicArn,
      alarms: [
        {
          name: alarms.composite.name,
          arn: `arn:aws:cloudwatch:${config.region}:${plane.accountId}:alarm:${alarms.composite.name}`,
        },
      ],
      ...options.config,
    };
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: watchdogConfigKey(service),
        Body: JSON.stringify(watchdogConfig),
      }),
    );

    const environment = functionEnvironment(plane, {
      SWITCHBACK_CONFIG_BUCKET: bucket,
      SWITCHBACK_CONFIG_KEY: watchdogConfigKey(service),
    });
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: await plane.functionRole(functionName),
        Code: { ZipFile: readFileSync(options.bundlePath) },
        Timeout: options.functionTimeoutSeconds,
        Environment: { Variables: environment },
      }),
    );
    const watchdog = await WatchdogFunction.start({
      environment: { ...environment, ...runtimeVariables('index.handler') },
      bundlePath: options.bundlePath,
      timeScale: options.timeScale,
      timeoutMs: options.functionTimeoutSeconds * 1000,
    });
    closers.push(() => watchdog.stop());
    plane.attachFunction(functionName, watchdog);
    closers.push(
      await plane.subscribe(alarmTopicArn, (delivery) => {
        void plane
          .invoke(lambda, functionName, snsLambdaEvent(delivery, plane.accountId), 'Event')
          .catch(() => undefined);
      }),
    );
    const notifications: Notification[] = [];
    closers.push(
      await plane.subscribe(notificationTopicArn, (delivery) =>
        notifications.push({
          at: Date.now(),
          ...(delivery.subject !== undefined ? { subject: delivery.subject } : {}),
          message: delivery.message,
        }),
      ),
    );

    // The data plane: both colors healthy until the scenario says otherwise.
    const blue: App = await startApp('blue');
    const green: App = await startApp('green');
    closers.push(
      () => blue.close(),
      () => green.close(),
    );
    const targets = new Map([
      [pair.blueArn, { color: 'blue' as const, port: blue.port }],
      [pair.greenArn, { color: 'green' as const, port: green.port }],
    ]);
    const routed: RoutedRequest[] = [];
    const client: ClientRequest[] = [];
    const transitions: AlarmTransition[] = [];
    const errors: string[] = [];
    let traffic: { router: Router; load: Load; evaluator: AlarmEvaluator } | undefined;
    const stopTraffic = async () => {
      const running = traffic;
      if (!running) return;
      await Promise.all([running.load.stop(), running.evaluator.stop()]);
    };
    closers.push(stopTraffic, async () => traffic?.router.close());

    const readAudit = async (): Promise<AuditRecord[]> => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: `${auditKeyPrefix(service)}decisions/`,
            ContinuationToken: token,
          }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key as string));
        token = page.NextContinuationToken;
      } while (token);
      return Promise.all(
        keys.sort().map(async (key) => {
          const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          return parseAuditRecord(JSON.parse((await out.Body?.transformToString('utf-8')) ?? 'null'));
        }),
      );
    };

    return {
      service,
      functionName,
      functionArn: created.FunctionArn as string,
      bucket,
      blueArn: pair.blueArn,
      greenArn: pair.greenArn,
      productionListenerArn: pair.listenerArn,
      compositeName: alarms.composite.name,
      watchdog,
      routed,
      client,
      transitions,
      errors,
      green: (behaviour) => green.behave(behaviour),
      async startTraffic() {
        if (traffic) return traffic.evaluator;
        await plane.watchListeners([pair.listenerArn]);
        const router = await startRouter({
          plane,
          listener: { name: 'production', arn: pair.listenerArn },
          productionListenerArn: pair.listenerArn,
          targets,
          targetTimeoutMs: options.requestTimeoutMs - 250,
          records: routed,
        });
        const load = startLoad({
          port: router.port,
          requestsPerSecond: options.requestsPerSecond,
          timeoutMs: options.requestTimeoutMs,
          records: client,
        });
        const evaluator = startAlarmEvaluator({
          plane,
          metricAlarms: alarms.metricAlarms,
          composite: alarms.composite,
          records: routed,
          timeScale: options.timeScale,
          transitions,
          errors,
        });
        traffic = { router, load, evaluator };
        return evaluator;
      },
      stopTraffic,
      invoke: (payload) => plane.invoke(lambda, functionName, payload, 'RequestResponse'),
      setWeights: (blueWeight, greenWeight) => setForwardWeights(elbv2, pair, blueWeight, greenWeight),
      async weights() {
        const out = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [pair.listenerArn] }));
        const groups = out.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups ?? [];
        const weightOf = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight ?? 0;
        return [weightOf(pair.blueArn), weightOf(pair.greenArn)];
      },
      greenShare: () => greenSharePercent(plane.defaultActions(pair.listenerArn), targets),
      auditRecords: readAudit,
      async watchdogState() {
        try {
          const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: watchdogStateKey(service) }));
          return watchdogStateSchema.parse(
            JSON.parse((await out.Body?.transformToString('utf-8')) ?? 'null'),
          );
        } catch (error) {
          if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
          throw error;
        }
      },
      notificationMessages: () => [...notifications],
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
