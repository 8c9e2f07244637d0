import { attachedTo, block, isExpression } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-S3-4: every bucket has versioning enabled. */
export const s3Versioning: ICheckRule = {
  id: 'SWB-S3-4',
  severity: CheckSeverity.WARNING,
  reason: 'S3 bucket does not have versioning enabled',
  upstream: ['CKV_AWS_21'],
  appliesTo: ['aws_s3_bucket'],
  reads: ['aws_s3_bucket_versioning'],
  check(bucket, stack) {
    // The bucket's own (deprecated) versioning block still counts.
    const inline = block(bucket.config.versioning)?.enabled;
    if (inline === true || isExpression(inline)) return CheckResult.compliant();
    const statuses = attachedTo(stack, 'aws_s3_bucket_versioning', 'bucket', bucket, 'bucket').map(
      (versioning) => block(versioning.config.versioning_configuration)?.status,
    );
    if (statuses.some((status) => status === 'Enabled' || isExpression(status)))
      return CheckResult.compliant();
    return statuses.length === 0
      ? CheckResult.nonCompliant('no aws_s3_bucket_versioning refers to this bucket')
      : CheckResult.nonCompliant(
          `its versioning status is ${statuses.map((status) => `'${String(status)}'`).join(', ')}`,
        );
  },
};
