import { attachedTo, isTrueOrUnknown } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

const FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

/** SWB-S3-1: every bucket has a public access block with all four settings on. */
export const s3PublicAccessBlocked: ICheckRule = {
  id: 'SWB-S3-1',
  severity: CheckSeverity.ERROR,
  reason: 'S3 bucket does not block all public access',
  upstream: ['CKV2_AWS_6', 'AwsSolutions-S2'],
  appliesTo: ['aws_s3_bucket'],
  reads: ['aws_s3_bucket_public_access_block'],
  check(bucket, stack) {
    const accessBlocks = attachedTo(stack, 'aws_s3_bucket_public_access_block', 'bucket', bucket, 'bucket');
    if (accessBlocks.length === 0) {
      return CheckResult.nonCompliant('no aws_s3_bucket_public_access_block refers to this bucket');
    }
    const off = FLAGS.filter((flag) => !accessBlocks.some((block) => isTrueOrUnknown(block.config[flag])));
    return off.length === 0
      ? CheckResult.compliant()
      : CheckResult.nonCompliant(`its public access block leaves ${off.join(', ')} off`);
  },
};
