/**
 * What is backed up and with which role: the selection by resource ARNs and/or tags, and the service
 * role AWS Backup assumes (unless one is given) with AWS's managed backup and restore policies.
 */
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { ARN_PATTERNS } from '../../lib';
import { sanitizeName } from '../internal/names';
import { serviceTrustPolicy } from '../internal/trust';
import { isKnown, type PropValidator } from '../internal/validation';
import type { BackupContext } from './context';
import { validateTags, type BackupTag } from './tags';

// Any ARN, or `*` (every resource AWS Backup supports).
const RESOURCE_ARN = new RegExp(`^\\*$|${ARN_PATTERNS.any.source}`);

const MANAGED_POLICIES: readonly [string, string][] = [
  ['BackupPolicy', 'service-role/AWSBackupServiceRolePolicyForBackup'],
  ['RestoresPolicy', 'service-role/AWSBackupServiceRolePolicyForRestores'],
  ['S3BackupPolicy', 'AWSBackupServiceRolePolicyForS3Backup'],
  ['S3RestorePolicy', 'AWSBackupServiceRolePolicyForS3Restore'],
];

/** The role AWS Backup assumes, and the policy attachments jobs must wait for (none for a given role). */
export interface ServiceRole {
  readonly role?: IamRole;
  readonly roleArn: string;
  readonly policyAttachments: IamRolePolicyAttachment[];
}

export function validateSelection(
  check: PropValidator,
  resourceArns: string[] | undefined,
  tagConditions: BackupTag[] | undefined,
): void {
  const arns = resourceArns ?? [];
  const tags = tagConditions ?? [];
  if (arns.length === 0 && tags.length === 0) {
    check.fail(
      'resourceArns',
      resourceArns ?? [],
      'the selection is empty: give resourceArns and/or tagConditions (AWS Backup would otherwise select every supported resource in the account).',
    );
  }
  arns.forEach((arn, index) =>
    check.matches(
      `resourceArns[${index}]`,
      arn,
      RESOURCE_ARN,
      "must be a resource ARN (or pattern with '*').",
    ),
  );
  const wildcards = arns.some((arn) => isKnown(arn) && arn.includes('*'));
  const limit = wildcards ? 30 : 500;
  if (arns.length > limit) {
    check.fail(
      'resourceArns',
      `${arns.length} ARNs`,
      `a selection takes at most 500 ARNs, or 30 when any has a wildcard; select by tagConditions instead.`,
    );
  }
  validateTags(check, 'tagConditions', tags);
}

export function validateServiceRole(check: PropValidator, roleArn: string | undefined): void {
  check.matches('roleArn', roleArn, ARN_PATTERNS.iamRole, 'must be an IAM role ARN.');
}

/** The given role, or a role trusted by AWS Backup with its managed backup and restore policies. */
export function defineServiceRole(context: BackupContext, roleArn: string | undefined): ServiceRole {
  if (roleArn !== undefined) return { roleArn, policyAttachments: [] };
  const { scope, serviceName } = context;
  const trust = serviceTrustPolicy(scope, 'ServiceRoleTrust', 'backup.amazonaws.com');
  const role = new IamRole(scope, 'ServiceRole', {
    namePrefix: `${sanitizeName(serviceName, 20)}-backup-`,
    description: `AWS Backup backs up and restores the data of ${serviceName} with this role`,
    assumeRolePolicy: trust.json,
  });
  const policyAttachments = MANAGED_POLICIES.map(
    ([attachmentId, path]) =>
      new IamRolePolicyAttachment(scope, attachmentId, {
        role: role.name,
        policyArn: `arn:${context.partition()}:iam::aws:policy/${path}`,
      }),
  );
  return { role, roleArn: role.arn, policyAttachments };
}

/** The selection assigning the resources (by ARN, and any resource carrying one of the tags) to the plan. */
export function defineSelection(
  context: BackupContext,
  planId: string,
  role: ServiceRole,
  resourceArns: string[],
  tagConditions: BackupTag[] | undefined,
): BackupSelection {
  return new BackupSelection(context.scope, 'Selection', {
    name: `${context.serviceName}-selection`,
    planId,
    iamRoleArn: role.roleArn,
    ...(resourceArns.length > 0 ? { resources: resourceArns } : {}),
    ...((tagConditions ?? []).length > 0
      ? {
          // ListOfTags: a resource carrying any of the tags is selected, in addition to `resources`.
          selectionTag: (tagConditions ?? []).map(({ key, value }) => ({
            type: 'STRINGEQUALS',
            key,
            value,
          })),
        }
      : {}),
    // A backup that runs before the role has its policies would fail.
    ...(role.policyAttachments.length > 0 ? { dependsOn: role.policyAttachments } : {}),
    ...context.regional,
  });
}
