/** Builders for watchdog tests: ARNs, manifests, configs, alarm events in AWS's real shapes. */
import {
  DEFAULT_ROLLBACK_POLICY,
  parseWatchdogConfig,
  type ListenerAction,
  type ReleaseManifest,
  type WatchdogConfig,
  type WatchdogConfigInput,
  type WatchdogState,
} from '../../lib';

export const ACCOUNT = '123456789012';
export const listenerArn = (n = 1) =>
  `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/${String(n).padStart(16, '0')}`;
export const ruleArn = (n = 1) =>
  `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/0000000000000001/${String(n).padStart(16, '0')}`;
export const targetGroupArn = (name: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/${name}/2453ed029918f21f`;
export const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`;

export const BLUE = targetGroupArn('checkout-blue');
export const GREEN = targetGroupArn('checkout-green');

export function weighted(blue: number, green: number): ListenerAction[] {
  return [
    {
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { targetGroupArn: BLUE, weight: blue },
          { targetGroupArn: GREEN, weight: green },
        ],
      },
    },
  ];
}

export const POLICY = { ...DEFAULT_ROLLBACK_POLICY };

export const T0 = Date.parse('2026-11-21T12:00:00.000Z');
export const minutes = (n: number) => n * 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();

export function manifest(overrides: Partial<ReleaseManifest> = {}): ReleaseManifest {
  return {
    schemaVersion: 1,
    service: 'checkout',
    releaseId: 'r42',
    capturedAt: iso(T0),
    evaluationWindowEndsAt: iso(T0 + minutes(60)),
    listeners: [
      {
        name: 'production',
        listenerArn: listenerArn(1),
        knownGoodTargetGroupArns: [BLUE],
        candidateTargetGroupArns: [GREEN],
        defaultActions: weighted(100, 0),
        rules: [],
      },
    ],
    aliases: [],
    parameters: [],
    artifacts: [],
    alarms: [],
    backups: [],
    killSwitches: [],
    ...overrides,
  };
}

/** The checkout service's configuration: one production listener (blue/green) and one alarm, plus `extra`. */
export function checkoutConfig(extra: Partial<WatchdogConfigInput> = {}): WatchdogConfig {
  return parseWatchdogConfig({
    schemaVersion: 1,
    service: 'checkout',
    store: { bucket: 'checkout-artifacts' },
    listeners: [
      {
        name: 'production',
        role: 'production',
        listenerArn: listenerArn(1),
        targetGroupArns: { blue: BLUE, green: GREEN },
      },
    ],
    alarms: [{ name: 'checkout-5xx', arn: alarmArn('checkout-5xx') }],
    ...extra,
  });
}

export const EMPTY_STATE: WatchdogState = { schemaVersion: 1, automaticRollbacks: [] };

/** A CloudWatch alarm state change as SNS delivers it to Lambda. */
export function snsAlarmEvent(
  alarmName: string,
  state: string,
  stateChangedAt: number,
  arn = alarmArn(alarmName),
) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `arn:aws:sns:us-east-1:${ACCOUNT}:alarms:5f0c8f0e`,
        Sns: {
          Type: 'Notification',
          MessageId: 'b3b0d7a2-1111-2222-3333-444455556666',
          TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:alarms`,
          Subject: `ALARM: "${alarmName}" in US East (N. Virginia)`,
          Message: JSON.stringify({
            AlarmName: alarmName,
            AlarmDescription: null,
            AWSAccountId: ACCOUNT,
            AlarmConfigurationUpdatedTimestamp: '2026-11-20T10:00:00.000+0000',
            NewStateValue: state,
            NewStateReason:
              'Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (5.0).',
            StateChangeTime: new Date(stateChangedAt).toISOString().replace('Z', '+0000'),
            Region: 'US East (N. Virginia)',
            AlarmArn: arn,
            OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
            Trigger: {
              MetricName: 'HTTPCode_Target_5XX_Count',
              Namespace: 'AWS/ApplicationELB',
              Statistic: 'SUM',
              Period: 60,
              EvaluationPeriods: 3,
              Threshold: 5,
            },
          }),
          Timestamp: new Date(stateChangedAt + 500).toISOString(),
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
          UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** The same state change as EventBridge delivers it. */
export function eventBridgeAlarmEvent(alarmName: string, state: string, stateChangedAt: number) {
  return {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: ACCOUNT,
    time: new Date(stateChangedAt + 1000).toISOString(),
    region: 'us-east-1',
    resources: [alarmArn(alarmName)],
    detail: {
      alarmName,
      state: {
        value: state,
        reason: 'Threshold Crossed',
        timestamp: new Date(stateChangedAt).toISOString().replace('Z', '+0000'),
      },
      previousState: {
        value: state === 'ALARM' ? 'OK' : 'ALARM',
        reason: '',
        timestamp: '2026-11-21T11:00:00.000+0000',
      },
      configuration: { metrics: [] },
    },
  };
}

/** The same state change as a direct alarm action delivers it to Lambda. */
export function directAlarmEvent(alarmName: string, state: string, stateChangedAt: number) {
  return {
    source: 'aws.cloudwatch',
    alarmArn: alarmArn(alarmName),
    accountId: ACCOUNT,
    time: new Date(stateChangedAt + 1000).toISOString(),
    region: 'us-east-1',
    alarmData: {
      alarmName,
      state: {
        value: state,
        reason: 'Threshold Crossed',
        timestamp: new Date(stateChangedAt).toISOString().replace('Z', '+0000'),
      },
      previousState: {
        value: state === 'ALARM' ? 'OK' : 'ALARM',
        reason: '',
        timestamp: '2026-11-21T11:00:00.000+0000',
      },
      configuration: { description: '', metrics: [] },
    },
  };
}
