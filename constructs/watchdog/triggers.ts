/**
 * What invokes the watchdog: each protected alarm's action, an EventBridge rule on their state
 * changes, SNS topics, the schedule tick, the health-ping prober's schedule, and operators. Every
 * invoker has a permission scoped to its source; EventBridge deliveries that fail go to the dead-letter
 * queue. Ids of per-member resources are keyed by the member (alarm name, topic or role ARN).
 */
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Fn, Token, type TerraformAsset } from 'cdktf';
import type { Construct } from 'constructs';
import { DEFAULT_ROLLBACK_POLICY, STORE_KEY_PREFIXES } from '../../lib';
import { SwitchbackChecks } from '../checks/switchback-checks';
import { memberKeys } from '../internal/member-keys';
import { movedFrom } from '../internal/stable-ids';
import { SwitchbackValidationError } from '../internal/validation';
import { defineBundledFunction } from './functions';
import { tracingStatements } from './permissions';
import type { ProtectedAlarmProps, RollbackWatchdogProps } from './props';
import { HEALTH_PING_TIMEOUT_SECONDS } from './validation';

/** What the triggers are wired to. */
export interface WatchdogTargets {
  readonly serviceName: string;
  readonly functionName: string;
  readonly fn: LambdaFunction;
  readonly deadLetterQueue: SqsQueue;
  readonly bundle: TerraformAsset;
  readonly logRetentionDays: number;
}

/** Defines every trigger of the watchdog under `scope`. */
export function defineTriggers(
  scope: Construct,
  props: RollbackWatchdogProps,
  alarms: readonly ProtectedAlarmProps[],
  targets: WatchdogTargets,
): void {
  const { fn, functionName } = targets;
  const duplicate = (prop: string) => (index: number) => {
    throw new SwitchbackValidationError(
      scope.node.path,
      `${prop}[${index}]`,
      'is given twice; each member may appear once.',
    );
  };

  // The fastest path: the alarm invokes the function itself, allowed for that alarm only.
  memberKeys(
    scope,
    alarms.map((a) => a.name),
    duplicate('alarms'),
  ).forEach((key, index) => {
    keyedPermission(scope, 'AlarmActionPermission', key, index, {
      statementId: `switchback-alarm-${key}`,
      functionName: fn.functionName,
      principal: 'lambda.alarms.cloudwatch.amazonaws.com',
      sourceArn: alarms[index].arn,
    });
  });

  const rules: CloudwatchEventRule[] = [];
  if ((props.eventBridgeTrigger ?? true) && alarms.length > 0) {
    const rule = new CloudwatchEventRule(scope, 'AlarmStateChangeRule', {
      name: ruleName(functionName, 'alarms'),
      description: 'Protected alarms entering ALARM: a durable second path to the watchdog',
      eventPattern: JSON.stringify({
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: alarms.map((a) => a.arn),
        detail: { state: { value: ['ALARM'] } },
      }),
    });
    targetRule(scope, rule, 'AlarmStateChange', fn, props, targets.deadLetterQueue);
    rules.push(rule);
  }

  if (props.scheduleTick ?? true) {
    const tick = new CloudwatchEventRule(scope, 'TickSchedule', {
      name: ruleName(functionName, 'tick'),
      description: 'Every minute: the Switchback watchdog re-evaluates alarms and unfinished rollbacks',
      scheduleExpression: 'rate(1 minute)',
    });
    // A tick missed is superseded by the next one a minute later: no retries worth making.
    targetRule(scope, tick, 'Tick', fn, props, targets.deadLetterQueue, {
      input: JSON.stringify({ action: 'tick' }),
      maximumEventAgeInSeconds: 60,
      maximumRetryAttempts: 0,
    });
    rules.push(tick);
  }

  const topicArns = props.alarmTopicArns ?? [];
  memberKeys(scope, topicArns, duplicate('alarmTopicArns')).forEach((key, index) => {
    const topicArn = topicArns[index];
    // SNS takes a subscription only in the topic's region (Subscribe elsewhere: "Topic does not
    // exist"), and in the standalone placement the topic is in the service's region, not ours.
    const subscription = new SnsTopicSubscription(scope, `AlarmTopicSubscription-${key}`, {
      topicArn,
      region: topicRegion(topicArn),
      protocol: 'lambda',
      endpoint: fn.arn,
    });
    movedFrom(subscription, `AlarmTopicSubscription${index + 1}`);
    keyedPermission(scope, 'AlarmTopicPermission', key, index, {
      statementId: `switchback-sns-${key}`,
      functionName: fn.functionName,
      principal: 'sns.amazonaws.com',
      sourceArn: topicArn,
    });
  });

  if (props.healthPing) {
    const prober = defineProber(scope, props, targets);
    const minutes = props.healthPing.scheduleMinutes ?? 1;
    const schedule = new CloudwatchEventRule(scope, 'HealthPingSchedule', {
      name: ruleName(functionName, 'health-ping'),
      description: 'Runs the health pings of the Switchback watchdog',
      scheduleExpression: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`,
    });
    targetRule(scope, schedule, 'HealthPing', prober, props, targets.deadLetterQueue);
    rules.push(schedule);
  }

  if (rules.length > 0) {
    // A queue has one policy: every rule's dead letters are allowed in it.
    const queuePolicy = new DataAwsIamPolicyDocument(scope, 'DeadLetterPolicyDocument', {
      statement: [
        {
          sid: 'EventBridgeDeadLetters',
          effect: 'Allow',
          actions: ['sqs:SendMessage'],
          principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
          resources: [targets.deadLetterQueue.arn],
          condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: rules.map((r) => r.arn) }],
        },
      ],
    });
    new SqsQueuePolicy(scope, 'DeadLetterPolicy', {
      queueUrl: targets.deadLetterQueue.url,
      policy: queuePolicy.json,
    });
  }

  const operators = props.operatorRoleArns ?? [];
  memberKeys(scope, operators, duplicate('operatorRoleArns')).forEach((key, index) => {
    keyedPermission(scope, 'OperatorPermission', key, index, {
      statementId: `switchback-operator-${key}`,
      functionName: fn.functionName,
      principal: operators[index],
    });
  });
}

/**
 * A permission for one list member, keyed by it. Up to 0.1.0 the id was `<kind><position>`: the
 * `moved` block carries such a resource over, and since its statement id changes too, Terraform
 * replaces it, creating the new permission before it destroys the old so the source is never refused.
 */
function keyedPermission(
  scope: Construct,
  kind: string,
  key: string,
  index: number,
  config: {
    readonly statementId: string;
    readonly functionName: string;
    readonly principal: string;
    readonly sourceArn?: string;
  },
): void {
  const permission = new LambdaPermission(scope, `${kind}-${key}`, {
    action: 'lambda:InvokeFunction',
    ...config,
    lifecycle: { createBeforeDestroy: true },
  });
  movedFrom(permission, `${kind}${index + 1}`);
}

/**
 * The health-ping prober: the same bundle as a second function, so probing (most of each minute)
 * never holds the watchdog's single concurrency slot. It reads the configuration and hands a breach
 * to the watchdog with an asynchronous invoke; it can change nothing itself.
 */
function defineProber(
  scope: Construct,
  props: RollbackWatchdogProps,
  targets: WatchdogTargets,
): LambdaFunction {
  const name = `${targets.functionName.slice(0, 50)}-pings`;
  const logGroup = new CloudwatchLogGroup(scope, 'HealthPingLogGroup', {
    name: `/aws/lambda/${name}`,
    retentionInDays: targets.logRetentionDays,
  });
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    {
      sid: 'WriteOwnLogs',
      effect: 'Allow',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${logGroup.arn}:*`],
    },
    ...props.store
      .policyStatements('read', `${STORE_KEY_PREFIXES.config}${targets.serviceName}/`)
      .map((statement) => ({ ...statement, sid: `StoreConfig${statement.sid ?? ''}` })),
    {
      sid: 'HandBreachesToWatchdog',
      effect: 'Allow',
      actions: ['lambda:InvokeFunction'],
      resources: [targets.fn.arn],
    },
    ...tracingStatements(props),
  ];
  const { fn } = defineBundledFunction(scope, 'HealthPing', {
    functionName: name,
    serviceName: targets.serviceName,
    description: `Switchback health pings of ${targets.serviceName}: hands breaches to the watchdog`,
    statements,
    policyName: 'health-pings',
    memorySize: 128,
    timeout: HEALTH_PING_TIMEOUT_SECONDS,
    logGroup,
    bundle: targets.bundle,
    props,
    extraEnvironment: { SWITCHBACK_WATCHDOG_FUNCTION: targets.fn.functionName },
  });
  SwitchbackChecks.suppress(fn, [
    {
      id: 'SWB-LAMBDA-1',
      reason:
        'the prober runs every minute on a schedule and a failed run is superseded by the next one; there is no event worth keeping',
    },
  ]);
  return fn;
}

function targetRule(
  scope: Construct,
  rule: CloudwatchEventRule,
  id: string,
  target: LambdaFunction,
  props: RollbackWatchdogProps,
  deadLetterQueue: SqsQueue,
  delivery: {
    readonly input?: string;
    readonly maximumEventAgeInSeconds?: number;
    readonly maximumRetryAttempts?: number;
  } = {},
): void {
  new CloudwatchEventTarget(scope, `${id}Target`, {
    rule: rule.name,
    arn: target.arn,
    ...(delivery.input !== undefined ? { input: delivery.input } : {}),
    retryPolicy: {
      maximumEventAgeInSeconds:
        delivery.maximumEventAgeInSeconds ??
        props.maxEventAgeSeconds ??
        DEFAULT_ROLLBACK_POLICY.maxEventAgeSeconds,
      maximumRetryAttempts: delivery.maximumRetryAttempts ?? 185,
    },
    deadLetterConfig: { arn: deadLetterQueue.arn },
  });
  new LambdaPermission(scope, `${id}Permission`, {
    statementId: `switchback-${id.toLowerCase()}`,
    action: 'lambda:InvokeFunction',
    functionName: target.functionName,
    principal: 'events.amazonaws.com',
    sourceArn: rule.arn,
  });
}

/** An EventBridge rule name (at most 64 characters) from the function's name, known at synth. */
function ruleName(functionName: string, purpose: string): string {
  const suffix = `-${purpose}`;
  return `${functionName.slice(0, 64 - suffix.length)}${suffix}`;
}

/** The region of an SNS topic ARN: read at synth when it is known, else by Terraform from the ARN. */
function topicRegion(topicArn: string): string {
  if (!Token.isUnresolved(topicArn)) {
    const region = topicArn.split(':')[3];
    if (region) return region;
  }
  return Fn.element(Fn.split(':', topicArn), 3) as string;
}
