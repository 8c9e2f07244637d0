import { attachedTo, blocks } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-S3-5: every bucket has a lifecycle configuration with at least one enabled rule. */
export const s3Lifecycle: ICheckRule = {
  id: 'SWB-S3-5',
  severity: CheckSeverity.WARNING,
  reason: 'S3 bucket has no lifecycle rule, so old versions and stale uploads are kept forever',
  upstream: ['CKV2_AWS_61'],
  appliesTo: ['aws_s3_bucket'],
  reads: ['aws_s3_bucket_lifecycle_configuration'],
  check(bucket, stack) {
    const configurations = attachedTo(
      stack,
      'aws_s3_bucket_lifecycle_configuration',
      'bucket',
      bucket,
      'bucket',
    );
    if (configurations.length === 0) {
      return CheckResult.nonCompliant('no aws_s3_bucket_lifecycle_configuration refers to this bucket');
    }
    const enabled = configurations.some((configuration) =>
      blocks(configuration.config.rule).some((rule) => rule.status !== 'Disabled'),
    );
    return enabled
      ? CheckResult.compliant()
      : CheckResult.nonCompliant('every rule of its lifecycle configuration is Disabled');
  },
};
