import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaInvocation } from '@cdktf/provider-aws/lib/lambda-invocation';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import {
  AssetType,
  dependable,
  Fn,
  TerraformAsset,
  TerraformStack,
  Token,
  type TerraformResource,
} from 'cdktf';
import { Construct } from 'constructs';
import {
  ARN_PATTERNS,
  AWS_REGION_PATTERN,
  ContractError,
  DEFAULT_ROLLBACK_POLICY,
  parseWatchdogConfig,
  RELEASE_ID_PATTERN,
  releaseHoldPrefix,
  STORE_KEY_PREFIXES,
  watchdogConfigKey,
  type ProtectedListenerInput,
  type WatchdogConfigInput,
} from '../lib';
import type { BlueGreenListener } from './blue-green-listener';
import { SwitchbackChecks } from './checks/switchback-checks';
import { sanitizeName } from './internal/names';
import { isKnown, PropValidator, SwitchbackValidationError } from './internal/validation';
import { watchdogBundleDirectory } from './internal/watchdog-bundle';
import { inOwnFramework } from './internal/framework';
import type { VersionedArtifactStore } from './versioned-artifact-store';

/** An alarm the watchdog protects: a breach of it rolls the release back. */
export interface ProtectedAlarmProps {
  readonly name: string;
  readonly arn: string;
}

/** A Lambda alias whose version (and routing) the watchdog restores. */
export interface ProtectedAliasProps {
  readonly functionName: string;
  readonly aliasName: string;
}

/** Probing health URLs on a schedule; consecutive failed rounds are a breach. */
export interface HealthPingProps {
  readonly urls: string[];
  /** Seconds between probe rounds within one run, 1-60. @default 5 */
  readonly intervalSeconds?: number;
  /** Consecutive failed rounds that make a breach, 1-20. @default 3 */
  readonly failuresToBreach?: number;
  /** @default 2000 */
  readonly timeoutMs?: number;
  /** Minutes between runs; at least 1 (EventBridge schedules are per minute). @default 1 */
  readonly scheduleMinutes?: number;
}

/** An on-demand AWS Backup job per resource, started at capture and tagged with the release id. */
export interface ReleaseBackupProps {
  readonly vaultName: string;
  /** The role AWS Backup uses; the watchdog may pass only this role, only to AWS Backup. */
  readonly roleArn: string;
  readonly resourceArns: string[];
  /**
   * Days the release's recovery points are kept before AWS Backup expires them.
   * @default 35
   */
  readonly deleteAfterDays?: number;
}

/** Props of {@link RollbackWatchdog}. */
export interface RollbackWatchdogProps {
  /**
   * The service name (1-40 of `[a-z0-9-]`).
   * @default - the store's service name
   */
  readonly serviceName?: string;
  /** The artifact store: holds the configuration, manifests and audit trail, and the artifacts to restore. */
  readonly store: VersionedArtifactStore;
  /**
   * The release this deploy is for: the capture runs when it changes. A commit, a build number, a tag:
   * 1-128 letters, digits, dots, underscores or hyphens.
   */
  readonly releaseId: string;
  /** Blue-green listeners to protect; their traffic-changing resources wait for the capture. @default - none */
  readonly listeners?: BlueGreenListener[];
  /**
   * Listeners defined elsewhere (another stack, by load balancer ARN and port and target group names).
   * @default - none
   */
  readonly protectedListeners?: ProtectedListenerInput[];
  /** Alarms whose breach rolls the release back (e.g. `RollbackAlarms.protectedAlarms`). @default - none */
  readonly alarms?: ProtectedAlarmProps[];
  /** Lambda aliases to restore. @default - none */
  readonly aliases?: ProtectedAliasProps[];
  /** SSM parameter names to restore. @default - none */
  readonly parameterNames?: string[];
  /**
   * Customer-managed KMS keys of SecureString parameters among `parameterNames`: the watchdog may
   * decrypt and encrypt with them, through SSM only. @default - none (String parameters, or
   * SecureString under the AWS-managed key)
   */
  readonly parameterKmsKeyArns?: string[];
  /** Keys under `artifacts/` in the store whose object version is restored. @default - none */
  readonly artifactKeys?: string[];
  /** Health pings on a schedule. @default - none */
  readonly healthPing?: HealthPingProps;
  /** On-demand backups at capture. @default - none */
  readonly backup?: ReleaseBackupProps;
  /** Minutes after a capture during which breaches roll back automatically. @default 60 */
  readonly evaluationWindowMinutes?: number;
  /** Minutes after a rollback during which no automatic rollback happens. @default 15 */
  readonly cooldownMinutes?: number;
  /** Automatic rollbacks allowed per budget window. @default 3 */
  readonly maxAutomaticRollbacks?: number;
  /** @default 1440 */
  readonly budgetWindowMinutes?: number;
  /**
   * Events older than this are dropped (and Lambda's asynchronous queue discards them), 60-21600.
   * @default 600
   */
  readonly maxEventAgeSeconds?: number;
  /** Capture even when a protected alarm is already in ALARM. @default false */
  readonly allowCaptureWhileAlarming?: boolean;
  /** Healthy targets a known-good group needs before traffic is sent to it (the absolute minimum). @default 1 */
  readonly minHealthyTargets?: number;
  /**
   * Healthy targets a known-good group needs as a percentage (0-100) of the healthy targets of the
   * candidate it takes the traffic from, so it can absorb the load; 0 turns the check off. @default 50
   */
  readonly minHealthyPercentOfCandidate?: number;
  /** While a rollback stays blocked or partial, the schedule tick pages again after this many minutes. @default 15 */
  readonly repageMinutes?: number;
  /**
   * The region the protected service runs in, when the watchdog is placed in another region
   * (standalone placement): its calls to the service go there. @default - the watchdog's own region
   */
  readonly serviceRegion?: string;
  /** Roles allowed to invoke the watchdog by hand (the CLI). @default - nobody */
  readonly operatorRoleArns?: string[];
  /** SNS topics the watchdog subscribes to (alarm fan-out, cross-region). @default - none */
  readonly alarmTopicArns?: string[];
  /** An EventBridge rule on the protected alarms' state changes, a durable second path. @default true */
  readonly eventBridgeTrigger?: boolean;
  /**
   * Run the watchdog every minute to re-evaluate (level-triggered): a protected alarm in ALARM that
   * was not acted on (a lost delivery, an alarm already in ALARM) is acted on, and a blocked or
   * partial rollback is tried again until it completes or is acknowledged. An all-clear run makes
   * two reads and no writes. @default true
   */
  readonly scheduleTick?: boolean;
  /** The topic for one notification per decision. @default - an encrypted topic is defined */
  readonly notificationTopic?: SnsTopic;
  /** Capture the live state as the release manifest on deploy, before traffic changes. @default true */
  readonly captureOnDeploy?: boolean;
  /** @default 'arm64' */
  readonly architecture?: 'arm64' | 'x86_64';
  /** @default 256 - the engine needs little memory; more memory is more CPU for a faster cold start */
  readonly memorySizeMb?: number;
  /**
   * @default 90 - a health-ping run probes for most of it; a rollback takes well under a second plus
   * retries within its 20 s step budgets
   */
  readonly timeoutSeconds?: number;
  /**
   * How long the function's logs are kept, in days: one of the values CloudWatch Logs accepts (1, 3, 5,
   * 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).
   * @default 365 - a year of decisions to look back on (the audit trail in the store is kept as well)
   */
  readonly logRetentionDays?: number;
  /** X-Ray tracing. @default true */
  readonly tracing?: boolean;
}

/**
 * The standalone rollback watchdog: the Lambda (from the built bundle), its least-privilege role,
 * its triggers (alarm actions, EventBridge, SNS, a schedule for health pings, operators), reserved
 * concurrency 1, an asynchronous invoke configuration with an encrypted on-failure queue, a log
 * group, a notification topic, its configuration in the artifact store, and the capture of the
 * live state on deploy, which every traffic-changing resource of the protected listeners waits for.
 */
export class RollbackWatchdog extends Construct {
  public readonly serviceName: string;
  public readonly function: LambdaFunction;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;
  /** Where failed asynchronous invocations go (encrypted SQS). */
  public readonly deadLetterQueue: SqsQueue;
  public readonly notificationTopic: SnsTopic;
  /** The configuration object in the store. */
  public readonly configObject: S3Object;
  /** The capture on deploy, when enabled: traffic-changing resources depend on it. */
  public readonly capture?: LambdaInvocation;
  /** The statements of the role's policy, for review and tests. */
  public readonly policyStatements: DataAwsIamPolicyDocumentStatement[];
  private captureDependency?: string;

  constructor(scope: Construct, id: string, props: RollbackWatchdogProps) {
    super(inOwnFramework(scope, 'RollbackWatchdog', id), id);
    const check = new PropValidator(this);
    this.serviceName = props.serviceName ?? props.store.serviceName;
    const timeoutSeconds = props.timeoutSeconds ?? 90;
    validate(check, this.serviceName, timeoutSeconds, props);

    const account = new DataAwsCallerIdentity(this, 'Account');
    const partition = new DataAwsPartition(this, 'Partition');
    const region = new DataAwsRegion(this, 'Region');
    const serviceRegion = props.serviceRegion ?? region.region;
    const arnOf = (service: string, resource: string) =>
      `arn:${partition.partition}:${service}:${serviceRegion}:${account.accountId}:${resource}`;

    const listeners = [
      ...(props.listeners ?? []).flatMap((l) => l.protectedListeners),
      ...(props.protectedListeners ?? []),
    ];
    const alarms = props.alarms ?? [];
    const functionName = `switchback-${sanitizeName(this.serviceName, 40)}-watchdog`;

    this.notificationTopic =
      props.notificationTopic ??
      new SnsTopic(this, 'NotificationTopic', {
        name: `${functionName}-notifications`,
        kmsMasterKeyId: 'alias/aws/sns',
      });
    this.deadLetterQueue = new SqsQueue(this, 'DeadLetterQueue', {
      name: `${functionName}-failed`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 1_209_600,
    });
    this.logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
    });

    const config: WatchdogConfigInput = {
      schemaVersion: 1,
      service: this.serviceName,
      ...(props.serviceRegion !== undefined ? { region: props.serviceRegion } : {}),
      store: {
        bucket: props.store.bucketName,
        ...(props.store.kmsKeyArn !== undefined ? { kmsKeyArn: props.store.kmsKeyArn } : {}),
      },
      listeners,
      notificationTopicArn: this.notificationTopic.arn,
      alarms,
      aliases: props.aliases ?? [],
      parameters: (props.parameterNames ?? []).map((name) => ({ name })),
      artifacts: (props.artifactKeys ?? []).map((key) => ({ key })),
      ...(props.healthPing
        ? {
            healthPing: {
              urls: props.healthPing.urls,
              intervalSeconds: props.healthPing.intervalSeconds,
              failuresToBreach: props.healthPing.failuresToBreach,
              timeoutMs: props.healthPing.timeoutMs,
            },
          }
        : {}),
      ...(props.backup ? { backup: props.backup } : {}),
      policy: {
        evaluationWindowMinutes: props.evaluationWindowMinutes,
        cooldownMinutes: props.cooldownMinutes,
        maxAutomaticRollbacks: props.maxAutomaticRollbacks,
        budgetWindowMinutes: props.budgetWindowMinutes,
        maxEventAgeSeconds: props.maxEventAgeSeconds,
        allowCaptureWhileAlarming: props.allowCaptureWhileAlarming,
        minHealthyTargets: props.minHealthyTargets,
        minHealthyPercentOfCandidate: props.minHealthyPercentOfCandidate,
        repageMinutes: props.repageMinutes,
        // A run must finish well inside the lock's lease, or a second run could take the lock over.
        lockTtlSeconds: Math.min(900, timeoutSeconds + 30),
      },
    };
    // The same schema the watchdog runs with, here with Terraform references let through.
    try {
      parseWatchdogConfig(config, { isUnresolved: (value) => Token.isUnresolved(value) });
    } catch (error) {
      if (!(error instanceof ContractError)) throw error;
      // Name the prop the user wrote, not the configuration field it became.
      const [first] = error.issues;
      throw new SwitchbackValidationError(
        this.node.path,
        propOfConfigField(first.slice(0, first.indexOf(':'))),
        error.issues.join('; '),
      );
    }
    // Values only Terraform knows skip the synth-time checks; Terraform checks them before it writes
    // the configuration, so a bad one stops the plan instead of reaching the watchdog.
    const preconditions = [
      ...(props.serviceRegion !== undefined && !isKnown(props.serviceRegion)
        ? [
            {
              // HCL strings know no `\d` escape.
              condition: Fn.can(
                Fn.regex(AWS_REGION_PATTERN.source.replace(/\\d/g, '[0-9]'), props.serviceRegion),
              ),
              errorMessage: `${this.node.path}: serviceRegion must be an AWS region such as us-east-1.`,
            },
          ]
        : []),
      // A URL with a literal scheme (`https://${lb.dns_name}/health`) is taken as one; only a URL that
      // is a reference from its start needs Terraform's check.
      ...(props.healthPing?.urls ?? [])
        .filter((url) => !isKnown(url) && !/^https?:\/\//.test(url))
        .map((url) => ({
          condition: Fn.can(Fn.regex('^https?://[^/ ]+', url)),
          errorMessage: `${this.node.path}: healthPing.urls must be http(s) URLs.`,
        })),
    ];
    this.configObject = new S3Object(this, 'Configuration', {
      bucket: props.store.bucketName,
      key: watchdogConfigKey(this.serviceName),
      content: Fn.jsonencode(config),
      contentType: 'application/json',
      // Versioned before the first write. Only within one stack: across stacks, depends_on would name
      // an output's attribute (which Terraform rejects), and cdktf orders the store's stack first anyway.
      ...(TerraformStack.of(props.store) === TerraformStack.of(this)
        ? { dependsOn: [props.store.versioning] }
        : {}),
      ...(preconditions.length > 0 ? { lifecycle: { precondition: preconditions } } : {}),
    });

    this.policyStatements = [
      {
        sid: 'WriteOwnLogs',
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroup.arn}:*`],
      },
      {
        // ELBv2 Describe* actions have no resource type: AWS cannot scope them to an ARN.
        sid: 'DescribeLoadBalancingUnscopable',
        effect: 'Allow',
        actions: [
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth',
        ],
        resources: ['*'],
      },
      ...trafficStatements(listeners),
      ...(alarms.length > 0
        ? [
            {
              sid: 'ReadProtectedAlarms',
              effect: 'Allow',
              actions: ['cloudwatch:DescribeAlarms'],
              // From the names, not the alarms' ARN attributes: an alarm whose action is this
              // function would otherwise depend on the function through this policy, and back.
              resources: alarms.map((a) => arnOf('cloudwatch', `alarm:${a.name}`)),
            },
          ]
        : []),
      ...((props.aliases ?? []).length > 0
        ? [
            {
              sid: 'RestoreAliases',
              effect: 'Allow',
              actions: ['lambda:GetAlias', 'lambda:UpdateAlias'],
              resources: (props.aliases ?? []).flatMap((a) => [
                arnOf('lambda', `function:${a.functionName}`),
                arnOf('lambda', `function:${a.functionName}:${a.aliasName}`),
              ]),
            },
          ]
        : []),
      ...((props.parameterNames ?? []).length > 0
        ? [
            {
              sid: 'RestoreParameters',
              effect: 'Allow',
              actions: ['ssm:GetParameter', 'ssm:GetParameterHistory', 'ssm:PutParameter'],
              resources: (props.parameterNames ?? []).map((name) =>
                arnOf('ssm', `parameter/${name.replace(/^\//, '')}`),
              ),
            },
          ]
        : []),
      ...((props.parameterKmsKeyArns ?? []).length > 0
        ? [
            {
              sid: 'SecureParametersThroughSsmOnly',
              effect: 'Allow',
              actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
              resources: props.parameterKmsKeyArns ?? [],
              condition: [
                {
                  test: 'StringEquals',
                  variable: 'kms:ViaService',
                  values: [`ssm.${serviceRegion}.amazonaws.com`],
                },
              ],
            },
          ]
        : []),
      ...storeStatements(props.store, this.serviceName, props.artifactKeys ?? []),
      { sid: 'Notify', effect: 'Allow', actions: ['sns:Publish'], resources: [this.notificationTopic.arn] },
      {
        sid: 'SendFailedEvents',
        effect: 'Allow',
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.arn],
      },
      ...(props.backup
        ? [
            {
              sid: 'StartReleaseBackups',
              effect: 'Allow',
              actions: ['backup:StartBackupJob'],
              resources: [arnOf('backup', `backup-vault:${props.backup.vaultName}`)],
            },
            {
              sid: 'PassBackupRoleToBackupOnly',
              effect: 'Allow',
              actions: ['iam:PassRole'],
              resources: [props.backup.roleArn],
              condition: [
                { test: 'StringEquals', variable: 'iam:PassedToService', values: ['backup.amazonaws.com'] },
              ],
            },
          ]
        : []),
      ...tracingStatements(props),
    ];

    const bundle = watchdogAsset(this);
    const watchdog = this.defineBundledFunction('', {
      functionName,
      description: `Switchback watchdog of ${this.serviceName}: rolls bad releases back`,
      statements: this.policyStatements,
      policyName: 'watchdog',
      memorySize: props.memorySizeMb ?? 256,
      timeout: timeoutSeconds,
      logGroup: this.logGroup,
      bundle,
      props,
    });
    this.role = watchdog.role;
    this.function = watchdog.fn;
    const rolePolicy = watchdog.rolePolicy;

    const invokeConfig = new LambdaFunctionEventInvokeConfig(this, 'AsyncInvokeConfig', {
      functionName: this.function.functionName,
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: props.maxEventAgeSeconds ?? DEFAULT_ROLLBACK_POLICY.maxEventAgeSeconds,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
    });

    this.defineTriggers(props, alarms, functionName, bundle);

    if (props.captureOnDeploy ?? true) {
      this.capture = new LambdaInvocation(this, 'CaptureOnDeploy', {
        functionName: this.function.functionName,
        input: JSON.stringify({ action: 'capture', releaseId: props.releaseId }),
        triggers: { release_id: props.releaseId },
        dependsOn: [this.configObject, this.function, rolePolicy, invokeConfig],
      });
      for (const listener of props.listeners ?? []) {
        for (const resource of listener.trafficResources)
          this.mustFollowCapture(resource as TerraformResource);
      }
    }
  }

  /**
   * Makes `resource` wait for this release's capture, so the way back is recorded before it changes
   * anything. Use it for your own traffic- or configuration-changing resources (aliases, parameters).
   */
  public mustFollowCapture(resource: TerraformResource): void {
    if (!this.capture) return;
    // `dependable` resolves to a bare address (`aws_lambda_invocation.x`): Terraform rejects a
    // template (`${…}`, what `fqn` resolves to) in `depends_on`. One token, so a repeat is a no-op.
    this.captureDependency ??= dependable(this.capture);
    resource.dependsOn = [...new Set([...(resource.dependsOn ?? []), this.captureDependency])];
  }

  /** The watchdog function's ARN (alarm actions point here). */
  public get functionArn(): string {
    return this.function.arn;
  }

  private defineTriggers(
    props: RollbackWatchdogProps,
    alarms: readonly ProtectedAlarmProps[],
    functionName: string,
    bundle: TerraformAsset,
  ): void {
    const fn = this.function;
    alarms.forEach((alarm, index) => {
      // The fastest path: the alarm invokes the function itself, allowed for that alarm only.
      new LambdaPermission(this, `AlarmActionPermission${index + 1}`, {
        statementId: `switchback-alarm-${index + 1}`,
        action: 'lambda:InvokeFunction',
        functionName: fn.functionName,
        principal: 'lambda.alarms.cloudwatch.amazonaws.com',
        sourceArn: alarm.arn,
      });
    });

    const rules: CloudwatchEventRule[] = [];
    if ((props.eventBridgeTrigger ?? true) && alarms.length > 0) {
      const rule = new CloudwatchEventRule(this, 'AlarmStateChangeRule', {
        name: ruleName(functionName, 'alarms'),
        description: 'Protected alarms entering ALARM: a durable second path to the watchdog',
        eventPattern: JSON.stringify({
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          resources: alarms.map((a) => a.arn),
          detail: { state: { value: ['ALARM'] } },
        }),
      });
      this.targetRule(rule, 'AlarmStateChange', fn, props);
      rules.push(rule);
    }

    if (props.scheduleTick ?? true) {
      const tick = new CloudwatchEventRule(this, 'TickSchedule', {
        name: ruleName(functionName, 'tick'),
        description: 'Every minute: the Switchback watchdog re-evaluates alarms and unfinished rollbacks',
        scheduleExpression: 'rate(1 minute)',
      });
      // A tick missed is superseded by the next one a minute later: no retries worth making.
      this.targetRule(tick, 'Tick', fn, props, {
        input: JSON.stringify({ action: 'tick' }),
        maximumEventAgeInSeconds: 60,
        maximumRetryAttempts: 0,
      });
      rules.push(tick);
    }

    (props.alarmTopicArns ?? []).forEach((topicArn, index) => {
      // SNS takes a subscription only in the topic's region (Subscribe elsewhere: "Topic does not
      // exist"), and in the standalone placement the topic is in the service's region, not ours.
      new SnsTopicSubscription(this, `AlarmTopicSubscription${index + 1}`, {
        topicArn,
        region: topicRegion(topicArn),
        protocol: 'lambda',
        endpoint: fn.arn,
      });
      new LambdaPermission(this, `AlarmTopicPermission${index + 1}`, {
        statementId: `switchback-sns-${index + 1}`,
        action: 'lambda:InvokeFunction',
        functionName: fn.functionName,
        principal: 'sns.amazonaws.com',
        sourceArn: topicArn,
      });
    });

    if (props.healthPing) {
      const prober = this.defineProber(props, functionName, bundle);
      const minutes = props.healthPing.scheduleMinutes ?? 1;
      const schedule = new CloudwatchEventRule(this, 'HealthPingSchedule', {
        name: ruleName(functionName, 'health-ping'),
        description: 'Runs the health pings of the Switchback watchdog',
        scheduleExpression: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`,
      });
      this.targetRule(schedule, 'HealthPing', prober, props);
      rules.push(schedule);
    }

    if (rules.length > 0) {
      // A queue has one policy: every rule's dead letters are allowed in it.
      const queuePolicy = new DataAwsIamPolicyDocument(this, 'DeadLetterPolicyDocument', {
        statement: [
          {
            sid: 'EventBridgeDeadLetters',
            effect: 'Allow',
            actions: ['sqs:SendMessage'],
            principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
            resources: [this.deadLetterQueue.arn],
            condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: rules.map((r) => r.arn) }],
          },
        ],
      });
      new SqsQueuePolicy(this, 'DeadLetterPolicy', {
        queueUrl: this.deadLetterQueue.url,
        policy: queuePolicy.json,
      });
    }

    (props.operatorRoleArns ?? []).forEach((roleArn, index) => {
      new LambdaPermission(this, `OperatorPermission${index + 1}`, {
        statementId: `switchback-operator-${index + 1}`,
        action: 'lambda:InvokeFunction',
        functionName: fn.functionName,
        principal: roleArn,
      });
    });
  }

  /**
   * The health-ping prober: the same bundle as a second function, so probing (most of each minute)
   * never holds the watchdog's single concurrency slot. It reads the configuration and hands a breach
   * to the watchdog with an asynchronous invoke; it can change nothing itself.
   */
  private defineProber(
    props: RollbackWatchdogProps,
    watchdogName: string,
    bundle: TerraformAsset,
  ): LambdaFunction {
    const name = `${watchdogName.slice(0, 50)}-pings`;
    const logGroup = new CloudwatchLogGroup(this, 'HealthPingLogGroup', {
      name: `/aws/lambda/${name}`,
      retentionInDays: props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
    });
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: 'WriteOwnLogs',
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroup.arn}:*`],
      },
      ...props.store
        .policyStatements('read', `${STORE_KEY_PREFIXES.config}${this.serviceName}/`)
        .map((statement) => ({ ...statement, sid: `StoreConfig${statement.sid ?? ''}` })),
      {
        sid: 'HandBreachesToWatchdog',
        effect: 'Allow',
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.arn],
      },
      ...tracingStatements(props),
    ];
    const { fn } = this.defineBundledFunction('HealthPing', {
      functionName: name,
      description: `Switchback health pings of ${this.serviceName}: hands breaches to the watchdog`,
      statements,
      policyName: 'health-pings',
      memorySize: 128,
      timeout: HEALTH_PING_TIMEOUT_SECONDS,
      logGroup,
      bundle,
      props,
      extraEnvironment: { SWITCHBACK_WATCHDOG_FUNCTION: this.function.functionName },
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

  /**
   * A function running the watchdog bundle, with its own role (trusted by Lambda only) holding
   * exactly `statements`, JSON logs to `logGroup`, and concurrency 1. Its environment names only
   * where the configuration is (everything else is in it).
   */
  private defineBundledFunction(
    idPrefix: string,
    options: {
      readonly functionName: string;
      readonly description: string;
      readonly statements: DataAwsIamPolicyDocumentStatement[];
      readonly policyName: string;
      readonly memorySize: number;
      readonly timeout: number;
      readonly logGroup: CloudwatchLogGroup;
      readonly bundle: TerraformAsset;
      readonly props: RollbackWatchdogProps;
      readonly extraEnvironment?: Record<string, string>;
    },
  ): { fn: LambdaFunction; role: IamRole; rolePolicy: IamRolePolicy } {
    const { props } = options;
    const trust = new DataAwsIamPolicyDocument(this, `${idPrefix}TrustPolicy`, {
      statement: [
        {
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
        },
      ],
    });
    const role = new IamRole(this, `${idPrefix}Role`, {
      namePrefix: `${options.functionName.slice(0, 30)}-`,
      assumeRolePolicy: trust.json,
    });
    const permissions = new DataAwsIamPolicyDocument(this, `${idPrefix}Permissions`, {
      statement: options.statements,
    });
    const rolePolicy = new IamRolePolicy(this, `${idPrefix}RolePolicy`, {
      role: role.name,
      name: options.policyName,
      policy: permissions.json,
    });
    const fn = new LambdaFunction(this, `${idPrefix}Function`, {
      functionName: options.functionName,
      description: options.description,
      role: role.arn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      architectures: [props.architecture ?? 'arm64'],
      memorySize: options.memorySize,
      timeout: options.timeout,
      filename: options.bundle.path,
      sourceCodeHash: options.bundle.assetHash,
      // One run at a time: concurrent deliveries queue instead of racing.
      reservedConcurrentExecutions: 1,
      environment: {
        variables: {
          SWITCHBACK_CONFIG_BUCKET: props.store.bucketName,
          SWITCHBACK_CONFIG_KEY: watchdogConfigKey(this.serviceName),
          ...options.extraEnvironment,
        },
      },
      loggingConfig: { logFormat: 'JSON', logGroup: options.logGroup.name },
      ...((props.tracing ?? true) ? { tracingConfig: { mode: 'Active' } } : {}),
      dependsOn: [options.logGroup, rolePolicy],
    });
    return { fn, role, rolePolicy };
  }

  private targetRule(
    rule: CloudwatchEventRule,
    id: string,
    target: LambdaFunction,
    props: RollbackWatchdogProps,
    delivery: {
      readonly input?: string;
      readonly maximumEventAgeInSeconds?: number;
      readonly maximumRetryAttempts?: number;
    } = {},
  ): void {
    new CloudwatchEventTarget(this, `${id}Target`, {
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
      deadLetterConfig: { arn: this.deadLetterQueue.arn },
    });
    new LambdaPermission(this, `${id}Permission`, {
      statementId: `switchback-${id.toLowerCase()}`,
      action: 'lambda:InvokeFunction',
      functionName: target.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: rule.arn,
    });
  }
}

/** X-Ray's write actions have no resource type: AWS cannot scope them. */
function tracingStatements(props: RollbackWatchdogProps): DataAwsIamPolicyDocumentStatement[] {
  return (props.tracing ?? true)
    ? [
        {
          sid: 'WriteTracesUnscopable',
          effect: 'Allow',
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        },
      ]
    : [];
}

/** The prober's timeout: a run probes until 15 s before it. */
// The retention periods CloudWatch Logs accepts (PutRetentionPolicy); any other number fails at apply.
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const DEFAULT_LOG_RETENTION_DAYS = 365;
const HEALTH_PING_TIMEOUT_SECONDS = 60;
const HEALTH_PING_PROBING_SECONDS = HEALTH_PING_TIMEOUT_SECONDS - 15;

/** An EventBridge rule name (at most 64 characters) from the function's name, known at synth. */
function ruleName(functionName: string, purpose: string): string {
  const suffix = `-${purpose}`;
  return `${functionName.slice(0, 64 - suffix.length)}${suffix}`;
}

/**
 * One archive of the bundle per stack, shared by every watchdog in it: zipping the bundle is most of
 * a watchdog's synth time, and every watchdog runs the same code.
 */
function watchdogAsset(scope: Construct): TerraformAsset {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(WATCHDOG_ASSET_ID);
  if (existing instanceof TerraformAsset) return existing;
  return new TerraformAsset(stack, WATCHDOG_ASSET_ID, {
    path: watchdogBundleDirectory(),
    type: AssetType.ARCHIVE,
  });
}

const WATCHDOG_ASSET_ID = 'SwitchbackWatchdogBundle';

/**
 * ModifyListener and ModifyRule on the protected listeners only, by ARN or by their load balancer;
 * and a deny on any ModifyListener that would set a protocol or TLS policy: the watchdog changes
 * actions only, and IAM holds it to that even if its code did not.
 */
function trafficStatements(
  listeners: readonly ProtectedListenerInput[],
): DataAwsIamPolicyDocumentStatement[] {
  // Deduplicate before swapping: each swap of a reference is a new Terraform expression.
  const byArn = [...new Set(listeners.flatMap((l) => (l.listenerArn ? [l.listenerArn] : [])))];
  const byLoadBalancer = [
    ...new Set(listeners.flatMap((l) => (l.listenerArn ? [] : [l.loadBalancerArn as string]))),
  ];
  const resources = [...byArn, ...byLoadBalancer.map((lb) => `${swapResourceType(lb, 'listener')}/*`)];
  const ruleArns = [
    ...byArn.map((arn) => `${swapResourceType(arn, 'listener-rule', 'listener')}/*`),
    ...byLoadBalancer.map((lb) => `${swapResourceType(lb, 'listener-rule')}/*`),
  ];
  // The condition keys are present only when the request sets them (they describe the request).
  const denyWhenSet = (sid: string, variable: string): DataAwsIamPolicyDocumentStatement => ({
    sid,
    effect: 'Deny',
    actions: ['elasticloadbalancing:ModifyListener'],
    resources,
    condition: [{ test: 'Null', variable, values: ['false'] }],
  });
  return [
    {
      sid: 'RestoreListenerActions',
      effect: 'Allow',
      actions: ['elasticloadbalancing:ModifyListener'],
      resources,
    },
    denyWhenSet('NeverChangeListenerProtocol', 'elasticloadbalancing:ListenerProtocol'),
    denyWhenSet('NeverChangeListenerTlsPolicy', 'elasticloadbalancing:SecurityPolicy'),
    {
      sid: 'RestoreRuleActions',
      effect: 'Allow',
      actions: ['elasticloadbalancing:ModifyRule'],
      resources: ruleArns,
    },
  ];
}

/** `arn:…:loadbalancer/app/x/id` → `arn:…:<type>/app/x/id`, for literal ARNs and Terraform references alike. */
function swapResourceType(arn: string, type: string, from = 'loadbalancer'): string {
  return isKnown(arn) ? arn.replace(`:${from}/`, `:${type}/`) : Fn.replace(arn, `:${from}/`, `:${type}/`);
}

/** The store access the watchdog needs, each statement with its own Sid. */
function storeStatements(
  store: VersionedArtifactStore,
  service: string,
  artifactKeys: readonly string[],
): DataAwsIamPolicyDocumentStatement[] {
  const grants: [string, 'read' | 'write' | 'readVersions', string][] = [
    ['Config', 'read', `${STORE_KEY_PREFIXES.config}${service}/`],
    ['Manifests', 'readVersions', `${STORE_KEY_PREFIXES.manifests}${service}/`],
    ['ManifestsWrite', 'write', `${STORE_KEY_PREFIXES.manifests}${service}/`],
    ['Audit', 'read', `${STORE_KEY_PREFIXES.audit}${service}/`],
    ['AuditWrite', 'write', `${STORE_KEY_PREFIXES.audit}${service}/`],
    ...[...new Set(artifactKeys.map((key) => key.slice(0, key.lastIndexOf('/') + 1)))].flatMap(
      (prefix, index) =>
        [
          [`Artifacts${index + 1}`, 'readVersions', prefix],
          [`ArtifactsWrite${index + 1}`, 'write', prefix],
        ] as [string, 'readVersions' | 'write', string][],
    ),
  ];
  const holds: DataAwsIamPolicyDocumentStatement = {
    // A new rollback of a release withdraws the acknowledgement of its previous one.
    sid: 'StoreWithdrawAcknowledgements',
    effect: 'Allow',
    actions: ['s3:DeleteObject'],
    resources: [`${store.bucketArn}/${releaseHoldPrefix(service)}*`],
  };
  return [
    ...grants.flatMap(([name, access, prefix]) =>
      store
        .policyStatements(access, prefix)
        .map((statement) => ({ ...statement, sid: `Store${name}${statement.sid ?? ''}` })),
    ),
    holds,
  ];
}

/** The prop a field of the watchdog configuration comes from (`policy.cooldownMinutes` -> `cooldownMinutes`). */
function propOfConfigField(path: string): string {
  const [head, second] = path.split('.');
  switch (head) {
    case 'policy':
      return second === 'lockTtlSeconds' ? 'timeoutSeconds' : (second ?? 'policy');
    case 'region':
      return 'serviceRegion';
    case 'service':
      return 'serviceName';
    case 'listeners':
      return 'protectedListeners';
    case 'parameters':
      return 'parameterNames';
    case 'artifacts':
      return 'artifactKeys';
    case 'notificationTopicArn':
      return 'notificationTopic';
    case 'healthPing':
    case 'backup':
      return second && !/^\d+$/.test(second) ? `${head}.${second}` : head;
    default:
      return head || 'store';
  }
}

function validate(
  check: PropValidator,
  serviceName: string,
  timeoutSeconds: number,
  props: RollbackWatchdogProps,
): void {
  check.literal('serviceName', serviceName, 'it names the function, its keys in the store and its IAM scope');
  check.matches(
    'serviceName',
    serviceName,
    /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    'must be 1-40 lowercase letters, digits or hyphens, starting and ending with a letter or digit.',
  );
  check.matches(
    'releaseId',
    props.releaseId,
    RELEASE_ID_PATTERN,
    'must be 1-128 letters, digits, dots, underscores or hyphens, starting with a letter or digit.',
  );
  // The watchdog re-checks its configuration when it loads it, after the deploy has replaced the old
  // one: a number it would refuse then leaves the live release unprotected. So numbers are checked
  // here, and must be known here.
  const atSynth =
    'the watchdog checks it against its bounds when it loads its configuration, after the deploy';
  for (const [prop, value] of [
    ['timeoutSeconds', timeoutSeconds],
    ['maxEventAgeSeconds', props.maxEventAgeSeconds],
    ['evaluationWindowMinutes', props.evaluationWindowMinutes],
    ['cooldownMinutes', props.cooldownMinutes],
    ['maxAutomaticRollbacks', props.maxAutomaticRollbacks],
    ['budgetWindowMinutes', props.budgetWindowMinutes],
    ['minHealthyTargets', props.minHealthyTargets],
    ['minHealthyPercentOfCandidate', props.minHealthyPercentOfCandidate],
    ['repageMinutes', props.repageMinutes],
    ['healthPing.intervalSeconds', props.healthPing?.intervalSeconds],
    ['healthPing.failuresToBreach', props.healthPing?.failuresToBreach],
    ['healthPing.timeoutMs', props.healthPing?.timeoutMs],
    ['backup.deleteAfterDays', props.backup?.deleteAfterDays],
  ] as const) {
    check.literal(prop, value, atSynth);
  }
  const protectedCount = (props.listeners ?? []).length + (props.protectedListeners ?? []).length;
  if (protectedCount === 0) {
    check.conflict(
      'listeners',
      'a watchdog with nothing protected does nothing; give listeners (BlueGreenListener) or protectedListeners.',
    );
  }
  (props.alarms ?? []).forEach((alarm, index) =>
    check.matches(`alarms[${index}].arn`, alarm.arn, ARN_PATTERNS.alarm, 'must be a CloudWatch alarm ARN.'),
  );
  (props.artifactKeys ?? []).forEach((key, index) =>
    check.matches(
      `artifactKeys[${index}]`,
      key,
      /^artifacts\/[^*?]*\/[^/*?]+$/,
      "must be an object key under 'artifacts/' with a folder, e.g. 'artifacts/checkout/app.zip'.",
    ),
  );
  if (props.healthPing) {
    check.integerInRange(
      'healthPing.scheduleMinutes',
      props.healthPing.scheduleMinutes,
      1,
      1440,
      'EventBridge schedules run at most once a minute',
    );
    check.integerInRange('healthPing.intervalSeconds', props.healthPing.intervalSeconds, 1, 60);
    if (props.healthPing.urls.length === 0)
      check.conflict('healthPing.urls', 'give at least one URL to probe.');
    const interval = props.healthPing.intervalSeconds ?? 5;
    const failures = props.healthPing.failuresToBreach ?? 3;
    if (failures * interval > HEALTH_PING_PROBING_SECONDS) {
      check.conflict(
        'healthPing.failuresToBreach',
        `${failures} failed rounds every ${interval} s take ${failures * interval} s, longer than the ${HEALTH_PING_PROBING_SECONDS} s a probing run lasts (failures are counted within one run); lower failuresToBreach or intervalSeconds.`,
      );
    }
  }
  check.integerInRange(
    'maxEventAgeSeconds',
    props.maxEventAgeSeconds,
    60,
    21600,
    "Lambda's asynchronous event age limits",
  );
  check.integerInRange('evaluationWindowMinutes', props.evaluationWindowMinutes, 1, 10080);
  check.integerInRange('cooldownMinutes', props.cooldownMinutes, 0, 1440);
  check.integerInRange('maxAutomaticRollbacks', props.maxAutomaticRollbacks, 1, 100);
  check.integerInRange('budgetWindowMinutes', props.budgetWindowMinutes, 1, 10080);
  check.integerInRange(
    'minHealthyTargets',
    props.minHealthyTargets,
    1,
    1000,
    'never send traffic to an empty group',
  );
  check.integerInRange('minHealthyPercentOfCandidate', props.minHealthyPercentOfCandidate, 0, 100);
  check.integerInRange('repageMinutes', props.repageMinutes, 1, 1440);
  (props.aliases ?? []).forEach((alias, index) =>
    check.matches(
      `aliases[${index}].functionName`,
      alias.functionName,
      /^[A-Za-z0-9_-]{1,64}$/,
      'must be a function name (not an ARN): the watchdog addresses it in the service region and account.',
    ),
  );
  check.integerInRange(
    'timeoutSeconds',
    timeoutSeconds,
    30,
    870,
    'a run must end well inside the lock lease of at most 900 s',
  );
  check.integerInRange('memorySizeMb', props.memorySizeMb, 128, 10240);
  if (props.logRetentionDays !== undefined && isKnown(props.logRetentionDays)) {
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)) {
      check.fail(
        'logRetentionDays',
        props.logRetentionDays,
        `must be one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}.`,
      );
    }
  }
  check.oneOf('architecture', props.architecture, ['arm64', 'x86_64']);
  (props.parameterKmsKeyArns ?? []).forEach((arn, index) =>
    check.matches(`parameterKmsKeyArns[${index}]`, arn, ARN_PATTERNS.kmsKey, 'must be a KMS key ARN.'),
  );
  // The subscription is made in the topic's region, read from the ARN: a bad ARN would fail at plan.
  (props.alarmTopicArns ?? []).forEach((arn, index) =>
    check.matches(`alarmTopicArns[${index}]`, arn, ARN_PATTERNS.snsTopic, 'must be an SNS topic ARN.'),
  );
  (props.operatorRoleArns ?? []).forEach((arn, index) =>
    check.matches(`operatorRoleArns[${index}]`, arn, ARN_PATTERNS.iamRole, 'must be an IAM role ARN.'),
  );
  if (props.backup) {
    check.matches('backup.roleArn', props.backup.roleArn, ARN_PATTERNS.iamRole, 'must be an IAM role ARN.');
    if (props.backup.resourceArns.length === 0)
      check.conflict('backup.resourceArns', 'give at least one resource to back up.');
  }
}

/** The region of an SNS topic ARN: read at synth when it is known, else by Terraform from the ARN. */
function topicRegion(topicArn: string): string {
  if (!Token.isUnresolved(topicArn)) {
    const region = topicArn.split(':')[3];
    if (region) return region;
  }
  return Fn.element(Fn.split(':', topicArn), 3) as string;
}
