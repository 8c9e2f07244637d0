import { statementsOfPolicy, type PolicyStatement } from '../policy-documents';
import { attachedTo } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** Whether a statement denies every S3 action on requests that do not use TLS. */
function deniesPlainHttp(statement: PolicyStatement): boolean {
  return (
    statement.effect === 'Deny' &&
    !statement.notAction &&
    statement.actions.some((action) => action === '*' || action === 's3:*') &&
    statement.conditions.some(
      (condition) =>
        condition.test === 'Bool' &&
        condition.variable === 'aws:SecureTransport' &&
        condition.values.includes('false'),
    )
  );
}

/**
 * SWB-S3-3: every bucket's policy denies requests without TLS. A policy only Terraform can read
 * (`jsonencode(…)`) is not judged.
 */
export const s3TlsOnly: ICheckRule = {
  id: 'SWB-S3-3',
  severity: CheckSeverity.ERROR,
  reason: 'S3 bucket does not deny requests without TLS',
  upstream: ['AwsSolutions-S10'],
  appliesTo: ['aws_s3_bucket'],
  reads: ['aws_s3_bucket_policy', 'data.aws_iam_policy_document'],
  check(bucket, stack) {
    const policies = attachedTo(stack, 'aws_s3_bucket_policy', 'bucket', bucket, 'bucket');
    if (policies.length === 0) {
      return CheckResult.nonCompliant(
        'no aws_s3_bucket_policy refers to this bucket; deny s3:* when aws:SecureTransport is false',
      );
    }
    const documents = policies.map((policy) => statementsOfPolicy(policy.config.policy, stack));
    if (documents.some((statements) => statements?.some(deniesPlainHttp))) return CheckResult.compliant();
    if (documents.some((statements) => statements === undefined)) return CheckResult.notApplicable();
    return CheckResult.nonCompliant(
      'its bucket policy has no Deny of s3:* when aws:SecureTransport is false',
    );
  },
};
