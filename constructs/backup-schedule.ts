import type { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import type { BackupRestoreTestingPlan } from '@cdktf/provider-aws/lib/backup-restore-testing-plan';
import type { BackupRestoreTestingSelection } from '@cdktf/provider-aws/lib/backup-restore-testing-selection';
import type { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import type { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import type { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import type { BackupVaultNotifications } from '@cdktf/provider-aws/lib/backup-vault-notifications';
import type { BackupVaultPolicy } from '@cdktf/provider-aws/lib/backup-vault-policy';
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Construct } from 'constructs';
import { backupContext } from './backup/context';
import {
  DEFAULT_EVENTS,
  defineNotifications,
  validateEvents,
  validateNotificationTopic,
  type BackupVaultEvent,
} from './backup/notifications';
import {
  anyRuleCopies,
  BackupPresets,
  definePlan,
  validateRules,
  withDefaults,
  type BackupRuleOptions,
} from './backup/plan';
import { arnRegion, defaultProviderRegion } from './backup/region';
import {
  defineRestoreTesting,
  validateRestoreTesting,
  type RestoreTestingOptions,
} from './backup/restore-testing';
import {
  defineSelection,
  defineServiceRole,
  validateSelection,
  validateServiceRole,
} from './backup/selection';
import type { BackupTag } from './backup/tags';
import {
  defineVault,
  validateVault,
  validateVaultPolicyAdmins,
  type BackupVaultLockOptions,
} from './backup/vault';
import { inOwnFramework } from './internal/framework';
import { checkServiceName, defaultServiceName } from './internal/service-name';
import { isKnown, PropValidator, show, SwitchbackValidationError } from './internal/validation';
import type { ReleaseBackupProps } from './rollback-watchdog';

// The schedule's parts live in ./backup; their public types stay importable from here.
export { BackupVaultEvent } from './backup/notifications';
export {
  BackupPresets,
  type BackupCopyActionOptions,
  type BackupPresetOptions,
  type BackupRuleOptions,
} from './backup/plan';
export {
  RestoreTestingAlgorithm,
  RestoreTestingRecoveryPointType,
  RestoreTestingResourceType,
  type RestoreTestingOptions,
  type RestoreTestingSelectionOptions,
} from './backup/restore-testing';
export type { BackupTag } from './backup/tags';
export { BackupVaultLockMode, type BackupVaultLockOptions } from './backup/vault';

/**
 * What can be set on a {@link BackupSchedule}: everything but the service name. A `SwitchbackService`
 * takes these for its backups; it supplies the service name itself.
 */
export interface BackupScheduleOptions {
  /**
   * The vault's name: 2-50 letters, digits, hyphens or underscores, unique in the account and region.
   * @default '<serviceName>-backups'
   */
  readonly vaultName?: string;
  /**
   * The KMS key recovery points are encrypted with (in the vault's region).
   * @default - a key with yearly rotation is defined
   */
  readonly kmsKeyArn?: string;
  /**
   * The region the schedule lives in: set as the `region` argument of every regional resource it
   * defines (AWS provider 6 and later), and compared with copy destinations at synth.
   * @default - the default AWS provider's region; copies are then checked against it when it is set
   */
  readonly region?: string;
  /**
   * This account's id, 12 digits. Only for synth checks: with it, a copy to another account in the same
   * region is accepted.
   * @default - unknown: a copy in the same region is refused
   */
  readonly accountId?: string;
  /**
   * The plan's rules: {@link BackupPresets} or raw rules, at least one.
   * @default - `BackupPresets.daily35Days()`: a backup every day at 05:00 UTC, kept 35 days
   */
  readonly rules?: BackupRuleOptions[];
  /**
   * ARNs of the resources to back up (a database, a bucket `arn:aws:s3:::name`, a table…), or ARN
   * patterns with `*`. At most 500, or 30 when any has a wildcard. Backed up together with the
   * resources `tagConditions` select. The watchdog's release backup backs these up.
   * @default - none; give this or `tagConditions`
   */
  readonly resourceArns?: string[];
  /**
   * Resources carrying any of these tags (tag key and value, case-sensitive) are backed up too.
   * @default - none; give this or `resourceArns`
   */
  readonly tagConditions?: BackupTag[];
  /** Backup Vault Lock on the vault. @default - no vault lock */
  readonly vaultLock?: BackupVaultLockOptions;
  /**
   * Principals (IAM role or user ARNs, such as the role `cdktf deploy` runs with) that may still change
   * or remove the vault's access policy. When given, everyone else is denied
   * `backup:PutBackupVaultAccessPolicy` and `backup:DeleteBackupVaultAccessPolicy` as well, which is
   * what AWS Config's `backup-recovery-point-manual-deletion-disabled` looks for (set its
   * `principalArnList` to the same ARNs).
   * @default - the policy only denies deleting recovery points and changing their lifecycle; Terraform
   * keeps managing the policy itself
   */
  readonly vaultPolicyAdminArns?: string[];
  /**
   * The role AWS Backup assumes to back up and restore (and to run restore tests).
   * @default - a role trusted by backup.amazonaws.com with AWS's managed backup, restore, S3 backup and
   * S3 restore policies is defined
   */
  readonly roleArn?: string;
  /**
   * The SNS topic (a standard topic in this account and region) the vault's events go to. Its policy
   * must let `backup.amazonaws.com` publish, and its KMS key, if any, let it encrypt.
   * @default - a topic encrypted with a key of its own, which AWS Backup may publish to, is defined
   */
  readonly notificationTopicArn?: string;
  /**
   * The vault events sent to the topic. Must include `BACKUP_JOB_COMPLETED` (the only event that
   * reports a failed backup job), `COPY_JOB_FAILED` when a rule copies, and `RESTORE_JOB_COMPLETED`
   * with restore testing.
   * @default - BACKUP_JOB_COMPLETED, COPY_JOB_FAILED, RESTORE_JOB_COMPLETED, S3_BACKUP_OBJECT_FAILED,
   * S3_RESTORE_OBJECT_FAILED
   */
  readonly notificationEvents?: BackupVaultEvent[];
  /** Restores on a schedule, so backups are proven usable. @default - no restore testing */
  readonly restoreTesting?: RestoreTestingOptions;
}

/** Props of {@link BackupSchedule}: its options, and the service name. */
export interface BackupScheduleProps extends BackupScheduleOptions {
  /**
   * The service name: lowercase letters, digits and hyphens. Prefixes the vault, plan, selection, role
   * and topic names.
   * @default - the construct id, lowercased, with other characters turned into hyphens
   */
  readonly serviceName?: string;
}

/**
 * An AWS Backup schedule for the data a release may need back: an encrypted vault (optionally locked)
 * whose access policy denies deleting recovery points, a plan of one or more rules (presets or raw:
 * cron, windows, lifecycle, continuous backup, copies to other regions or accounts, recovery point
 * tags), a selection by resource ARNs and/or tags, the service role, vault notifications to an
 * encrypted SNS topic, and optionally a restore testing plan that restores recovery points on a
 * schedule. {@link releaseBackup} is what the rollback watchdog needs to take an on-demand backup,
 * tagged with the release id, before each release.
 */
export class BackupSchedule extends Construct {
  /** The service name. */
  public readonly serviceName: string;
  /** The vault. */
  public readonly vault: BackupVault;
  /** The vault's name (known at synth). */
  public readonly vaultName: string;
  /** The vault's ARN. */
  public readonly vaultArn: string;
  /** The KMS key defined for the vault, when none was given. */
  public readonly kmsKey?: KmsKey;
  /** The ARN of the KMS key recovery points are encrypted with. */
  public readonly kmsKeyArn: string;
  /** The vault lock, when asked. */
  public readonly vaultLock?: BackupVaultLockConfiguration;
  /** The vault's access policy. */
  public readonly vaultPolicy: BackupVaultPolicy;
  /** The statements of the vault's access policy, for review and tests. */
  public readonly vaultPolicyStatements: DataAwsIamPolicyDocumentStatement[];
  /** The plan. */
  public readonly plan: BackupPlan;
  /** The plan's rules with their defaults filled in, in order. */
  public readonly rules: BackupRuleOptions[];
  /** The selection assigning resources to the plan. */
  public readonly selection: BackupSelection;
  /** The resource ARNs the selection names (empty when it selects by tags only). */
  public readonly resourceArns: string[];
  /** The service role defined, when no role was given. */
  public readonly role?: IamRole;
  /** The ARN of the role AWS Backup assumes. */
  public readonly roleArn: string;
  /** The KMS key defined for the notification topic, when no topic was given. */
  public readonly notificationKey?: KmsKey;
  /** The notification topic defined, when none was given. */
  public readonly notificationTopic?: SnsTopic;
  /** The ARN of the topic the vault's events go to. */
  public readonly notificationTopicArn: string;
  /** The vault's notification configuration. */
  public readonly notifications: BackupVaultNotifications;
  /** The restore testing plan, when asked. */
  public readonly restoreTestingPlan?: BackupRestoreTestingPlan;
  /** The restore testing selections, one per resource type. */
  public readonly restoreTestingSelections: BackupRestoreTestingSelection[];
  /** The region the schedule lives in, when known at synth. */
  public readonly region?: string;

  constructor(scope: Construct, id: string, props: BackupScheduleProps = {}) {
    super(inOwnFramework(scope, 'BackupSchedule', id), id);
    const check = new PropValidator(this);
    this.serviceName = props.serviceName ?? defaultServiceName(id);
    this.region = props.region ?? defaultProviderRegion(this) ?? arnRegion(props.kmsKeyArn);
    this.rules = (props.rules ?? BackupPresets.daily35Days()).map(withDefaults);
    this.resourceArns = [...(props.resourceArns ?? [])];
    const events = props.notificationEvents ?? DEFAULT_EVENTS;
    validate(check, this.serviceName, this.region, this.rules, events, props);

    // Every regional resource goes where `region` says; without it, where the provider says.
    const context = backupContext(this, this.serviceName, props.region);
    const vault = defineVault(context, props);
    this.kmsKey = vault.kmsKey;
    this.kmsKeyArn = vault.kmsKeyArn;
    this.vaultName = vault.vaultName;
    this.vault = vault.vault;
    this.vaultArn = vault.vault.arn;
    this.vaultLock = vault.vaultLock;
    this.vaultPolicyStatements = vault.vaultPolicyStatements;
    this.vaultPolicy = vault.vaultPolicy;

    this.plan = definePlan(context, this.rules, this.vault.name);

    const role = defineServiceRole(context, props.roleArn);
    this.role = role.role;
    this.roleArn = role.roleArn;
    this.selection = defineSelection(context, this.plan.id, role, this.resourceArns, props.tagConditions);

    const notifications = defineNotifications(context, this.vault.name, props.notificationTopicArn, events);
    this.notificationKey = notifications.notificationKey;
    this.notificationTopic = notifications.notificationTopic;
    this.notificationTopicArn = notifications.notificationTopicArn;
    this.notifications = notifications.notifications;

    this.restoreTestingSelections = [];
    if (props.restoreTesting) {
      const continuous = this.rules.some((rule) => rule.enableContinuousBackup);
      const testing = defineRestoreTesting(context, props.restoreTesting, this.vaultArn, role, continuous);
      this.restoreTestingPlan = testing.plan;
      this.restoreTestingSelections = testing.selections;
    }
  }

  /**
   * What the rollback watchdog's capture needs to start an on-demand backup of each selected resource,
   * tagged with the release id, before a release: pass it as `RollbackWatchdog`'s `backup`. The
   * resources are this schedule's `resourceArns`; a schedule that selects by tags only has none to
   * name, so reading this throws — use {@link releaseBackupFor} then.
   */
  public get releaseBackup(): ReleaseBackupProps {
    return this.releaseBackupFor(this.resourceArns);
  }

  /**
   * The watchdog's release backup of the given resources (concrete ARNs, no wildcards) into this
   * schedule's vault with its role.
   */
  public releaseBackupFor(resourceArns: string[]): ReleaseBackupProps {
    if (resourceArns.length === 0) {
      throw new SwitchbackValidationError(
        this.node.path,
        'resourceArns',
        'got []; a release backup names the resources to back up, and this schedule selects by tag conditions only. Give the schedule resourceArns, or call releaseBackupFor([...]) with the ARNs.',
      );
    }
    const wildcard = resourceArns.find((arn) => isKnown(arn) && arn.includes('*'));
    if (wildcard !== undefined) {
      throw new SwitchbackValidationError(
        this.node.path,
        'resourceArns',
        `got ${show(wildcard)}; an on-demand backup job takes one concrete resource ARN, not a pattern. Use releaseBackupFor([...]) with the ARNs to back up before a release.`,
      );
    }
    return { vaultName: this.vaultName, roleArn: this.roleArn, resourceArns: [...resourceArns] };
  }
}

/** Each part checks its own props; this order decides which error a props object with several mistakes gets. */
function validate(
  check: PropValidator,
  serviceName: string,
  region: string | undefined,
  rules: readonly BackupRuleOptions[],
  events: readonly BackupVaultEvent[],
  props: BackupScheduleProps,
): void {
  checkServiceName(check, serviceName);
  validateVault(check, props);
  validateRules(check, rules, { region, accountId: props.accountId, vaultLock: props.vaultLock });
  validateSelection(check, props.resourceArns, props.tagConditions);
  validateServiceRole(check, props.roleArn);
  validateVaultPolicyAdmins(check, props.vaultPolicyAdminArns);
  validateNotificationTopic(check, props.notificationTopicArn);
  validateEvents(check, events, { copies: anyRuleCopies(rules), restoreTesting: !!props.restoreTesting });
  if (props.restoreTesting) validateRestoreTesting(check, props.restoreTesting);
}
