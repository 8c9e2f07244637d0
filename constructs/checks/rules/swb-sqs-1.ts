import { isTrueOrUnknown } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-SQS-1: queues are encrypted at rest, with SQS-managed keys or a KMS key, and say so. */
export const sqsEncrypted: ICheckRule = {
  id: 'SWB-SQS-1',
  severity: CheckSeverity.ERROR,
  reason: 'SQS queue does not declare encryption at rest',
  upstream: ['CKV_AWS_27', 'AwsSolutions-SQS2'],
  appliesTo: ['aws_sqs_queue'],
  reads: [],
  check(queue) {
    if (queue.config.kms_master_key_id) return CheckResult.compliant();
    return isTrueOrUnknown(queue.config.sqs_managed_sse_enabled)
      ? CheckResult.compliant()
      : CheckResult.nonCompliant('neither kms_master_key_id nor sqs_managed_sse_enabled = true');
  },
};
