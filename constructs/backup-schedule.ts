import { BackupPlan, type BackupPlanRule } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupRestoreTestingPlan } from '@cdktf/provider-aws/lib/backup-restore-testing-plan';
import { BackupRestoreTestingSelection } from '@cdktf/provider-aws/lib/backup-restore-testing-selection';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import { BackupVaultNotifications } from '@cdktf/provider-aws/lib/backup-vault-notifications';
import { BackupVaultPolicy } from '@cdktf/provider-aws/lib/backup-vault-policy';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ARN_PATTERNS, SERVICE_NAME_PATTERN } from '../lib';
import { SwitchbackChecks } from './checks/switchback-checks';
import { accountKeyPolicy } from './internal/key-policy';
import { sanitizeName } from './internal/names';
import { isKnown, PropValidator, show, SwitchbackValidationError } from './internal/validation';
import { inOwnFramework } from './internal/framework';
import type { ReleaseBackupProps } from './rollback-watchdog';

/** A tag: a key and a value. */
export interface BackupTag {
  /** 1-128 characters, not starting with `aws:`. */
  readonly key: string;
  /** 0-256 characters. */
  readonly value: string;
}

/** A copy of every recovery point a rule creates, to a vault in another region or account. */
export interface BackupCopyActionOptions {
  /**
   * The destination vault's ARN, `arn:aws:backup:<region>:<account>:backup-vault:<name>`. Define the
   * destination vault with a second `AwsProvider` whose `alias` points at the other region (or account)
   * and pass its `arn`.
   */
  readonly destinationVaultArn: string;
  /**
   * Days after creation a copy moves to cold storage (only for resource types that support it; AWS
   * Backup ignores it for the others).
   * @default - the copy keeps the source recovery point's lifecycle
   */
  readonly moveToColdStorageAfterDays?: number;
  /**
   * Days after creation a copy is deleted; at least `moveToColdStorageAfterDays` + 90.
   * @default - the copy keeps the source recovery point's lifecycle
   */
  readonly deleteAfterDays?: number;
}

/** One rule of the backup plan: when to back up, how long to keep it, where to copy it. */
export interface BackupRuleOptions {
  /**
   * The rule's name, 1-50 of `[A-Za-z0-9_.-]`, unique in the plan. It identifies the rule: keep it
   * stable across releases.
   */
  readonly ruleName: string;
  /**
   * When backups start: `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, in UTC unless
   * `scheduleExpressionTimezone` says otherwise, with `?` in exactly one of day-of-month and day-of-week
   * and a single minute (AWS Backup runs a rule at most once an hour), such as `cron(0 5 ? * * *)`.
   */
  readonly scheduleExpression: string;
  /** The IANA time zone of `scheduleExpression`, such as `Europe/Paris`. @default - UTC */
  readonly scheduleExpressionTimezone?: string;
  /**
   * Minutes after the scheduled time within which a job must start, or it is cancelled (and reported):
   * at least 60.
   * @default 60 - a backup that cannot start within the hour fails loudly instead of starting hours late
   */
  readonly startWindowMinutes?: number;
  /**
   * Minutes after the scheduled time within which a started job must complete, or it is cancelled: at
   * least `startWindowMinutes` + 60.
   * @default 10080 - seven days, AWS Backup's own default
   */
  readonly completionWindowMinutes?: number;
  /**
   * Days after creation a recovery point moves to cold storage (only for resource types that support
   * it; AWS Backup ignores it for the others). Not with continuous backup.
   * @default - never moved to cold storage
   */
  readonly moveToColdStorageAfterDays?: number;
  /**
   * Days after creation a recovery point is deleted: at least `moveToColdStorageAfterDays` + 90, at most
   * 35 with continuous backup, within the vault lock's bounds when there is one.
   * @default - 35 with continuous backup; otherwise recovery points are kept until deleted by hand
   */
  readonly deleteAfterDays?: number;
  /**
   * Continuous backup for point-in-time restore, for the resource types that support it (Amazon RDS,
   * Aurora, Amazon S3, SAP HANA on EC2); the others get a snapshot on the schedule.
   * @default false
   */
  readonly enableContinuousBackup?: boolean;
  /** Copies of every recovery point to other regions or accounts. @default - no copies */
  readonly copyActions?: BackupCopyActionOptions[];
  /** Tags on every recovery point this rule creates. @default - no tags */
  readonly recoveryPointTags?: BackupTag[];
}

/** Options every rule of a preset gets. */
export interface BackupPresetOptions {
  /** Copies of every recovery point, added to each rule. @default - no copies */
  readonly copyActions?: BackupCopyActionOptions[];
  /** Tags on every recovery point, added to each rule. @default - no tags */
  readonly recoveryPointTags?: BackupTag[];
}

/**
 * Backup rules named by intent. Each returns plain rule props, so a preset can be extended or mixed
 * with raw rules: `rules: [...BackupPresets.daily35Days(), { ruleName: 'weekly', … }]`. Rule names are
 * fixed: they identify the rules across deploys.
 */
export class BackupPresets {
  private constructor() {}

  /** A backup every day at 05:00 UTC, kept 35 days (AWS Backup Audit Manager's default minimums). */
  public static daily35Days(options: BackupPresetOptions = {}): BackupRuleOptions[] {
    return [{ ruleName: 'daily-35-days', scheduleExpression: DAILY, deleteAfterDays: 35, ...options }];
  }

  /**
   * A backup every hour kept 7 days, every day at 05:00 UTC kept 35 days, and on the first of every
   * month kept one year (in cold storage after 30 days where the resource type supports it). When two
   * rules fall on the same hour, AWS Backup keeps the one with the longest retention.
   */
  public static hourly7DaysDaily35DaysMonthly1Year(options: BackupPresetOptions = {}): BackupRuleOptions[] {
    return [
      { ruleName: 'hourly-7-days', scheduleExpression: 'cron(0 * ? * * *)', deleteAfterDays: 7, ...options },
      { ruleName: 'daily-35-days', scheduleExpression: DAILY, deleteAfterDays: 35, ...options },
      {
        ruleName: 'monthly-1-year',
        scheduleExpression: 'cron(0 5 1 * ? *)',
        moveToColdStorageAfterDays: 30,
        deleteAfterDays: 365,
        ...options,
      },
    ];
  }

  /**
   * Continuous backup (point-in-time restore to any second) kept 35 days, the most AWS Backup allows,
   * for RDS, Aurora, S3 and SAP HANA; the other resource types get a daily snapshot at 05:00 UTC.
   */
  public static continuous35Days(options: BackupPresetOptions = {}): BackupRuleOptions[] {
    return [
      {
        ruleName: 'continuous-35-days',
        scheduleExpression: DAILY,
        enableContinuousBackup: true,
        deleteAfterDays: 35,
        ...options,
      },
    ];
  }
}

/** Backup Vault Lock: recovery points in the vault cannot be deleted or shortened before their retention. */
export interface BackupVaultLockOptions {
  /**
   * `GOVERNANCE`: users with the right IAM permissions can still remove the lock. `COMPLIANCE`: after
   * `changeableForDays` the lock is **immutable** — nobody, not even the account root or AWS, can remove
   * it, shorten retention or delete the vault until every recovery point expires.
   */
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
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

/** The vault events AWS Backup still sends to SNS (the others are deprecated and never sent). */
export type BackupVaultEvent =
  | 'BACKUP_JOB_STARTED'
  | 'BACKUP_JOB_COMPLETED'
  | 'COPY_JOB_STARTED'
  | 'COPY_JOB_SUCCESSFUL'
  | 'COPY_JOB_FAILED'
  | 'RESTORE_JOB_STARTED'
  | 'RESTORE_JOB_COMPLETED'
  | 'RECOVERY_POINT_MODIFIED'
  | 'S3_BACKUP_OBJECT_FAILED'
  | 'S3_RESTORE_OBJECT_FAILED';

/** The resource types a restore testing selection accepts. */
export type RestoreTestingResourceType =
  'Aurora' | 'DocumentDB' | 'DynamoDB' | 'EBS' | 'EC2' | 'EFS' | 'FSx' | 'Neptune' | 'RDS' | 'S3';

/** Which protected resources of one type are restored on the restore testing schedule. */
export interface RestoreTestingSelectionOptions {
  /** The resource type; one selection per type. */
  readonly protectedResourceType: RestoreTestingResourceType;
  /**
   * Up to 30 ARNs of protected resources of this type, or `['*']` for every resource of this type that
   * has recovery points in this vault.
   * @default ['*']
   */
  readonly protectedResourceArns?: string[];
  /**
   * Hours, 0-168, the restored resource is kept after the restore so that your own validation (for
   * example a Lambda on the restore job's EventBridge event) can run before AWS Backup deletes it.
   * @default - not set: AWS Backup's default applies
   */
  readonly validationWindowHours?: number;
  /**
   * Restore metadata that replaces the recovery point's own, such as a DB subnet group for RDS.
   * @default - none
   */
  readonly restoreMetadataOverrides?: BackupTag[];
}

/** A restore testing plan: recovery points of this vault are restored on a schedule and proven usable. */
export interface RestoreTestingOptions {
  /**
   * When restore tests run: a cron expression in the same six-field form as backup rules.
   * @default 'cron(0 8 ? * MON *)' - every Monday at 08:00 UTC, so the results land in working hours
   */
  readonly scheduleExpression?: string;
  /** @default 'LATEST_WITHIN_WINDOW' */
  readonly algorithm?: 'LATEST_WITHIN_WINDOW' | 'RANDOM_WITHIN_WINDOW';
  /**
   * Which kinds of recovery point may be restored.
   * @default - ['SNAPSHOT'], plus 'CONTINUOUS' when a rule has continuous backup
   */
  readonly recoveryPointTypes?: ('SNAPSHOT' | 'CONTINUOUS')[];
  /** How far back, 1-365 days, a recovery point may be picked from. @default 30 */
  readonly selectionWindowDays?: number;
  /** Hours, 1-168, within which a restore test must start. @default 24 */
  readonly startWindowHours?: number;
  /** What is restored: one selection per resource type, at least one. */
  readonly selections: RestoreTestingSelectionOptions[];
}

/** Props of {@link BackupSchedule}. */
export interface BackupScheduleProps {
  /**
   * The service name: lowercase letters, digits and hyphens. Prefixes the vault, plan, selection, role
   * and topic names.
   * @default - the construct id, lowercased, with other characters turned into hyphens
   */
  readonly serviceName?: string;
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
   * @default BackupPresets.daily35Days()
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
    this.serviceName = props.serviceName ?? sanitizeName(id, 40);
    this.region = props.region ?? defaultProviderRegion(this) ?? arnRegion(props.kmsKeyArn);
    this.rules = (props.rules ?? BackupPresets.daily35Days()).map(withDefaults);
    this.resourceArns = [...(props.resourceArns ?? [])];
    const events = props.notificationEvents ?? DEFAULT_EVENTS;
    validate(check, this.serviceName, this.region, this.rules, events, props);

    // Every regional resource goes where `region` says; without it, where the provider says.
    const regional = props.region !== undefined ? { region: props.region } : {};
    // Defined on first use only: a schedule given a role and a topic needs neither.
    let partition: DataAwsPartition | undefined;
    const partitionName = () => (partition ??= new DataAwsPartition(this, 'Partition')).partition;

    let account: DataAwsCallerIdentity | undefined;
    const accountId = () => (account ??= new DataAwsCallerIdentity(this, 'Account')).accountId;

    if (props.kmsKeyArn === undefined) {
      this.kmsKey = new KmsKey(this, 'Key', {
        description: `Encrypts the AWS Backup vault of ${this.serviceName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: accountKeyPolicy(partitionName(), accountId()),
        ...regional,
      });
    }
    this.kmsKeyArn = props.kmsKeyArn ?? (this.kmsKey as KmsKey).arn;

    this.vaultName = props.vaultName ?? `${this.serviceName}-backups`;
    this.vault = new BackupVault(this, 'Vault', {
      name: this.vaultName,
      kmsKeyArn: this.kmsKeyArn,
      // A vault that still holds recovery points is the way back: `terraform destroy` must not empty it.
      forceDestroy: false,
      ...regional,
    });
    this.vaultArn = this.vault.arn;

    if (props.vaultLock) {
      const { mode, minRetentionDays, maxRetentionDays } = props.vaultLock;
      this.vaultLock = new BackupVaultLockConfiguration(this, 'VaultLock', {
        backupVaultName: this.vault.name,
        minRetentionDays,
        maxRetentionDays,
        // The provider makes a lock COMPLIANCE exactly when changeable_for_days is set.
        ...(mode === 'COMPLIANCE' ? { changeableForDays: props.vaultLock.changeableForDays ?? 3 } : {}),
        ...regional,
      });
    } else {
      SwitchbackChecks.suppress(this.vault, [
        {
          id: 'SWB-BACKUP-2',
          reason:
            'the vault access policy denies deleting recovery points to every principal; a vault lock is opt-in (vaultLock) because its retention bounds must fit every rule and a COMPLIANCE lock can never be undone',
        },
      ]);
    }

    const recoveryPointActions = ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'];
    const admins = props.vaultPolicyAdminArns ?? [];
    this.vaultPolicyStatements = [
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
    const vaultPolicyDocument = new DataAwsIamPolicyDocument(this, 'VaultPolicyDocument', {
      statement: this.vaultPolicyStatements,
    });
    this.vaultPolicy = new BackupVaultPolicy(this, 'VaultPolicy', {
      backupVaultName: this.vault.name,
      policy: vaultPolicyDocument.json,
      ...regional,
    });

    this.plan = new BackupPlan(this, 'Plan', {
      name: `${this.serviceName}-plan`,
      rule: this.rules.map((rule) => planRule(rule, this.vault.name)),
      ...regional,
    });
    if (this.rules.every((rule) => (rule.copyActions ?? []).length === 0)) {
      SwitchbackChecks.suppress(this.plan, [
        {
          id: 'SWB-BACKUP-3',
          reason:
            'copies to another region are opt-in (copyActions): the destination vault lives in a region this construct does not manage',
        },
      ]);
    }

    const policyAttachments: IamRolePolicyAttachment[] = [];
    if (props.roleArn === undefined) {
      const trust = new DataAwsIamPolicyDocument(this, 'ServiceRoleTrust', {
        statement: [
          {
            effect: 'Allow',
            actions: ['sts:AssumeRole'],
            principals: [{ type: 'Service', identifiers: ['backup.amazonaws.com'] }],
          },
        ],
      });
      this.role = new IamRole(this, 'ServiceRole', {
        namePrefix: `${sanitizeName(this.serviceName, 20)}-backup-`,
        description: `AWS Backup backs up and restores the data of ${this.serviceName} with this role`,
        assumeRolePolicy: trust.json,
      });
      for (const [attachmentId, path] of MANAGED_POLICIES) {
        policyAttachments.push(
          new IamRolePolicyAttachment(this, attachmentId, {
            role: this.role.name,
            policyArn: `arn:${partitionName()}:iam::aws:policy/${path}`,
          }),
        );
      }
    }
    this.roleArn = props.roleArn ?? (this.role as IamRole).arn;

    this.selection = new BackupSelection(this, 'Selection', {
      name: `${this.serviceName}-selection`,
      planId: this.plan.id,
      iamRoleArn: this.roleArn,
      ...(this.resourceArns.length > 0 ? { resources: this.resourceArns } : {}),
      ...((props.tagConditions ?? []).length > 0
        ? {
            // ListOfTags: a resource carrying any of the tags is selected, in addition to `resources`.
            selectionTag: (props.tagConditions ?? []).map(({ key, value }) => ({
              type: 'STRINGEQUALS',
              key,
              value,
            })),
          }
        : {}),
      // A backup that runs before the role has its policies would fail.
      ...(policyAttachments.length > 0 ? { dependsOn: policyAttachments } : {}),
      ...regional,
    });

    let topicPolicy: SnsTopicPolicy | undefined;
    if (props.notificationTopicArn === undefined) {
      this.notificationKey = new KmsKey(this, 'NotificationKey', {
        description: `Encrypts the AWS Backup event topic of ${this.serviceName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: accountKeyPolicy(partitionName(), accountId(), [
          {
            // An AWS service can publish to an encrypted topic only when the topic's customer managed key
            // lets it (the AWS managed alias/aws/sns key cannot). This key encrypts this topic only.
            Sid: 'BackupPublishesEncrypted',
            Effect: 'Allow',
            Principal: { Service: 'backup.amazonaws.com' },
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            Resource: '*',
          },
        ]),
        ...regional,
      });
      this.notificationTopic = new SnsTopic(this, 'NotificationTopic', {
        name: `${this.serviceName}-backup-events`,
        kmsMasterKeyId: this.notificationKey.arn,
        ...regional,
      });
      const topicPolicyDocument = new DataAwsIamPolicyDocument(this, 'NotificationTopicPolicyDocument', {
        statement: [
          {
            // Scoped to this topic and the AWS Backup service. No aws:SourceAccount condition: AWS Backup
            // does not support cross-account topics (another account's vault cannot be pointed here),
            // and it does not document sending that key, whose absence would silently drop the failure
            // notifications this topic exists for.
            sid: 'BackupPublishesVaultEvents',
            effect: 'Allow',
            principals: [{ type: 'Service', identifiers: ['backup.amazonaws.com'] }],
            actions: ['sns:Publish'],
            resources: [this.notificationTopic.arn],
          },
        ],
      });
      topicPolicy = new SnsTopicPolicy(this, 'NotificationTopicPolicy', {
        arn: this.notificationTopic.arn,
        policy: topicPolicyDocument.json,
        ...regional,
      });
    }
    this.notificationTopicArn = props.notificationTopicArn ?? (this.notificationTopic as SnsTopic).arn;
    this.notifications = new BackupVaultNotifications(this, 'Notifications', {
      backupVaultName: this.vault.name,
      snsTopicArn: this.notificationTopicArn,
      backupVaultEvents: [...events],
      ...(topicPolicy ? { dependsOn: [topicPolicy] } : {}),
      ...regional,
    });

    this.restoreTestingSelections = [];
    const restoreTesting = props.restoreTesting;
    if (restoreTesting) {
      const continuous = this.rules.some((rule) => rule.enableContinuousBackup);
      this.restoreTestingPlan = new BackupRestoreTestingPlan(this, 'RestoreTestingPlan', {
        // Restore testing plan names: letters, digits and underscores, at most 50.
        name: `${this.serviceName.replace(/-/g, '_').slice(0, 34)}_restore_testing`,
        scheduleExpression: restoreTesting.scheduleExpression ?? DEFAULT_RESTORE_TESTING_SCHEDULE,
        startWindowHours: restoreTesting.startWindowHours ?? 24,
        recoveryPointSelection: [
          {
            algorithm: restoreTesting.algorithm ?? 'LATEST_WITHIN_WINDOW',
            includeVaults: [this.vaultArn],
            recoveryPointTypes: restoreTesting.recoveryPointTypes ?? [
              'SNAPSHOT',
              ...(continuous ? ['CONTINUOUS'] : []),
            ],
            selectionWindowDays: restoreTesting.selectionWindowDays ?? 30,
          },
        ],
        ...regional,
      });
      for (const selection of restoreTesting.selections) {
        const type = selection.protectedResourceType;
        this.restoreTestingSelections.push(
          new BackupRestoreTestingSelection(this, `RestoreTesting${type}`, {
            name: type.toLowerCase(),
            restoreTestingPlanName: this.restoreTestingPlan.name,
            protectedResourceType: type,
            protectedResourceArns: selection.protectedResourceArns ?? ['*'],
            iamRoleArn: this.roleArn,
            ...(selection.validationWindowHours !== undefined
              ? { validationWindowHours: selection.validationWindowHours }
              : {}),
            ...((selection.restoreMetadataOverrides ?? []).length > 0
              ? { restoreMetadataOverrides: toMap(selection.restoreMetadataOverrides ?? []) }
              : {}),
            ...(policyAttachments.length > 0 ? { dependsOn: policyAttachments } : {}),
            ...regional,
          }),
        );
      }
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

const DAILY = 'cron(0 5 ? * * *)';
const DEFAULT_RESTORE_TESTING_SCHEDULE = 'cron(0 8 ? * MON *)';
const DEFAULT_START_WINDOW_MINUTES = 60;
const DEFAULT_COMPLETION_WINDOW_MINUTES = 10080;
/** AWS Backup's longest start and completion windows: 100 years. */
const MAX_WINDOW_MINUTES = 52_560_000;
const MAX_CONTINUOUS_RETENTION_DAYS = 35;
const MIN_COLD_STORAGE_DAYS = 90;
const MAX_RETENTION_DAYS = 36500;

const MANAGED_POLICIES: readonly [string, string][] = [
  ['BackupPolicy', 'service-role/AWSBackupServiceRolePolicyForBackup'],
  ['RestoresPolicy', 'service-role/AWSBackupServiceRolePolicyForRestores'],
  ['S3BackupPolicy', 'AWSBackupServiceRolePolicyForS3Backup'],
  ['S3RestorePolicy', 'AWSBackupServiceRolePolicyForS3Restore'],
];

const DEFAULT_EVENTS: readonly BackupVaultEvent[] = [
  'BACKUP_JOB_COMPLETED',
  'COPY_JOB_FAILED',
  'RESTORE_JOB_COMPLETED',
  'S3_BACKUP_OBJECT_FAILED',
  'S3_RESTORE_OBJECT_FAILED',
];
const SUPPORTED_EVENTS: readonly string[] = [
  'BACKUP_JOB_STARTED',
  'BACKUP_JOB_COMPLETED',
  'COPY_JOB_STARTED',
  'COPY_JOB_SUCCESSFUL',
  'COPY_JOB_FAILED',
  'RESTORE_JOB_STARTED',
  'RESTORE_JOB_COMPLETED',
  'RECOVERY_POINT_MODIFIED',
  'S3_BACKUP_OBJECT_FAILED',
  'S3_RESTORE_OBJECT_FAILED',
];
const DEPRECATED_EVENTS: readonly string[] = [
  'BACKUP_JOB_SUCCESSFUL',
  'BACKUP_JOB_FAILED',
  'BACKUP_JOB_EXPIRED',
  'RESTORE_JOB_SUCCESSFUL',
  'RESTORE_JOB_FAILED',
  'BACKUP_PLAN_CREATED',
  'BACKUP_PLAN_MODIFIED',
];
const RESTORE_TESTING_TYPES: readonly RestoreTestingResourceType[] = [
  'Aurora',
  'DocumentDB',
  'DynamoDB',
  'EBS',
  'EC2',
  'EFS',
  'FSx',
  'Neptune',
  'RDS',
  'S3',
];

const VAULT_NAME = /^[A-Za-z0-9_-]{2,50}$/;
const RULE_NAME = /^[A-Za-z0-9_.-]{1,50}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ACCOUNT_ID = /^\d{12}$/;
const RESOURCE_ARN = /^(\*|arn:aws[a-z-]*:[a-z0-9-]+:.*)$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+$/;

/** A rule with its defaults filled in (windows; continuous retention). */
function withDefaults(rule: BackupRuleOptions): BackupRuleOptions {
  return {
    ...rule,
    startWindowMinutes: rule.startWindowMinutes ?? DEFAULT_START_WINDOW_MINUTES,
    completionWindowMinutes: rule.completionWindowMinutes ?? DEFAULT_COMPLETION_WINDOW_MINUTES,
    ...(rule.enableContinuousBackup && rule.deleteAfterDays === undefined
      ? { deleteAfterDays: MAX_CONTINUOUS_RETENTION_DAYS }
      : {}),
  };
}

function planRule(rule: BackupRuleOptions, vaultName: string): BackupPlanRule {
  const lifecycle = lifecycleOf(rule);
  return {
    ruleName: rule.ruleName,
    targetVaultName: vaultName,
    schedule: rule.scheduleExpression,
    ...(rule.scheduleExpressionTimezone !== undefined
      ? { scheduleExpressionTimezone: rule.scheduleExpressionTimezone }
      : {}),
    startWindow: rule.startWindowMinutes,
    completionWindow: rule.completionWindowMinutes,
    enableContinuousBackup: rule.enableContinuousBackup ?? false,
    ...(lifecycle ? { lifecycle } : {}),
    ...((rule.copyActions ?? []).length > 0
      ? {
          copyAction: (rule.copyActions ?? []).map((copy) => {
            const copyLifecycle = lifecycleOf(copy);
            return {
              destinationVaultArn: copy.destinationVaultArn,
              ...(copyLifecycle ? { lifecycle: copyLifecycle } : {}),
            };
          }),
        }
      : {}),
    ...((rule.recoveryPointTags ?? []).length > 0
      ? { recoveryPointTags: toMap(rule.recoveryPointTags ?? []) }
      : {}),
  };
}

function lifecycleOf(options: {
  moveToColdStorageAfterDays?: number;
  deleteAfterDays?: number;
}): { coldStorageAfter?: number; deleteAfter?: number } | undefined {
  const { moveToColdStorageAfterDays, deleteAfterDays } = options;
  if (moveToColdStorageAfterDays === undefined && deleteAfterDays === undefined) return undefined;
  return {
    ...(moveToColdStorageAfterDays !== undefined ? { coldStorageAfter: moveToColdStorageAfterDays } : {}),
    ...(deleteAfterDays !== undefined ? { deleteAfter: deleteAfterDays } : {}),
  };
}

function toMap(tags: readonly BackupTag[]): Record<string, string> {
  return Object.fromEntries(tags.map(({ key, value }) => [key, value]));
}

/** The region of an ARN, when the ARN is known and names one. */
function arnRegion(arn: string | undefined): string | undefined {
  if (!isKnown(arn)) return undefined;
  const region = (arn as string).split(':')[3];
  return region ? region : undefined;
}

function arnAccount(arn: string): string | undefined {
  return isKnown(arn) ? arn.split(':')[4] || undefined : undefined;
}

/** The region of the stack's default (un-aliased) AWS provider, when it sets one at synth. */
function defaultProviderRegion(scope: Construct): string | undefined {
  const provider = TerraformStack.of(scope)
    .node.children.filter((child): child is AwsProvider => child instanceof AwsProvider)
    .find((candidate) => candidate.alias === undefined);
  const region = provider?.region;
  return isKnown(region) ? region : undefined;
}

// ---- cron ---------------------------------------------------------------------------------------------

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One value of a cron field: a number within [min, max], or one of the names (1-based). */
function cronValue(token: string, min: number, max: number, names: readonly string[] = []): boolean {
  if (names.includes(token.toUpperCase())) return true;
  if (!/^\d{1,4}$/.test(token)) return false;
  const value = Number(token);
  return value >= min && value <= max;
}

/** A cron field: a comma list of `*`, values, ranges `a-b`, and steps `x/n`; `extra` matches the rest. */
function cronField(
  field: string,
  min: number,
  max: number,
  names: readonly string[] = [],
  extra: readonly RegExp[] = [],
): boolean {
  return field.split(',').every((item) => {
    if (extra.some((pattern) => pattern.test(item))) return true;
    const parts = item.split('/');
    if (parts.length > 2) return false;
    const [range, step] = parts;
    if (step !== undefined && !(/^\d{1,4}$/.test(step) && Number(step) >= 1)) return false;
    if (range === '*') return true;
    const bounds = range.split('-');
    return bounds.length <= 2 && bounds.every((bound) => cronValue(bound, min, max, names));
  });
}

/**
 * What is wrong with a cron expression in AWS's six-field form, or undefined. `hourly` adds AWS Backup's
 * minimum interval of one hour between runs: the minutes field must be a single minute.
 */
function cronProblem(expression: string, hourly: boolean): string | undefined {
  const match = /^cron\((.*)\)$/.exec(expression.trim());
  const fields = match ? match[1].trim().split(/\s+/) : [];
  if (fields.length !== 6) {
    return "must be 'cron(Minutes Hours Day-of-month Month Day-of-week Year)' with six fields, such as 'cron(0 5 ? * * *)' (daily at 05:00).";
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return "must have '?' in exactly one of day-of-month and day-of-week, such as 'cron(0 5 ? * * *)' or 'cron(0 5 1 * ? *)'.";
  }
  const dayOfMonthExtra = [/^\?$/, /^L$/, /^LW$/, /^([1-9]|[12]\d|3[01])W$/, /^L-([1-9]|[12]\d|30)$/];
  const dayOfWeekExtra = [/^\?$/, /^L$/, /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)L$/i, /^[1-7]#[1-5]$/];
  const problems: [string, boolean][] = [
    ['minutes', cronField(minutes, 0, 59)],
    ['hours', cronField(hours, 0, 23)],
    ['day-of-month', cronField(dayOfMonth, 1, 31, [], dayOfMonthExtra)],
    ['month', cronField(month, 1, 12, MONTH_NAMES)],
    ['day-of-week', cronField(dayOfWeek, 1, 7, DAY_NAMES, dayOfWeekExtra)],
    ['year', cronField(year, 1970, 2199)],
  ];
  const bad = problems.find(([, ok]) => !ok);
  if (bad) {
    return `has an invalid ${bad[0]} field; minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970-2199, with ',', '-', '*', '/'.`;
  }
  if (hourly && !/^\d{1,2}$/.test(minutes)) {
    return `runs more than once an hour (minutes field '${minutes}'); AWS Backup requires at least 60 minutes between backups: give a single minute, such as 'cron(0 * ? * * *)' for hourly.`;
  }
  return undefined;
}

// ---- validation ---------------------------------------------------------------------------------------

function validate(
  check: PropValidator,
  serviceName: string,
  region: string | undefined,
  rules: readonly BackupRuleOptions[],
  events: readonly BackupVaultEvent[],
  props: BackupScheduleProps,
): void {
  check.matches(
    'serviceName',
    serviceName,
    SERVICE_NAME_PATTERN,
    'must be 1-40 lowercase letters, digits or hyphens, starting and ending with a letter or digit.',
  );
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

  validateRules(check, region, rules, props);
  validateSelection(check, props);

  check.matches('roleArn', props.roleArn, ARN_PATTERNS.iamRole, 'must be an IAM role ARN.');
  if (props.vaultPolicyAdminArns !== undefined) {
    if (props.vaultPolicyAdminArns.length === 0) {
      check.fail(
        'vaultPolicyAdminArns',
        props.vaultPolicyAdminArns,
        'give at least one principal that may still change the vault policy (the role your deploys run with), or leave it out.',
      );
    }
    props.vaultPolicyAdminArns.forEach((arn, index) =>
      check.matches(
        `vaultPolicyAdminArns[${index}]`,
        arn,
        PRINCIPAL_ARN,
        'must be an IAM role or user ARN (wildcards allowed after the account id).',
      ),
    );
  }

  check.matches(
    'notificationTopicArn',
    props.notificationTopicArn,
    ARN_PATTERNS.snsTopic,
    'must be an SNS topic ARN.',
  );
  if (isKnown(props.notificationTopicArn) && (props.notificationTopicArn as string).endsWith('.fifo')) {
    check.fail(
      'notificationTopicArn',
      props.notificationTopicArn,
      'AWS Backup publishes to standard topics only, not FIFO topics.',
    );
  }
  validateEvents(check, events, rules, props);
  if (props.restoreTesting) validateRestoreTesting(check, props.restoreTesting);
}

function validateRules(
  check: PropValidator,
  region: string | undefined,
  rules: readonly BackupRuleOptions[],
  props: BackupScheduleProps,
): void {
  if (rules.length === 0)
    check.fail('rules', [], 'give at least one rule, such as BackupPresets.daily35Days().');
  const lock = props.vaultLock;
  if (lock) validateLock(check, lock);

  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    const at = (field: string) => `rules[${index}].${field}`;
    check.matches(
      at('ruleName'),
      rule.ruleName,
      RULE_NAME,
      'must be 1-50 letters, digits or ._- characters.',
    );
    if (seen.has(rule.ruleName)) {
      check.fail(at('ruleName'), rule.ruleName, 'must be unique in the plan: it identifies the rule.');
    }
    seen.add(rule.ruleName);

    if (isKnown(rule.scheduleExpression)) {
      const problem = cronProblem(rule.scheduleExpression, true);
      if (problem) check.fail(at('scheduleExpression'), rule.scheduleExpression, problem);
    }

    const start = rule.startWindowMinutes as number;
    const completion = rule.completionWindowMinutes as number;
    check.integerInRange(
      at('startWindowMinutes'),
      start,
      60,
      MAX_WINDOW_MINUTES,
      'AWS Backup needs at least 60',
    );
    check.integerInRange(at('completionWindowMinutes'), completion, 1, MAX_WINDOW_MINUTES);
    if (isKnown(start) && isKnown(completion) && completion < start + 60) {
      check.fail(
        at('completionWindowMinutes'),
        completion,
        `must be at least startWindowMinutes + 60 = ${start + 60}: the completion window counts from the scheduled time, start window included.`,
      );
    }

    if (rule.enableContinuousBackup) {
      if (rule.moveToColdStorageAfterDays !== undefined) {
        check.fail(
          at('moveToColdStorageAfterDays'),
          rule.moveToColdStorageAfterDays,
          'continuous backups cannot move to cold storage; remove it or turn enableContinuousBackup off.',
        );
      }
      if (isKnown(rule.deleteAfterDays) && (rule.deleteAfterDays as number) > MAX_CONTINUOUS_RETENTION_DAYS) {
        check.fail(
          at('deleteAfterDays'),
          rule.deleteAfterDays,
          `continuous backups are kept at most ${MAX_CONTINUOUS_RETENTION_DAYS} days; add a snapshot rule for longer retention.`,
        );
      }
    }

    validateLifecycle(check, at, rule);

    if (lock) {
      const { minRetentionDays: min, maxRetentionDays: max } = lock;
      if (rule.deleteAfterDays === undefined) {
        check.fail(
          at('deleteAfterDays'),
          undefined,
          `the vault lock allows retention of ${min}-${max} days and AWS Backup fails jobs kept longer: set deleteAfterDays within those bounds.`,
        );
      }
      if (
        isKnown(rule.deleteAfterDays) &&
        ((rule.deleteAfterDays as number) < min || (rule.deleteAfterDays as number) > max)
      ) {
        check.fail(
          at('deleteAfterDays'),
          rule.deleteAfterDays,
          `must be within the vault lock's retention of ${min}-${max} days (vaultLock.minRetentionDays to maxRetentionDays), or AWS Backup fails the job.`,
        );
      }
    }

    validateTags(check, at('recoveryPointTags'), rule.recoveryPointTags);
    (rule.copyActions ?? []).forEach((copy, copyIndex) =>
      validateCopy(check, (field) => at(`copyActions[${copyIndex}].${field}`), copy, region, props.accountId),
    );
  });
}

function validateLifecycle(
  check: PropValidator,
  at: (field: string) => string,
  lifecycle: { moveToColdStorageAfterDays?: number; deleteAfterDays?: number },
): void {
  const { moveToColdStorageAfterDays: cold, deleteAfterDays: remove } = lifecycle;
  check.integerInRange(at('moveToColdStorageAfterDays'), cold, 1, MAX_RETENTION_DAYS, 'days');
  check.integerInRange(at('deleteAfterDays'), remove, 1, MAX_RETENTION_DAYS, 'days');
  if (isKnown(cold) && isKnown(remove) && (remove as number) < (cold as number) + MIN_COLD_STORAGE_DAYS) {
    check.fail(
      at('deleteAfterDays'),
      remove,
      `must be at least moveToColdStorageAfterDays + ${MIN_COLD_STORAGE_DAYS} = ${(cold as number) + MIN_COLD_STORAGE_DAYS}: recovery points stay in cold storage for at least ${MIN_COLD_STORAGE_DAYS} days.`,
    );
  }
}

function validateCopy(
  check: PropValidator,
  at: (field: string) => string,
  copy: BackupCopyActionOptions,
  region: string | undefined,
  accountId: string | undefined,
): void {
  const arn = copy.destinationVaultArn;
  check.matches(
    at('destinationVaultArn'),
    arn,
    ARN_PATTERNS.backupVault,
    "must be a backup vault ARN such as 'arn:aws:backup:eu-west-1:123456789012:backup-vault:checkout-dr'.",
  );
  const destinationRegion = arnRegion(arn);
  if (region !== undefined && destinationRegion === region) {
    const destinationAccount = arnAccount(arn);
    const otherAccount =
      isKnown(accountId) && destinationAccount !== undefined && destinationAccount !== accountId;
    if (!otherAccount) {
      check.fail(
        at('destinationVaultArn'),
        arn,
        `is in ${region}, the region of this vault: a copy must go to another region (define the destination vault with a second AwsProvider whose alias points there), or to another account — then set accountId so synth can tell them apart.`,
      );
    }
  }
  validateLifecycle(check, at, copy);
}

function validateLock(check: PropValidator, lock: BackupVaultLockOptions): void {
  check.oneOf('vaultLock.mode', lock.mode, ['GOVERNANCE', 'COMPLIANCE']);
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
  if (lock.changeableForDays !== undefined && lock.mode !== 'COMPLIANCE') {
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

function validateSelection(check: PropValidator, props: BackupScheduleProps): void {
  const arns = props.resourceArns ?? [];
  const tags = props.tagConditions ?? [];
  if (arns.length === 0 && tags.length === 0) {
    check.fail(
      'resourceArns',
      props.resourceArns ?? [],
      'the selection is empty: give resourceArns and/or tagConditions (AWS Backup would otherwise select every supported resource in the account).',
    );
  }
  arns.forEach((arn, index) =>
    check.matches(
      `resourceArns[${index}]`,
      arn,
      RESOURCE_ARN,
      "must be a resource ARN (or pattern with '*').",
    ),
  );
  const wildcards = arns.some((arn) => isKnown(arn) && arn.includes('*'));
  const limit = wildcards ? 30 : 500;
  if (arns.length > limit) {
    check.fail(
      'resourceArns',
      `${arns.length} ARNs`,
      `a selection takes at most 500 ARNs, or 30 when any has a wildcard; select by tagConditions instead.`,
    );
  }
  validateTags(check, 'tagConditions', tags);
}

function validateTags(
  check: PropValidator,
  prop: string,
  tags: readonly BackupTag[] | undefined,
  kind: 'tags' | 'metadata' = 'tags',
): void {
  const keys = new Set<string>();
  (tags ?? []).forEach(({ key, value }, index) => {
    if (isKnown(key)) {
      if (kind === 'tags' && (key.length < 1 || key.length > 128 || key.toLowerCase().startsWith('aws:'))) {
        check.fail(`${prop}[${index}].key`, key, "must be 1-128 characters, not starting with 'aws:'.");
      }
      if (keys.has(key)) check.fail(`${prop}[${index}].key`, key, 'must be unique.');
      keys.add(key);
    }
    if (kind === 'tags' && isKnown(value) && value.length > 256) {
      check.fail(`${prop}[${index}].value`, `${value.length} characters`, 'must be at most 256 characters.');
    }
  });
}

function validateEvents(
  check: PropValidator,
  events: readonly BackupVaultEvent[],
  rules: readonly BackupRuleOptions[],
  props: BackupScheduleProps,
): void {
  events.forEach((event, index) => {
    if (DEPRECATED_EVENTS.includes(event)) {
      check.fail(
        `notificationEvents[${index}]`,
        event,
        'is deprecated: AWS Backup no longer sends it. Failed backup and restore jobs are reported by BACKUP_JOB_COMPLETED and RESTORE_JOB_COMPLETED, with a State message attribute (filter subscriptions on it).',
      );
    }
    if (!SUPPORTED_EVENTS.includes(event)) {
      check.fail(`notificationEvents[${index}]`, event, `must be one of ${SUPPORTED_EVENTS.join(', ')}.`);
    }
  });
  const require = (event: BackupVaultEvent, why: string) => {
    if (!events.includes(event)) check.fail('notificationEvents', events, `must include ${event}: ${why}`);
  };
  require('BACKUP_JOB_COMPLETED', 'it is the only event that reports failed backup jobs.');
  if (rules.some((rule) => (rule.copyActions ?? []).length > 0)) {
    require('COPY_JOB_FAILED', 'a rule copies recovery points, and failed copies must be reported.');
  }
  if (props.restoreTesting) {
    require('RESTORE_JOB_COMPLETED', 'restore testing runs restore jobs, and failed restores must be reported.');
  }
}

function validateRestoreTesting(check: PropValidator, testing: RestoreTestingOptions): void {
  const schedule = testing.scheduleExpression;
  if (schedule !== undefined && isKnown(schedule)) {
    const problem = cronProblem(schedule, false);
    if (problem) check.fail('restoreTesting.scheduleExpression', schedule, problem);
  }
  check.oneOf('restoreTesting.algorithm', testing.algorithm, [
    'LATEST_WITHIN_WINDOW',
    'RANDOM_WITHIN_WINDOW',
  ]);
  const types = testing.recoveryPointTypes;
  if (types !== undefined) {
    if (types.length === 0 || types.some((type) => type !== 'SNAPSHOT' && type !== 'CONTINUOUS')) {
      check.fail('restoreTesting.recoveryPointTypes', types, "must be 'SNAPSHOT' and/or 'CONTINUOUS'.");
    }
  }
  check.integerInRange('restoreTesting.selectionWindowDays', testing.selectionWindowDays, 1, 365);
  check.integerInRange('restoreTesting.startWindowHours', testing.startWindowHours, 1, 168);
  if (testing.selections.length === 0) {
    check.fail(
      'restoreTesting.selections',
      [],
      "give at least one resource type to restore, such as { protectedResourceType: 'RDS' }.",
    );
  }
  const seen = new Set<string>();
  testing.selections.forEach((selection, index) => {
    const at = (field: string) => `restoreTesting.selections[${index}].${field}`;
    const type = selection.protectedResourceType;
    check.oneOf(at('protectedResourceType'), type, RESTORE_TESTING_TYPES);
    if (seen.has(type))
      check.fail(at('protectedResourceType'), type, 'must be unique: one selection per resource type.');
    seen.add(type);
    const arns = selection.protectedResourceArns;
    if (arns !== undefined) {
      const wildcard = arns.includes('*');
      if (arns.length === 0 || (wildcard && arns.length > 1) || arns.length > 30) {
        check.fail(at('protectedResourceArns'), arns, "must be ['*'] or 1-30 resource ARNs, not both.");
      }
    }
    check.integerInRange(at('validationWindowHours'), selection.validationWindowHours, 0, 168);
    validateTags(check, at('restoreMetadataOverrides'), selection.restoreMetadataOverrides, 'metadata');
  });
}
