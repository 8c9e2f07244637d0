import { attachedTo, blocks } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-S3-2: every bucket declares default encryption (SSE-KMS, DSSE-KMS or SSE-S3). */
export const s3DefaultEncryption: ICheckRule = {
  id: 'SWB-S3-2',
  severity: CheckSeverity.WARNING,
  reason: 'S3 bucket does not declare default encryption',
  upstream: ['CKV_AWS_19'],
  appliesTo: ['aws_s3_bucket'],
  reads: ['aws_s3_bucket_server_side_encryption_configuration'],
  check(bucket, stack) {
    const configurations = attachedTo(
      stack,
      'aws_s3_bucket_server_side_encryption_configuration',
      'bucket',
      bucket,
      'bucket',
    );
    const declared = configurations.some((configuration) =>
      blocks(configuration.config.rule).some((rule) =>
        blocks(rule.apply_server_side_encryption_by_default).some((defaults) =>
          Boolean(defaults.sse_algorithm),
        ),
      ),
    );
    return declared
      ? CheckResult.compliant()
      : CheckResult.nonCompliant(
          'no aws_s3_bucket_server_side_encryption_configuration with an sse_algorithm refers to this bucket',
        );
  },
};
