/**
 * RollbackWatchdog: the standalone Lambda that rolls a bad release back. This file composes it; its
 * parts are in `./watchdog/`: props, validation (through lib's schema), configuration, permissions,
 * functions and triggers.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaInvocation } from '@cdktf/provider-aws/lib/lambda-invocation';
import type { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { dependable, type TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { DEFAULT_ROLLBACK_POLICY } from '../lib';
import { inOwnFramework } from './internal/framework';
import { sanitizeName } from './internal/names';
import { defineConfigurationObject, watchdogConfiguration } from './watchdog/configuration';
import { defineBundledFunction, watchdogAsset } from './watchdog/functions';
import { watchdogStatements } from './watchdog/permissions';
import type { RollbackWatchdogProps } from './watchdog/props';
import { defineTriggers } from './watchdog/triggers';
import { validateWatchdogProps } from './watchdog/validation';

export type {
  HealthPingProps,
  ProtectedAlarmProps,
  ProtectedAliasProps,
  ReleaseBackupProps,
  RollbackWatchdogProps,
} from './watchdog/props';

/** How long the functions' logs are kept by default: a year of decisions to look back on. */
const DEFAULT_LOG_RETENTION_DAYS = 365;

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
    this.serviceName = props.serviceName ?? props.store.serviceName;
    const timeoutSeconds = props.timeoutSeconds ?? 90;
    const listeners = [
      ...(props.listeners ?? []).flatMap((l) => l.protectedListeners),
      ...(props.protectedListeners ?? []),
    ];
    validateWatchdogProps(this, this.serviceName, timeoutSeconds, props, listeners);

    const account = new DataAwsCallerIdentity(this, 'Account');
    const partition = new DataAwsPartition(this, 'Partition');
    const region = new DataAwsRegion(this, 'Region');
    const serviceRegion = props.serviceRegion ?? region.region;
    const arnOf = (service: string, resource: string) =>
      `arn:${partition.partition}:${service}:${serviceRegion}:${account.accountId}:${resource}`;

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

    const config = watchdogConfiguration(props, {
      serviceName: this.serviceName,
      listeners,
      alarms,
      notificationTopicArn: this.notificationTopic.arn,
      timeoutSeconds,
    });
    this.configObject = defineConfigurationObject(this, this.serviceName, config, props);

    this.policyStatements = watchdogStatements({
      serviceName: this.serviceName,
      props,
      listeners,
      alarms,
      serviceRegion,
      arnOf,
      logGroupArn: this.logGroup.arn,
      notificationTopicArn: this.notificationTopic.arn,
      deadLetterQueueArn: this.deadLetterQueue.arn,
    });

    const bundle = watchdogAsset(this);
    const watchdog = defineBundledFunction(this, '', {
      functionName,
      serviceName: this.serviceName,
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

    defineTriggers(this, props, alarms, {
      serviceName: this.serviceName,
      functionName,
      fn: this.function,
      deadLetterQueue: this.deadLetterQueue,
      bundle,
      logRetentionDays: props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
    });

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
}
