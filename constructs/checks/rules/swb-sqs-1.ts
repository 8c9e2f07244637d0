import { isTrueOrUnknown } from '../references';
import { COMPLIANT, nonCompliant, type CheckRule } from '../types';

/** SWB-SQS-1: queues are encrypted at rest, with SQS-managed keys or a KMS key, and say so. */
export const sqsEncrypted: CheckRule = {
  id: 'SWB-SQS-1',
  severity: 'error',
  reason: 'SQS queue does not declare encryption at rest',
  upstream: ['CKV_AWS_27', 'AwsSolutions-SQS2'],
  appliesTo: ['aws_sqs_queue'],
  reads: [],
  check(queue) {
    if (queue.config.kms_master_key_id) return COMPLIANT;
    return isTrueOrUnknown(queue.config.sqs_managed_sse_enabled)
      ? COMPLIANT
      : nonCompliant('neither kms_master_key_id nor sqs_managed_sse_enabled = true');
  },
};
