import { attachedTo, isTrueOrUnknown } from '../references';
import { COMPLIANT, nonCompliant, type CheckRule } from '../types';

const FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

/** SWB-S3-1: every bucket has a public access block with all four settings on. */
export const s3PublicAccessBlocked: CheckRule = {
  id: 'SWB-S3-1',
  severity: 'error',
  reason: 'S3 bucket does not block all public access',
  upstream: ['CKV2_AWS_6', 'AwsSolutions-S2'],
  appliesTo: ['aws_s3_bucket'],
  reads: ['aws_s3_bucket_public_access_block'],
  check(bucket, stack) {
    const accessBlocks = attachedTo(stack, 'aws_s3_bucket_public_access_block', 'bucket', bucket, 'bucket');
    if (accessBlocks.length === 0) {
      return nonCompliant('no aws_s3_bucket_public_access_block refers to this bucket');
    }
    const off = FLAGS.filter((flag) => !accessBlocks.some((block) => isTrueOrUnknown(block.config[flag])));
    return off.length === 0
      ? COMPLIANT
      : nonCompliant(`its public access block leaves ${off.join(', ')} off`);
  },
};
