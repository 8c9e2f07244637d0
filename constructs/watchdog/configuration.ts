/**
 * The watchdog's configuration: built from the props in lib's shape, checked with lib's schema (the one
 * the watchdog loads it with), held in a Terraform local that the CLI reads from the synthesized stack
 * as plain JSON, and written to the store as `jsonencode` of that local. The local's value is produced
 * at synth, so listeners and alarms added after the constructor are in it.
 */
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { Fn, Lazy, TerraformLocal, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import {
  AWS_REGION_PATTERN,
  ContractError,
  parseContract,
  watchdogConfigKey,
  watchdogConfigLocalName,
  WATCHDOG_CONFIG_SCHEMA_VERSION,
  type ProtectedListenerInput,
  type WatchdogConfigInput,
} from '../../lib';
import type { ProtectedAlarmProps, RollbackGroupMembership } from '../contracts';
import { deliveryConfiguration } from '../delivery/configuration';
import { isKnown } from '../internal/validation';
import { VersionedArtifactStore } from '../versioned-artifact-store';
import type { RollbackWatchdogProps } from './props';
import { configSchemaAtSynth } from './validation';

/** What the configuration is built from, besides the props. */
export interface ConfigurationInput {
  readonly serviceName: string;
  readonly listeners: readonly ProtectedListenerInput[];
  readonly alarms: readonly ProtectedAlarmProps[];
  readonly notificationTopicArn: string;
  readonly timeoutSeconds: number;
  /** The rollback group the watchdog belongs to, if any (a prop, or set by a RollbackGroup). */
  readonly group?: RollbackGroupMembership;
}

/** The configuration in lib's shape; fields the props leave out take lib's defaults when parsed. */
export function watchdogConfiguration(props: RollbackWatchdogProps, input: ConfigurationInput) {
  const config: WatchdogConfigInput = {
    schemaVersion: WATCHDOG_CONFIG_SCHEMA_VERSION,
    service: input.serviceName,
    ...(props.serviceRegion !== undefined ? { region: props.serviceRegion } : {}),
    store: {
      bucket: props.store.bucketName,
      ...(props.store.kmsKeyArn !== undefined ? { kmsKeyArn: props.store.kmsKeyArn } : {}),
    },
    listeners: [...input.listeners],
    notificationTopicArn: input.notificationTopicArn,
    alarms: [...input.alarms],
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
      freezeMinutes: props.freezeMinutes,
      // VerifiedCallers' values are the configuration's strings.
      verifiedCallers: props.verifiedCallers,
      // A run must finish well inside the lock's lease, or a second run could take the lock over.
      lockTtlSeconds: Math.min(900, input.timeoutSeconds + 30),
    },
    ...deliveryConfiguration(props),
    ...(input.group
      ? { group: { name: input.group.groupName, coordinatorFunctionArn: input.group.coordinatorFunctionArn } }
      : {}),
  };
  // The props were checked field by field; this is the whole document, as the watchdog will load it
  // (with Terraform references let through). A failure here is a defect of this construct. (With no
  // listener, the watchdog's aspect refuses the synth with the props' error.)
  if (input.listeners.length === 0) return config;
  try {
    parseContract('watchdog config', configSchemaAtSynth(), config);
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    throw new Error(
      `Switchback defect: the watchdog configuration it built is refused by lib's schema: ${error.message}`,
    );
  }
  return config;
}

/**
 * The configuration object in the store, written from a Terraform local named after the service.
 * Values only Terraform knows skip the synth-time checks; Terraform checks them before it writes the
 * configuration, so a bad one stops the plan instead of reaching the watchdog.
 */
export function defineConfigurationObject(
  scope: Construct,
  serviceName: string,
  config: () => WatchdogConfigInput,
  props: RollbackWatchdogProps,
): S3Object {
  const local = new TerraformLocal(scope, 'ConfigurationLocal', Lazy.anyValue({ produce: config }));
  local.overrideLogicalId(watchdogConfigLocalName(serviceName));
  const preconditions = [
    ...(props.serviceRegion !== undefined && !isKnown(props.serviceRegion)
      ? [
          {
            // HCL strings know no `\d` escape.
            condition: Fn.can(
              Fn.regex(AWS_REGION_PATTERN.source.replace(/\\d/g, '[0-9]'), props.serviceRegion),
            ),
            errorMessage: `${scope.node.path}: serviceRegion must be an AWS region such as us-east-1.`,
          },
        ]
      : []),
    // A URL with a literal scheme (`https://${lb.dns_name}/health`) is taken as one; only a URL that
    // is a reference from its start needs Terraform's check.
    ...(props.healthPing?.urls ?? [])
      .filter((url) => !isKnown(url) && !/^https?:\/\//.test(url))
      .map((url) => ({
        condition: Fn.can(Fn.regex('^https?://[^/ ]+', url)),
        errorMessage: `${scope.node.path}: healthPing.urls must be http(s) URLs.`,
      })),
  ];
  return new S3Object(scope, 'Configuration', {
    bucket: props.store.bucketName,
    key: watchdogConfigKey(serviceName),
    content: Fn.jsonencode(local.expression),
    contentType: 'application/json',
    // Versioned before the first write. Only within one stack: across stacks, depends_on would name
    // an output's attribute (which Terraform rejects), and cdktf orders the store's stack first anyway.
    // (A store from attributes is versioned already.)
    ...(props.store instanceof VersionedArtifactStore &&
    TerraformStack.of(props.store) === TerraformStack.of(scope)
      ? { dependsOn: [props.store.versioning] }
      : {}),
    ...(preconditions.length > 0 ? { lifecycle: { precondition: preconditions } } : {}),
  });
}
