/**
 * RollbackWatchdog: the standalone Lambda that rolls a bad release back. This file composes it; its
 * parts are in `./watchdog/`: props, validation (through lib's schema), what it protects, configuration,
 * permissions, functions and triggers.
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
import { Aspects, dependable, TerraformModule, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { DEFAULT_ROLLBACK_POLICY } from '../lib';
import type {
  IBlueGreenListener,
  IRollbackWatchdog,
  ProtectedAlarmProps,
  ProtectedListenerAttributes,
  RollbackGroupMembership,
  RollbackWatchdogAttributes,
} from './contracts';
import { validateDeliveryProps } from './delivery/validation';
import { inOwnFramework } from './internal/framework';
import { SwitchbackValidationError } from './internal/validation';
import { defineConfigurationObject, watchdogConfiguration } from './watchdog/configuration';
import {
  DEFAULT_LOG_RETENTION_DAYS,
  defineBundledFunction,
  defineFunctionCompanions,
  watchdogAsset,
  watchdogFunctionName,
  watchdogTimeoutSeconds,
} from './watchdog/functions';
import {
  watchdogStatements,
  watchdogStatementsAtSynth,
  type WatchdogStatementsInput,
} from './watchdog/permissions';
import type { RollbackWatchdogProps } from './watchdog/props';
import { ProtectedSubjects } from './watchdog/subjects';
import { WatchdogTriggers } from './watchdog/triggers';
import {
  nothingProtectedError,
  validateAddedAlarm,
  validateAddedListeners,
  validateGroupMembership,
  validateWatchdogAttributes,
  validateWatchdogProps,
} from './watchdog/validation';

export {
  VerifiedCallers,
  WatchdogArchitecture,
  type BackupReadinessProps,
  type HealthPingProps,
  type ProtectedAliasProps,
  type ReleaseBackupProps,
  type ReleaseOverridesProps,
  type RollbackWatchdogOptions,
  type RollbackWatchdogProps,
} from './watchdog/props';

/**
 * The standalone rollback watchdog: the Lambda (from the built bundle), its least-privilege role,
 * its triggers (alarm actions, EventBridge, SNS, a schedule for health pings, operators), reserved
 * concurrency 1, an asynchronous invoke configuration with an encrypted on-failure queue, a log
 * group, a notification topic, its configuration in the artifact store, and the capture of the
 * live state on deploy, which every traffic-changing resource of the protected listeners waits for.
 *
 * What it protects comes in the props and with {@link addListener}, {@link addProtectedListener} and
 * {@link addAlarm}; its configuration, IAM and alarm rule cover all of them, produced at synth. A
 * watchdog with no listener at synth fails the synth.
 */
export class RollbackWatchdog extends Construct implements IRollbackWatchdog {
  /**
   * A watchdog defined elsewhere (another stack or tool), e.g. for a `RollbackAlarms` action. Values
   * known at synth are checked: the service name, the function's ARN and its name (the one the ARN
   * names).
   */
  public static fromRollbackWatchdogAttributes(
    scope: Construct,
    id: string,
    attrs: RollbackWatchdogAttributes,
  ): IRollbackWatchdog {
    return new ImportedRollbackWatchdog(scope, id, attrs);
  }

  /** The service the watchdog protects. */
  public readonly serviceName: string;
  /** The watchdog function. */
  public readonly function: LambdaFunction;
  /** The function's role. */
  public readonly role: IamRole;
  /** The function's log group. */
  public readonly logGroup: CloudwatchLogGroup;
  /** Where failed asynchronous invocations go (encrypted SQS). */
  public readonly deadLetterQueue: SqsQueue;
  /** The topic of one notification per decision (given as `notificationTopic`, or defined here). */
  public readonly notificationTopic: SnsTopic;
  /** The configuration object in the store. */
  public readonly configObject: S3Object;
  /** The capture on deploy, when enabled: traffic-changing resources depend on it. */
  public readonly capture?: LambdaInvocation;
  private readonly subjects = new ProtectedSubjects();
  private readonly statementsInput: WatchdogStatementsInput;
  private readonly triggers: WatchdogTriggers;
  private captureDependency?: string;
  private membership?: RollbackGroupMembership;

  constructor(scope: Construct, id: string, props: RollbackWatchdogProps) {
    super(inOwnFramework(scope, 'RollbackWatchdog', id), id);
    this.serviceName = props.serviceName ?? props.store.serviceName;
    const timeoutSeconds = watchdogTimeoutSeconds(props);
    const listeners = [
      ...(props.listeners ?? []).flatMap((l) => l.protectedListeners),
      ...(props.protectedListeners ?? []),
    ];
    validateWatchdogProps(this, this.serviceName, timeoutSeconds, props, listeners);
    validateDeliveryProps(this, props);
    (props.listeners ?? []).forEach((listener) => this.subjects.addListener(listener));
    (props.protectedListeners ?? []).forEach((listener) => this.subjects.addProtectedListener(listener));
    (props.alarms ?? []).forEach((alarm) => this.subjects.addAlarm(alarm));
    // Listeners may be added after the constructor: nothing protected is known only at synth. An
    // aspect runs then, before cdktf's validations and before anything is written, and throws the
    // error the props would (cdktf would wrap an error of a validation or of a Lazy value).
    Aspects.of(this).add({
      visit: (node) => {
        if (node === this && this.subjects.listeners().length === 0) throw nothingProtectedError(this);
      },
    });

    const account = new DataAwsCallerIdentity(this, 'Account');
    const partition = new DataAwsPartition(this, 'Partition');
    const region = new DataAwsRegion(this, 'Region');
    const serviceRegion = props.serviceRegion ?? region.region;
    const arnOf = (service: string, resource: string) =>
      `arn:${partition.partition}:${service}:${serviceRegion}:${account.accountId}:${resource}`;

    const functionName = watchdogFunctionName(this.serviceName);
    this.membership = props.groupMembership;

    const companions = defineFunctionCompanions(this, functionName, props);
    this.notificationTopic = companions.notificationTopic;
    this.deadLetterQueue = companions.deadLetterQueue;
    this.logGroup = companions.logGroup;

    const notificationTopicArn = this.notificationTopic.arn;
    this.configObject = defineConfigurationObject(
      this,
      this.serviceName,
      () =>
        watchdogConfiguration(props, {
          serviceName: this.serviceName,
          listeners: this.subjects.listeners(),
          alarms: this.subjects.alarms(),
          notificationTopicArn,
          timeoutSeconds,
          group: this.membership,
        }),
      props,
    );

    this.statementsInput = {
      serviceName: this.serviceName,
      props,
      subjects: this.subjects,
      serviceRegion,
      arnOf,
      logGroupArn: this.logGroup.arn,
      notificationTopicArn,
      deadLetterQueueArn: this.deadLetterQueue.arn,
      partition: partition.partition,
      group: () => this.membership,
    };

    const bundle = watchdogAsset(this);
    const watchdog = defineBundledFunction(this, '', {
      functionName,
      serviceName: this.serviceName,
      description: `Switchback watchdog of ${this.serviceName}: rolls bad releases back`,
      statements: watchdogStatementsAtSynth(this.statementsInput),
      policyName: 'watchdog',
      memorySize: props.memorySizeMb ?? 256,
      timeout: timeoutSeconds,
      logGroup: this.logGroup,
      bundle,
      props,
      // A capture waiting for its backup holds a run for minutes: a second slot lets a rollback of the
      // live release (which never waits on the backup) run meanwhile; the lock and the idempotency
      // records keep the two runs from acting twice.
      reservedConcurrency: props.backup?.readiness?.waitForBackupSeconds !== undefined ? 2 : 1,
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

    this.triggers = new WatchdogTriggers(this, props, this.subjects, {
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
        input: JSON.stringify({
          action: 'capture',
          releaseId: props.releaseId,
          ...captureOverrides(props),
        }),
        triggers: { release_id: props.releaseId },
        dependsOn: [this.configObject, this.function, rolePolicy, invokeConfig],
      });
      for (const listener of props.listeners ?? []) this.trafficFollowsCapture(listener);
    }
  }

  /** The rollback group the watchdog belongs to, if any. */
  public get groupMembership(): RollbackGroupMembership | undefined {
    return this.membership;
  }

  /**
   * Makes the watchdog a member of a rollback group: it reports each rollback it makes and each
   * acknowledgement to the group's coordinator, and may invoke it (configuration and IAM follow).
   * A `RollbackGroup` calls it for the watchdogs of its stack; a watchdog belongs to one group at most.
   */
  public joinGroup(membership: RollbackGroupMembership): void {
    validateGroupMembership(this, 'joinGroup(membership)', membership);
    if (this.membership !== undefined) {
      throw new SwitchbackValidationError(
        this.node.path,
        'joinGroup(membership)',
        `the watchdog of '${this.serviceName}' is a member of the rollback group '${this.membership.groupName}' already; a service belongs to one group at most (its configuration names one coordinator). Declare the dependencies of every service in one RollbackGroup.`,
      );
    }
    this.membership = membership;
  }

  /** The watchdog function's ARN (alarm actions point here). */
  public get functionArn(): string {
    return this.function.arn;
  }

  /** The watchdog function's name (what the CLI invokes). */
  public get functionName(): string {
    return this.function.functionName;
  }

  /**
   * The statements of the role's policy as they stand now (with the listeners and alarms added so
   * far), for review and tests. The policy itself is produced at synth.
   */
  public get policyStatements(): DataAwsIamPolicyDocumentStatement[] {
    return watchdogStatements(this.statementsInput);
  }

  /**
   * Protects a blue-green listener's listeners too, as `listeners` does: they join the configuration
   * and the IAM scope, and the listener's traffic-changing resources wait for the capture.
   */
  public addListener(listener: IBlueGreenListener): void {
    validateAddedListeners(
      this,
      (index) => `addListener(listener).protectedListeners[${index}]`,
      listener.protectedListeners,
      this.subjects.listeners(),
    );
    this.subjects.addListener(listener);
    if (this.capture) this.trafficFollowsCapture(listener);
  }

  /**
   * Protects one more listener defined elsewhere, as `protectedListeners` does: it joins the
   * configuration and the IAM scope.
   */
  public addProtectedListener(listener: ProtectedListenerAttributes): void {
    validateAddedListeners(
      this,
      () => 'addProtectedListener(listener)',
      [listener],
      this.subjects.listeners(),
    );
    this.subjects.addProtectedListener(listener);
  }

  /**
   * Protects one more alarm, as `alarms` does: its breach rolls the release back. It joins the
   * configuration, the IAM scope and the EventBridge rule, and may invoke the function.
   */
  public addAlarm(alarm: ProtectedAlarmProps): void {
    validateAddedAlarm(this, 'addAlarm(alarm)', alarm);
    this.triggers.addAlarm(alarm, 'addAlarm(alarm).name');
    this.subjects.addAlarm(alarm);
    this.triggers.refresh();
  }

  /**
   * Makes `resource` wait for this release's capture, so the way back is recorded before it changes
   * anything. Use it for your own traffic- or configuration-changing resources (aliases, parameters).
   */
  public mustFollowCapture(resource: TerraformResource): void {
    this.followCapture(resource);
  }

  /** Every traffic-changing resource of `listener` (resources or modules) waits for the capture. */
  private trafficFollowsCapture(listener: IBlueGreenListener): void {
    for (const resource of listener.trafficResources) {
      if (!(resource instanceof TerraformResource || resource instanceof TerraformModule)) {
        throw new Error(
          `${this.node.path}: cannot make '${resource.fqn}' of ${listener.node.path} wait for the capture: only a Terraform resource or module can depend on it.`,
        );
      }
      this.followCapture(resource);
    }
  }

  private followCapture(element: TerraformResource | TerraformModule): void {
    if (!this.capture) return;
    // `dependable` resolves to a bare address (`aws_lambda_invocation.x`): Terraform rejects a
    // template (`${…}`, what `fqn` resolves to) in `depends_on`. One token, so a repeat is a no-op.
    this.captureDependency ??= dependable(this.capture);
    element.dependsOn = [...new Set([...(element.dependsOn ?? []), this.captureDependency])];
  }
}

/**
 * The overrides of this release, in the capture request's shape: part of the invocation's input, so a
 * change of them (an override added to let a refused release through) runs the capture again.
 */
function captureOverrides(props: RollbackWatchdogProps): Record<string, unknown> {
  const overrides = props.releaseOverrides;
  if (!overrides) return {};
  const reasoned = (reason: string | undefined) =>
    reason === undefined
      ? undefined
      : { reason, ...(overrides.requestedBy !== undefined ? { requestedBy: overrides.requestedBy } : {}) };
  const backupReadiness = reasoned(overrides.backupReadinessReason);
  const freeze = reasoned(overrides.freezeReason);
  return {
    overrides: { ...(backupReadiness ? { backupReadiness } : {}), ...(freeze ? { freeze } : {}) },
  };
}

/** A watchdog defined elsewhere, by its attributes. */
class ImportedRollbackWatchdog extends Construct implements IRollbackWatchdog {
  public readonly serviceName: string;
  public readonly functionArn: string;
  public readonly functionName: string;

  constructor(scope: Construct, id: string, attrs: RollbackWatchdogAttributes) {
    super(inOwnFramework(scope, 'RollbackWatchdog', id), id);
    validateWatchdogAttributes(this, attrs);
    this.serviceName = attrs.serviceName;
    this.functionArn = attrs.functionArn;
    this.functionName = attrs.functionName;
  }
}
