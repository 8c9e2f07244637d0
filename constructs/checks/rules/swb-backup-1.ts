import { isExpression } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-BACKUP-1: vaults encrypt recovery points with a customer managed KMS key. */
export const backupVaultCustomerKey: ICheckRule = {
  id: 'SWB-BACKUP-1',
  severity: CheckSeverity.WARNING,
  reason: 'Backup vault is not encrypted with a customer managed KMS key',
  upstream: ['CKV_AWS_166'],
  appliesTo: ['aws_backup_vault'],
  reads: [],
  check(vault) {
    const key = vault.config.kms_key_arn;
    if (key === undefined || key === null || key === '') {
      return CheckResult.nonCompliant('no kms_key_arn, so AWS Backup uses its AWS managed key');
    }
    if (!isExpression(key) && /(^|:)alias\/aws\//.test(String(key))) {
      return CheckResult.nonCompliant(`kms_key_arn '${String(key)}' is an AWS managed key`);
    }
    return CheckResult.compliant();
  },
};
