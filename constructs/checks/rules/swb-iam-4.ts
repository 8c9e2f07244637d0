import { isExpression, referencedResource, strings } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** The argument that holds the attached policy ARNs, by the type that attaches them. */
const POLICY_ARN_ARGUMENTS: Readonly<Record<string, string>> = {
  aws_iam_role_policy_attachment: 'policy_arn',
  aws_iam_user_policy_attachment: 'policy_arn',
  aws_iam_group_policy_attachment: 'policy_arn',
  aws_iam_policy_attachment: 'policy_arn',
  aws_iam_role_policy_attachments_exclusive: 'policy_arns',
  aws_iam_user_policy_attachments_exclusive: 'policy_arns',
  aws_iam_group_policy_attachments_exclusive: 'policy_arns',
  aws_iam_role: 'managed_policy_arns',
};

/** `arn:<partition>:iam::aws:policy/<path/><name>`; the partition may be an expression. */
const AWS_MANAGED_POLICY_ARN = /^arn:[^:]+:iam::aws:policy\/(?:.+\/)?([^/]+)$/;

/** The name of an AWS managed policy ARN; '' for any other ARN (a customer managed policy's). */
function policyName(arn: string): string {
  return AWS_MANAGED_POLICY_ARN.exec(arn)?.[1] ?? '';
}

/**
 * Whether an AWS managed policy grants administrator or whole-service access: AdministratorAccess
 * (and its `AdministratorAccess-…` variants), PowerUserAccess, and every `…FullAccess…` policy
 * (IAMFullAccess, AmazonS3FullAccess, AWSLambda_FullAccess, …), which allow `<service>:*` on `*`.
 */
export function isBroadManagedPolicy(name: string): boolean {
  return name.startsWith('AdministratorAccess') || name === 'PowerUserAccess' || name.includes('FullAccess');
}

/**
 * SWB-IAM-4: roles, users and groups get no AWS managed administrator or `…FullAccess` policy. An
 * error, like SWB-IAM-1: a FullAccess policy is `<service>:*` on every resource, which SWB-IAM-1
 * refuses in a policy of your own. Narrow AWS managed policies (the AWS Backup service role's) pass.
 * A policy ARN only Terraform knows is not judged, unless it references a `data "aws_iam_policy"`
 * whose name or ARN is literal.
 */
export const iamNoBroadManagedPolicies: ICheckRule = {
  id: 'SWB-IAM-4',
  severity: CheckSeverity.ERROR,
  reason: 'IAM identity has an AWS managed administrator or FullAccess policy attached',
  upstream: ['CKV_AWS_274', 'AwsSolutions-IAM4'],
  appliesTo: Object.keys(POLICY_ARN_ARGUMENTS),
  reads: ['data.aws_iam_policy'],
  check(resource, stack) {
    const argument = POLICY_ARN_ARGUMENTS[resource.type];
    // The policy name of each ARN synth can read; undefined for one only Terraform knows.
    const names = strings(resource.config[argument]).map((arn) => {
      const lookup = referencedResource(arn, stack, ['data.aws_iam_policy']);
      if (lookup !== undefined) {
        const { arn: lookupArn, name } = lookup.config;
        if (typeof lookupArn === 'string' && !isExpression(lookupArn)) return policyName(lookupArn);
        return typeof name === 'string' && !isExpression(name) ? name : undefined;
      }
      return isExpression(arn) && !AWS_MANAGED_POLICY_ARN.test(arn) ? undefined : policyName(arn);
    });
    const broad = names.filter((name) => isBroadManagedPolicy(name ?? ''));
    if (broad.length > 0) {
      return CheckResult.nonCompliant(
        `${argument} attaches ${broad.join(', ')}; grant the actions it needs in a policy of your own`,
      );
    }
    return names.some((name) => name !== undefined) ? CheckResult.compliant() : CheckResult.notApplicable();
  },
};
