/**
 * Shared by the IAM rules: the identity-policy statements of a policy document or of a resource that
 * carries a literal JSON policy.
 */
import {
  statementsOfPolicyDocument,
  statementsOfPolicyJson,
  type PolicyStatement,
} from '../policy-documents';
import { blocks, isExpression } from '../references';
import type { CheckedResource } from '../types';

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
 * statement with principals belongs to a resource-based or trust policy). Undefined when the policy
 * is an expression: a referenced `aws_iam_policy_document` is judged on its own, a `jsonencode(…)`
 * cannot be read at synth.
 */
export function identityAllowStatements(resource: CheckedResource): PolicyStatement[] | undefined {
  let statements: PolicyStatement[] | undefined;
  if (resource.kind === 'data') {
    statements = statementsOfPolicyDocument(resource);
  } else if (resource.type === 'aws_iam_role') {
    const policies = blocks(resource.config.inline_policy).map((inline) => inline.policy);
    const literal = policies.filter(
      (policy): policy is string => typeof policy === 'string' && !isExpression(policy),
    );
    if (literal.length === 0) return undefined;
    statements = literal.flatMap((policy) => statementsOfPolicyJson(policy) ?? []);
  } else {
    const policy = resource.config.policy;
    if (typeof policy !== 'string' || isExpression(policy)) return undefined;
    statements = statementsOfPolicyJson(policy);
  }
  return statements?.filter((statement) => statement.effect === 'Allow' && !statement.hasPrincipals);
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
];

/** Whether AWS cannot scope `action` to a resource. */
export function isUnscopable(action: string): boolean {
  const lower = action.toLowerCase();
  return UNSCOPABLE_ACTIONS.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern.endsWith('*') ? lower.startsWith(pattern.slice(0, -1)) : lower === pattern;
  });
}
