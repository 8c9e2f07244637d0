/**
 * RollbackGroup: services that roll back together, in dependency order. This file composes it; its
 * parts are in `./group/`: props, validation (through lib's schema), configuration and permissions.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import type { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import { groupConfigKey } from '../lib';
import { defineGroupConfigObject, groupConfiguration, type ResolvedMember } from './group/configuration';
import { groupStatements, type GroupStatementsInput } from './group/permissions';
import type { RollbackGroupProps } from './group/props';
import { validateGroupProps } from './group/validation';
import { inOwnFramework } from './internal/framework';
import { RollbackWatchdog } from './rollback-watchdog';
import {
  defineFunctionCompanions,
  defineFunctionFromBundle,
  watchdogAsset,
  watchdogFunctionName,
} from './watchdog/functions';
import { WatchdogArchitecture } from './watchdog/props';

export {
  MemberRollbackPolicy,
  RollbackOrder,
  type RollbackGroupMemberProps,
  type RollbackGroupProps,
} from './group/props';

/**
 * The coordinator's timeout when none is given: followers are rolled back one after the other, each
 * up to its own watchdog's timeout (90 s by default), so Lambda's longest.
 */
const DEFAULT_COORDINATOR_TIMEOUT_SECONDS = 900;
/** How long Lambda keeps retrying a member's report: well past one timed-out run and its retries. */
const REPORT_MAX_AGE_SECONDS = 3600;

/**
 * Services that roll back together. Each member keeps its own watchdog; the group adds a coordinator
 * (a Lambda running the watchdog bundle's `groupHandler`) that each member's watchdog tells of its
 * rollbacks and acknowledgements. When a member rolls back, the coordinator rolls back the members
 * that depend on it (its callers, their callers…), in the group's order, each through its own
 * watchdog, and writes one group record linking the members' records; a member that may not be
 * reverted alone, or the `PAGE` policy, blocks that and pages instead, and the dependents' deploys are
 * frozen until the rollback is acknowledged.
 *
 * It defines the coordinator (its least-privilege role, log group, encrypted on-failure queue,
 * asynchronous invoke configuration, notification topic), writes its configuration to the store, and
 * makes the watchdogs of its own stack members (their configuration names the coordinator, which they
 * may invoke). Members may be in other regions: the coordinator invokes each watchdog by its ARN.
 * Cycles, unknown services and members whose watchdog cannot be resolved fail the synth.
 */
export class RollbackGroup extends Construct {
  /**
   * The name of a group's coordinator function: `switchback-group-<groupName>`. A watchdog whose group
   * is defined elsewhere builds the coordinator's ARN from it for its `groupMembership`.
   */
  public static coordinatorFunctionName(groupName: string): string {
    return `switchback-group-${groupName}`;
  }

  /** The group's name. */
  public readonly groupName: string;
  /** The coordinator function. */
  public readonly coordinator: LambdaFunction;
  /** The coordinator's role. */
  public readonly role: IamRole;
  /** The coordinator's log group. */
  public readonly logGroup: CloudwatchLogGroup;
  /** Where the coordinator's failed asynchronous invocations go (encrypted SQS). */
  public readonly deadLetterQueue: SqsQueue;
  /** The topic of one notification per group decision (given as `notificationTopic`, or defined here). */
  public readonly notificationTopic: SnsTopic;
  /** The coordinator's configuration in the store. */
  public readonly configObject: S3Object;
  private readonly statementsInput: GroupStatementsInput;

  constructor(scope: Construct, id: string, props: RollbackGroupProps) {
    super(inOwnFramework(scope, 'RollbackGroup', id), id);
    validateGroupProps(this, props);
    this.groupName = props.groupName;
    const functionName = RollbackGroup.coordinatorFunctionName(props.groupName);

    // The ARN of a watchdog of this stack is built from its function's name, not read from the
    // function: the watchdog's policy names the coordinator, whose policy names the watchdog, and
    // reading both functions' ARNs would make each wait for the other.
    const account = new DataAwsCallerIdentity(this, 'Account');
    const partition = new DataAwsPartition(this, 'Partition');
    const region = new DataAwsRegion(this, 'Region');
    const members: ResolvedMember[] = props.members.map((member, index) => ({
      service: member.watchdog.serviceName,
      watchdogFunctionArn:
        member.watchdog instanceof RollbackWatchdog
          ? `arn:${partition.partition}:lambda:${region.region}:${account.accountId}:function:${watchdogFunctionName(member.watchdog.serviceName)}`
          : member.watchdog.functionArn,
      dependsOn: member.dependsOn ?? [],
      mayRevertAlone: member.mayRevertAlone ?? true,
      ...(member.watchdog instanceof RollbackWatchdog
        ? {}
        : { prop: `members[${index}].watchdog.functionArn` }),
    }));

    const companions = defineFunctionCompanions(this, functionName, props);
    this.notificationTopic = companions.notificationTopic;
    this.deadLetterQueue = companions.deadLetterQueue;
    this.logGroup = companions.logGroup;

    const config = groupConfiguration(props, members, this.notificationTopic.arn);
    this.configObject = defineGroupConfigObject(this, props, config, members);

    const tracing = props.tracing ?? true;
    this.statementsInput = {
      groupName: props.groupName,
      store: props.store,
      memberFunctionArns: members.map((member) => member.watchdogFunctionArn),
      logGroupArn: this.logGroup.arn,
      notificationTopicArn: this.notificationTopic.arn,
      deadLetterQueueArn: this.deadLetterQueue.arn,
      tracing,
    };
    const coordinator = defineFunctionFromBundle(this, 'Coordinator', {
      functionName,
      description: `Switchback rollback group ${props.groupName}: rolls dependent services back together`,
      statements: groupStatements(this.statementsInput),
      policyName: 'rollback-group',
      memorySize: 256,
      timeout: props.timeoutSeconds ?? DEFAULT_COORDINATOR_TIMEOUT_SECONDS,
      logGroup: this.logGroup,
      bundle: watchdogAsset(this),
      handler: 'index.groupHandler',
      architecture: props.architecture ?? WatchdogArchitecture.ARM_64,
      tracing,
      environment: {
        SWITCHBACK_GROUP_CONFIG_BUCKET: props.store.bucketName,
        SWITCHBACK_GROUP_CONFIG_KEY: groupConfigKey(props.groupName),
      },
      // One group decision at a time: reports of members queue instead of racing.
      reservedConcurrency: 1,
    });
    this.coordinator = coordinator.fn;
    this.role = coordinator.role;

    // Members report asynchronously: Lambda retries, then keeps what still failed in the queue.
    new LambdaFunctionEventInvokeConfig(this, 'AsyncInvokeConfig', {
      functionName: this.coordinator.functionName,
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: REPORT_MAX_AGE_SECONDS,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
    });

    for (const member of props.members) {
      if (member.watchdog instanceof RollbackWatchdog) {
        member.watchdog.joinGroup({
          groupName: props.groupName,
          coordinatorFunctionArn: this.coordinator.arn,
        });
      }
    }
  }

  /** The coordinator function's ARN. */
  public get coordinatorFunctionArn(): string {
    return this.coordinator.arn;
  }

  /** The statements of the coordinator role's policy, for review and tests. */
  public get policyStatements(): DataAwsIamPolicyDocumentStatement[] {
    return groupStatements(this.statementsInput);
  }
}
