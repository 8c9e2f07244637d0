/**
 * Shared by the IAM rules: the identity-policy statements of a policy document or of a resource that
 * carries a literal JSON policy.
 */
import { parsePolicyText, statementsOfPolicyDocument, type PolicyStatement } from '../policy-documents';
import { blocks } from '../references';
import { CheckedResourceKind, type CheckedResource } from '../types';

/** The types whose policies the IAM rules judge. */
export const POLICY_TYPES = [
  'data.aws_iam_policy_document',
  'aws_iam_policy',
  'aws_iam_role_policy',
  'aws_iam_user_policy',
  'aws_iam_group_policy',
  'aws_iam_role',
];

/**
 * The statements that grant permissions to an identity: Allow statements without principals (a
 * statement with principals belongs to a resource-based or trust policy). A literal JSON policy is
 * read even when its values reference other resources (`"Resource": "${aws_s3_bucket.x.arn}"`).
 * Undefined when the policy is an expression: a referenced `aws_iam_policy_document` is judged on its
 * own, a `jsonencode(…)` cannot be read at synth.
 */
export function identityAllowStatements(resource: CheckedResource): PolicyStatement[] | undefined {
  let statements: PolicyStatement[];
  if (resource.kind === CheckedResourceKind.DATA) {
    statements = statementsOfPolicyDocument(resource);
  } else {
    const policies =
      resource.type === 'aws_iam_role'
        ? blocks(resource.config.inline_policy).map((inline) => inline.policy)
        : [resource.config.policy];
    const documents = policies.flatMap((policy) => {
      const text = parsePolicyText(policy);
      return text?.kind === 'json' ? [text.statements] : [];
    });
    if (documents.length === 0) return undefined;
    statements = documents.flat();
  }
  return statements.filter((statement) => statement.effect === 'Allow' && !statement.hasPrincipals);
}

/**
 * Whether a `Resource` entry covers every resource of a service, or of every service: `*`, or an ARN
 * whose resource part (after the fifth colon) is nothing but wildcards and separators, such as
 * `arn:aws:s3:::*`, `arn:aws:iam::*:*` or `arn:*:*:*:*:*`. An ARN that names a resource type or a
 * parent is scoped (`arn:aws:s3:::orders/*`; `…:listener/app/shop/50dc6c495c0c9188/*`, the listeners
 * of one load balancer).
 */
export function isEveryResource(resource: string): boolean {
  if (/^[*?]*\*[*?]*$/.test(resource)) return true;
  if (!resource.startsWith('arn:')) return false;
  const parts = resource.split(':');
  return parts.length >= 6 && /^[*?:/]*\*[*?:/]*$/.test(parts.slice(5).join(':'));
}

/**
 * Whether an action grants every action of a service (`s3:*`) or of every service (`*`): nothing but
 * wildcards after the service prefix.
 */
export function isWholeServiceAction(action: string): boolean {
  const name = action.includes(':') ? action.slice(action.indexOf(':') + 1) : action;
  return /^[*?]*\*[*?]*$/.test(name);
}

/**
 * Actions AWS cannot scope to a resource (no resource type in the Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/): `Resource: "*"` is the only
 * way to grant them. A trailing `*` covers a family.
 */
export const UNSCOPABLE_ACTIONS = [
  // reference_policies_actions-resources-contextkeys: "elasticloadbalancing" and "ec2" Describe* list no resource types.
  'elasticloadbalancing:Describe*',
  'ec2:Describe*',
  // AWS X-Ray: the write and sampling APIs have no resource type.
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // Amazon CloudWatch: metric data is not a resource.
  'cloudwatch:PutMetricData',
  'cloudwatch:GetMetricData',
  'cloudwatch:ListMetrics',
  // AWS Backup (Service Authorization Reference): reading a job's progress and listing a resource's
  // recovery points and restore jobs name no resource type.
  'backup:DescribeBackupJob',
  'backup:DescribeRestoreJob',
  'backup:ListRecoveryPointsByResource',
  'backup:ListRestoreJobsByProtectedResource',
];

/** Whether AWS cannot scope `action` to a resource. */
export function isUnscopable(action: string): boolean {
  const lower = action.toLowerCase();
  return UNSCOPABLE_ACTIONS.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern.endsWith('*') ? lower.startsWith(pattern.slice(0, -1)) : lower === pattern;
  });
}
