/** docs/constructs/backup-schedule.md: the release hook, a backup at each capture. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { BackupSchedule, BlueGreenListener, RollbackWatchdog, VersionedArtifactStore } from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });
const releaseId = process.env.SWITCHBACK_RELEASE_ID ?? 'local';

const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
const listener = new BlueGreenListener(stack, 'BlueGreen', {
  serviceName: 'checkout',
  loadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
  vpcId: 'vpc-0123456789abcdef0',
});
const schedule = new BackupSchedule(stack, 'Backups', {
  serviceName: 'checkout',
  resourceArns: ['arn:aws:rds:us-east-1:123456789012:db:checkout'],
});

new RollbackWatchdog(stack, 'Watchdog', {
  store,
  releaseId,
  listeners: [listener],
  backup: schedule.releaseBackup, // { vaultName, roleArn, resourceArns }
});
app.synth();
