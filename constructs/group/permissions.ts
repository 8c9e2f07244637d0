/**
 * The coordinator's IAM: read its configuration (that one key), write the group's records (its prefix
 * `audit/groups/<group>/`), invoke exactly the members' watchdogs, publish to its topic, send failed events to its
 * queue, write its logs and traces. Signing a caller proof (a presigned `sts:GetCallerIdentity`) needs
 * no permission: STS answers GetCallerIdentity for any valid signature, even under a policy that
 * denies it.
 */
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { groupConfigKey, STORE_KEY_PREFIXES } from '../../lib';
import type { IArtifactStore } from '../contracts';
import { storePrefixStatements } from '../internal/store-access';
import { StoreAccess } from '../store/props';

/** What the coordinator's statements are built from. */
export interface GroupStatementsInput {
  readonly groupName: string;
  readonly store: IArtifactStore;
  /** The members' watchdog function ARNs (any region). */
  readonly memberFunctionArns: readonly string[];
  readonly logGroupArn: string;
  readonly notificationTopicArn: string;
  readonly deadLetterQueueArn: string;
  readonly tracing: boolean;
}

/** The statements of the coordinator function's role. */
export function groupStatements(input: GroupStatementsInput): DataAwsIamPolicyDocumentStatement[] {
  const { store, groupName } = input;
  const storeKey = (actions: string[]): DataAwsIamPolicyDocumentStatement[] =>
    store.kmsKeyArn !== undefined
      ? [{ sid: 'StoreConfigKey', effect: 'Allow', actions, resources: [store.kmsKeyArn] }]
      : [];
  return [
    {
      sid: 'WriteOwnLogs',
      effect: 'Allow',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${input.logGroupArn}:*`],
    },
    {
      sid: 'StoreReadConfig',
      effect: 'Allow',
      actions: ['s3:GetObject'],
      resources: [`${store.bucketArn}/${groupConfigKey(groupName)}`],
    },
    ...storeKey(['kms:Decrypt']),
    // The group's decisions (`…/decisions/`) and its freeze ledger (`…/frozen/`): the coordinator
    // reads them back (a retried report finds its decision done; an acknowledgement finds what it
    // froze). Listing, under the prefix only, makes a missing key a 404 rather than a 403.
    ...storePrefixStatements(store, StoreAccess.WRITE, groupAuditPrefix(groupName)).map((statement) => ({
      ...statement,
      sid: `StoreRecords${statement.sid ?? ''}`,
    })),
    ...storePrefixStatements(store, StoreAccess.READ, groupAuditPrefix(groupName)).map((statement) => ({
      ...statement,
      sid: `StoreRecordsRead${statement.sid ?? ''}`,
    })),
    {
      sid: 'InvokeMemberWatchdogs',
      effect: 'Allow',
      actions: ['lambda:InvokeFunction'],
      resources: [...new Set(input.memberFunctionArns)],
    },
    { sid: 'Notify', effect: 'Allow', actions: ['sns:Publish'], resources: [input.notificationTopicArn] },
    {
      sid: 'SendFailedEvents',
      effect: 'Allow',
      actions: ['sqs:SendMessage'],
      resources: [input.deadLetterQueueArn],
    },
    ...(input.tracing
      ? [
          {
            sid: 'WriteTracesUnscopable',
            effect: 'Allow',
            actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
            resources: ['*'],
          },
        ]
      : []),
  ];
}

/** Where a group's records are: `audit/groups/<group>/` (its decisions are under `decisions/`). */
export function groupAuditPrefix(groupName: string): string {
  return `${STORE_KEY_PREFIXES.audit}groups/${groupName}/`;
}
