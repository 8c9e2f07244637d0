import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import {
  BackupPresets,
  BackupSchedule,
  type BackupRuleOptions,
  BackupVaultEvent,
  BackupVaultLockMode,
  RestoreTestingAlgorithm,
  RestoreTestingRecoveryPointType,
  RestoreTestingResourceType,
  type BackupScheduleProps,
  type RestoreTestingOptions,
} from '../../constructs/backup-schedule';
import { expectValidationError } from '../support/validation';
import { newStack } from '../support/synth';
import { KMS_KEY_ARN, REPLICA_KMS_KEY_ARN } from './fixtures';

const DATABASE_ARN = 'arn:aws:rds:us-east-1:123456789012:db:checkout';
const SAME_REGION_VAULT = 'arn:aws:backup:us-east-1:123456789012:backup-vault:checkout-copy';
const DR_VAULT = 'arn:aws:backup:eu-west-1:123456789012:backup-vault:checkout-dr';

/** Defines a schedule (in a stack whose provider is in us-east-1) that selects the database. */
function define(props: BackupScheduleProps): void {
  const { stack } = newStack();
  new BackupSchedule(stack, 'Backups', { resourceArns: [DATABASE_ARN], ...props });
}

/** One raw rule, valid unless `overrides` break it. */
function rule(overrides: Partial<BackupRuleOptions> = {}): BackupRuleOptions {
  return { ruleName: 'daily', scheduleExpression: 'cron(0 5 ? * * *)', deleteAfterDays: 35, ...overrides };
}

function restoreTesting(overrides: Partial<RestoreTestingOptions> = {}): RestoreTestingOptions {
  return { selections: [{ protectedResourceType: RestoreTestingResourceType.RDS }], ...overrides };
}

const LOCK = { mode: BackupVaultLockMode.COMPLIANCE, minRetentionDays: 7, maxRetentionDays: 365 } as const;

// One row per rule: the props that break it, the prop the error must name, a stable message fragment.
const cases: [string, BackupScheduleProps, string, RegExp][] = [
  // Names, keys, region
  [
    'the service name is invalid',
    { serviceName: 'Checkout' },
    'serviceName',
    /must be 1-40 lowercase letters/,
  ],
  ['the vault name is too short', { vaultName: 'v' }, 'vaultName', /got 'v'; must be 2-50 letters, digits/],
  ['the vault name has dots', { vaultName: 'checkout.vault' }, 'vaultName', /must be 2-50 letters, digits/],
  [
    'the KMS key ARN is malformed',
    { kmsKeyArn: 'alias/backup' },
    'kmsKeyArn',
    /must be a KMS key or alias ARN/,
  ],
  [
    'the KMS key is in another region than the vault',
    { region: 'us-east-1', kmsKeyArn: REPLICA_KMS_KEY_ARN },
    'kmsKeyArn',
    /is in eu-west-1 but the vault is in us-east-1; KMS keys are regional/,
  ],
  ['the region is malformed', { region: 'Europe' }, 'region', /got 'Europe'; must be an AWS region/],
  ['the account id is malformed', { accountId: '1234' }, 'accountId', /must be a 12-digit AWS account id/],

  // Rules and cron
  ['there is no rule', { rules: [] }, 'rules', /got \[\]; give at least one rule/],
  [
    'a rule name has spaces',
    { rules: [rule({ ruleName: 'daily backup' })] },
    'rules[0].ruleName',
    /1-50 letters/,
  ],
  [
    'two rules share a name',
    { rules: [rule(), rule({ scheduleExpression: 'cron(0 6 ? * * *)' })] },
    'rules[1].ruleName',
    /got 'daily'; must be unique in the plan/,
  ],
  [
    'the schedule is not a cron expression',
    { rules: [rule({ scheduleExpression: 'rate(1 day)' })] },
    'rules[0].scheduleExpression',
    /got 'rate\(1 day\)'; must be 'cron\(Minutes Hours Day-of-month Month Day-of-week Year\)' with six fields/,
  ],
  [
    'the cron expression has five fields (Unix cron)',
    { rules: [rule({ scheduleExpression: 'cron(0 5 * * *)' })] },
    'rules[0].scheduleExpression',
    /with six fields/,
  ],
  [
    'the cron expression sets both day-of-month and day-of-week',
    { rules: [rule({ scheduleExpression: 'cron(0 5 * * MON *)' })] },
    'rules[0].scheduleExpression',
    /must have '\?' in exactly one of day-of-month and day-of-week/,
  ],
  [
    'the cron expression sets neither day-of-month nor day-of-week',
    { rules: [rule({ scheduleExpression: 'cron(0 5 ? * ? *)' })] },
    'rules[0].scheduleExpression',
    /exactly one of day-of-month and day-of-week/,
  ],
  [
    'the cron hour is out of range',
    { rules: [rule({ scheduleExpression: 'cron(0 24 ? * * *)' })] },
    'rules[0].scheduleExpression',
    /has an invalid hours field/,
  ],
  [
    'the cron month is unknown',
    { rules: [rule({ scheduleExpression: 'cron(0 5 1 FOO ? *)' })] },
    'rules[0].scheduleExpression',
    /has an invalid month field/,
  ],
  [
    'the cron day-of-week is out of range',
    { rules: [rule({ scheduleExpression: 'cron(0 5 ? * 8 *)' })] },
    'rules[0].scheduleExpression',
    /has an invalid day-of-week field/,
  ],
  [
    'the schedule runs every 15 minutes',
    { rules: [rule({ scheduleExpression: 'cron(0/15 * ? * * *)' })] },
    'rules[0].scheduleExpression',
    /runs more than once an hour .*at least 60 minutes between backups/,
  ],
  [
    'the schedule runs twice an hour',
    { rules: [rule({ scheduleExpression: 'cron(0,30 * ? * * *)' })] },
    'rules[0].scheduleExpression',
    /runs more than once an hour/,
  ],

  // Windows
  [
    'the start window is under 60 minutes',
    { rules: [rule({ startWindowMinutes: 59 })] },
    'rules[0].startWindowMinutes',
    /got 59; must be an integer from 60 to 52560000 \(AWS Backup needs at least 60\)/,
  ],
  [
    'the completion window is not 60 minutes longer than the start window',
    { rules: [rule({ startWindowMinutes: 120, completionWindowMinutes: 179 })] },
    'rules[0].completionWindowMinutes',
    /got 179; must be at least startWindowMinutes \+ 60 = 180/,
  ],
  [
    'the default completion window is shorter than a long start window',
    { rules: [rule({ startWindowMinutes: 10080 })] },
    'rules[0].completionWindowMinutes',
    /got 10080; must be at least startWindowMinutes \+ 60 = 10140/,
  ],

  // Lifecycle and continuous backup
  [
    'deletion is less than 90 days after moving to cold storage',
    { rules: [rule({ moveToColdStorageAfterDays: 30, deleteAfterDays: 119 })] },
    'rules[0].deleteAfterDays',
    /got 119; must be at least moveToColdStorageAfterDays \+ 90 = 120/,
  ],
  [
    'recovery points are deleted after 0 days',
    { rules: [rule({ deleteAfterDays: 0 })] },
    'rules[0].deleteAfterDays',
    /got 0; must be an integer from 1 to 36500/,
  ],
  [
    'continuous backup moves to cold storage',
    { rules: [rule({ enableContinuousBackup: true, moveToColdStorageAfterDays: 10, deleteAfterDays: 35 })] },
    'rules[0].moveToColdStorageAfterDays',
    /got 10; continuous backups cannot move to cold storage/,
  ],
  [
    'continuous backup is kept more than 35 days',
    { rules: [rule({ enableContinuousBackup: true, deleteAfterDays: 36 })] },
    'rules[0].deleteAfterDays',
    /got 36; continuous backups are kept at most 35 days/,
  ],
  [
    'a recovery point tag uses the reserved aws: prefix',
    { rules: [rule({ recoveryPointTags: [{ key: 'aws:backup', value: 'x' }] })] },
    'rules[0].recoveryPointTags[0].key',
    /not starting with 'aws:'/,
  ],
  [
    'two recovery point tags share a key',
    {
      rules: [
        rule({
          recoveryPointTags: [
            { key: 'tier', value: 'a' },
            { key: 'tier', value: 'b' },
          ],
        }),
      ],
    },
    'rules[0].recoveryPointTags[1].key',
    /got 'tier'; must be unique/,
  ],

  // Vault lock
  [
    'the vault lock minimum exceeds its maximum',
    { vaultLock: { mode: BackupVaultLockMode.GOVERNANCE, minRetentionDays: 40, maxRetentionDays: 35 } },
    'vaultLock.maxRetentionDays',
    /got 35; must be at least vaultLock.minRetentionDays \(40\)/,
  ],
  [
    'the vault lock can be changed for fewer than 3 days',
    { vaultLock: { ...LOCK, changeableForDays: 2 } },
    'vaultLock.changeableForDays',
    /got 2; must be an integer from 3 to 36500 \(AWS Backup enforces a 72-hour cooling-off period/,
  ],
  [
    'a governance lock has a cooling-off period',
    {
      vaultLock: {
        mode: BackupVaultLockMode.GOVERNANCE,
        minRetentionDays: 7,
        maxRetentionDays: 365,
        changeableForDays: 3,
      },
    },
    'vaultLock.changeableForDays',
    /applies to a 'COMPLIANCE' lock only/,
  ],
  [
    'the vault lock mode is unknown',
    { vaultLock: { ...LOCK, mode: 'STRICT' as BackupVaultLockMode } },
    'vaultLock.mode',
    /got 'STRICT'; must be one of 'GOVERNANCE', 'COMPLIANCE'\./,
  ],
  [
    'the vault lock minimum is 0 days',
    { vaultLock: { ...LOCK, minRetentionDays: 0 } },
    'vaultLock.minRetentionDays',
    /got 0; must be an integer from 1 to 36500/,
  ],
  [
    "a rule's retention is below the vault lock's minimum",
    { vaultLock: LOCK, rules: [rule({ deleteAfterDays: 6 })] },
    'rules[0].deleteAfterDays',
    /got 6; must be within the vault lock's retention of 7-365 days/,
  ],
  [
    "a rule's retention is above the vault lock's maximum",
    {
      vaultLock: LOCK,
      rules: BackupPresets.hourly7DaysDaily35DaysMonthly1Year().concat(
        rule({ ruleName: 'y', deleteAfterDays: 366 }),
      ),
    },
    'rules[3].deleteAfterDays',
    /got 366; must be within the vault lock's retention of 7-365 days/,
  ],
  [
    'a rule keeps recovery points forever in a locked vault',
    { vaultLock: LOCK, rules: [rule({ deleteAfterDays: undefined })] },
    'rules[0].deleteAfterDays',
    /the vault lock allows retention of 7-365 days and AWS Backup fails jobs kept longer/,
  ],
  [
    'the default continuous retention is below the vault lock minimum',
    {
      vaultLock: { ...LOCK, minRetentionDays: 36, maxRetentionDays: 400 },
      rules: BackupPresets.continuous35Days(),
    },
    'rules[0].deleteAfterDays',
    /got 35; must be within the vault lock's retention of 36-400 days/,
  ],

  // Selection
  ['the selection is empty', { resourceArns: undefined }, 'resourceArns', /the selection is empty/],
  [
    'the selection lists nothing',
    { resourceArns: [], tagConditions: [] },
    'resourceArns',
    /got \[\]; the selection is empty: give resourceArns and\/or tagConditions/,
  ],
  [
    'a resource ARN is malformed',
    { resourceArns: ['checkout-db'] },
    'resourceArns[0]',
    /got 'checkout-db'; must be a resource ARN/,
  ],
  [
    'more than 30 ARNs include a wildcard',
    {
      resourceArns: Array.from(
        { length: 31 },
        (_, i) => `arn:aws:dynamodb:us-east-1:123456789012:table/t${i}*`,
      ),
    },
    'resourceArns',
    /got '31 ARNs'; a selection takes at most 500 ARNs, or 30 when any has a wildcard/,
  ],
  [
    'more than 500 ARNs are listed',
    {
      resourceArns: Array.from(
        { length: 501 },
        (_, i) => `arn:aws:dynamodb:us-east-1:123456789012:table/t${i}`,
      ),
    },
    'resourceArns',
    /at most 500 ARNs/,
  ],
  [
    'a tag condition key is empty',
    { tagConditions: [{ key: '', value: 'daily' }] },
    'tagConditions[0].key',
    /must be 1-128 characters/,
  ],

  // Copies
  [
    'a copy goes to the same region (given as a prop)',
    { region: 'eu-west-1', rules: [rule({ copyActions: [{ destinationVaultArn: DR_VAULT }] })] },
    'rules[0].copyActions[0].destinationVaultArn',
    /is in eu-west-1, the region of this vault: a copy must go to another region/,
  ],
  [
    "a copy goes to the provider's region",
    { rules: [rule({ copyActions: [{ destinationVaultArn: SAME_REGION_VAULT }] })] },
    'rules[0].copyActions[0].destinationVaultArn',
    /got 'arn:aws:backup:us-east-1:123456789012:backup-vault:checkout-copy'; is in us-east-1, the region of this vault/,
  ],
  [
    'a copy goes to the same region and the same account',
    {
      accountId: '123456789012',
      rules: [rule({ copyActions: [{ destinationVaultArn: SAME_REGION_VAULT }] })],
    },
    'rules[0].copyActions[0].destinationVaultArn',
    /the region of this vault/,
  ],
  [
    'a copy destination is not a vault ARN',
    { rules: [rule({ copyActions: [{ destinationVaultArn: 'checkout-dr' }] })] },
    'rules[0].copyActions[0].destinationVaultArn',
    /got 'checkout-dr'; must be a backup vault ARN/,
  ],
  [
    'a copy is deleted less than 90 days after moving to cold storage',
    {
      rules: [
        rule({
          copyActions: [
            { destinationVaultArn: DR_VAULT, moveToColdStorageAfterDays: 10, deleteAfterDays: 99 },
          ],
        }),
      ],
    },
    'rules[0].copyActions[0].deleteAfterDays',
    /got 99; must be at least moveToColdStorageAfterDays \+ 90 = 100/,
  ],

  // Role, policy admins, notifications
  ['the role ARN is malformed', { roleArn: 'backup-role' }, 'roleArn', /must be an IAM role ARN/],
  [
    'the vault policy admin list is empty',
    { vaultPolicyAdminArns: [] },
    'vaultPolicyAdminArns',
    /give at least one principal that may still change the vault policy/,
  ],
  [
    'a vault policy admin is not a principal ARN',
    { vaultPolicyAdminArns: ['deployer'] },
    'vaultPolicyAdminArns[0]',
    /must be an IAM role or user ARN/,
  ],
  [
    'the notification topic ARN is malformed',
    { notificationTopicArn: 'ops-backups' },
    'notificationTopicArn',
    /must be an SNS topic ARN/,
  ],
  [
    'the notification topic is a FIFO topic',
    { notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops-backups.fifo' },
    'notificationTopicArn',
    /AWS Backup publishes to standard topics only/,
  ],
  [
    'a deprecated event is asked for',
    { notificationEvents: [BackupVaultEvent.BACKUP_JOB_COMPLETED, 'BACKUP_JOB_FAILED' as BackupVaultEvent] },
    'notificationEvents[1]',
    /got 'BACKUP_JOB_FAILED'; is deprecated: AWS Backup no longer sends it/,
  ],
  [
    'an unknown event is asked for',
    { notificationEvents: [BackupVaultEvent.BACKUP_JOB_COMPLETED, 'JOB_DONE' as BackupVaultEvent] },
    'notificationEvents[1]',
    /got 'JOB_DONE'; must be one of BACKUP_JOB_STARTED/,
  ],
  [
    'failed backup jobs are not notified',
    { notificationEvents: [BackupVaultEvent.COPY_JOB_FAILED] },
    'notificationEvents',
    /must include BACKUP_JOB_COMPLETED: it is the only event that reports failed backup jobs/,
  ],
  [
    'failed copies are not notified although a rule copies',
    {
      notificationEvents: [BackupVaultEvent.BACKUP_JOB_COMPLETED],
      rules: [rule({ copyActions: [{ destinationVaultArn: DR_VAULT }] })],
    },
    'notificationEvents',
    /must include COPY_JOB_FAILED/,
  ],
  [
    'failed restores are not notified although restores are tested',
    { notificationEvents: [BackupVaultEvent.BACKUP_JOB_COMPLETED], restoreTesting: restoreTesting() },
    'notificationEvents',
    /must include RESTORE_JOB_COMPLETED/,
  ],

  // Restore testing
  [
    'the restore testing schedule is not cron',
    { restoreTesting: restoreTesting({ scheduleExpression: 'weekly' }) },
    'restoreTesting.scheduleExpression',
    /got 'weekly'; must be 'cron\(Minutes Hours/,
  ],
  [
    'the restore testing algorithm is unknown',
    { restoreTesting: restoreTesting({ algorithm: 'OLDEST' as RestoreTestingAlgorithm }) },
    'restoreTesting.algorithm',
    /got 'OLDEST'; must be one of 'LATEST_WITHIN_WINDOW', 'RANDOM_WITHIN_WINDOW'\./,
  ],
  [
    'no recovery point type may be restored',
    { restoreTesting: restoreTesting({ recoveryPointTypes: [] }) },
    'restoreTesting.recoveryPointTypes',
    /must be 'SNAPSHOT' and\/or 'CONTINUOUS'/,
  ],
  [
    'a recovery point type is unknown',
    {
      restoreTesting: restoreTesting({
        recoveryPointTypes: ['INCREMENTAL' as RestoreTestingRecoveryPointType],
      }),
    },
    'restoreTesting.recoveryPointTypes',
    /got \["INCREMENTAL"\]; must be 'SNAPSHOT' and\/or 'CONTINUOUS'/,
  ],
  [
    'the selection window is 0 days',
    { restoreTesting: restoreTesting({ selectionWindowDays: 0 }) },
    'restoreTesting.selectionWindowDays',
    /got 0; must be an integer from 1 to 365/,
  ],
  [
    'the restore start window is over a week',
    { restoreTesting: restoreTesting({ startWindowHours: 169 }) },
    'restoreTesting.startWindowHours',
    /got 169; must be an integer from 1 to 168/,
  ],
  [
    'restore testing selects nothing',
    { restoreTesting: restoreTesting({ selections: [] }) },
    'restoreTesting.selections',
    /give at least one resource type to restore/,
  ],
  [
    'restore testing selects a type twice',
    {
      restoreTesting: restoreTesting({
        selections: [
          { protectedResourceType: RestoreTestingResourceType.RDS },
          { protectedResourceType: RestoreTestingResourceType.RDS },
        ],
      }),
    },
    'restoreTesting.selections[1].protectedResourceType',
    /got 'RDS'; must be unique: one selection per resource type/,
  ],
  [
    'restore testing selects an unknown type',
    {
      restoreTesting: restoreTesting({
        selections: [{ protectedResourceType: 'Redshift' as RestoreTestingResourceType }],
      }),
    },
    'restoreTesting.selections[0].protectedResourceType',
    /got 'Redshift'; must be one of 'Aurora', 'DocumentDB', 'DynamoDB', 'EBS', 'EC2', 'EFS', 'FSx', 'Neptune', 'RDS', 'S3'\./,
  ],
  [
    'restore testing mixes a wildcard with ARNs',
    {
      restoreTesting: restoreTesting({
        selections: [
          {
            protectedResourceType: RestoreTestingResourceType.RDS,
            protectedResourceArns: ['*', DATABASE_ARN],
          },
        ],
      }),
    },
    'restoreTesting.selections[0].protectedResourceArns',
    /must be \['\*'\] or 1-30 resource ARNs, not both/,
  ],
  [
    'restore testing names more than 30 resources',
    {
      restoreTesting: restoreTesting({
        selections: [
          {
            protectedResourceType: RestoreTestingResourceType.RDS,
            protectedResourceArns: Array.from({ length: 31 }, (_, i) => `${DATABASE_ARN}${i}`),
          },
        ],
      }),
    },
    'restoreTesting.selections[0].protectedResourceArns',
    /1-30 resource ARNs/,
  ],
  [
    'the validation window is over a week',
    {
      restoreTesting: restoreTesting({
        selections: [{ protectedResourceType: RestoreTestingResourceType.S3, validationWindowHours: 169 }],
      }),
    },
    'restoreTesting.selections[0].validationWindowHours',
    /got 169; must be an integer from 0 to 168/,
  ],
];

describe('BackupSchedule validation', () => {
  it.each(cases)('fails at synth when %s', (_rule, props, prop, message) => {
    expectValidationError(() => define(props), 'test/Backups', prop, message);
  });

  it('accepts every boundary value', () => {
    expect(() =>
      define({
        vaultName: 'ab',
        kmsKeyArn: KMS_KEY_ARN,
        region: 'us-east-1',
        accountId: '123456789012',
        vaultLock: {
          mode: BackupVaultLockMode.COMPLIANCE,
          minRetentionDays: 1,
          maxRetentionDays: 36500,
          changeableForDays: 3,
        },
        vaultPolicyAdminArns: ['arn:aws:iam::123456789012:role/deployer'],
        rules: [
          rule({ ruleName: 'a', startWindowMinutes: 60, completionWindowMinutes: 120, deleteAfterDays: 1 }),
          rule({ ruleName: 'b', moveToColdStorageAfterDays: 1, deleteAfterDays: 91 }),
          rule({ ruleName: 'c', enableContinuousBackup: true, deleteAfterDays: 35 }),
          rule({ ruleName: 'd', scheduleExpression: 'cron(59 */2 L * ? 2199)', deleteAfterDays: 36500 }),
          rule({ ruleName: 'e', scheduleExpression: 'cron(0 0-23/6 ? JAN-DEC MON-FRI *)' }),
          rule({ ruleName: 'f', scheduleExpression: 'cron(0 5 ? * 6#3 *)' }),
          rule({ ruleName: 'g', scheduleExpression: 'cron(0 5 15W * ? *)' }),
          rule({
            ruleName: 'h',
            // Another account in this region is a valid copy destination.
            copyActions: [
              { destinationVaultArn: 'arn:aws:backup:us-east-1:210987654321:backup-vault:bunker' },
              { destinationVaultArn: DR_VAULT, moveToColdStorageAfterDays: 1, deleteAfterDays: 91 },
            ],
          }),
        ],
        resourceArns: Array.from(
          { length: 500 },
          (_, i) => `arn:aws:dynamodb:us-east-1:123456789012:table/t${i}`,
        ),
        tagConditions: [{ key: 'k'.repeat(128), value: 'v'.repeat(256) }],
        restoreTesting: {
          scheduleExpression: 'cron(0/30 * ? * * *)',
          selectionWindowDays: 365,
          startWindowHours: 168,
          selections: [
            { protectedResourceType: RestoreTestingResourceType.RDS, validationWindowHours: 0 },
            {
              protectedResourceType: RestoreTestingResourceType.DYNAMO_DB,
              validationWindowHours: 168,
              protectedResourceArns: Array.from(
                { length: 30 },
                (_, i) => `arn:aws:dynamodb:us-east-1:1:table/${i}`,
              ),
            },
          ],
        },
      }),
    ).not.toThrow();
  });

  it('skips the same-region copy check when the region is not known at synth', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', {});

    expect(
      () =>
        new BackupSchedule(stack, 'Backups', {
          resourceArns: [DATABASE_ARN],
          rules: [rule({ copyActions: [{ destinationVaultArn: SAME_REGION_VAULT }] })],
        }),
    ).not.toThrow();
  });

  it("reads the region from the vault's KMS key when the provider sets none", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', {});

    expectValidationError(
      () =>
        new BackupSchedule(stack, 'Backups', {
          resourceArns: [DATABASE_ARN],
          kmsKeyArn: REPLICA_KMS_KEY_ARN,
          rules: [rule({ copyActions: [{ destinationVaultArn: DR_VAULT }] })],
        }),
      'test/Backups',
      'rules[0].copyActions[0].destinationVaultArn',
      /is in eu-west-1, the region of this vault/,
    );
  });
});
