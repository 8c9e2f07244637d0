/**
 * Zero findings by default: the example app and every construct, with its defaults and with its
 * options on, raise no unsuppressed finding. The deliberate exceptions are suppressed inside the
 * constructs, with a reason, and listed here.
 */
import type { TerraformStack } from 'cdktf';
import { Testing } from 'cdktf';
import {
  BackupPresets,
  BackupSchedule,
  BackupVaultLockMode,
  BlueGreenListener,
  ObjectLockMode,
  RollbackAlarms,
  RollbackWatchdog,
  SwitchbackChecks,
  StoreEncryption,
  SwitchbackService,
  TargetType,
  VersionedArtifactStore,
  type CheckFinding,
  type RollbackWatchdogProps,
} from '../../../index';
import { ExampleStack, exampleServiceNames } from '../../../examples/service-stack';
import { ServiceRegionStack, WatchdogRegionStack } from '../../../examples/standalone-watchdog';
import { newStack, synthStack } from '../../support/synth';
import { CERTIFICATE_ARN, KMS_KEY_ARN, LOAD_BALANCER_ARN, REPLICA_KMS_KEY_ARN, VPC_ID } from '../fixtures';

const DATABASE_ARN = 'arn:aws:rds:us-east-1:123456789012:db:orders';
const ALARM = {
  name: 'orders-rollback',
  arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-rollback',
};

/** The findings of a construct built in a fresh stack under the checks. */
function findingsOf(build: (stack: TerraformStack) => void): CheckFinding[] {
  const { stack } = newStack();
  build(stack);
  const checks = SwitchbackChecks.applyTo(stack);
  synthStack(stack);
  return [...checks.findings];
}

const unsuppressed = (findings: readonly CheckFinding[]) =>
  findings.filter((finding) => finding.suppressedBecause === undefined);
const suppressedIds = (findings: readonly CheckFinding[]) =>
  findings
    .filter((finding) => finding.suppressedBecause !== undefined)
    .map((finding) => `${finding.ruleId} ${finding.constructPath}`)
    .sort();

const listenerProps = { loadBalancerArn: LOAD_BALANCER_ARN, vpcId: VPC_ID, certificateArn: CERTIFICATE_ARN };
const watchdogOf = (stack: TerraformStack, props: Partial<RollbackWatchdogProps> = {}) => {
  const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'orders' });
  const listener = new BlueGreenListener(stack, 'BlueGreen', { serviceName: 'orders', ...listenerProps });
  new RollbackWatchdog(stack, 'Watchdog', {
    store,
    releaseId: 'r1',
    listeners: [listener],
    alarms: [ALARM],
    ...props,
  });
};

describe('zero findings by default', () => {
  it('holds for the example app, every stack of it', () => {
    const app = Testing.app();
    const example = new ExampleStack(app, 'switchback-example', {
      serviceNames: exampleServiceNames(2),
      releaseId: 'r1',
    });
    const service = new ServiceRegionStack(app, 'payments-service', { releaseId: 'r1' });
    const watchdog = new WatchdogRegionStack(app, 'payments-watchdog', service, { releaseId: 'r1' });
    const checks = SwitchbackChecks.applyTo(app);

    for (const stack of [example, service, watchdog]) Testing.synth(stack, true);

    expect(unsuppressed(checks.findings)).toEqual([]);
    expect(suppressedIds(checks.findings)).toEqual([
      'SWB-BACKUP-2 switchback-example/checkout/Switchback/Backup/Vault',
      'SWB-BACKUP-3 switchback-example/checkout/Switchback/Backup/Plan',
    ]);
  });

  it.each<[string, (stack: TerraformStack) => void]>([
    ['VersionedArtifactStore', (stack) => new VersionedArtifactStore(stack, 'Store', {})],
    ['BlueGreenListener (HTTPS)', (stack) => new BlueGreenListener(stack, 'BlueGreen', listenerProps)],
    [
      'RollbackAlarms',
      (stack) =>
        new RollbackAlarms(stack, 'Alarms', {
          loadBalancerArnSuffix: 'app/shop/50dc6c495c0c9188',
          targetGroupArnSuffix: 'targetgroup/orders-green/0123456789abcdef',
        }),
    ],
    ['RollbackWatchdog', (stack) => watchdogOf(stack)],
    [
      'SwitchbackService',
      (stack) => new SwitchbackService(stack, 'Orders', { releaseId: 'r1', ...listenerProps }),
    ],
  ])('holds for %s with its defaults, with nothing suppressed', (_name, build) => {
    expect(findingsOf(build)).toEqual([]);
  });

  it('holds for BackupSchedule with its defaults, the missing vault lock and copy suppressed with reasons', () => {
    const findings = findingsOf(
      (stack) => new BackupSchedule(stack, 'Backups', { resourceArns: [DATABASE_ARN] }),
    );

    expect(unsuppressed(findings)).toEqual([]);
    expect(findings.map((finding) => [finding.ruleId, finding.suppressedBecause])).toEqual([
      ['SWB-BACKUP-2', expect.stringContaining('the vault access policy denies deleting recovery points')],
      ['SWB-BACKUP-3', expect.stringContaining('copies to another region are opt-in')],
    ]);
  });

  it('needs no suppression once BackupSchedule is given a vault lock and a copy to another region', () => {
    const findings = findingsOf(
      (stack) =>
        new BackupSchedule(stack, 'Backups', {
          resourceArns: [DATABASE_ARN],
          vaultLock: { mode: BackupVaultLockMode.GOVERNANCE, minRetentionDays: 7, maxRetentionDays: 400 },
          rules: BackupPresets.daily35Days({
            copyActions: [{ destinationVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr' }],
          }),
        }),
    );

    expect(findings).toEqual([]);
  });

  it('holds for the constructs with their options on', () => {
    const findings = findingsOf((stack) => {
      new VersionedArtifactStore(stack, 'Replicated', {
        serviceName: 'replicated',
        kmsKeyArn: KMS_KEY_ARN,
        objectLock: { mode: ObjectLockMode.GOVERNANCE, retentionDays: 30 },
        accessLogging: { targetBucket: 'access-logs-bucket' },
        replication: {
          destinationBucketArn: 'arn:aws:s3:::replica-bucket',
          destinationKmsKeyArn: REPLICA_KMS_KEY_ARN,
        },
      });
      new VersionedArtifactStore(stack, 'SseS3', { serviceName: 'sse-s3', encryption: StoreEncryption.S3 });
      new BlueGreenListener(stack, 'Lambda', {
        ...listenerProps,
        serviceName: 'lambda',
        targetType: TargetType.LAMBDA,
      });
      watchdogOf(stack, {
        healthPing: { urls: ['https://orders.example.com/healthz'] },
        operatorRoleArns: ['arn:aws:iam::123456789012:role/on-call'],
        parameterNames: ['/orders/feature-flags'],
        artifactKeys: ['artifacts/orders/app.zip'],
      });
    });

    expect(unsuppressed(findings)).toEqual([]);
    expect(suppressedIds(findings)).toEqual(['SWB-LAMBDA-1 test/Watchdog/HealthPingFunction']);
  });

  it('leaves one warning for a BlueGreenListener without a certificate: plain HTTP is the user’s choice to suppress', () => {
    const findings = findingsOf(
      (stack) =>
        new BlueGreenListener(stack, 'BlueGreen', { loadBalancerArn: LOAD_BALANCER_ARN, vpcId: VPC_ID }),
    );

    expect(findings.map((finding) => [finding.ruleId, finding.severity, finding.constructPath])).toEqual([
      ['SWB-ALB-2', 'warning', 'test/BlueGreen/ProductionListener'],
    ]);
  });
});
