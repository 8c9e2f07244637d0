/**
 * The backup vault: its KMS key, the vault, an optional Backup Vault Lock, and the access policy that
 * denies deleting recovery points.
 */
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import { BackupVaultPolicy } from '@cdktf/provider-aws/lib/backup-vault-policy';
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { ARN_PATTERNS } from '../../lib';
import { SwitchbackChecks } from '../checks/switchback-checks';
import { accountKeyPolicy } from '../internal/key-policy';
import { isKnown, type PropValidator } from '../internal/validation';
import type { BackupContext } from './context';
import { arnRegion } from './region';

/** How strict a Backup Vault Lock is. */
export enum BackupVaultLockMode {
  /** Users with the right IAM permissions can still remove the lock. */
  GOVERNANCE = 'GOVERNANCE',
  /**
   * After `changeableForDays` the lock is **immutable**: nobody, not even the account root or AWS, can
   * remove it, shorten retention or delete the vault until every recovery point expires.
   */
  COMPLIANCE = 'COMPLIANCE',
}

/** Backup Vault Lock: recovery points in the vault cannot be deleted or shortened before their retention. */
export interface BackupVaultLockOptions {
  /**
   * `GOVERNANCE`: users with the right IAM permissions can still remove the lock. `COMPLIANCE`: after
   * `changeableForDays` the lock is **immutable** — nobody, not even the account root or AWS, can remove
   * it, shorten retention or delete the vault until every recovery point expires.
   */
  readonly mode: BackupVaultLockMode;
  /** The shortest retention a backup or copy job into the vault may have, 1-36500 days. */
  readonly minRetentionDays: number;
  /** The longest retention a backup or copy job into the vault may have, 1-36500 days, ≥ the minimum. */
  readonly maxRetentionDays: number;
  /**
   * `COMPLIANCE` only: the cooling-off period in days, at least 3, during which the lock can still be
   * changed or removed; after it the lock is immutable.
   * @default 3
   */
  readonly changeableForDays?: number;
}

/** The longest retention AWS Backup accepts, in days: for rules, copies and vault locks alike. */
export const MAX_RETENTION_DAYS = 36500;

const VAULT_NAME = /^[A-Za-z0-9_-]{2,50}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ACCOUNT_ID = /^\d{12}$/;
const PRINCIPAL_ARN = ARN_PATTERNS.principal;

/** The schedule's props the vault reads. */
export interface VaultProps {
  readonly vaultName?: string;
  readonly kmsKeyArn?: string;
  readonly region?: string;
  readonly accountId?: string;
  readonly vaultLock?: BackupVaultLockOptions;
  readonly vaultPolicyAdminArns?: string[];
}

/** The vault's resources, as BackupSchedule exposes them. */
export interface Vault {
  readonly kmsKey?: KmsKey;
  readonly kmsKeyArn: string;
  readonly vaultName: string;
  readonly vault: BackupVault;
  readonly vaultLock?: BackupVaultLockConfiguration;
  readonly vaultPolicyStatements: DataAwsIamPolicyDocumentStatement[];
  readonly vaultPolicy: BackupVaultPolicy;
}

/** The vault's name, its key, and the region and account the schedule is told it lives in. */
export function validateVault(check: PropValidator, props: VaultProps): void {
  check.matches(
    'vaultName',
    props.vaultName,
    VAULT_NAME,
    'must be 2-50 letters, digits, hyphens or underscores (AWS Backup vault names).',
  );
  check.matches('kmsKeyArn', props.kmsKeyArn, ARN_PATTERNS.kmsKey, 'must be a KMS key or alias ARN.');
  check.matches('region', props.region, REGION, "must be an AWS region such as 'eu-west-1'.");
  check.matches('accountId', props.accountId, ACCOUNT_ID, 'must be a 12-digit AWS account id.');
  const keyRegion = arnRegion(props.kmsKeyArn);
  if (props.region !== undefined && keyRegion !== undefined && keyRegion !== props.region) {
    check.fail(
      'kmsKeyArn',
      props.kmsKeyArn,
      `is in ${keyRegion} but the vault is in ${props.region}; KMS keys are regional: give a key in ${props.region}.`,
    );
  }
}

export function validateLock(check: PropValidator, lock: BackupVaultLockOptions): void {
  check.oneOf('vaultLock.mode', lock.mode, Object.values(BackupVaultLockMode));
  check.integerInRange('vaultLock.minRetentionDays', lock.minRetentionDays, 1, MAX_RETENTION_DAYS);
  check.integerInRange('vaultLock.maxRetentionDays', lock.maxRetentionDays, 1, MAX_RETENTION_DAYS);
  if (
    isKnown(lock.minRetentionDays) &&
    isKnown(lock.maxRetentionDays) &&
    lock.minRetentionDays > lock.maxRetentionDays
  ) {
    check.fail(
      'vaultLock.maxRetentionDays',
      lock.maxRetentionDays,
      `must be at least vaultLock.minRetentionDays (${lock.minRetentionDays}).`,
    );
  }
  if (lock.changeableForDays !== undefined && lock.mode !== BackupVaultLockMode.COMPLIANCE) {
    check.fail(
      'vaultLock.changeableForDays',
      lock.changeableForDays,
      "applies to a 'COMPLIANCE' lock only (a GOVERNANCE lock has no cooling-off period); remove it or set mode 'COMPLIANCE'.",
    );
  }
  check.integerInRange(
    'vaultLock.changeableForDays',
    lock.changeableForDays,
    3,
    MAX_RETENTION_DAYS,
    'AWS Backup enforces a 72-hour cooling-off period before the lock becomes immutable',
  );
}

export function validateVaultPolicyAdmins(check: PropValidator, admins: string[] | undefined): void {
  if (admins === undefined) return;
  if (admins.length === 0) {
    check.fail(
      'vaultPolicyAdminArns',
      admins,
      'give at least one principal that may still change the vault policy (the role your deploys run with), or leave it out.',
    );
  }
  admins.forEach((arn, index) =>
    check.matches(
      `vaultPolicyAdminArns[${index}]`,
      arn,
      PRINCIPAL_ARN,
      'must be an IAM role or user ARN (wildcards allowed after the account id).',
    ),
  );
}

/** The key (unless given), the vault, its lock (when asked) and its access policy. */
export function defineVault(context: BackupContext, props: VaultProps): Vault {
  const { scope, serviceName, regional } = context;
  let kmsKey: KmsKey | undefined;
  if (props.kmsKeyArn === undefined) {
    kmsKey = new KmsKey(scope, 'Key', {
      description: `Encrypts the AWS Backup vault of ${serviceName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: accountKeyPolicy(context.partition(), context.accountId()),
      ...regional,
    });
  }
  const kmsKeyArn = props.kmsKeyArn ?? (kmsKey as KmsKey).arn;

  const vaultName = props.vaultName ?? `${serviceName}-backups`;
  const vault = new BackupVault(scope, 'Vault', {
    name: vaultName,
    kmsKeyArn,
    // A vault that still holds recovery points is the way back: `terraform destroy` must not empty it.
    forceDestroy: false,
    ...regional,
  });

  let vaultLock: BackupVaultLockConfiguration | undefined;
  if (props.vaultLock) {
    const { mode, minRetentionDays, maxRetentionDays } = props.vaultLock;
    vaultLock = new BackupVaultLockConfiguration(scope, 'VaultLock', {
      backupVaultName: vault.name,
      minRetentionDays,
      maxRetentionDays,
      // The provider makes a lock COMPLIANCE exactly when changeable_for_days is set.
      ...(mode === BackupVaultLockMode.COMPLIANCE
        ? { changeableForDays: props.vaultLock.changeableForDays ?? 3 }
        : {}),
      ...regional,
    });
  } else {
    SwitchbackChecks.suppress(vault, [
      {
        id: 'SWB-BACKUP-2',
        reason:
          'the vault access policy denies deleting recovery points to every principal; a vault lock is opt-in (vaultLock) because its retention bounds must fit every rule and a COMPLIANCE lock can never be undone',
      },
    ]);
  }

  const vaultPolicyStatements = vaultPolicyStatementsFor(props.vaultPolicyAdminArns ?? []);
  const vaultPolicyDocument = new DataAwsIamPolicyDocument(scope, 'VaultPolicyDocument', {
    statement: vaultPolicyStatements,
  });
  const vaultPolicy = new BackupVaultPolicy(scope, 'VaultPolicy', {
    backupVaultName: vault.name,
    policy: vaultPolicyDocument.json,
    ...regional,
  });
  return { kmsKey, kmsKeyArn, vaultName, vault, vaultLock, vaultPolicyStatements, vaultPolicy };
}

function vaultPolicyStatementsFor(admins: string[]): DataAwsIamPolicyDocumentStatement[] {
  const recoveryPointActions = ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'];
  return [
    {
      // AWS Config's backup-recovery-point-manual-deletion-disabled: a Deny with wildcard principal and
      // resource. Lifecycle expiry by AWS Backup itself is not an API call by a principal: it still runs.
      sid: 'DenyRecoveryPointDeletion',
      effect: 'Deny',
      principals: [{ type: '*', identifiers: ['*'] }],
      actions: recoveryPointActions,
      resources: ['*'],
    },
    // backup:PutBackupVaultAccessPolicy is not denied to everyone: that would lock Terraform out of every
    // later change to this policy (each update is a PutBackupVaultAccessPolicy), while
    // DeleteBackupVaultAccessPolicy would still let anyone remove the whole policy. With named admins,
    // both are denied to everyone else, which protects the policy and keeps Terraform in charge.
    ...(admins.length > 0
      ? [
          {
            // The recovery point actions again, so that one statement holds all the actions the Config
            // rule looks for; the admins stay denied them by the statement above.
            sid: 'DenyPolicyChangesExceptAdmins',
            effect: 'Deny',
            principals: [{ type: '*', identifiers: ['*'] }],
            actions: [
              ...recoveryPointActions,
              'backup:PutBackupVaultAccessPolicy',
              'backup:DeleteBackupVaultAccessPolicy',
            ],
            resources: ['*'],
            condition: [{ test: 'ArnNotLike', variable: 'aws:PrincipalArn', values: admins }],
          },
        ]
      : []),
  ];
}
