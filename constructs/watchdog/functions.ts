/**
 * The Lambda functions that run the watchdog bundle (the watchdog and its health-ping prober): one
 * archive of the bundle per stack, each function with its own role and exactly its statements.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AssetType, TerraformAsset, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { watchdogConfigKey } from '../../lib';
import { watchdogBundleDirectory } from '../internal/watchdog-bundle';
import { WatchdogArchitecture, type RollbackWatchdogProps } from './props';

/**
 * A function running the watchdog bundle, with its own role (trusted by Lambda only) holding
 * exactly `statements`, JSON logs to `logGroup`, and concurrency 1. Its environment names only
 * where the configuration is (everything else is in it).
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
  },
): { fn: LambdaFunction; role: IamRole; rolePolicy: IamRolePolicy } {
  const { props } = options;
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
    handler: 'index.handler',
    architectures: [props.architecture ?? WatchdogArchitecture.ARM_64],
    memorySize: options.memorySize,
    timeout: options.timeout,
    filename: options.bundle.path,
    sourceCodeHash: options.bundle.assetHash,
    // One run at a time: concurrent deliveries queue instead of racing.
    reservedConcurrentExecutions: 1,
    environment: {
      variables: {
        SWITCHBACK_CONFIG_BUCKET: props.store.bucketName,
        SWITCHBACK_CONFIG_KEY: watchdogConfigKey(options.serviceName),
        ...options.extraEnvironment,
      },
    },
    loggingConfig: { logFormat: 'JSON', logGroup: options.logGroup.name },
    ...((props.tracing ?? true) ? { tracingConfig: { mode: 'Active' } } : {}),
    dependsOn: [options.logGroup, rolePolicy],
  });
  return { fn, role, rolePolicy };
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
