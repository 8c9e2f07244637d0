/**
 * Property-based fuzzing of every public construct: props drawn from a mix of valid, boundary and
 * invalid values and Terraform tokens either synthesize, with every reference pointing at something
 * the stack defines, or fail with a SwitchbackValidationError. Anything else (a TypeError, a cdktf or
 * provider error) is a crash, and fast-check prints the seed and the smallest props that cause it.
 *
 * FUZZ_SEED and FUZZ_RUNS change the seed (fixed by default, so CI is repeatable) and the runs.
 */
import type { TerraformStack } from 'cdktf';
import fc from 'fast-check';
import {
  ApplicationProtocol,
  BackupSchedule,
  BackupVaultEvent,
  BackupVaultLockMode,
  BlueGreenListener,
  Color,
  KpiComparison,
  KpiStatistic,
  ListenerRole,
  MissingDataTreatment,
  ObjectLockMode,
  ReplicationStorageClass,
  StoreEncryption,
  TargetType,
  RollbackAlarms,
  RollbackWatchdog,
  SwitchbackService,
  VersionedArtifactStore,
  WatchdogArchitecture,
  type BackupScheduleProps,
  type BlueGreenListenerProps,
  type RollbackAlarmsProps,
  type RollbackWatchdogProps,
  type SwitchbackServiceProps,
  type VersionedArtifactStoreProps,
} from '../../index';
import { SwitchbackValidationError } from '../../constructs/internal/validation';
import { newStack, synthStack } from '../support/synth';
import { danglingReferences, materialize, propsOf, type Gen } from './fuzz-support';
import { CERTIFICATE_ARN, KMS_KEY_ARN, LOAD_BALANCER_ARN, REPLICA_KMS_KEY_ARN, VPC_ID } from './fixtures';

const SEED = Number(process.env.FUZZ_SEED ?? '20261122');
const RUNS = Number(process.env.FUZZ_RUNS ?? '50');
/** Constructs that bundle the watchdog zip an asset per stack: fewer runs keep the file fast. */
const ASSET_RUNS = Math.max(1, Math.round(RUNS * 0.6));

/** How the property's runs ended. */
interface Tally {
  synthesized: number;
  refused: number;
  /** How often each prop was refused, to tell a generator that only makes bad props. */
  refusedProps: Record<string, number>;
}

/**
 * Defines the construct from each generated props in a fresh stack and synthesizes it: it must
 * synthesize with no dangling reference, or refuse with a SwitchbackValidationError.
 */
function synthesizesOrRefuses<P>(
  props: fc.Arbitrary<P>,
  define: (stack: TerraformStack, props: P) => void,
  numRuns = RUNS,
): Tally {
  const tally: Tally = { synthesized: 0, refused: 0, refusedProps: {} };
  fc.assert(
    fc.property(props, (generated) => {
      const { stack } = newStack();
      let json;
      try {
        define(stack, materialize(stack, generated));
        json = synthStack(stack);
      } catch (error) {
        if (!(error instanceof SwitchbackValidationError)) throw error;
        // A refusal names the construct and the prop, and says what is allowed.
        expect(error.message).toMatch(/^test\/\S+: invalid prop '[\w.[\]]+': .{10,}/);
        tally.refused++;
        tally.refusedProps[error.prop] = (tally.refusedProps[error.prop] ?? 0) + 1;
        return;
      }
      expect(danglingReferences(json)).toEqual([]);
      tally.synthesized++;
    }),
    { numRuns, seed: SEED },
  );
  return tally;
}

/** A generator that only ever produced refusals would prove nothing about references. */
function expectSomeSynthesized(tally: Tally): void {
  if (tally.synthesized === 0)
    throw new Error(`no props synthesized; refusals by prop: ${JSON.stringify(tally.refusedProps)}`);
}

const bool = fc.boolean();
const ROLE_ARN = 'arn:aws:iam::123456789012:role/on-call';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:alarms';
const ALARM_ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-rollback';
const TARGET_GROUP_SUFFIX = 'targetgroup/checkout-blue/2453ed029918f21f';
const DATABASE_ARN = 'arn:aws:rds:us-east-1:123456789012:db:checkout';
const SERVICE_NAMES = ['checkout', 'a', 'c'.repeat(40)];
const BAD_SERVICE_NAMES = ['c'.repeat(41), 'Checkout', 'check_out', '-a', ''];
const HTTP_PORT = (g: Gen) => g.integer(1, 65535);

const storeProps = (g: Gen): fc.Arbitrary<VersionedArtifactStoreProps> =>
  fc.record(
    {
      serviceName: g.text(SERVICE_NAMES, BAD_SERVICE_NAMES),
      bucketName: g.text(
        ['checkout-artifacts', 'abc', 'b'.repeat(63)],
        ['ab', 'a.b.c', 'xn--bucket', 'Upper', 'b'.repeat(64)],
      ),
      encryption: g.choice([StoreEncryption.KMS, StoreEncryption.S3], ['none']),
      kmsKeyArn: g.text([KMS_KEY_ARN], ['arn:aws:kms:us-east-1:123456789012:alias/x', 'key']),
      noncurrentVersionsToKeep: g.integer(1, 100),
      noncurrentVersionRetentionDays: g.integer(1, 3650),
      abortIncompleteMultipartUploadDays: g.integer(1, 365),
      objectLock: fc.record(
        {
          mode: g.choice([ObjectLockMode.GOVERNANCE, ObjectLockMode.COMPLIANCE], ['LEGAL']),
          retentionDays: g.integer(1, 36500),
          retentionYears: g.integer(1, 100),
        },
        { requiredKeys: ['mode'] },
      ),
      accessLogging: fc.record(
        {
          targetBucket: g.text(['checkout-logs'], ['checkout-artifacts', '']),
          targetPrefix: g.text(['logs/'], ['']),
        },
        { requiredKeys: ['targetBucket'] },
      ),
      replication: fc.record(
        {
          destinationBucketArn: g.text(
            ['arn:aws:s3:::checkout-replica'],
            ['arn:aws:s3:::checkout-artifacts', 'bucket'],
          ),
          destinationKmsKeyArn: g.text([REPLICA_KMS_KEY_ARN], ['nope']),
          storageClass: g.choice(
            [ReplicationStorageClass.STANDARD, ReplicationStorageClass.GLACIER],
            ['FAST'],
          ),
          replicateDeleteMarkers: bool,
          roleArn: g.text([ROLE_ARN], ['role']),
        },
        { requiredKeys: ['destinationBucketArn'] },
      ),
      forceDestroy: bool,
    },
    { requiredKeys: [] },
  );

const listenerFields = (g: Gen) => ({
  protocol: g.choice([ApplicationProtocol.HTTP, ApplicationProtocol.HTTPS], ['TCP']),
  port: HTTP_PORT(g),
  additionalCertificateArns: g.list(g.text([CERTIFICATE_ARN], ['cert'])),
  sslPolicy: g.text(
    ['ELBSecurityPolicy-TLS13-1-2-2021-06'],
    ['ELBSecurityPolicy-2016-08', 'ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06'],
  ),
  httpRedirect: fc.record({ port: HTTP_PORT(g) }, { requiredKeys: [] }),
  testListener: fc.record({ port: HTTP_PORT(g) }, { requiredKeys: [] }),
  targetProtocol: g.choice([ApplicationProtocol.HTTP, ApplicationProtocol.HTTPS]),
  targetPort: HTTP_PORT(g),
  targetType: g.choice([TargetType.IP, TargetType.INSTANCE, TargetType.LAMBDA], ['alb']),
  healthCheck: fc.record(
    {
      enabled: bool,
      path: g.text(['/healthz', '/'], ['healthz', '']),
      port: HTTP_PORT(g),
      protocol: g.choice([ApplicationProtocol.HTTP, ApplicationProtocol.HTTPS]),
      healthyHttpCodes: g.text(['200', '200-299', '200,204'], ['99', 'ok']),
      intervalSeconds: g.integer(5, 300),
      timeoutSeconds: g.integer(2, 120),
      healthyThresholdCount: g.integer(2, 10),
      unhealthyThresholdCount: g.integer(2, 10),
    },
    { requiredKeys: [] },
  ),
  deregistrationDelaySeconds: g.integer(0, 3600),
  slowStartSeconds: fc.oneof(g.integer(30, 900), fc.constant(0)),
  stickiness: fc.record({ durationSeconds: g.integer(1, 604800) }, { requiredKeys: [] }),
  activeColor: g.choice([Color.BLUE, Color.GREEN], ['red']),
  canaryWeightPercent: g.integer(0, 100),
  rules: g.list(
    fc.record(
      {
        priority: g.integer(1, 50000),
        pathPatterns: g.list(g.text(['/api/*'], ['', 'p'.repeat(129)]), 6),
        hostHeaders: g.list(g.text(['shop.example.com']), 2),
      },
      { requiredKeys: ['priority'] },
    ),
    3,
  ),
});

const listenerProps = (g: Gen): fc.Arbitrary<BlueGreenListenerProps> =>
  fc.record(
    {
      loadBalancerArn: g.text(
        [LOAD_BALANCER_ARN],
        ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/x'],
      ),
      vpcId: g.text([VPC_ID], ['vpc-1', 'subnet-0123456789abcdef0']),
      serviceName: g.text(SERVICE_NAMES, BAD_SERVICE_NAMES),
      certificateArn: g.text([CERTIFICATE_ARN], ['arn:aws:iam::123456789012:server-certificate/x']),
      ...listenerFields(g),
      rollbackHold: fc.record(
        {
          storeBucket: g.text(['checkout-artifacts'], ['']),
          releaseId: g.text(['r42'], ['a b', '']),
          acknowledged: bool,
        },
        { requiredKeys: ['storeBucket', 'releaseId'] },
      ),
    },
    { requiredKeys: ['loadBalancerArn', 'vpcId'] },
  );

const alarmFields = (g: Gen) => ({
  alarmNamePrefix: g.text(['checkout'], ['', 'x'.repeat(300)]),
  errorRatePercent: g.integer(1, 100),
  p99LatencySeconds: g.integer(1, 60),
  unhealthyHostThreshold: g.integer(1, 100),
  kpi: fc.record(
    {
      namespace: g.text(['Checkout'], ['AWS/Foo', '']),
      metricName: g.text(['OrdersPlaced'], ['']),
      dimensions: g.list(fc.record({ name: g.text(['Service']), value: g.text(['checkout']) }), 3),
      statistic: g.choice([KpiStatistic.SUM, KpiStatistic.AVERAGE], ['p99']),
      comparison: g.choice(
        [KpiComparison.LESS_THAN_THRESHOLD, KpiComparison.GREATER_THAN_THRESHOLD],
        ['Equal'],
      ),
      threshold: g.integer(-1000, 1000),
      highResolution: bool,
      treatMissingData: g.choice(Object.values(MissingDataTreatment), ['maybe']),
    },
    { requiredKeys: ['namespace', 'metricName', 'statistic', 'comparison', 'threshold'] },
  ),
  periodSeconds: fc.oneof(fc.constantFrom(10, 30, 60, 120, 300), g.integer(1, 86400)),
  evaluationPeriods: g.integer(1, 10),
  datapointsToAlarm: g.integer(1, 10),
  requiredBreaches: g.integer(1, 4),
});

const alarmsProps = (g: Gen): fc.Arbitrary<RollbackAlarmsProps> =>
  fc.record(
    {
      loadBalancerArnSuffix: g.text(['app/shop/50dc6c495c0c9188'], ['shop', LOAD_BALANCER_ARN]),
      targetGroupArnSuffix: g.text([TARGET_GROUP_SUFFIX], ['checkout-blue']),
      serviceName: g.text(SERVICE_NAMES, BAD_SERVICE_NAMES),
      ...alarmFields(g),
      alarmActionArns: g.list(
        g.text([TOPIC_ARN, 'arn:aws:lambda:us-east-1:123456789012:function:watchdog'], ['topic']),
      ),
      evaluationWindowMinutes: g.integer(1, 1440),
    },
    { requiredKeys: ['loadBalancerArnSuffix', 'targetGroupArnSuffix'] },
  );

const watchdogFields = (g: Gen) => ({
  protectedListeners: g.list(
    fc.record({
      name: g.text(['legacy'], ['']),
      role: g.choice([ListenerRole.PRODUCTION, ListenerRole.TEST], ['staging']),
      listenerArn: g.text(
        [
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
        ],
        ['listener'],
      ),
      targetGroupArns: fc.record({
        blue: g.text([
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy-blue/2453ed029918f21f',
        ]),
        green: g.text([
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy-green/2453ed029918f21f',
        ]),
      }),
    }),
    2,
  ),
  aliases: g.list(
    fc.record({ functionName: g.text(['checkout-api'], ['']), aliasName: g.text(['live'], ['$LATEST']) }),
    2,
  ),
  parameterNames: g.list(g.text(['/checkout/flags'], ['flags', '']), 2),
  parameterKmsKeyArns: g.list(g.text([KMS_KEY_ARN], ['key']), 2),
  artifactKeys: g.list(g.text(['artifacts/checkout/app.zip'], ['app.zip', 'artifacts/']), 2),
  healthPing: fc.record(
    {
      urls: g.list(g.text(['https://checkout.example.com/healthz'], ['ftp://x.example.com', '']), 2),
      intervalSeconds: g.integer(1, 60),
      failuresToBreach: g.integer(1, 10),
      timeoutMs: g.integer(100, 10000),
      scheduleMinutes: g.integer(1, 60),
    },
    { requiredKeys: ['urls'] },
  ),
  evaluationWindowMinutes: g.integer(5, 1440),
  cooldownMinutes: g.integer(0, 1440),
  maxAutomaticRollbacks: g.integer(1, 100),
  budgetWindowMinutes: g.integer(1, 10080),
  maxEventAgeSeconds: g.integer(60, 21600),
  allowCaptureWhileAlarming: bool,
  minHealthyTargets: g.integer(1, 100),
  minHealthyPercentOfCandidate: g.integer(0, 100),
  repageMinutes: g.integer(1, 1440),
  scheduleTick: bool,
  serviceRegion: g.text(['us-east-1', 'eu-west-1'], ['mars-1']),
  operatorRoleArns: g.list(g.text([ROLE_ARN], ['role']), 2),
  alarmTopicArns: g.list(g.text([TOPIC_ARN], ['topic']), 2),
  eventBridgeTrigger: bool,
  captureOnDeploy: bool,
  architecture: g.choice([WatchdogArchitecture.ARM_64, WatchdogArchitecture.X86_64], ['mips']),
  memorySizeMb: g.integer(128, 10240),
  timeoutSeconds: g.integer(1, 900),
  logRetentionDays: g.choice([1, 7, 14, 30, 365, 3653], [0, 2, 100, 4000, 1.5]),
  tracing: bool,
});

/** The watchdog's own props; the store and listener it protects are defined valid in the test. */
type FuzzedWatchdogProps = Omit<RollbackWatchdogProps, 'store' | 'listeners'> & {
  readonly withListener: boolean;
};

const watchdogProps = (g: Gen): fc.Arbitrary<FuzzedWatchdogProps> =>
  fc.record(
    {
      releaseId: g.text(['r42'], ['a b', '']),
      withListener: bool,
      serviceName: g.text(SERVICE_NAMES, BAD_SERVICE_NAMES),
      alarms: g.list(
        fc.record({ name: g.text(['checkout-rollback'], ['']), arn: g.text([ALARM_ARN], ['alarm']) }),
        2,
      ),
      backup: fc.record(
        {
          vaultName: g.text(['checkout-vault'], ['']),
          roleArn: g.text([ROLE_ARN], ['role']),
          resourceArns: g.list(g.text([DATABASE_ARN], ['db']), 2),
          deleteAfterDays: g.integer(1, 36500),
        },
        { requiredKeys: ['vaultName', 'roleArn', 'resourceArns'] },
      ),
      ...watchdogFields(g),
    },
    { requiredKeys: ['releaseId', 'withListener'] },
  );

const backupFields = (g: Gen) => ({
  vaultName: g.text(['checkout-backups'], ['', 'v'.repeat(51)]),
  kmsKeyArn: g.text([KMS_KEY_ARN], ['key']),
  region: g.text(['us-east-1', 'eu-west-1'], ['moon']),
  accountId: g.text(['123456789012'], ['12345']),
  rules: g.list(
    fc.record(
      {
        ruleName: g.text(['daily'], ['', 'bad name']),
        scheduleExpression: g.text(
          ['cron(0 5 ? * * *)', 'cron(0 * ? * * *)'],
          ['rate(1 hour)', 'cron(*/5 * ? * * *)', 'daily'],
        ),
        scheduleExpressionTimezone: g.text(['Europe/Paris'], ['Mars/Base']),
        startWindowMinutes: g.integer(60, 10080),
        completionWindowMinutes: g.integer(120, 10080),
        moveToColdStorageAfterDays: g.integer(1, 36500),
        deleteAfterDays: g.integer(1, 36500),
        enableContinuousBackup: bool,
        copyActions: g.list(
          fc.record(
            {
              destinationVaultArn: g.text(
                ['arn:aws:backup:eu-west-1:123456789012:backup-vault:checkout-dr'],
                ['vault'],
              ),
              deleteAfterDays: g.integer(1, 36500),
            },
            { requiredKeys: ['destinationVaultArn'] },
          ),
          2,
        ),
        recoveryPointTags: g.list(fc.record({ key: g.text(['team'], ['']), value: g.text(['payments']) }), 2),
      },
      { requiredKeys: ['ruleName', 'scheduleExpression'] },
    ),
    3,
  ),
  resourceArns: g.list(g.text([DATABASE_ARN, 'arn:aws:s3:::checkout-artifacts'], ['*', 'db']), 3),
  tagConditions: g.list(fc.record({ key: g.text(['backup'], ['']), value: g.text(['true']) }), 2),
  vaultLock: fc.record(
    {
      mode: g.choice([BackupVaultLockMode.GOVERNANCE, BackupVaultLockMode.COMPLIANCE], ['NONE']),
      minRetentionDays: g.integer(1, 36500),
      maxRetentionDays: g.integer(1, 36500),
      changeableForDays: g.integer(3, 36500),
    },
    { requiredKeys: ['mode', 'minRetentionDays', 'maxRetentionDays'] },
  ),
  vaultPolicyAdminArns: g.list(g.text([ROLE_ARN], ['admin']), 2),
  roleArn: g.text([ROLE_ARN], ['role']),
  notificationTopicArn: g.text([TOPIC_ARN], ['topic']),
  notificationEvents: fc.array(
    g.choice([BackupVaultEvent.BACKUP_JOB_STARTED, BackupVaultEvent.BACKUP_JOB_COMPLETED], ['NOPE']),
    {
      maxLength: 3,
    },
  ),
});

const backupProps = (g: Gen): fc.Arbitrary<BackupScheduleProps> =>
  fc.record(
    { serviceName: g.text(SERVICE_NAMES, BAD_SERVICE_NAMES), ...backupFields(g) },
    { requiredKeys: [] },
  );

const serviceProps = (g: Gen): fc.Arbitrary<SwitchbackServiceProps> => {
  const listener = listenerFields(g);
  const alarms = alarmFields(g);
  const watchdog = watchdogFields(g);
  const backup = backupFields(g);
  return fc.record(
    {
      serviceName: g.text(SERVICE_NAMES, BAD_SERVICE_NAMES),
      releaseId: g.text(['r42'], ['a b', '']),
      loadBalancerArn: g.text([LOAD_BALANCER_ARN], ['lb']),
      vpcId: g.text([VPC_ID], ['vpc']),
      certificateArn: g.text([CERTIFICATE_ARN], ['cert']),
      acknowledgeRollback: bool,
      listener: fc.record(
        {
          canaryWeightPercent: listener.canaryWeightPercent,
          targetPort: listener.targetPort,
          activeColor: listener.activeColor,
          protocol: listener.protocol,
          testListener: listener.testListener,
          rules: listener.rules,
        },
        { requiredKeys: [] },
      ),
      store: fc.record(
        {
          noncurrentVersionsToKeep: g.integer(1, 100),
          encryption: g.choice([StoreEncryption.KMS, StoreEncryption.S3]),
        },
        { requiredKeys: [] },
      ),
      alarms: fc.record(
        {
          errorRatePercent: alarms.errorRatePercent,
          periodSeconds: alarms.periodSeconds,
          evaluationPeriods: alarms.evaluationPeriods,
          requiredBreaches: alarms.requiredBreaches,
          watchColor: g.choice([Color.BLUE, Color.GREEN], ['purple']),
        },
        { requiredKeys: [] },
      ),
      watchdog: fc.record(
        {
          evaluationWindowMinutes: watchdog.evaluationWindowMinutes,
          cooldownMinutes: watchdog.cooldownMinutes,
          timeoutSeconds: watchdog.timeoutSeconds,
          parameterNames: watchdog.parameterNames,
          operatorRoleArns: watchdog.operatorRoleArns,
        },
        { requiredKeys: [] },
      ),
      backup: fc.record(
        {
          resourceArns: backup.resourceArns,
          backupBeforeRelease: bool,
          releaseBackupDeleteAfterDays: g.integer(1, 36500),
          vaultLock: backup.vaultLock,
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['releaseId', 'loadBalancerArn', 'vpcId'] },
  );
};

describe('random construct props synthesize or raise a validation error, never crash', () => {
  // Each property must also have synthesized some props: a generator that only ever produced
  // refusals would prove nothing about references.
  it('VersionedArtifactStore', () => {
    const tally = synthesizesOrRefuses(
      propsOf(storeProps, []),
      (stack, props) => new VersionedArtifactStore(stack, 'Store', props),
    );
    expectSomeSynthesized(tally);
  });

  it('BlueGreenListener', () => {
    const tally = synthesizesOrRefuses(
      propsOf(listenerProps, ['loadBalancerArn', 'vpcId']),
      (stack, props) => new BlueGreenListener(stack, 'BlueGreen', props),
    );
    expectSomeSynthesized(tally);
  });

  it('RollbackAlarms', () => {
    const tally = synthesizesOrRefuses(
      propsOf(alarmsProps, ['loadBalancerArnSuffix', 'targetGroupArnSuffix']),
      (stack, props) => new RollbackAlarms(stack, 'Alarms', props),
    );
    expectSomeSynthesized(tally);
  });

  it('BackupSchedule', () => {
    const tally = synthesizesOrRefuses(
      propsOf(backupProps, ['resourceArns']),
      (stack, props) => new BackupSchedule(stack, 'Backups', props),
    );
    expectSomeSynthesized(tally);
  });

  it('RollbackWatchdog', () => {
    const tally = synthesizesOrRefuses(
      propsOf(watchdogProps, ['releaseId', 'withListener']),
      (stack, { withListener, ...props }) => {
        const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
        const listeners = withListener
          ? [
              new BlueGreenListener(stack, 'BlueGreen', {
                serviceName: 'checkout',
                loadBalancerArn: LOAD_BALANCER_ARN,
                vpcId: VPC_ID,
              }),
            ]
          : [];
        new RollbackWatchdog(stack, 'Watchdog', { ...props, store, listeners });
      },
      ASSET_RUNS,
    );
    expectSomeSynthesized(tally);
  });

  it('SwitchbackService', () => {
    const tally = synthesizesOrRefuses(
      propsOf(serviceProps, ['releaseId', 'loadBalancerArn', 'vpcId']),
      (stack, props) => new SwitchbackService(stack, 'Checkout', props),
      ASSET_RUNS,
    );
    expectSomeSynthesized(tally);
  });
});

describe('the reference check', () => {
  it('finds references to blocks the stack does not define, and tokens left unresolved', () => {
    const problems = danglingReferences({
      resource: { aws_s3_bucket: { store: {} } },
      variable: { vpc_id: {} },
      data: { aws_iam_policy_document: { doc: { json: '${aws_s3_bucket.store.arn}' } } },
      output: {
        ok: { value: '${data.aws_iam_policy_document.doc.json} ${var.vpc_id}' },
        missing: { value: '${aws_s3_bucket.gone.arn} ${data.aws_iam_policy_document.gone.json}' },
        unknown: { value: '${var.nope} ${local.nothing} ${TfToken[TOKEN.1]}' },
      },
    });

    expect(problems.sort()).toEqual(
      [
        'an unresolved token is left in the output',
        'aws_s3_bucket.gone in ${aws_s3_bucket.gone.arn}',
        'data.aws_iam_policy_document.gone in ${data.aws_iam_policy_document.gone.json}',
        'local.nothing in ${local.nothing}',
        'var.nope in ${var.nope}',
      ].sort(),
    );
  });

  it('turns token stand-ins into variables of the stack', () => {
    const { stack } = newStack();
    const props = materialize(stack, { name: '<<token:string>>', nested: { list: ['<<token:list>>'] } });
    const json = synthStack(stack);

    expect(JSON.stringify(json.variable)).toContain('FuzzInput1');
    expect(props.name).not.toBe('<<token:string>>');
    expect(danglingReferences(json)).toEqual([]);
  });
});
