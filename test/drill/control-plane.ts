/**
 * The drill's control plane: the AWS APIs a deploy, the watchdog and the operator call. Two can
 * serve it: our emulator (every scenario) and moto, a peer's emulator (the scenarios that need
 * none of the emulator's own hooks). What moto does not do, the drill does in its place, each
 * named here: moto has no composite alarms (a metric alarm of the same name stands in; the drill's
 * evaluator computes the k-of-n rule either way), does not notify an alarm's SNS actions on
 * SetAlarmState (the drill publishes CloudWatch's notification), runs no Lambda code without Docker
 * (the drill plays Lambda: invocations and SNS deliveries go straight to the watchdog container),
 * keeps no request log (the watchdog reaches moto through a loopback front door that passes every
 * call through unchanged and logs it) and has no data plane (a mirror of the listeners, read every
 * 50 ms, routes requests).
 */
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BlueGreenNetwork, EMULATOR_NETWORK } from '../emulator/elbv2-fixtures';
import type { ElbAction, Emulator, RouteDecision, SimulatedRequest, SnsDelivery } from '../emulator/index';
import { startEmulator } from '../emulator/index';
import type { ElbState, Listener, Rule } from '../emulator/services/elbv2/model';
import { routeRequest } from '../emulator/services/elbv2/routing';
import { createLambdaRole, defaultNetwork } from '../moto/fixtures';
import { type MotoFrontDoor, startMotoFrontDoor } from '../moto/front-door';
import { type MotoServer, startMoto } from '../moto/server';
import { FunctionError, type WatchdogFunction } from './watchdog-function';

/** Which emulator serves the drill's AWS APIs. */
export const CONTROL_PLANES = ['emulator', 'moto'] as const;
export type ControlPlaneName = (typeof CONTROL_PLANES)[number];

/** Settings for an SDK client of the control plane. */
export interface PlaneClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** One call the control plane answered (the emulator's request log, or moto's front door). */
export interface PlaneLogEntry {
  readonly seq: number;
  readonly action: string;
  readonly status: number;
  readonly errorCode?: string;
  readonly attempt?: number;
}

/** A running control plane. */
export interface ControlPlane {
  readonly name: ControlPlaneName;
  /** What the watchdog container and the operator's CLI get as AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  readonly accountId: string;
  /** The emulator's own hooks (faults, target health); undefined on moto. */
  readonly emulator: Emulator | undefined;
  clientConfig(): PlaneClientConfig;
  s3ClientConfig(): PlaneClientConfig & { readonly forcePathStyle: true };
  /** Where the load balancer goes (moto checks the subnets exist). */
  network(): Promise<BlueGreenNetwork>;
  /** A role the watchdog function can be created with (moto checks it exists). */
  functionRole(name: string): Promise<string>;
  /** The composite alarm, its ALARM action an SNS topic (moto: a metric alarm stands in). */
  putCompositeAlarm(
    cloudwatch: CloudWatchClient,
    alarm: { readonly name: string; readonly rule: string; readonly alarmActions: string[] },
  ): Promise<void>;
  /** From now on the function's invocations run in `watchdog`. */
  attachFunction(functionName: string, watchdog: WatchdogFunction): void;
  /** Invokes the function as the Lambda API does; `Event` returns at once. */
  invoke(
    lambda: LambdaClient,
    functionName: string,
    payload: unknown,
    type: 'RequestResponse' | 'Event',
  ): Promise<unknown>;
  /**
   * Calls `subscriber` for every later message on the topic (asynchronously, as SNS delivers);
   * resolves to a function that unsubscribes.
   */
  subscribe(topicArn: string, subscriber: (delivery: SnsDelivery) => void): Promise<() => void>;
  /**
   * After SetAlarmState changed `alarm`: its state change time (epoch ms). On moto this also
   * notifies the alarm's SNS actions, as CloudWatch does (the emulator already did).
   */
  alarmStateChanged(cloudwatch: CloudWatchClient, alarm: string, from: string, to: string): Promise<number>;
  /** Keeps the data plane's view of these listeners current (moto: read every 50 ms). */
  watchListeners(listenerArns: readonly string[]): Promise<void>;
  /** Where a listener's live actions send a request, as the data plane sees them now. */
  route(listenerArn: string, request: SimulatedRequest): RouteDecision;
  /** A listener's live default actions, as the data plane sees them now. */
  defaultActions(listenerArn: string): readonly ElbAction[];
  /** The calls answered so far, oldest first. */
  requestLog(): readonly PlaneLogEntry[];
  stop(): Promise<void>;
}

/** Starts a fresh control plane. */
export function startControlPlane(name: ControlPlaneName): Promise<ControlPlane> {
  return name === 'emulator' ? emulatorPlane() : motoPlane();
}

const ACCOUNT_ID = '123456789012';

async function emulatorPlane(): Promise<ControlPlane> {
  const emulator = await startEmulator();
  const config = (): PlaneClientConfig => emulator.clientConfig();
  return {
    name: 'emulator',
    endpoint: emulator.endpoint,
    accountId: emulator.accountId,
    emulator,
    clientConfig: config,
    s3ClientConfig: () => emulator.s3ClientConfig(),
    network: async () => EMULATOR_NETWORK,
    functionRole: async (roleName) => `arn:aws:iam::${emulator.accountId}:role/${roleName}`,
    async putCompositeAlarm(cloudwatch, alarm) {
      await cloudwatch.send(
        new PutCompositeAlarmCommand({
          AlarmName: alarm.name,
          AlarmRule: alarm.rule,
          ActionsEnabled: true,
          AlarmActions: alarm.alarmActions,
        }),
      );
    },
    attachFunction(functionName, watchdog) {
      emulator.lambda.registerHandler(functionName, (event, context) =>
        context.invocationType === 'Event'
          ? watchdog.invokeAsync(event, context.awsRequestId)
          : watchdog.invoke(event, context.awsRequestId),
      );
    },
    invoke: (lambda, functionName, payload, type) => invokeThroughApi(lambda, functionName, payload, type),
    subscribe: async (topicArn, subscriber) => emulator.sns.subscribe(topicArn, subscriber),
    async alarmStateChanged(_cloudwatch, alarm) {
      const at = (
        emulator.cloudwatch.alarm(alarm) ??
        emulator.cloudwatch.compositeAlarms().find((a) => a.AlarmName === alarm)
      )?.StateTransitionedTimestamp;
      return at ? new Date(at).getTime() : Date.now();
    },
    async watchListeners() {},
    route: (listenerArn, request) => emulator.elbv2.route(listenerArn, request),
    defaultActions: (listenerArn) => emulator.elbv2.listener(listenerArn).DefaultActions,
    requestLog: () => emulator.requestLog.entries(),
    stop: () => emulator.stop(),
  };
}

/** Invokes through the Lambda API and maps a function error to {@link FunctionError}. */
async function invokeThroughApi(
  lambda: LambdaClient,
  functionName: string,
  payload: unknown,
  type: 'RequestResponse' | 'Event',
): Promise<unknown> {
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: type,
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  const body: unknown =
    out.Payload && out.Payload.length > 0 ? JSON.parse(new TextDecoder().decode(out.Payload)) : null;
  if (out.FunctionError) {
    const error = body as { errorType?: string; errorMessage?: string } | null;
    throw new FunctionError(error?.errorType ?? 'Error', error?.errorMessage ?? 'the function failed');
  }
  return body;
}

/** How often the data plane re-reads moto's listeners. */
const MIRROR_INTERVAL_MS = 50;

async function motoPlane(): Promise<ControlPlane> {
  const moto: MotoServer = await startMoto();
  let frontDoor: MotoFrontDoor | undefined;
  const closers: Array<() => Promise<void>> = [() => moto.stop()];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    frontDoor = await startMotoFrontDoor(moto.endpoint);
  } catch (error) {
    await stop();
    throw error;
  }
  const door = frontDoor;
  closers.push(() => door.stop());
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  // The drill's own clients go to moto directly; the watchdog and the operator through the front door.
  const config = (): PlaneClientConfig => ({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
  const composites = new Map<string, string>();
  const functions = new Map<string, WatchdogFunction>();
  const mirror: ElbState = {
    loadBalancers: new Map(),
    targetGroups: new Map(),
    listeners: new Map(),
    rules: new Map(),
    tags: new Map(),
  };
  const elbv2 = new ElasticLoadBalancingV2Client(config());
  closers.push(async () => elbv2.destroy());
  const sns = new SNSClient(config());
  closers.push(async () => sns.destroy());

  const refresh = async (listenerArns: readonly string[]) => {
    const described = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [...listenerArns] }));
    const rules = await Promise.all(
      listenerArns.map((arn) => elbv2.send(new DescribeRulesCommand({ ListenerArn: arn }))),
    );
    for (const listener of described.Listeners ?? []) {
      mirror.listeners.set(listener.ListenerArn as string, {
        ListenerArn: listener.ListenerArn as string,
        LoadBalancerArn: listener.LoadBalancerArn as string,
        DefaultActions: (listener.DefaultActions ?? []).map(mirrorAction),
      } satisfies Listener);
    }
    for (const [i, arn] of listenerArns.entries()) {
      for (const rule of rules[i]?.Rules ?? []) {
        if (rule.IsDefault) continue;
        mirror.rules.set(rule.RuleArn as string, {
          RuleArn: rule.RuleArn as string,
          ListenerArn: arn,
          Priority: rule.Priority as string,
          Conditions: (rule.Conditions ?? []) as Rule['Conditions'],
          Actions: (rule.Actions ?? []).map(mirrorAction),
        });
      }
    }
  };

  return {
    name: 'moto',
    endpoint: door.endpoint,
    accountId: ACCOUNT_ID,
    emulator: undefined,
    clientConfig: config,
    s3ClientConfig: () => ({ ...config(), forcePathStyle: true }),
    network: () => defaultNetwork(moto.endpoint),
    functionRole: (roleName) => createLambdaRole(moto.endpoint, roleName),
    async putCompositeAlarm(cloudwatch, alarm) {
      // moto has no composite alarms: a metric alarm of the same name stands in, on a metric nobody
      // publishes; the drill's evaluator sets its state from the rule, as it does the emulator's.
      composites.set(alarm.name, alarm.rule);
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: alarm.name,
          AlarmDescription: `Stands in for the composite alarm ${alarm.rule} (moto has none).`,
          Namespace: 'Switchback/Drill',
          MetricName: 'CompositeStandIn',
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          ActionsEnabled: true,
          AlarmActions: alarm.alarmActions,
        }),
      );
    },
    attachFunction(functionName, watchdog) {
      functions.set(functionName, watchdog);
    },
    async invoke(_lambda, functionName, payload, type) {
      // moto runs no function code without Docker: the drill plays Lambda.
      const watchdog = functions.get(functionName);
      if (!watchdog) throw new Error(`no function ${functionName} is attached to the drill`);
      if (type === 'Event') return watchdog.invokeAsync(payload, randomUUID());
      return watchdog.invoke(payload, randomUUID());
    },
    async subscribe(topicArn, subscriber) {
      let subscribed = true;
      const server = await notificationReceiver((delivery) => {
        if (subscribed) subscriber(delivery);
      });
      closers.push(() => closeServer(server));
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'http',
          Endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        }),
      );
      return () => {
        subscribed = false;
      };
    },
    async alarmStateChanged(cloudwatch, alarmName, from, to) {
      const described = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
      const alarm = described.MetricAlarms?.[0];
      if (!alarm) throw new Error(`alarm ${alarmName} is not in moto`);
      const at = alarm.StateUpdatedTimestamp ?? new Date();
      // moto notifies no action on SetAlarmState: publish CloudWatch's notification, as AWS would.
      const actions = to === 'ALARM' ? alarm.AlarmActions : to === 'OK' ? alarm.OKActions : [];
      const rule = composites.get(alarmName);
      const message = JSON.stringify({
        AlarmName: alarmName,
        AlarmDescription: alarm.AlarmDescription ?? null,
        AWSAccountId: ACCOUNT_ID,
        AlarmConfigurationUpdatedTimestamp: alarm.AlarmConfigurationUpdatedTimestamp?.toISOString(),
        NewStateValue: to,
        NewStateReason: alarm.StateReason,
        StateChangeTime: at.toISOString().replace('Z', '+0000'),
        Region: 'US East (N. Virginia)',
        AlarmArn: alarm.AlarmArn,
        OldStateValue: from,
        ...(rule !== undefined
          ? { AlarmRule: rule }
          : {
              Trigger: {
                MetricName: alarm.MetricName,
                Namespace: alarm.Namespace,
                Statistic: alarm.Statistic?.toUpperCase(),
                Dimensions: (alarm.Dimensions ?? []).map((d) => ({ name: d.Name, value: d.Value })),
                Period: alarm.Period,
                EvaluationPeriods: alarm.EvaluationPeriods,
                ComparisonOperator: alarm.ComparisonOperator,
                Threshold: alarm.Threshold,
                TreatMissingData: alarm.TreatMissingData,
              },
            }),
      });
      for (const topicArn of (actions ?? []).filter((a) => a.startsWith('arn:aws:sns:'))) {
        await sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: `${to}: "${alarmName}" in US East (N. Virginia)`,
            Message: message,
          }),
        );
      }
      return at.getTime();
    },
    async watchListeners(listenerArns) {
      await refresh(listenerArns);
      let stopped = false;
      let running = Promise.resolve();
      const timer = setInterval(() => {
        // One read at a time; a failed read keeps the last view (the next one tries again).
        running = running.then(() => (stopped ? undefined : refresh(listenerArns).catch(() => undefined)));
      }, MIRROR_INTERVAL_MS);
      closers.push(async () => {
        stopped = true;
        clearInterval(timer);
        await running;
      });
    },
    route(listenerArn, request) {
      return routeRequest(mirror, listenerArn, request);
    },
    defaultActions(listenerArn) {
      const listener = mirror.listeners.get(listenerArn);
      if (!listener) throw new Error(`No listener ${listenerArn} in the drill's view of moto`);
      return listener.DefaultActions;
    },
    requestLog: () => door.entries(),
    stop,
  };
}

/** An SDK action in the emulator's model: a forward always with weighted groups, as ELBv2 echoes it. */
function mirrorAction(action: {
  Type?: string;
  Order?: number;
  TargetGroupArn?: string;
  ForwardConfig?: {
    TargetGroups?: Array<{ TargetGroupArn?: string; Weight?: number }>;
    TargetGroupStickinessConfig?: { Enabled?: boolean; DurationSeconds?: number };
  };
}): ElbAction {
  const listed = action.ForwardConfig?.TargetGroups ?? [];
  const groups =
    listed.length > 0
      ? listed.map((g) => ({ TargetGroupArn: g.TargetGroupArn as string, Weight: g.Weight ?? 1 }))
      : action.TargetGroupArn
        ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }]
        : [];
  return {
    Type: action.Type ?? 'unknown',
    ...(action.Order !== undefined && { Order: action.Order }),
    ...(action.Type === 'forward' && {
      ForwardConfig: {
        TargetGroups: groups,
        TargetGroupStickinessConfig: {
          Enabled: action.ForwardConfig?.TargetGroupStickinessConfig?.Enabled ?? false,
        },
      },
    }),
  };
}

/** A loopback endpoint for an SNS HTTP subscription: each notification posted becomes a delivery. */
async function notificationReceiver(subscriber: (delivery: SnsDelivery) => void): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      res.writeHead(200).end();
      const posted = JSON.parse(body) as {
        Type?: string;
        MessageId?: string;
        TopicArn?: string;
        Subject?: string | null;
        Message?: string;
        Timestamp?: string;
      };
      if (posted.Type !== 'Notification' || typeof posted.Message !== 'string') return;
      subscriber({
        topicArn: posted.TopicArn ?? '',
        messageId: posted.MessageId ?? randomUUID(),
        message: posted.Message,
        ...(typeof posted.Subject === 'string' && { subject: posted.Subject }),
        timestamp: posted.Timestamp ? new Date(posted.Timestamp) : new Date(),
        messageAttributes: {},
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
