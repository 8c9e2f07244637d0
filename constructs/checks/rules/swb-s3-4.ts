import { attachedTo, block, isExpression } from '../references';
import { COMPLIANT, nonCompliant, type CheckRule } from '../types';

/** SWB-S3-4: every bucket has versioning enabled. */
export const s3Versioning: CheckRule = {
  id: 'SWB-S3-4',
  severity: 'warning',
  reason: 'S3 bucket does not have versioning enabled',
  upstream: ['CKV_AWS_21'],
  appliesTo: ['aws_s3_bucket'],
  reads: ['aws_s3_bucket_versioning'],
  check(bucket, stack) {
    // The bucket's own (deprecated) versioning block still counts.
    const inline = block(bucket.config.versioning)?.enabled;
    if (inline === true || isExpression(inline)) return COMPLIANT;
    const statuses = attachedTo(stack, 'aws_s3_bucket_versioning', 'bucket', bucket, 'bucket').map(
      (versioning) => block(versioning.config.versioning_configuration)?.status,
    );
    if (statuses.some((status) => status === 'Enabled' || isExpression(status))) return COMPLIANT;
    return statuses.length === 0
      ? nonCompliant('no aws_s3_bucket_versioning refers to this bucket')
      : nonCompliant(
          `its versioning status is ${statuses.map((status) => `'${String(status)}'`).join(', ')}`,
        );
  },
};
