/**
 * The watchdog's IAM: every statement scoped by ARN where AWS allows it, each with a Sid that says
 * why; the few unscopable actions say so in their Sid.
 *
 * The statements scoped to the protected listeners and alarms can be built two ways: as they stand
 * now (for review), or for the policy document, where those parts are Terraform tokens produced at
 * synth, so listeners and alarms added after the constructor are covered.
 */
import {
  dataAwsIamPolicyDocumentStatementToTerraform,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { Fn, Lazy } from 'cdktf';
import { releaseHoldPrefix, STORE_KEY_PREFIXES, type ProtectedListenerInput } from '../../lib';
import type { IArtifactStore, RollbackGroupMembership } from '../contracts';
import { deliveryStatements } from '../delivery/permissions';
import { isKnown } from '../internal/validation';
import type { RollbackWatchdogProps } from './props';
import { storePrefixStatements } from '../internal/store-access';
import { StoreAccess } from '../store/props';
import type { ProtectedSubjects } from './subjects';

/** What the role's statements are built from. */
export interface WatchdogStatementsInput {
  readonly serviceName: string;
  readonly props: RollbackWatchdogProps;
  /** The protected listeners and alarms. */
  readonly subjects: ProtectedSubjects;
  /** The region the service's calls go to (a literal or a reference). */
  readonly serviceRegion: string;
  /** `arn:<partition>:<service>:<service region>:<account>:<resource>`. */
  readonly arnOf: (service: string, resource: string) => string;
  readonly logGroupArn: string;
  readonly notificationTopicArn: string;
  readonly deadLetterQueueArn: string;
  /** The partition (a literal or a reference), for ARNs without an account (EBS snapshots). */
  readonly partition: string;
  /** The rollback group the watchdog belongs to, as it stands when asked. */
  readonly group: () => RollbackGroupMembership | undefined;
}

/** The statements of the watchdog function's role. */
export function watchdogStatements(input: WatchdogStatementsInput): DataAwsIamPolicyDocumentStatement[] {
  const { serviceName, props, subjects, serviceRegion, arnOf } = input;
  const { logGroupArn, notificationTopicArn, deadLetterQueueArn } = input;
  const readAlarms = (): DataAwsIamPolicyDocumentStatement[] => {
    const alarms = subjects.alarms();
    return alarms.length > 0
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
      : [];
  };
  return [
    {
      sid: 'WriteOwnLogs',
      effect: 'Allow',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${logGroupArn}:*`],
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
    ...trafficStatements(subjects.listeners()),
    ...readAlarms(),
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
    ...deliveryStatements(props, arnOf),
    ...storeStatements(props.store, serviceName, props.artifactKeys ?? []),
    { sid: 'Notify', effect: 'Allow', actions: ['sns:Publish'], resources: [notificationTopicArn] },
    {
      sid: 'SendFailedEvents',
      effect: 'Allow',
      actions: ['sqs:SendMessage'],
      resources: [deadLetterQueueArn],
    },
    ...backupStatements(input),
    ...groupStatements(input.group()),
    ...tracingStatements(props),
  ];
}

/**
 * AWS Backup, with `backup` only: the release backup at capture; the operator's data restore of a
 * release's recovery points (`restore-data`: never automatic, always to a new resource); and the reads
 * of the readiness gate, each only when its check is configured.
 *
 * Resource types per the Service Authorization Reference (AWS Backup): StartBackupJob takes the vault;
 * DescribeRecoveryPoint, GetRecoveryPointRestoreMetadata and StartRestoreJob take a recovery point;
 * DescribeBackupJob, DescribeRestoreJob, ListRecoveryPointsByResource and
 * ListRestoreJobsByProtectedResource have no resource type, so only `*` can name them.
 */
function backupStatements(input: WatchdogStatementsInput): DataAwsIamPolicyDocumentStatement[] {
  const backup = input.props.backup;
  if (!backup) return [];
  const { arnOf } = input;
  const readiness = backup.readiness;
  const recoveryPoints = recoveryPointArns(backup.resourceArns, input);
  const passable = [...new Set([backup.roleArn, backup.restoreRoleArn ?? backup.roleArn])];
  const readinessActions = [
    ...(readiness?.maxRecoveryPointAgeHours !== undefined ? ['backup:ListRecoveryPointsByResource'] : []),
    ...(readiness?.maxRestoreTestAgeDays !== undefined ? ['backup:ListRestoreJobsByProtectedResource'] : []),
  ];
  return [
    {
      sid: 'StartReleaseBackups',
      effect: 'Allow',
      actions: ['backup:StartBackupJob'],
      resources: [arnOf('backup', `backup-vault:${backup.vaultName}`)],
    },
    {
      sid: 'PassBackupRoleToBackupOnly',
      effect: 'Allow',
      actions: ['iam:PassRole'],
      resources: passable,
      condition: [
        { test: 'StringEquals', variable: 'iam:PassedToService', values: ['backup.amazonaws.com'] },
      ],
    },
    {
      sid: 'ReadReleaseRecoveryPoints',
      effect: 'Allow',
      actions: ['backup:DescribeRecoveryPoint', 'backup:GetRecoveryPointRestoreMetadata'],
      resources: recoveryPoints,
    },
    {
      // Only on a verified operator's request, and AWS Backup always restores to a new resource.
      sid: 'RestoreReleaseRecoveryPoints',
      effect: 'Allow',
      actions: ['backup:StartRestoreJob'],
      resources: recoveryPoints,
    },
    {
      // DescribeRestoreJob has no resource type: AWS cannot scope it to an ARN.
      sid: 'FollowRestoreJobsUnscopable',
      effect: 'Allow',
      // DescribeBackupJob too: `restore-data` learns a release backup's recovery point from its job
      // (StartBackupJob answers it at start only for EFS and DynamoDB), and the gate's wait reads it.
      actions: ['backup:DescribeRestoreJob', 'backup:DescribeBackupJob'],
      resources: ['*'],
    },
    ...(readinessActions.length > 0
      ? [
          {
            // These have no resource type: AWS cannot scope them to an ARN.
            sid: 'CheckBackupReadinessUnscopable',
            effect: 'Allow',
            actions: readinessActions,
            resources: ['*'],
          },
        ]
      : []),
  ];
}

/**
 * The ARNs the recovery points of `resourceArns` can have: AWS Backup's own
 * (`…:backup:<region>:<account>:recovery-point:*`, for resources it fully manages: EFS, S3, DynamoDB
 * with advanced backup) and, by the resource's type, the service's snapshot ARNs it uses for the others
 * (RDS and Aurora snapshots named `awsbackup:…`, EBS snapshots and EC2 images, DynamoDB table backups).
 * A resource ARN only Terraform knows gets every pattern.
 */
function recoveryPointArns(resourceArns: readonly string[], input: WatchdogStatementsInput): string[] {
  const { arnOf, partition, serviceRegion } = input;
  const ec2 = (resource: string) => `arn:${partition}:ec2:${serviceRegion}::${resource}`;
  const rds = [arnOf('rds', 'snapshot:awsbackup:*')];
  const aurora = [arnOf('rds', 'cluster-snapshot:awsbackup:*')];
  const ebs = [ec2('snapshot/*'), ec2('image/*')];
  const dynamodb = (table: string) => [arnOf('dynamodb', `table/${table}/backup/*`)];
  const arns = [arnOf('backup', 'recovery-point:*')];
  for (const arn of resourceArns) {
    if (!isKnown(arn)) {
      arns.push(...rds, ...aurora, ...ebs, ...dynamodb('*'));
      continue;
    }
    const [, , service, , , ...rest] = arn.split(':');
    const resource = rest.join(':');
    if (service === 'rds') arns.push(...(resource.startsWith('cluster:') ? aurora : rds));
    else if (service === 'ec2') arns.push(...ebs);
    else if (service === 'dynamodb') arns.push(...dynamodb(resource.replace(/^table\//, '').split('/')[0]));
  }
  return [...new Set(arns)];
}

/** A member of a rollback group tells the coordinator of its rollbacks and acknowledgements. */
function groupStatements(group: RollbackGroupMembership | undefined): DataAwsIamPolicyDocumentStatement[] {
  return group
    ? [
        {
          sid: 'ReportToRollbackGroup',
          effect: 'Allow',
          actions: ['lambda:InvokeFunction'],
          resources: [group.coordinatorFunctionArn],
        },
      ]
    : [];
}

/** X-Ray's write actions have no resource type: AWS cannot scope them. */
export function tracingStatements(props: RollbackWatchdogProps): DataAwsIamPolicyDocumentStatement[] {
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

/**
 * The watchdog's statements produced at synth, as one value: listeners and alarms may be added after
 * construction (and a listener's rules after that), so the document is written from the set as it
 * stands then. One token for the whole list: cdktf records a stack trace for every token it makes,
 * which is most of what a token costs a synth.
 */
export function watchdogStatementsAtSynth(
  input: WatchdogStatementsInput,
): DataAwsIamPolicyDocumentStatement[] {
  return Lazy.anyValue({
    produce: () => watchdogStatements(input).map(dataAwsIamPolicyDocumentStatementToTerraform),
  }) as unknown as DataAwsIamPolicyDocumentStatement[];
}

/** The listeners' and rules' resource ARNs: by ARN, or every listener (rule) of a load balancer. */
function listenerResources(listeners: readonly ProtectedListenerInput[]): {
  listeners: string[];
  rules: string[];
} {
  // Deduplicate before swapping: each swap of a reference is a new Terraform expression.
  const byArn = [...new Set(listeners.flatMap((l) => (l.listenerArn ? [l.listenerArn] : [])))];
  const byLoadBalancer = [
    ...new Set(listeners.flatMap((l) => (l.listenerArn ? [] : [l.loadBalancerArn as string]))),
  ];
  return {
    listeners: [...byArn, ...byLoadBalancer.map((lb) => `${swapResourceType(lb, 'listener')}/*`)],
    rules: [
      ...byArn.map((arn) => `${swapResourceType(arn, 'listener-rule', 'listener')}/*`),
      ...byLoadBalancer.map((lb) => `${swapResourceType(lb, 'listener-rule')}/*`),
    ],
  };
}

/**
 * ModifyListener and ModifyRule on the protected listeners only, by ARN or by their load balancer;
 * and a deny on any ModifyListener that would set a protocol or TLS policy: the watchdog changes
 * actions only, and IAM holds it to that even if its code did not.
 */
function trafficStatements(listeners: ProtectedListenerInput[]): DataAwsIamPolicyDocumentStatement[] {
  const { listeners: resources, rules: ruleArns } = listenerResources(listeners);
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
  store: IArtifactStore,
  service: string,
  artifactKeys: readonly string[],
): DataAwsIamPolicyDocumentStatement[] {
  const grants: [string, StoreAccess, string][] = [
    ['Config', StoreAccess.READ, `${STORE_KEY_PREFIXES.config}${service}/`],
    ['Manifests', StoreAccess.READ_VERSIONS, `${STORE_KEY_PREFIXES.manifests}${service}/`],
    ['ManifestsWrite', StoreAccess.WRITE, `${STORE_KEY_PREFIXES.manifests}${service}/`],
    ['Audit', StoreAccess.READ, `${STORE_KEY_PREFIXES.audit}${service}/`],
    ['AuditWrite', StoreAccess.WRITE, `${STORE_KEY_PREFIXES.audit}${service}/`],
    ...[...new Set(artifactKeys.map((key) => key.slice(0, key.lastIndexOf('/') + 1)))].flatMap(
      (prefix, index) =>
        [
          [`Artifacts${index + 1}`, StoreAccess.READ_VERSIONS, prefix],
          [`ArtifactsWrite${index + 1}`, StoreAccess.WRITE, prefix],
        ] as [string, StoreAccess, string][],
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
      storePrefixStatements(store, access, prefix).map((statement) => ({
        ...statement,
        sid: `Store${name}${statement.sid ?? ''}`,
      })),
    ),
    holds,
  ];
}
