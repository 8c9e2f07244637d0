/**
 * The Lambda functions that run the watchdog bundle (the watchdog, its health-ping prober and a rollback
 * group's coordinator): one archive of the bundle per stack, each function with its own role and
 * exactly its statements.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { AssetType, TerraformAsset, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { watchdogConfigKey } from '../../lib';
import { sanitizeName } from '../internal/names';
import { watchdogBundleDirectory } from '../internal/watchdog-bundle';
import { WatchdogArchitecture, type RollbackWatchdogProps } from './props';

/** The watchdog function's name, from its service name (known at synth). */
export function watchdogFunctionName(serviceName: string): string {
  return `switchback-${sanitizeName(serviceName, 40)}-watchdog`;
}

/** How long the functions' logs are kept by default: a year of decisions to look back on. */
export const DEFAULT_LOG_RETENTION_DAYS = 365;

/** The watchdog's timeout when none is given: 90 s, or the backup wait plus a margin when longer. */
export const DEFAULT_WATCHDOG_TIMEOUT_SECONDS = 90;
/** What a capture needs after waiting for the backup: read the live state, write the manifest, answer. */
export const BACKUP_WAIT_MARGIN_SECONDS = 60;

/** The timeout a watchdog with these props runs with. */
export function watchdogTimeoutSeconds(props: RollbackWatchdogProps): number {
  const wait = props.backup?.readiness?.waitForBackupSeconds;
  return (
    props.timeoutSeconds ??
    (typeof wait === 'number' && Number.isFinite(wait)
      ? Math.max(DEFAULT_WATCHDOG_TIMEOUT_SECONDS, wait + BACKUP_WAIT_MARGIN_SECONDS)
      : DEFAULT_WATCHDOG_TIMEOUT_SECONDS)
  );
}

/** A function running the bundle: what differs between the watchdog, its prober and a group coordinator. */
export interface BundledFunctionOptions {
  readonly functionName: string;
  readonly description: string;
  readonly statements: DataAwsIamPolicyDocumentStatement[];
  readonly policyName: string;
  readonly memorySize: number;
  readonly timeout: number;
  readonly logGroup: CloudwatchLogGroup;
  readonly bundle: TerraformAsset;
  /** The bundle's exported handler. */
  readonly handler: string;
  readonly architecture: WatchdogArchitecture;
  readonly tracing: boolean;
  /** Where the function's configuration is; nothing else goes in its environment. */
  readonly environment: Record<string, string>;
  /** Concurrent runs reserved (and allowed). */
  readonly reservedConcurrency: number;
}

/**
 * A function running the bundle with its own role (trusted by Lambda only) holding exactly
 * `statements`, JSON logs to `logGroup`, and its concurrency reserved.
 */
export function defineFunctionFromBundle(
  scope: Construct,
  idPrefix: string,
  options: BundledFunctionOptions,
): { fn: LambdaFunction; role: IamRole; rolePolicy: IamRolePolicy } {
  const trust = new DataAwsIamPolicyDocument(scope, `${idPrefix}TrustPolicy`, {
    statement: [
      {
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
      },
    ],
  });
  const role = new IamRole(scope, `${idPrefix}Role`, {
    namePrefix: `${options.functionName.slice(0, 30)}-`,
    assumeRolePolicy: trust.json,
  });
  const permissions = new DataAwsIamPolicyDocument(scope, `${idPrefix}Permissions`, {
    statement: options.statements,
  });
  const rolePolicy = new IamRolePolicy(scope, `${idPrefix}RolePolicy`, {
    role: role.name,
    name: options.policyName,
    policy: permissions.json,
  });
  const fn = new LambdaFunction(scope, `${idPrefix}Function`, {
    functionName: options.functionName,
    description: options.description,
    role: role.arn,
    runtime: 'nodejs22.x',
    handler: options.handler,
    architectures: [options.architecture],
    memorySize: options.memorySize,
    timeout: options.timeout,
    filename: options.bundle.path,
    sourceCodeHash: options.bundle.assetHash,
    reservedConcurrentExecutions: options.reservedConcurrency,
    environment: { variables: options.environment },
    loggingConfig: { logFormat: 'JSON', logGroup: options.logGroup.name },
    ...(options.tracing ? { tracingConfig: { mode: 'Active' } } : {}),
    dependsOn: [options.logGroup, rolePolicy],
  });
  return { fn, role, rolePolicy };
}

/**
 * A function of a watchdog running the bundle (the watchdog itself, its health-ping prober), reading
 * the watchdog's configuration: its environment names only where the configuration is (everything
 * else is in it). One run at a time unless `reservedConcurrency` says otherwise: concurrent
 * deliveries queue instead of racing.
 */
export function defineBundledFunction(
  scope: Construct,
  idPrefix: string,
  options: {
    readonly functionName: string;
    /** The service whose configuration the function reads. */
    readonly serviceName: string;
    readonly description: string;
    readonly statements: DataAwsIamPolicyDocumentStatement[];
    readonly policyName: string;
    readonly memorySize: number;
    readonly timeout: number;
    readonly logGroup: CloudwatchLogGroup;
    readonly bundle: TerraformAsset;
    readonly props: RollbackWatchdogProps;
    readonly extraEnvironment?: Record<string, string>;
    readonly reservedConcurrency?: number;
  },
): { fn: LambdaFunction; role: IamRole; rolePolicy: IamRolePolicy } {
  const { props } = options;
  return defineFunctionFromBundle(scope, idPrefix, {
    functionName: options.functionName,
    description: options.description,
    statements: options.statements,
    policyName: options.policyName,
    memorySize: options.memorySize,
    timeout: options.timeout,
    logGroup: options.logGroup,
    bundle: options.bundle,
    handler: 'index.handler',
    architecture: props.architecture ?? WatchdogArchitecture.ARM_64,
    tracing: props.tracing ?? true,
    environment: {
      SWITCHBACK_CONFIG_BUCKET: props.store.bucketName,
      SWITCHBACK_CONFIG_KEY: watchdogConfigKey(options.serviceName),
      ...options.extraEnvironment,
    },
    reservedConcurrency: options.reservedConcurrency ?? 1,
  });
}

/**
 * One archive of the bundle per stack, shared by every watchdog in it: zipping the bundle is most of
 * a watchdog's synth time, and every watchdog runs the same code.
 */
export function watchdogAsset(scope: Construct): TerraformAsset {
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
 * What a Switchback function keeps beside it, under the same ids in `scope`: its notification topic
 * (the given one, or an encrypted one of its own), the encrypted queue its failed asynchronous events
 * go to (kept 14 days), and its log group.
 */
export function defineFunctionCompanions(
  scope: Construct,
  functionName: string,
  props: { readonly notificationTopic?: SnsTopic; readonly logRetentionDays?: number },
): { notificationTopic: SnsTopic; deadLetterQueue: SqsQueue; logGroup: CloudwatchLogGroup } {
  return {
    notificationTopic:
      props.notificationTopic ??
      new SnsTopic(scope, 'NotificationTopic', {
        name: `${functionName}-notifications`,
        kmsMasterKeyId: 'alias/aws/sns',
      }),
    deadLetterQueue: new SqsQueue(scope, 'DeadLetterQueue', {
      name: `${functionName}-failed`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 1_209_600,
    }),
    logGroup: new CloudwatchLogGroup(scope, 'LogGroup', {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
    }),
  };
}
