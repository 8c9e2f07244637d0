/**
 * A watchdog world on the local emulator: blue-green listeners, alarms, a topic, a versioned store
 * with the watchdog's configuration in it, and the watchdog's real runtime (real SDK clients, real
 * adapters) pointed at the emulator.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  auditKeyPrefix,
  parseAuditRecord,
  watchdogConfigKey,
  type AuditRecord,
  type RollbackPolicy,
  type WatchdogConfigInput,
} from '../../lib';
import type { Clock } from '../../lambdas/watchdog/engine/retry';
import type { Probe } from '../../lambdas/watchdog/engine/health-ping';
import { createRuntime } from '../../lambdas/watchdog/runtime';
import { createBlueGreen, setForwardWeights, type BlueGreen } from '../emulator/elbv2-fixtures';
import type { Emulator } from '../emulator/index';

export const SERVICE = 'checkout';

export interface WorldOptions {
  readonly listeners?: number;
  readonly alarms?: string[];
  readonly policy?: Partial<RollbackPolicy>;
  readonly extraConfig?: Partial<WatchdogConfigInput>;
  readonly clock?: Clock;
  readonly probe?: Probe;
  readonly lockWaitMs?: number;
}

export interface World {
  readonly emulator: Emulator;
  /** The artifact store's bucket. */
  readonly bucket: string;
  readonly pairs: BlueGreen[];
  readonly topicArn: string;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  /** Invokes the watchdog's real handler. */
  invoke(event: unknown, context?: { getRemainingTimeInMillis?(): number }): Promise<unknown>;
  /** The release moves every listener to green (what a deploy does after capture). */
  shiftToGreen(): Promise<void>;
  /** Where each listener's traffic goes now: [blue weight, green weight]. */
  weights(): Promise<[number, number][]>;
  auditRecords(): Promise<AuditRecord[]>;
  setAlarm(name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'): void;
}

let worlds = 0;

export async function createWorld(emulator: Emulator, options: WorldOptions = {}): Promise<World> {
  // Several worlds may share one emulator: their names must not collide.
  const world = ++worlds;
  const BUCKET = `checkout-artifacts-${world}`;
  const config = emulator.clientConfig();
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  const s3 = new S3Client(emulator.s3ClientConfig());
  const cloudwatch = new CloudWatchClient(config);
  const sns = new SNSClient(config);

  const pairs: BlueGreen[] = [];
  for (let i = 0; i < (options.listeners ?? 1); i++)
    pairs.push(await createBlueGreen(elbv2, `w${world}-svc${i}`));
  // As BlueGreenListener deploys it: both colors attached, blue 100, green 0.
  const forward = (pair: BlueGreen, blue: number, green: number) =>
    setForwardWeights(elbv2, pair, blue, green);
  await Promise.all(pairs.map((pair) => forward(pair, 100, 0)));
  const alarms = options.alarms ?? ['checkout-5xx'];
  for (const name of alarms) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        MetricName: 'HTTPCode_Target_5XX_Count',
        Namespace: 'AWS/ApplicationELB',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  }
  const topic = await sns.send(new CreateTopicCommand({ Name: 'switchback-checkout' }));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
  );

  const watchdogConfig: WatchdogConfigInput = {
    schemaVersion: 1,
    service: SERVICE,
    store: { bucket: BUCKET },
    listeners: pairs.map((pair, i) => ({
      name: `listener-${i}`,
      role: 'production' as const,
      listenerArn: pair.listenerArn,
      targetGroupArns: { blue: pair.blueArn, green: pair.greenArn },
    })),
    notificationTopicArn: topic.TopicArn,
    alarms: alarms.map((name) => ({ name, arn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}` })),
    // Manual actions here carry no caller proof (test/watchdog/adapters/identity.test.ts proves them).
    policy: { verifiedCallers: 'recorded', ...options.policy },
    ...options.extraConfig,
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: watchdogConfigKey(SERVICE),
      Body: JSON.stringify(watchdogConfig),
    }),
  );

  const { handler } = createRuntime({
    env: { SWITCHBACK_CONFIG_BUCKET: BUCKET, SWITCHBACK_CONFIG_KEY: watchdogConfigKey(SERVICE) },
    clientConfig: { ...config, maxAttempts: 3 },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.probe ? { probe: options.probe } : {}),
    lockWaitMs: options.lockWaitMs ?? 20_000,
  });

  return {
    emulator,
    bucket: BUCKET,
    pairs,
    topicArn: topic.TopicArn as string,
    elbv2,
    s3,
    cloudwatch,
    invoke: (event, context = {}) => handler(event, context),
    async shiftToGreen() {
      await Promise.all(pairs.map((pair) => forward(pair, 0, 100)));
    },
    async weights() {
      const out = await elbv2.send(
        new DescribeListenersCommand({ ListenerArns: pairs.map((p) => p.listenerArn) }),
      );
      return pairs.map((pair) => {
        const listener = out.Listeners?.find((l) => l.ListenerArn === pair.listenerArn);
        const action = listener?.DefaultActions?.[0];
        const groups =
          action?.ForwardConfig?.TargetGroups ??
          (action?.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : []);
        const weightOf = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight ?? 0;
        return [weightOf(pair.blueArn), weightOf(pair.greenArn)];
      });
    },
    async auditRecords() {
      const keys = emulator.s3
        .keys(BUCKET)
        .filter((k) => k.startsWith(`${auditKeyPrefix(SERVICE)}decisions/`))
        .sort();
      return keys.map((key) => parseAuditRecord(JSON.parse(emulator.s3.text(BUCKET, key) as string)));
    },
    setAlarm(name, state) {
      emulator.cloudwatch.setAlarmState(name, state);
    },
  };
}

/** A fresh watchdog runtime for the world (a new container: configuration loaded again). */
export function createWorldRuntime(world: World) {
  const { handler } = createRuntime({
    env: { SWITCHBACK_CONFIG_BUCKET: world.bucket, SWITCHBACK_CONFIG_KEY: watchdogConfigKey(SERVICE) },
    clientConfig: { ...world.emulator.clientConfig(), maxAttempts: 3 },
  });
  return (event: unknown) => handler(event, {});
}

/** An alarm state change as SNS delivers it, for an alarm of the world. */
export { snsAlarmEvent, eventBridgeAlarmEvent, directAlarmEvent } from './fixtures';
