import { attachedTo } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/**
 * SWB-BACKUP-2: vaults are locked (`aws_backup_vault_lock_configuration`), so nobody can delete
 * recovery points or shorten their retention, even with the vault's access policy removed.
 */
export const backupVaultLocked: ICheckRule = {
  id: 'SWB-BACKUP-2',
  severity: CheckSeverity.WARNING,
  reason: 'Backup vault has no vault lock',
  upstream: [],
  appliesTo: ['aws_backup_vault'],
  reads: ['aws_backup_vault_lock_configuration'],
  check(vault, stack) {
    const locks = attachedTo(
      stack,
      'aws_backup_vault_lock_configuration',
      'backup_vault_name',
      vault,
      'name',
    );
    return locks.length > 0
      ? CheckResult.compliant()
      : CheckResult.nonCompliant('no aws_backup_vault_lock_configuration refers to this vault');
  },
};
