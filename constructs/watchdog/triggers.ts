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
import type { ProtectedAlarmProps } from '../contracts';
import { memberKey, memberKeys } from '../internal/member-keys';
import { movedFrom } from '../internal/stable-ids';
import { show, SwitchbackValidationError } from '../internal/validation';
import { defineBundledFunction } from './functions';
import { tracingStatements } from './permissions';
import type { RollbackWatchdogProps } from './props';
import { storePrefixStatements } from '../internal/store-access';
import { StoreAccess } from '../store/props';
import type { ProtectedSubjects } from './subjects';
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

/**
 * Every trigger of the watchdog under `scope`. The alarms' triggers (an action permission per alarm,
 * the EventBridge rule on their state changes) cover the props' alarms and those added with
 * {@link addAlarm}: the rule's pattern and the dead-letter policy's sources are produced at synth.
 */
export class WatchdogTriggers {
  /** The keys of the alarms with a trigger, in the order they were protected. */
  private readonly alarmKeys: string[] = [];
  private alarmRule?: CloudwatchEventRule;
  private tickRule?: CloudwatchEventRule;
  private healthPingRule?: CloudwatchEventRule;
  private deadLetterPolicy?: SqsQueuePolicy;
  private deadLetterPolicyDocument?: DataAwsIamPolicyDocument;

  constructor(
    private readonly scope: Construct,
    private readonly props: RollbackWatchdogProps,
    private readonly subjects: ProtectedSubjects,
    private readonly targets: WatchdogTargets,
  ) {
    const alarms = subjects.alarms();
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
    ).forEach((key, index) => this.protectAlarm(alarms[index], key, { rule: false }));
    if (alarms.length > 0) this.defineAlarmRule();

    if (props.scheduleTick ?? true) {
      this.tickRule = new CloudwatchEventRule(scope, 'TickSchedule', {
        name: ruleName(functionName, 'tick'),
        description: 'Every minute: the Switchback watchdog re-evaluates alarms and unfinished rollbacks',
        scheduleExpression: 'rate(1 minute)',
      });
      // A tick missed is superseded by the next one a minute later: no retries worth making.
      targetRule(scope, this.tickRule, 'Tick', fn, props, targets.deadLetterQueue, {
        input: JSON.stringify({ action: 'tick' }),
        maximumEventAgeInSeconds: 60,
        maximumRetryAttempts: 0,
      });
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
      this.healthPingRule = new CloudwatchEventRule(scope, 'HealthPingSchedule', {
        name: ruleName(functionName, 'health-ping'),
        description: 'Runs the health pings of the Switchback watchdog',
        scheduleExpression: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`,
      });
      targetRule(scope, this.healthPingRule, 'HealthPing', prober, props, targets.deadLetterQueue);
    }

    this.defineDeadLetterPolicy();

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
   * The triggers of one more alarm (checked already, and added to the subjects after this): its action
   * permission and, with the first alarm, the EventBridge rule. `prop` names it in the error when an
   * alarm of its name is protected already.
   */
  public addAlarm(alarm: ProtectedAlarmProps, prop: string): void {
    const key = memberKey(this.scope, alarm.name);
    if (this.alarmKeys.includes(key)) {
      throw new SwitchbackValidationError(
        this.scope.node.path,
        prop,
        `got ${show(alarm.name)}; the watchdog protects an alarm of that name already: each alarm may appear once.`,
      );
    }
    this.protectAlarm(alarm, key, { rule: true });
  }

  private protectAlarm(alarm: ProtectedAlarmProps, key: string, options: { readonly rule: boolean }): void {
    // Its position among the alarms: the id 0.1.0 gave its permission, which a moved block carries over.
    const index = this.alarmKeys.length;
    this.alarmKeys.push(key);
    keyedPermission(this.scope, 'AlarmActionPermission', key, index, {
      statementId: `switchback-alarm-${key}`,
      functionName: this.targets.fn.functionName,
      principal: 'lambda.alarms.cloudwatch.amazonaws.com',
      sourceArn: alarm.arn,
    });
    if (options.rule) {
      this.defineAlarmRule();
      this.defineDeadLetterPolicy();
    }
  }

  /** The EventBridge rule on the protected alarms entering ALARM, once, when it is wanted. */
  private defineAlarmRule(): void {
    if (this.alarmRule || !(this.props.eventBridgeTrigger ?? true)) return;
    this.alarmRule = new CloudwatchEventRule(this.scope, 'AlarmStateChangeRule', {
      name: ruleName(this.targets.functionName, 'alarms'),
      description: 'Protected alarms entering ALARM: a durable second path to the watchdog',
      eventPattern: this.alarmPattern(),
    });
    targetRule(
      this.scope,
      this.alarmRule,
      'AlarmStateChange',
      this.targets.fn,
      this.props,
      this.targets.deadLetterQueue,
    );
  }

  /** The protected alarms entering ALARM, as an EventBridge pattern. */
  private alarmPattern(): string {
    return JSON.stringify({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: this.subjects.alarms().map((a) => a.arn),
      detail: { state: { value: ['ALARM'] } },
    });
  }

  /**
   * Writes the values that follow the protected alarms again, after one was added: the rule's pattern
   * and the dead-letter policy's sources (plain values, not tokens: each cdktf token costs a stack
   * trace, and these change only through this construct).
   */
  public refresh(): void {
    if (this.alarmRule) this.alarmRule.eventPattern = this.alarmPattern();
    this.deadLetterPolicyDocument?.putStatement(this.deadLetterStatements());
  }

  /** The rules, in a fixed order (alarms, tick, health pings), whatever order they were defined in. */
  private rules(): CloudwatchEventRule[] {
    return [this.alarmRule, this.tickRule, this.healthPingRule].filter(
      (rule): rule is CloudwatchEventRule => rule !== undefined,
    );
  }

  /** The dead-letter queue's policy, once there is a rule: every rule's dead letters are allowed in. */
  private defineDeadLetterPolicy(): void {
    if (this.deadLetterPolicy || this.rules().length === 0) return;
    // A queue has one policy: every rule's dead letters are allowed in it.
    this.deadLetterPolicyDocument = new DataAwsIamPolicyDocument(this.scope, 'DeadLetterPolicyDocument', {
      statement: this.deadLetterStatements(),
    });
    this.deadLetterPolicy = new SqsQueuePolicy(this.scope, 'DeadLetterPolicy', {
      queueUrl: this.targets.deadLetterQueue.url,
      policy: this.deadLetterPolicyDocument.json,
    });
  }

  /** Every rule's dead letters may enter the queue. */
  private deadLetterStatements(): DataAwsIamPolicyDocumentStatement[] {
    return [
      {
        sid: 'EventBridgeDeadLetters',
        effect: 'Allow',
        actions: ['sqs:SendMessage'],
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
        resources: [this.targets.deadLetterQueue.arn],
        condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: this.rules().map((r) => r.arn) }],
      },
    ];
  }
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
    ...storePrefixStatements(
      props.store,
      StoreAccess.READ,
      `${STORE_KEY_PREFIXES.config}${targets.serviceName}/`,
    ).map((statement) => ({ ...statement, sid: `StoreConfig${statement.sid ?? ''}` })),
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
