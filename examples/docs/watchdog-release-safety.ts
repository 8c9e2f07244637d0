/**
 * docs/constructs/rollback-watchdog.md (Release safety): the backup readiness gate, the freeze,
 * verified callers and an override of one release.
 */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  BackupSchedule,
  BlueGreenListener,
  RestoreTestingResourceType,
  RollbackWatchdog,
  VerifiedCallers,
  VersionedArtifactStore,
} from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'orders');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });
const releaseId = process.env.SWITCHBACK_RELEASE_ID ?? 'r-2024-11-05.2';
const table = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';

const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'orders' });
const listener = new BlueGreenListener(stack, 'BlueGreen', {
  serviceName: 'orders',
  loadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
  vpcId: 'vpc-0123456789abcdef0',
});
// Daily backups and a weekly restore test of the table; its role may back up and restore.
const backups = new BackupSchedule(stack, 'Backups', {
  serviceName: 'orders',
  resourceArns: [table],
  restoreTesting: {
    scheduleExpression: 'cron(0 4 ? * SUN *)',
    selections: [{ protectedResourceType: RestoreTestingResourceType.DYNAMO_DB }],
  },
});

new RollbackWatchdog(stack, 'Watchdog', {
  store,
  releaseId,
  listeners: [listener],
  backup: {
    ...backups.releaseBackup,
    // Refuse the release unless the table has a backup of the last day and a restore test of the
    // last week that passed; wait (up to 5 minutes) for the release's own backup to complete.
    readiness: { maxRecoveryPointAgeHours: 24, maxRestoreTestAgeDays: 7, waitForBackupSeconds: 300 },
  },
  // After a rollback, new releases wait for an acknowledgement, or 12 hours.
  freezeMinutes: 720,
  verifiedCallers: VerifiedCallers.REQUIRED,
  // This release may go out although the gate refuses it: the restore test is being re-run after a
  // vault migration (INC-4711). The override names its release: left in the code, it fails the synth
  // of the next release instead of waving it through.
  releaseOverrides: {
    releaseId: 'r-2024-11-05.2',
    backupReadinessReason: 'restore test re-run pending after the vault migration, INC-4711',
    requestedBy: 'alice@example.com',
  },
});
app.synth();
