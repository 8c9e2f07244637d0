import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-SNS-1: topics are encrypted at rest with a KMS key. */
export const snsEncrypted: ICheckRule = {
  id: 'SWB-SNS-1',
  severity: CheckSeverity.ERROR,
  reason: 'SNS topic is not encrypted at rest',
  upstream: ['CKV_AWS_26', 'AwsSolutions-SNS2'],
  appliesTo: ['aws_sns_topic'],
  reads: [],
  check(topic) {
    return topic.config.kms_master_key_id
      ? CheckResult.compliant()
      : CheckResult.nonCompliant('no kms_master_key_id');
  },
};
