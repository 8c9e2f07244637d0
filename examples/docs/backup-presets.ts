/** docs/constructs/backup-schedule.md: presets and raw rules mixed, and failure notifications. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { BackupPresets, BackupSchedule } from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });

const schedule = new BackupSchedule(stack, 'Backups', {
  serviceName: 'checkout',
  tagConditions: [{ key: 'backup', value: 'checkout' }],
  rules: [
    ...BackupPresets.daily35Days({ recoveryPointTags: [{ key: 'team', value: 'checkout' }] }),
    { ruleName: 'yearly-7-years', scheduleExpression: 'cron(0 5 1 1 ? *)', deleteAfterDays: 2555 },
  ],
});

// Failed jobs arrive as BACKUP_JOB_COMPLETED / RESTORE_JOB_COMPLETED with a State attribute.
new SnsTopicSubscription(stack, 'BackupFailuresToOnCall', {
  topicArn: schedule.notificationTopicArn,
  protocol: 'email',
  endpoint: 'on-call@example.com',
  filterPolicy: JSON.stringify({ State: [{ 'anything-but': 'COMPLETED' }] }),
});

// Selected by tags only, so name the resources the watchdog backs up before a release.
export const releaseBackup = schedule.releaseBackupFor(['arn:aws:rds:us-east-1:123456789012:db:checkout']);
app.synth();
