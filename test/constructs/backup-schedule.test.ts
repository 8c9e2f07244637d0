import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  BackupPresets,
  BackupSchedule,
  BackupVaultEvent,
  BackupVaultLockMode,
  RestoreTestingAlgorithm,
  RestoreTestingRecoveryPointType,
  RestoreTestingResourceType,
  type BackupRuleOptions,
  type BackupScheduleProps,
} from '../../constructs/backup-schedule';
import { BlueGreenListener } from '../../constructs/blue-green-listener';
import { SwitchbackValidationError } from '../../constructs/internal/validation';
import { RollbackWatchdog } from '../../constructs/rollback-watchdog';
import { VersionedArtifactStore } from '../../constructs/versioned-artifact-store';
import {
  blockAt,
  blocksOfType,
  newStack,
  refTo,
  resolveIn,
  synth,
  synthStack,
  type SynthesizedStack,
  type TerraformBlock,
} from '../support/synth';
import { KMS_KEY_ARN, LOAD_BALANCER_ARN, VPC_ID } from './fixtures';

const DATABASE_ARN = 'arn:aws:rds:us-east-1:123456789012:db:checkout';
const BUCKET_ARN = 'arn:aws:s3:::checkout-artifacts';
const DR_VAULT_ARN = 'arn:aws:backup:eu-west-1:123456789012:backup-vault:checkout-dr';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/backup';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ops-backups';
const DEPLOYER_ARN = 'arn:aws:iam::123456789012:role/deployer';

function synthSchedule(props: BackupScheduleProps = {}): {
  json: SynthesizedStack;
  schedule: BackupSchedule;
} {
  let schedule: BackupSchedule | undefined;
  const json = synth((stack) => {
    schedule = new BackupSchedule(stack, 'Backups', {
      serviceName: 'checkout',
      resourceArns: [DATABASE_ARN],
      ...props,
    });
  });
  return { json, schedule: schedule as BackupSchedule };
}

const vaultName = (json: SynthesizedStack) => refTo(json, 'aws_backup_vault', 'Backups/Vault', 'name');
const vaultArn = (json: SynthesizedStack) => refTo(json, 'aws_backup_vault', 'Backups/Vault', 'arn');
const roleArn = (json: SynthesizedStack) => refTo(json, 'aws_iam_role', 'Backups/ServiceRole', 'arn');
const partition = (json: SynthesizedStack) =>
  refTo(json, 'aws_partition', 'Backups/Partition', 'partition', 'data');
const rulesOf = (json: SynthesizedStack) =>
  blockAt(json, 'aws_backup_plan', 'Backups/Plan').rule as TerraformBlock[];
const statementsOf = (json: SynthesizedStack, path: string) =>
  blockAt(json, 'aws_iam_policy_document', path, 'data').statement as TerraformBlock[];

describe('BackupSchedule vault', () => {
  it('defines a vault encrypted with a defined key that rotates, which destroy never empties', () => {
    const { json, schedule } = synthSchedule();

    expect(blockAt(json, 'aws_kms_key', 'Backups/Key')).toEqual(
      expect.objectContaining({ enable_key_rotation: true, deletion_window_in_days: 30 }),
    );
    expect(blockAt(json, 'aws_backup_vault', 'Backups/Vault')).toEqual({
      name: 'checkout-backups',
      kms_key_arn: refTo(json, 'aws_kms_key', 'Backups/Key', 'arn'),
      force_destroy: false,
    });
    expect(schedule.vaultName).toBe('checkout-backups');
    expect(resolveIn(schedule, schedule.kmsKeyArn)).toBe(refTo(json, 'aws_kms_key', 'Backups/Key', 'arn'));
  });

  it('uses a given vault name and KMS key without defining a key', () => {
    const { json, schedule } = synthSchedule({ vaultName: 'Checkout_Vault', kmsKeyArn: KMS_KEY_ARN });

    expect(blocksOfType(json, 'aws_kms_key').map(([id]) => id)).not.toContainEqual(
      expect.stringContaining('Backups_Key'),
    );
    expect(schedule.kmsKey).toBeUndefined();
    expect(blockAt(json, 'aws_backup_vault', 'Backups/Vault')).toEqual(
      expect.objectContaining({ name: 'Checkout_Vault', kms_key_arn: KMS_KEY_ARN }),
    );
  });

  it('denies deleting recovery points and changing their lifecycle to every principal', () => {
    const { json, schedule } = synthSchedule();

    expect(blockAt(json, 'aws_backup_vault_policy', 'Backups/VaultPolicy')).toEqual({
      backup_vault_name: vaultName(json),
      policy: refTo(json, 'aws_iam_policy_document', 'Backups/VaultPolicyDocument', 'json', 'data'),
    });
    expect(statementsOf(json, 'Backups/VaultPolicyDocument')).toEqual([
      {
        sid: 'DenyRecoveryPointDeletion',
        effect: 'Deny',
        principals: [{ type: '*', identifiers: ['*'] }],
        actions: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
        resources: ['*'],
      },
    ]);
    expect(schedule.vaultPolicyStatements).toHaveLength(1);
  });

  it('denies changing or removing the vault policy to everyone but the named admins, when asked', () => {
    const { json } = synthSchedule({ vaultPolicyAdminArns: [DEPLOYER_ARN] });

    const [, adminsOnly] = statementsOf(json, 'Backups/VaultPolicyDocument');
    expect(adminsOnly).toEqual({
      sid: 'DenyPolicyChangesExceptAdmins',
      effect: 'Deny',
      principals: [{ type: '*', identifiers: ['*'] }],
      actions: [
        'backup:DeleteRecoveryPoint',
        'backup:UpdateRecoveryPointLifecycle',
        'backup:PutBackupVaultAccessPolicy',
        'backup:DeleteBackupVaultAccessPolicy',
      ],
      resources: ['*'],
      condition: [{ test: 'ArnNotLike', variable: 'aws:PrincipalArn', values: [DEPLOYER_ARN] }],
    });
  });

  it('defines no vault lock unless asked', () => {
    const { json, schedule } = synthSchedule();

    expect(blocksOfType(json, 'aws_backup_vault_lock_configuration')).toHaveLength(0);
    expect(schedule.vaultLock).toBeUndefined();
  });

  it('locks the vault in compliance mode with a 3-day cooling-off period by default', () => {
    const { json } = synthSchedule({
      vaultLock: { mode: BackupVaultLockMode.COMPLIANCE, minRetentionDays: 7, maxRetentionDays: 400 },
    });

    expect(blockAt(json, 'aws_backup_vault_lock_configuration', 'Backups/VaultLock')).toEqual({
      backup_vault_name: vaultName(json),
      min_retention_days: 7,
      max_retention_days: 400,
      changeable_for_days: 3,
    });
  });

  it('locks the vault in compliance mode with the given cooling-off period', () => {
    const { json } = synthSchedule({
      vaultLock: {
        mode: BackupVaultLockMode.COMPLIANCE,
        minRetentionDays: 35,
        maxRetentionDays: 35,
        changeableForDays: 14,
      },
    });

    expect(blockAt(json, 'aws_backup_vault_lock_configuration', 'Backups/VaultLock')).toEqual(
      expect.objectContaining({ min_retention_days: 35, max_retention_days: 35, changeable_for_days: 14 }),
    );
  });

  it('locks the vault in governance mode without a cooling-off period', () => {
    const { json } = synthSchedule({
      vaultLock: { mode: BackupVaultLockMode.GOVERNANCE, minRetentionDays: 1, maxRetentionDays: 35 },
    });

    const lock = blockAt(json, 'aws_backup_vault_lock_configuration', 'Backups/VaultLock');
    expect(lock).toEqual(expect.objectContaining({ min_retention_days: 1, max_retention_days: 35 }));
    expect(lock).not.toHaveProperty('changeable_for_days');
  });
});

describe('BackupSchedule plan rules', () => {
  it('backs up daily at 05:00 UTC for 35 days by default, starting within an hour', () => {
    const { json, schedule } = synthSchedule();

    expect(blockAt(json, 'aws_backup_plan', 'Backups/Plan').name).toBe('checkout-plan');
    expect(rulesOf(json)).toEqual([
      {
        rule_name: 'daily-35-days',
        target_vault_name: vaultName(json),
        schedule: 'cron(0 5 ? * * *)',
        start_window: 60,
        completion_window: 10080,
        enable_continuous_backup: false,
        lifecycle: { delete_after: 35 },
      },
    ]);
    expect(schedule.rules.map((rule) => rule.ruleName)).toEqual(['daily-35-days']);
  });

  it('sets windows, time zone, cold storage, deletion and recovery point tags from a raw rule', () => {
    const rule: BackupRuleOptions = {
      ruleName: 'weekly-1-year',
      scheduleExpression: 'cron(30 2 ? * SUN *)',
      scheduleExpressionTimezone: 'Europe/Paris',
      startWindowMinutes: 120,
      completionWindowMinutes: 720,
      moveToColdStorageAfterDays: 30,
      deleteAfterDays: 365,
      recoveryPointTags: [
        { key: 'service', value: 'checkout' },
        { key: 'tier', value: 'weekly' },
      ],
    };
    const { json } = synthSchedule({ rules: [rule] });

    expect(rulesOf(json)).toEqual([
      {
        rule_name: 'weekly-1-year',
        target_vault_name: vaultName(json),
        schedule: 'cron(30 2 ? * SUN *)',
        schedule_expression_timezone: 'Europe/Paris',
        start_window: 120,
        completion_window: 720,
        enable_continuous_backup: false,
        lifecycle: { cold_storage_after: 30, delete_after: 365 },
        recovery_point_tags: { service: 'checkout', tier: 'weekly' },
      },
    ]);
  });

  it('keeps recovery points of a rule without deletion until deleted by hand (no lifecycle block)', () => {
    const { json } = synthSchedule({
      rules: [{ ruleName: 'forever', scheduleExpression: 'cron(0 3 1 * ? *)' }],
    });

    expect(rulesOf(json)[0]).not.toHaveProperty('lifecycle');
  });

  it('turns on continuous backup with the 35-day maximum retention by default', () => {
    const { json } = synthSchedule({
      rules: [{ ruleName: 'pitr', scheduleExpression: 'cron(0 5 ? * * *)', enableContinuousBackup: true }],
    });

    expect(rulesOf(json)[0]).toEqual(
      expect.objectContaining({ enable_continuous_backup: true, lifecycle: { delete_after: 35 } }),
    );
  });

  it('copies every recovery point to a vault in another region, with its own lifecycle', () => {
    const { json } = synthSchedule({
      rules: [
        {
          ruleName: 'daily',
          scheduleExpression: 'cron(0 5 ? * * *)',
          deleteAfterDays: 35,
          copyActions: [
            { destinationVaultArn: DR_VAULT_ARN, moveToColdStorageAfterDays: 7, deleteAfterDays: 97 },
            { destinationVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:checkout-west' },
          ],
        },
      ],
    });

    expect(rulesOf(json)[0].copy_action).toEqual([
      { destination_vault_arn: DR_VAULT_ARN, lifecycle: { cold_storage_after: 7, delete_after: 97 } },
      { destination_vault_arn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:checkout-west' },
    ]);
  });

  it('copies to a vault defined with a second provider aliased to the other region', () => {
    const { stack } = newStack();
    const drProvider = new AwsProvider(stack, 'dr', { region: 'eu-west-1', alias: 'dr' });
    const drVault = new BackupVault(stack, 'DrVault', { name: 'checkout-dr', provider: drProvider });
    new BackupSchedule(stack, 'Backups', {
      serviceName: 'checkout',
      resourceArns: [DATABASE_ARN],
      rules: BackupPresets.daily35Days({ copyActions: [{ destinationVaultArn: drVault.arn }] }),
    });
    const json = synthStack(stack);

    expect(rulesOf(json)[0].copy_action).toEqual([
      { destination_vault_arn: refTo(json, 'aws_backup_vault', 'DrVault', 'arn') },
    ]);
    expect(blockAt(json, 'aws_backup_vault', 'DrVault').provider).toBe('aws.dr');
  });

  it('accepts a copy to another account in the same region when the account id is given', () => {
    const otherAccountVault = 'arn:aws:backup:us-east-1:210987654321:backup-vault:checkout-bunker';
    const { json } = synthSchedule({
      accountId: '123456789012',
      rules: BackupPresets.daily35Days({ copyActions: [{ destinationVaultArn: otherAccountVault }] }),
    });

    expect(rulesOf(json)[0].copy_action).toEqual([{ destination_vault_arn: otherAccountVault }]);
  });
});

describe('BackupSchedule presets', () => {
  it('names the daily preset by intent: every day, 35 days', () => {
    expect(BackupPresets.daily35Days()).toEqual([
      { ruleName: 'daily-35-days', scheduleExpression: 'cron(0 5 ? * * *)', deleteAfterDays: 35 },
    ]);
  });

  it('keeps hourly backups 7 days, daily 35 days and monthly a year with cold storage after 30 days', () => {
    expect(BackupPresets.hourly7DaysDaily35DaysMonthly1Year()).toEqual([
      { ruleName: 'hourly-7-days', scheduleExpression: 'cron(0 * ? * * *)', deleteAfterDays: 7 },
      { ruleName: 'daily-35-days', scheduleExpression: 'cron(0 5 ? * * *)', deleteAfterDays: 35 },
      {
        ruleName: 'monthly-1-year',
        scheduleExpression: 'cron(0 5 1 * ? *)',
        moveToColdStorageAfterDays: 30,
        deleteAfterDays: 365,
      },
    ]);
  });

  it('keeps continuous backups the 35 days AWS Backup allows', () => {
    expect(BackupPresets.continuous35Days()).toEqual([
      {
        ruleName: 'continuous-35-days',
        scheduleExpression: 'cron(0 5 ? * * *)',
        enableContinuousBackup: true,
        deleteAfterDays: 35,
      },
    ]);
  });

  it('adds the preset options to every rule', () => {
    const copyActions = [{ destinationVaultArn: DR_VAULT_ARN }];
    const recoveryPointTags = [{ key: 'service', value: 'checkout' }];

    const rules = BackupPresets.hourly7DaysDaily35DaysMonthly1Year({ copyActions, recoveryPointTags });

    expect(rules).toHaveLength(3);
    for (const rule of rules)
      expect(rule).toEqual(expect.objectContaining({ copyActions, recoveryPointTags }));
  });

  it('synthesizes every preset rule, mixed with raw rules, in order', () => {
    const { json } = synthSchedule({
      rules: [
        ...BackupPresets.hourly7DaysDaily35DaysMonthly1Year(),
        { ruleName: 'yearly', scheduleExpression: 'cron(0 5 1 1 ? *)', deleteAfterDays: 2555 },
      ],
    });

    expect(rulesOf(json).map((rule) => [rule.rule_name, rule.schedule, rule.lifecycle])).toEqual([
      ['hourly-7-days', 'cron(0 * ? * * *)', { delete_after: 7 }],
      ['daily-35-days', 'cron(0 5 ? * * *)', { delete_after: 35 }],
      ['monthly-1-year', 'cron(0 5 1 * ? *)', { cold_storage_after: 30, delete_after: 365 }],
      ['yearly', 'cron(0 5 1 1 ? *)', { delete_after: 2555 }],
    ]);
  });

  it('synthesizes the continuous preset as a continuous rule', () => {
    const { json } = synthSchedule({ rules: BackupPresets.continuous35Days() });

    expect(rulesOf(json)).toEqual([
      expect.objectContaining({
        rule_name: 'continuous-35-days',
        enable_continuous_backup: true,
        lifecycle: { delete_after: 35 },
      }),
    ]);
  });
});

describe('BackupSchedule selection and role', () => {
  it('selects the given resources with the defined role once the role has its policies', () => {
    const { json } = synthSchedule({ resourceArns: [DATABASE_ARN, BUCKET_ARN] });

    const selection = blockAt(json, 'aws_backup_selection', 'Backups/Selection');
    expect(selection).toEqual(
      expect.objectContaining({
        name: 'checkout-selection',
        plan_id: refTo(json, 'aws_backup_plan', 'Backups/Plan', 'id'),
        iam_role_arn: roleArn(json),
        resources: [DATABASE_ARN, BUCKET_ARN],
      }),
    );
    expect(selection).not.toHaveProperty('selection_tag');
    expect(selection.depends_on).toEqual(
      ['BackupPolicy', 'RestoresPolicy', 'S3BackupPolicy', 'S3RestorePolicy'].map((id) =>
        expect.stringMatching(new RegExp(`^aws_iam_role_policy_attachment\\.Backups_${id}_`)),
      ),
    );
  });

  it('selects resources carrying any of the tag conditions, in addition to the listed ones', () => {
    const { json } = synthSchedule({
      tagConditions: [
        { key: 'backup', value: 'daily' },
        { key: 'service', value: 'checkout' },
      ],
    });

    expect(blockAt(json, 'aws_backup_selection', 'Backups/Selection')).toEqual(
      expect.objectContaining({
        resources: [DATABASE_ARN],
        selection_tag: [
          { type: 'STRINGEQUALS', key: 'backup', value: 'daily' },
          { type: 'STRINGEQUALS', key: 'service', value: 'checkout' },
        ],
      }),
    );
  });

  it('selects by tags only when no resource is listed', () => {
    const { json, schedule } = synthSchedule({
      resourceArns: [],
      tagConditions: [{ key: 'backup', value: 'daily' }],
    });

    expect(blockAt(json, 'aws_backup_selection', 'Backups/Selection')).not.toHaveProperty('resources');
    expect(schedule.resourceArns).toEqual([]);
  });

  it('defines a role trusted by AWS Backup with the managed backup, restore and S3 policies', () => {
    const { json } = synthSchedule();

    expect(blockAt(json, 'aws_iam_role', 'Backups/ServiceRole')).toEqual(
      expect.objectContaining({
        name_prefix: 'checkout-backup-',
        assume_role_policy: refTo(
          json,
          'aws_iam_policy_document',
          'Backups/ServiceRoleTrust',
          'json',
          'data',
        ),
      }),
    );
    expect(statementsOf(json, 'Backups/ServiceRoleTrust')).toEqual([
      {
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: ['backup.amazonaws.com'] }],
      },
    ]);
    const attached = blocksOfType(json, 'aws_iam_role_policy_attachment').map(([, block]) => block);
    expect(attached).toEqual(
      [
        'service-role/AWSBackupServiceRolePolicyForBackup',
        'service-role/AWSBackupServiceRolePolicyForRestores',
        'AWSBackupServiceRolePolicyForS3Backup',
        'AWSBackupServiceRolePolicyForS3Restore',
      ].map((path) => ({
        role: refTo(json, 'aws_iam_role', 'Backups/ServiceRole', 'name'),
        policy_arn: `arn:${partition(json)}:iam::aws:policy/${path}`,
      })),
    );
  });

  it('uses a given role without defining one', () => {
    const { json, schedule } = synthSchedule({ roleArn: ROLE_ARN });

    expect(blocksOfType(json, 'aws_iam_role')).toHaveLength(0);
    expect(blocksOfType(json, 'aws_iam_role_policy_attachment')).toHaveLength(0);
    const selection = blockAt(json, 'aws_backup_selection', 'Backups/Selection');
    expect(selection.iam_role_arn).toBe(ROLE_ARN);
    expect(selection).not.toHaveProperty('depends_on');
    expect(schedule.role).toBeUndefined();
  });

  it('looks nothing up when given a role, a topic and a vault key', () => {
    const { json } = synthSchedule({
      roleArn: ROLE_ARN,
      notificationTopicArn: TOPIC_ARN,
      kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });

    expect(Object.keys(json.data ?? {})).toEqual(['aws_iam_policy_document']);
    expect(blocksOfType(json, 'aws_iam_policy_document', 'data').map(([id]) => id)).toEqual([
      expect.stringContaining('Backups_VaultPolicyDocument_'),
    ]);
  });
});

describe('BackupSchedule notifications', () => {
  it('sends failed backup, copy and restore jobs to a topic encrypted with a key of its own', () => {
    const { json, schedule } = synthSchedule();

    const topicArn = refTo(json, 'aws_sns_topic', 'Backups/NotificationTopic', 'arn');
    expect(blockAt(json, 'aws_sns_topic', 'Backups/NotificationTopic')).toEqual({
      name: 'checkout-backup-events',
      kms_master_key_id: refTo(json, 'aws_kms_key', 'Backups/NotificationKey', 'arn'),
    });
    const notifications = blockAt(json, 'aws_backup_vault_notifications', 'Backups/Notifications');
    expect(notifications).toEqual(
      expect.objectContaining({
        backup_vault_name: vaultName(json),
        sns_topic_arn: topicArn,
        backup_vault_events: [
          'BACKUP_JOB_COMPLETED',
          'COPY_JOB_FAILED',
          'RESTORE_JOB_COMPLETED',
          'S3_BACKUP_OBJECT_FAILED',
          'S3_RESTORE_OBJECT_FAILED',
        ],
      }),
    );
    expect(notifications.depends_on).toEqual([expect.stringContaining('aws_sns_topic_policy.')]);
    expect(resolveIn(schedule, schedule.notificationTopicArn)).toBe(topicArn);
  });

  it('lets AWS Backup publish to the topic, and only to it', () => {
    const { json } = synthSchedule();

    const topicArn = refTo(json, 'aws_sns_topic', 'Backups/NotificationTopic', 'arn');
    expect(blockAt(json, 'aws_sns_topic_policy', 'Backups/NotificationTopicPolicy')).toEqual({
      arn: topicArn,
      policy: refTo(
        json,
        'aws_iam_policy_document',
        'Backups/NotificationTopicPolicyDocument',
        'json',
        'data',
      ),
    });
    expect(statementsOf(json, 'Backups/NotificationTopicPolicyDocument')).toEqual([
      {
        sid: 'BackupPublishesVaultEvents',
        effect: 'Allow',
        principals: [{ type: 'Service', identifiers: ['backup.amazonaws.com'] }],
        actions: ['sns:Publish'],
        resources: [topicArn],
      },
    ]);
  });

  it("lets AWS Backup encrypt with the topic's key, which rotates and the account administers", () => {
    const { json } = synthSchedule();

    const key = blockAt(json, 'aws_kms_key', 'Backups/NotificationKey');
    expect(key.enable_key_rotation).toBe(true);
    const account = refTo(json, 'aws_caller_identity', 'Backups/Account', 'account_id', 'data');
    expect(JSON.parse(key.policy as string).Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition(json)}:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'backup.amazonaws.com' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      }),
    ]);
  });

  it("writes the vault key's policy on the key: the account administers it", () => {
    const { json } = synthSchedule();

    const account = refTo(json, 'aws_caller_identity', 'Backups/Account', 'account_id', 'data');
    expect(JSON.parse(blockAt(json, 'aws_kms_key', 'Backups/Key').policy as string).Statement).toEqual([
      {
        Sid: 'AccountAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition(json)}:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ]);
  });

  it('uses a given topic and events without defining a topic, key or policy', () => {
    const { json } = synthSchedule({
      notificationTopicArn: TOPIC_ARN,
      notificationEvents: [BackupVaultEvent.BACKUP_JOB_COMPLETED, BackupVaultEvent.RECOVERY_POINT_MODIFIED],
    });

    expect(blocksOfType(json, 'aws_sns_topic')).toHaveLength(0);
    expect(blocksOfType(json, 'aws_sns_topic_policy')).toHaveLength(0);
    expect(blocksOfType(json, 'aws_kms_key').map(([id]) => id)).toEqual([
      expect.stringContaining('Backups_Key_'),
    ]);
    expect(blockAt(json, 'aws_backup_vault_notifications', 'Backups/Notifications')).toEqual({
      backup_vault_name: vaultName(json),
      sns_topic_arn: TOPIC_ARN,
      backup_vault_events: ['BACKUP_JOB_COMPLETED', 'RECOVERY_POINT_MODIFIED'],
    });
  });
});

describe('BackupSchedule restore testing', () => {
  it('defines no restore testing unless asked', () => {
    const { json, schedule } = synthSchedule();

    expect(blocksOfType(json, 'aws_backup_restore_testing_plan')).toHaveLength(0);
    expect(blocksOfType(json, 'aws_backup_restore_testing_selection')).toHaveLength(0);
    expect(schedule.restoreTestingSelections).toEqual([]);
  });

  it('restores the latest recovery point of this vault every Monday, one selection per resource type', () => {
    const { json } = synthSchedule({
      restoreTesting: {
        selections: [
          { protectedResourceType: RestoreTestingResourceType.RDS },
          { protectedResourceType: RestoreTestingResourceType.S3 },
        ],
      },
    });

    expect(blockAt(json, 'aws_backup_restore_testing_plan', 'Backups/RestoreTestingPlan')).toEqual({
      name: 'checkout_restore_testing',
      schedule_expression: 'cron(0 8 ? * MON *)',
      start_window_hours: 24,
      recovery_point_selection: [
        {
          algorithm: 'LATEST_WITHIN_WINDOW',
          include_vaults: [vaultArn(json)],
          recovery_point_types: ['SNAPSHOT'],
          selection_window_days: 30,
        },
      ],
    });
    const planName = refTo(json, 'aws_backup_restore_testing_plan', 'Backups/RestoreTestingPlan', 'name');
    expect(blockAt(json, 'aws_backup_restore_testing_selection', 'Backups/RestoreTestingRDS')).toEqual(
      expect.objectContaining({
        name: 'rds',
        restore_testing_plan_name: planName,
        protected_resource_type: 'RDS',
        protected_resource_arns: ['*'],
        iam_role_arn: roleArn(json),
      }),
    );
    expect(blockAt(json, 'aws_backup_restore_testing_selection', 'Backups/RestoreTestingS3')).toEqual(
      expect.objectContaining({ name: 's3', protected_resource_type: 'S3', protected_resource_arns: ['*'] }),
    );
    expect(
      blockAt(json, 'aws_backup_restore_testing_selection', 'Backups/RestoreTestingRDS'),
    ).not.toHaveProperty('validation_window_hours');
  });

  it('sets the restore testing schedule, windows, algorithm, resources and overrides from the props', () => {
    const { json } = synthSchedule({
      restoreTesting: {
        scheduleExpression: 'cron(0 1 ? * SAT *)',
        algorithm: RestoreTestingAlgorithm.RANDOM_WITHIN_WINDOW,
        recoveryPointTypes: [RestoreTestingRecoveryPointType.CONTINUOUS],
        selectionWindowDays: 7,
        startWindowHours: 4,
        selections: [
          {
            protectedResourceType: RestoreTestingResourceType.RDS,
            protectedResourceArns: [DATABASE_ARN],
            validationWindowHours: 2,
            restoreMetadataOverrides: [{ key: 'dbSubnetGroupName', value: 'restore-tests' }],
          },
        ],
      },
    });

    expect(blockAt(json, 'aws_backup_restore_testing_plan', 'Backups/RestoreTestingPlan')).toEqual(
      expect.objectContaining({
        schedule_expression: 'cron(0 1 ? * SAT *)',
        start_window_hours: 4,
        recovery_point_selection: [
          {
            algorithm: 'RANDOM_WITHIN_WINDOW',
            include_vaults: [vaultArn(json)],
            recovery_point_types: ['CONTINUOUS'],
            selection_window_days: 7,
          },
        ],
      }),
    );
    expect(blockAt(json, 'aws_backup_restore_testing_selection', 'Backups/RestoreTestingRDS')).toEqual(
      expect.objectContaining({
        protected_resource_arns: [DATABASE_ARN],
        validation_window_hours: 2,
        restore_metadata_overrides: { dbSubnetGroupName: 'restore-tests' },
      }),
    );
  });

  it('restores continuous recovery points too when a rule has continuous backup', () => {
    const { json } = synthSchedule({
      rules: BackupPresets.continuous35Days(),
      restoreTesting: { selections: [{ protectedResourceType: RestoreTestingResourceType.RDS }] },
    });

    const plan = blockAt(json, 'aws_backup_restore_testing_plan', 'Backups/RestoreTestingPlan');
    expect((plan.recovery_point_selection as TerraformBlock[])[0].recovery_point_types).toEqual([
      'SNAPSHOT',
      'CONTINUOUS',
    ]);
  });
});

describe('BackupSchedule region', () => {
  it('defines every regional resource in the given region', () => {
    const { json } = synthSchedule({
      region: 'eu-central-1',
      restoreTesting: { selections: [{ protectedResourceType: RestoreTestingResourceType.RDS }] },
      vaultLock: { mode: BackupVaultLockMode.GOVERNANCE, minRetentionDays: 1, maxRetentionDays: 35 },
    });

    for (const type of [
      'aws_kms_key',
      'aws_backup_vault',
      'aws_backup_vault_lock_configuration',
      'aws_backup_vault_policy',
      'aws_backup_plan',
      'aws_backup_selection',
      'aws_sns_topic',
      'aws_sns_topic_policy',
      'aws_backup_vault_notifications',
      'aws_backup_restore_testing_plan',
      'aws_backup_restore_testing_selection',
    ]) {
      for (const [id, block] of blocksOfType(json, type))
        expect([id, block.region]).toEqual([id, 'eu-central-1']);
    }
    expect(blockAt(json, 'aws_iam_role', 'Backups/ServiceRole')).not.toHaveProperty('region');
  });

  it("leaves resources in the provider's region when no region is given", () => {
    const { json, schedule } = synthSchedule();

    expect(blockAt(json, 'aws_backup_vault', 'Backups/Vault')).not.toHaveProperty('region');
    expect(schedule.region).toBe('us-east-1');
  });
});

describe('BackupSchedule release hook', () => {
  it("exposes the vault, the role and the selected resources for the watchdog's release backup", () => {
    const { json, schedule } = synthSchedule({ resourceArns: [DATABASE_ARN, BUCKET_ARN] });

    expect(resolveIn(schedule, schedule.releaseBackup)).toEqual({
      vaultName: 'checkout-backups',
      roleArn: roleArn(json),
      resourceArns: [DATABASE_ARN, BUCKET_ARN],
    });
  });

  it('hands the release backup to the watchdog, which may start jobs in the vault and pass only that role', () => {
    const { stack } = newStack();
    const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
    const schedule = new BackupSchedule(stack, 'Backups', {
      serviceName: 'checkout',
      resourceArns: [DATABASE_ARN, store.bucketArn],
    });
    const listener = new BlueGreenListener(stack, 'BlueGreen', {
      serviceName: 'checkout',
      loadBalancerArn: LOAD_BALANCER_ARN,
      vpcId: VPC_ID,
    });
    new RollbackWatchdog(stack, 'Watchdog', {
      store,
      releaseId: 'r42',
      listeners: [listener],
      backup: schedule.releaseBackup,
    });
    const json = synthStack(stack);

    const statements = statementsOf(json, 'Watchdog/Permissions');
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          sid: 'StartReleaseBackups',
          actions: ['backup:StartBackupJob'],
          resources: [expect.stringMatching(/:backup-vault:checkout-backups$/)],
        }),
        expect.objectContaining({ sid: 'PassBackupRoleToBackupOnly', resources: [roleArn(json)] }),
      ]),
    );
  });

  it('refuses to name release backup resources for a schedule that selects by tags only', () => {
    const { schedule } = synthSchedule({
      resourceArns: [],
      tagConditions: [{ key: 'backup', value: 'daily' }],
    });

    expect(() => schedule.releaseBackup).toThrow(SwitchbackValidationError);
    expect(() => schedule.releaseBackup).toThrow(
      /test\/Backups: invalid prop 'resourceArns': got \[\]; .*releaseBackupFor/,
    );
  });

  it('names release backup resources explicitly for a schedule that selects by tags', () => {
    const { json, schedule } = synthSchedule({
      resourceArns: [],
      tagConditions: [{ key: 'backup', value: 'daily' }],
    });

    expect(resolveIn(schedule, schedule.releaseBackupFor([DATABASE_ARN]))).toEqual({
      vaultName: 'checkout-backups',
      roleArn: roleArn(json),
      resourceArns: [DATABASE_ARN],
    });
  });

  it('refuses a wildcard pattern as a release backup resource', () => {
    const { schedule } = synthSchedule({ resourceArns: ['arn:aws:rds:us-east-1:123456789012:db:*'] });

    expect(() => schedule.releaseBackup).toThrow(/one concrete resource ARN, not a pattern/);
  });

  it('uses a given role for the release backup', () => {
    const { schedule } = synthSchedule({ roleArn: ROLE_ARN });

    expect(schedule.releaseBackup.roleArn).toBe(ROLE_ARN);
  });
});
