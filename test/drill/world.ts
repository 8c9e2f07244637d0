/**
 * The drill's control plane, built through the real SDK as a deploy would build it: a load balancer
 * with blue and green target groups, the production listener (weighted forward, blue 100) and a
 * test listener on green, the rollback alarms (members and a k-of-n composite whose action is an
 * SNS topic), the versioned store with the watchdog's configuration, and the watchdog function,
 * subscribed to the alarm topic the way SNS invokes Lambda (asynchronously, with the notification
 * wrapped in an SNS event record). The APIs are our emulator's or moto's (see control-plane.ts).
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateListenerCommand,
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
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { randomUUID } from 'node:crypto';
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
import type { SnsDelivery } from '../emulator/index';
import { compositeRule, type CompositeAlarmSpec, type MetricAlarmSpec } from './alarm-evaluator';
import type { ControlPlane } from './control-plane';
import { WatchdogFunction } from './watchdog-function';

/** The protected service's name in every drill. */
export const DRILL_SERVICE = 'checkout';
/** The release every scenario makes. */
export const DRILL_RELEASE_ID = 'release-2';
/** The watchdog function's name. */
export const WATCHDOG_FUNCTION = 'switchback-checkout-watchdog';

/** Options of {@link buildWorld}. */
export interface WorldOptions {
  readonly plane: ControlPlane;
  readonly metricAlarms: readonly MetricAlarmSpec[];
  readonly composite: CompositeAlarmSpec;
  readonly bundlePath: string;
  readonly timeScale: number;
  /** The function's timeout (real time, not scaled): the container enforces it as Lambda does. */
  readonly functionTimeoutSeconds: number;
}

/** The progressive-delivery parts of the watchdog's configuration a scenario may add. */
export type DeliveryConfig = Pick<
  WatchdogConfigInput,
  'shifting' | 'hooks' | 'verification' | 'killSwitches'
>;

/** A notification the watchdog published on its topic. */
export interface Notification {
  readonly at: number;
  readonly subject?: string;
  readonly message: string;
}

/** The built control plane and the watchdog function wired to it. */
export interface World {
  readonly bucket: string;
  readonly loadBalancerArn: string;
  readonly blueArn: string;
  readonly greenArn: string;
  readonly productionListenerArn: string;
  readonly testListenerArn: string;
  readonly alarmTopicArn: string;
  readonly notificationTopicArn: string;
  readonly watchdog: WatchdogFunction;
  /** Clients a deploy and an operator use, against the control plane. */
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly lambda: LambdaClient;
  /** Invokes the function through the Lambda API and waits (as the CLI and Terraform's invocation do). */
  invokeWatchdog(payload: unknown): Promise<unknown>;
  /**
   * Writes the watchdog's configuration again with these progressive-delivery parts (before the
   * capture, which reads the configuration fresh, as a deploy writes it before its capture).
   */
  configure(delivery: DeliveryConfig): Promise<void>;
  /**
   * The schedule tick, as the EventBridge schedule sends it: `{ "action": "tick" }`, invoked
   * asynchronously (Lambda queues it behind the invocation running; the reserved concurrency is 1).
   */
  tick(): void;
  /** Sets the production listener's weighted forward (what a release's apply does). */
  setWeights(blue: number, green: number): Promise<void>;
  /** The production listener's live weights, blue/green (DescribeListeners). */
  weights(): Promise<[number, number]>;
  /** The service's audit records in the store, oldest first. */
  auditRecords(): Promise<AuditRecord[]>;
  /** The watchdog's state document for the service (shift, promotion, latch), or undefined before the first write. */
  watchdogState(): Promise<WatchdogState | undefined>;
  /** Notifications the notification topic delivered so far. */
  notifications(): number;
  /** Those notifications, oldest first. */
  notificationMessages(): readonly Notification[];
  /** Writes an SSM parameter (a new version), as the service's own deploy would. */
  putParameter(name: string, value: string): Promise<void>;
  /** An SSM parameter's live value (GetParameter). */
  parameterValue(name: string): Promise<string | undefined>;
  /** Stops the function's container and closes the clients. */
  close(): Promise<void>;
}

/** Builds the control plane and starts the watchdog function (a cold start of the bundle). */
export async function buildWorld(options: WorldOptions): Promise<World> {
  const { plane } = options;
  const config = plane.clientConfig();
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  const cloudwatch = new CloudWatchClient(config);
  const sns = new SNSClient(config);
  const s3 = new S3Client(plane.s3ClientConfig());
  const lambda = new LambdaClient(config);
  const ssm = new SSMClient(config);
  const bucket = 'checkout-artifacts-drill';

  const pair = await createBlueGreen(elbv2, 'checkout', 80, await plane.network());
  const forward = (blue: number, green: number) => setForwardWeights(elbv2, pair, blue, green);
  // As BlueGreenListener deploys it: both colors attached, blue 100, green 0; the test listener on green.
  await forward(100, 0);
  const testListener = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: pair.loadBalancerArn,
      Protocol: 'HTTP',
      Port: 8443,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: pair.greenArn }],
    }),
  );
  const testListenerArn = testListener.Listeners?.[0]?.ListenerArn as string;

  const alarmTopic = await sns.send(new CreateTopicCommand({ Name: 'switchback-checkout-alarms' }));
  const notificationTopic = await sns.send(
    new CreateTopicCommand({ Name: 'switchback-checkout-watchdog-notifications' }),
  );
  const alarmTopicArn = alarmTopic.TopicArn as string;
  const notificationTopicArn = notificationTopic.TopicArn as string;
  const dimensions = [
    { Name: 'LoadBalancer', Value: pair.loadBalancerArn.split(':loadbalancer/')[1] as string },
    { Name: 'TargetGroup', Value: pair.greenArn.split(':')[5] as string },
  ];
  for (const alarm of options.metricAlarms) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm.name,
        AlarmDescription: `Drill: the candidate's ${alarm.metric}. Member of ${options.composite.name}.`,
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
  // The watchdog acts on ALARM only; as in RollbackAlarms, the composite has no OK actions.
  await plane.putCompositeAlarm(cloudwatch, {
    name: options.composite.name,
    rule: compositeRule(options.composite),
    alarmActions: [alarmTopicArn],
  });

  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  const watchdogConfig: WatchdogConfigInput = {
    schemaVersion: 1,
    service: DRILL_SERVICE,
    store: { bucket },
    listeners: [
      {
        name: 'production',
        role: 'production',
        listenerArn: pair.listenerArn,
        targetGroupArns: { blue: pair.blueArn, green: pair.greenArn },
      },
      {
        name: 'test',
        role: 'test',
        listenerArn: testListenerArn,
        targetGroupArns: { blue: pair.blueArn, green: pair.greenArn },
      },
    ],
    notificationTopicArn,
    alarms: [
      {
        name: options.composite.name,
        arn: `arn:aws:cloudwatch:us-east-1:${plane.accountId}:alarm:${options.composite.name}`,
      },
    ],
  };
  const writeConfig = (delivery: DeliveryConfig) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: watchdogConfigKey(DRILL_SERVICE),
        Body: JSON.stringify({ ...watchdogConfig, ...delivery }),
      }),
    );
  await writeConfig({});

  // The function's configuration is what the container gets: nothing else reaches it.
  const environment = {
    SWITCHBACK_CONFIG_BUCKET: bucket,
    SWITCHBACK_CONFIG_KEY: watchdogConfigKey(DRILL_SERVICE),
    AWS_ENDPOINT_URL: plane.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: config.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: config.credentials.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: WATCHDOG_FUNCTION,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: await plane.functionRole('switchback-checkout-watchdog'),
      Code: { ZipFile: readFileSync(options.bundlePath) },
      Timeout: options.functionTimeoutSeconds,
      Environment: { Variables: environment },
    }),
  );
  const watchdog = await WatchdogFunction.start({
    environment,
    bundlePath: options.bundlePath,
    timeScale: options.timeScale,
    timeoutMs: options.functionTimeoutSeconds * 1000,
  });
  plane.attachFunction(WATCHDOG_FUNCTION, watchdog);
  // SNS invokes a subscribed function asynchronously, one notification per event record.
  const unsubscribes = [
    await plane.subscribe(alarmTopicArn, (delivery) => {
      void plane
        .invoke(lambda, WATCHDOG_FUNCTION, snsLambdaEvent(delivery, plane.accountId), 'Event')
        .catch(() => undefined);
    }),
  ];
  const notifications: Notification[] = [];
  unsubscribes.push(
    await plane.subscribe(notificationTopicArn, (delivery) =>
      notifications.push({
        at: Date.now(),
        ...(delivery.subject !== undefined ? { subject: delivery.subject } : {}),
        message: delivery.message,
      }),
    ),
  );

  return {
    bucket,
    loadBalancerArn: pair.loadBalancerArn,
    blueArn: pair.blueArn,
    greenArn: pair.greenArn,
    productionListenerArn: pair.listenerArn,
    testListenerArn,
    alarmTopicArn,
    notificationTopicArn,
    watchdog,
    elbv2,
    lambda,
    invokeWatchdog: (payload) => plane.invoke(lambda, WATCHDOG_FUNCTION, payload, 'RequestResponse'),
    configure: async (delivery) => {
      await writeConfig(delivery);
    },
    tick() {
      void plane.invoke(lambda, WATCHDOG_FUNCTION, { action: 'tick' }, 'Event').catch(() => undefined);
    },
    async setWeights(blue, green) {
      await forward(blue, green);
    },
    async weights() {
      const out = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [pair.listenerArn] }));
      const groups = out.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups ?? [];
      const weightOf = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight ?? 0;
      return [weightOf(pair.blueArn), weightOf(pair.greenArn)];
    },
    async auditRecords() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: `${auditKeyPrefix(DRILL_SERVICE)}decisions/`,
            ContinuationToken: token,
          }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key as string));
        token = page.NextContinuationToken;
      } while (token);
      const records = await Promise.all(
        keys.sort().map(async (key) => {
          const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          return parseAuditRecord(JSON.parse((await out.Body?.transformToString('utf-8')) ?? 'null'));
        }),
      );
      return records;
    },
    async watchdogState() {
      try {
        const out = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: watchdogStateKey(DRILL_SERVICE) }),
        );
        return watchdogStateSchema.parse(JSON.parse((await out.Body?.transformToString('utf-8')) ?? 'null'));
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    notifications: () => notifications.length,
    notificationMessages: () => [...notifications],
    async putParameter(name, value) {
      await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
    },
    async parameterValue(name) {
      const out = await ssm.send(new GetParameterCommand({ Name: name }));
      return out.Parameter?.Value;
    },
    async close() {
      for (const unsubscribe of unsubscribes) unsubscribe();
      await watchdog.stop();
      for (const client of [elbv2, cloudwatch, sns, s3, lambda, ssm]) client.destroy();
    },
  };
}

/** An SNS notification as Lambda receives it from an SNS subscription. */
export function snsLambdaEvent(delivery: SnsDelivery, accountId: string) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${delivery.topicArn}:${randomUUID()}`,
        Sns: {
          Type: 'Notification',
          MessageId: delivery.messageId,
          TopicArn: delivery.topicArn,
          Subject: delivery.subject ?? null,
          Message: delivery.message,
          Timestamp: delivery.timestamp.toISOString(),
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${accountId}.pem`,
          UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${delivery.topicArn}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}
