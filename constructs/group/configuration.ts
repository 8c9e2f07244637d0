/**
 * The coordinator's configuration: built from the props in lib's shape (`groupConfigSchema`), checked
 * with lib's schema (the one the coordinator loads it with), held in a Terraform local that tools read
 * from the synthesized stack as plain JSON, and written to the group's store as `jsonencode` of it.
 */
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { Fn, TerraformLocal, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { ARN_PATTERNS, ContractError, groupConfigKey, parseContract, type GroupConfigInput } from '../../lib';
import { isKnown } from '../internal/validation';
import { VersionedArtifactStore } from '../versioned-artifact-store';
import { MemberRollbackPolicy, RollbackOrder, type RollbackGroupProps } from './props';
import { groupSchemaAtSynth } from './validation';

/** The name of the Terraform local holding a group's coordinator configuration. */
export function groupConfigLocalName(groupName: string): string {
  return `switchback_group_config_${groupName}`;
}

/** A member as the configuration names it: its service and the ARN the coordinator invokes. */
export interface ResolvedMember {
  readonly service: string;
  readonly watchdogFunctionArn: string;
  readonly dependsOn: readonly string[];
  readonly mayRevertAlone: boolean;
  /**
   * The prop that gave the ARN, for Terraform's check of an ARN only it knows; none for the ARN of a
   * watchdog of the group's stack (built here from its function's name).
   */
  readonly prop?: string;
}

/** The configuration in lib's shape; a failure of lib's schema here is a defect of this construct. */
export function groupConfiguration(
  props: RollbackGroupProps,
  members: readonly ResolvedMember[],
  notificationTopicArn: string,
): GroupConfigInput {
  const config: GroupConfigInput = {
    schemaVersion: 1,
    group: props.groupName,
    order: props.order ?? RollbackOrder.CALLERS_FIRST,
    onMemberRollback: props.onMemberRollback ?? MemberRollbackPolicy.FOLLOW,
    members: members.map((member) => ({
      service: member.service,
      watchdogFunctionArn: member.watchdogFunctionArn,
      dependsOn: [...member.dependsOn],
      mayRevertAlone: member.mayRevertAlone,
    })),
    store: {
      bucket: props.store.bucketName,
      ...(props.store.kmsKeyArn !== undefined ? { kmsKeyArn: props.store.kmsKeyArn } : {}),
    },
    notificationTopicArn,
    ...(props.freezeMinutes !== undefined ? { freezeMinutes: props.freezeMinutes } : {}),
  };
  try {
    parseContract('group config', groupSchemaAtSynth(), config);
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    throw new Error(
      `Switchback defect: the group configuration it built is refused by lib's schema: ${error.message}`,
    );
  }
  return config;
}

/**
 * The configuration object in the store, at `config/groups/<group>/coordinator.json`. A member ARN only
 * Terraform knows is checked by Terraform before the configuration is written.
 */
export function defineGroupConfigObject(
  scope: Construct,
  props: RollbackGroupProps,
  config: GroupConfigInput,
  members: readonly ResolvedMember[],
): S3Object {
  const local = new TerraformLocal(scope, 'ConfigurationLocal', config);
  local.overrideLogicalId(groupConfigLocalName(props.groupName));
  // HCL strings know no `\d` escape.
  const arnPattern = ARN_PATTERNS.lambdaFunction.source.replace(/\\d/g, '[0-9]');
  const preconditions = members
    .filter((member) => member.prop !== undefined && !isKnown(member.watchdogFunctionArn))
    .map((member) => ({
      condition: Fn.can(Fn.regex(arnPattern, member.watchdogFunctionArn)),
      errorMessage: `${scope.node.path}: ${member.prop} must be a Lambda function's unqualified ARN (the coordinator invokes the watchdog of '${member.service}' by it).`,
    }));
  return new S3Object(scope, 'Configuration', {
    bucket: props.store.bucketName,
    key: groupConfigKey(props.groupName),
    content: Fn.jsonencode(local.expression),
    contentType: 'application/json',
    // Versioned before the first write, within one stack (as the watchdog's configuration).
    ...(props.store instanceof VersionedArtifactStore &&
    TerraformStack.of(props.store) === TerraformStack.of(scope)
      ? { dependsOn: [props.store.versioning] }
      : {}),
    ...(preconditions.length > 0 ? { lifecycle: { precondition: preconditions } } : {}),
  });
}
