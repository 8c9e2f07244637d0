/** docs/constructs/backup-schedule.md: a database and the store under one schedule, copied to another region. */
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  BackupPresets,
  BackupSchedule,
  BackupVaultLockMode,
  RestoreTestingResourceType,
  VersionedArtifactStore,
} from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });

// The destination of the copies: a vault in another region, through a second provider.
const dr = new AwsProvider(stack, 'dr', { region: 'eu-west-1', alias: 'dr' });
const drKey = new KmsKey(stack, 'DrBackupKey', { enableKeyRotation: true, provider: dr });
const drVault = new BackupVault(stack, 'DrVault', {
  name: 'checkout-backups-dr',
  kmsKeyArn: drKey.arn,
  provider: dr,
});

const databaseArn = new TerraformVariable(stack, 'databaseArn', {
  type: 'string',
  description: 'The ARN of the RDS database of checkout',
}).stringValue;
const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });

const backups = new BackupSchedule(stack, 'Backups', {
  serviceName: 'checkout',
  resourceArns: [databaseArn, store.bucketArn], // AWS Backup needs S3 versioning: the store has it
  rules: BackupPresets.hourly7DaysDaily35DaysMonthly1Year({
    copyActions: [{ destinationVaultArn: drVault.arn, deleteAfterDays: 35 }],
  }),
  vaultLock: { mode: BackupVaultLockMode.GOVERNANCE, minRetentionDays: 7, maxRetentionDays: 365 },
  vaultPolicyAdminArns: ['arn:aws:iam::123456789012:role/deployer'],
  restoreTesting: {
    selections: [
      { protectedResourceType: RestoreTestingResourceType.RDS, validationWindowHours: 1 },
      { protectedResourceType: RestoreTestingResourceType.S3 },
    ],
  },
});

// The watchdog's `backup` prop: before each release, it backs up the database and the store.
export const releaseBackup = backups.releaseBackup;
app.synth();
