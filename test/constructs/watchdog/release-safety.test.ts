/**
 * The watchdog's release-safety props: the backup readiness gate (configuration, IAM, the timeout and
 * concurrency its wait needs), the data restore's role, the deploy freeze, verified callers, group
 * membership and this release's overrides (in the capture's input). Nothing new is granted when none
 * of them is configured; each bad value fails at synth naming the prop.
 */
import { Fn, type TerraformStack } from 'cdktf';
import {
  BlueGreenListener,
  RollbackWatchdog,
  SwitchbackService,
  VerifiedCallers,
  VersionedArtifactStore,
  type ReleaseBackupProps,
  type RollbackWatchdogProps,
} from '../../../index';
import { parseWatchdogConfig } from '../../../lib';
import { blockAt, newStack, synthStack, watchdogConfigOf, type SynthesizedStack } from '../../support/synth';
import { expectValidationError } from '../../support/validation';
import { LOAD_BALANCER_ARN, VPC_ID } from '../fixtures';

const BACKUP_ROLE = 'arn:aws:iam::123456789012:role/backup';
const RESTORE_ROLE = 'arn:aws:iam::123456789012:role/restore';
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const DATABASE = 'arn:aws:rds:us-east-1:123456789012:db:orders';
const COORDINATOR = 'arn:aws:lambda:eu-west-1:123456789012:function:switchback-group-shop';
const BACKUP: ReleaseBackupProps = {
  vaultName: 'checkout-vault',
  roleArn: BACKUP_ROLE,
  resourceArns: [TABLE],
};

/** The statements of the watchdog's role policy, as synthesized. */
type Statement = { sid: string; actions: string[]; resources: string[]; condition?: unknown[] };
const statements = (json: SynthesizedStack) =>
  blockAt(json, 'aws_iam_policy_document', 'Watchdog/Permissions', 'data').statement as Statement[];
const sidsOf = (json: SynthesizedStack) => statements(json).map((s) => s.sid);
const statement = (json: SynthesizedStack, sid: string) => statements(json).find((s) => s.sid === sid);

/** A stack with a store and a listener; `watchdog(props)` adds the watchdog under test. */
function fixture() {
  const { stack } = newStack();
  const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
  const listener = new BlueGreenListener(stack, 'BlueGreen', {
    serviceName: 'checkout',
    loadBalancerArn: LOAD_BALANCER_ARN,
    vpcId: VPC_ID,
  });
  const watchdog = (props: Partial<RollbackWatchdogProps> = {}) =>
    new RollbackWatchdog(stack, 'Watchdog', { store, releaseId: 'r42', listeners: [listener], ...props });
  return { stack, watchdog };
}

function build(props: Partial<RollbackWatchdogProps> = {}): {
  json: SynthesizedStack;
  stack: TerraformStack;
} {
  const { stack, watchdog } = fixture();
  watchdog(props);
  return { json: synthStack(stack), stack };
}

const configOf = (json: SynthesizedStack) =>
  parseWatchdogConfig(
    JSON.parse(JSON.stringify(watchdogConfigOf(json, 'Watchdog/Configuration', 'checkout'))),
    { isUnresolved: (value) => typeof value === 'string' && value.includes('${') },
  );

/** The release-safety statements: none of them may appear unless their feature is configured. */
const RELEASE_SAFETY_SIDS = [
  'ReadReleaseRecoveryPoints',
  'RestoreReleaseRecoveryPoints',
  'FollowRestoreJobsUnscopable',
  'CheckBackupReadinessUnscopable',
  'ReportToRollbackGroup',
];

describe('RollbackWatchdog release safety: nothing new unless configured', () => {
  it('grants no backup, restore or group permission, and captures with the release id only', () => {
    const { json } = build();

    const sids = sidsOf(json);
    expect(sids.filter((sid) => RELEASE_SAFETY_SIDS.includes(sid))).toEqual([]);
    expect(
      statements(json)
        .flatMap((s) => s.actions)
        .filter((a) => a.startsWith('backup:')),
    ).toEqual([]);
    expect(statements(json).flatMap((s) => s.actions)).not.toContain('lambda:InvokeFunction');
    expect(blockAt(json, 'aws_lambda_invocation', 'Watchdog/CaptureOnDeploy').input).toBe(
      JSON.stringify({ action: 'capture', releaseId: 'r42' }),
    );
    const fn = blockAt(json, 'aws_lambda_function', 'Watchdog/Function');
    expect(fn).toEqual(expect.objectContaining({ timeout: 90, reserved_concurrent_executions: 1 }));
    const config = configOf(json);
    expect(config.group).toBeUndefined();
    // lib's defaults: the freeze is on for a day, and manual actions must prove who sent them.
    expect(config.policy).toEqual(
      expect.objectContaining({ freezeMinutes: 1440, verifiedCallers: 'required' }),
    );
  });

  it('with a release backup but no gate, adds the restore of its recovery points and nothing for the gate', () => {
    const { json } = build({ backup: BACKUP });

    expect(sidsOf(json).filter((sid) => RELEASE_SAFETY_SIDS.includes(sid))).toEqual([
      'ReadReleaseRecoveryPoints',
      'RestoreReleaseRecoveryPoints',
      'FollowRestoreJobsUnscopable',
    ]);
    expect(statement(json, 'PassBackupRoleToBackupOnly')?.resources).toEqual([BACKUP_ROLE]);
    // restore-data learns a recovery point from its backup job (RDS, EBS, S3 answer it only later).
    expect(statement(json, 'FollowRestoreJobsUnscopable')?.actions).toEqual([
      'backup:DescribeRestoreJob',
      'backup:DescribeBackupJob',
    ]);
  });
});

describe('RollbackWatchdog backup readiness gate', () => {
  it('writes the gate into the configuration and grants the reads each check needs, on * (no resource type)', () => {
    const { json } = build({
      backup: { ...BACKUP, readiness: { maxRecoveryPointAgeHours: 24, maxRestoreTestAgeDays: 7 } },
    });

    expect(configOf(json).backup?.readiness).toEqual({
      maxRecoveryPointAgeHours: 24,
      maxRestoreTestAgeDays: 7,
    });
    expect(statement(json, 'CheckBackupReadinessUnscopable')).toEqual(
      expect.objectContaining({
        actions: ['backup:ListRecoveryPointsByResource', 'backup:ListRestoreJobsByProtectedResource'],
        resources: ['*'],
      }),
    );
    // Without a wait, the function keeps its timeout and runs one at a time.
    expect(blockAt(json, 'aws_lambda_function', 'Watchdog/Function')).toEqual(
      expect.objectContaining({ timeout: 90, reserved_concurrent_executions: 1 }),
    );
  });

  it('waiting for the backup: DescribeBackupJob, a timeout covering the wait plus a margin, and a second slot', () => {
    const { json } = build({ backup: { ...BACKUP, readiness: { waitForBackupSeconds: 300 } } });

    expect(statement(json, 'CheckBackupReadinessUnscopable')).toBeUndefined();
    expect(statement(json, 'FollowRestoreJobsUnscopable')?.actions).toContain('backup:DescribeBackupJob');
    expect(blockAt(json, 'aws_lambda_function', 'Watchdog/Function')).toEqual(
      expect.objectContaining({ timeout: 360, reserved_concurrent_executions: 2 }),
    );
    // The lock's lease follows the timeout: a run ends well inside it.
    expect(configOf(json).policy.lockTtlSeconds).toBe(390);
    // The capture's invocation has no timeout of its own: Terraform waits for the function.
    expect(Object.keys(blockAt(json, 'aws_lambda_invocation', 'Watchdog/CaptureOnDeploy'))).not.toContain(
      'timeouts',
    );
  });

  it('keeps the 90 s default when the wait and its margin fit in it, and a timeout given that covers the wait', () => {
    const short = build({ backup: { ...BACKUP, readiness: { waitForBackupSeconds: 20 } } });
    expect(blockAt(short.json, 'aws_lambda_function', 'Watchdog/Function').timeout).toBe(90);
    const given = build({
      timeoutSeconds: 500,
      backup: { ...BACKUP, readiness: { waitForBackupSeconds: 300 } },
    });
    expect(blockAt(given.json, 'aws_lambda_function', 'Watchdog/Function').timeout).toBe(500);
  });

  it('restores recovery points by their ARNs: AWS Backup’s own and the snapshots of the resources’ types', () => {
    const { json } = build({ backup: { ...BACKUP, resourceArns: [TABLE, DATABASE] } });

    const resources = statement(json, 'RestoreReleaseRecoveryPoints')?.resources ?? [];
    expect(resources).toHaveLength(3);
    expect(resources[0]).toMatch(
      /^arn:\$\{data\.aws_partition\.[^}]+\}:backup:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:recovery-point:\*$/,
    );
    expect(resources[1]).toMatch(/:dynamodb:.*:table\/orders\/backup\/\*$/);
    expect(resources[2]).toMatch(/:rds:.*:snapshot:awsbackup:\*$/);
    expect(statement(json, 'RestoreReleaseRecoveryPoints')?.actions).toEqual(['backup:StartRestoreJob']);
    expect(statement(json, 'ReadReleaseRecoveryPoints')).toEqual(
      expect.objectContaining({
        actions: ['backup:DescribeRecoveryPoint', 'backup:GetRecoveryPointRestoreMetadata'],
        resources,
      }),
    );
    expect(statement(json, 'FollowRestoreJobsUnscopable')).toEqual(
      expect.objectContaining({
        actions: ['backup:DescribeRestoreJob', 'backup:DescribeBackupJob'],
        resources: ['*'],
      }),
    );
  });

  it('covers every snapshot type for a resource ARN only Terraform knows', () => {
    const { json } = build({ backup: { ...BACKUP, resourceArns: [Fn.join('', ['arn:aws:rds:', 'x'])] } });

    const resources = statement(json, 'RestoreReleaseRecoveryPoints')?.resources ?? [];
    expect(resources.map((arn) => arn.replace(/\$\{[^}]+\}/g, '<ref>'))).toEqual([
      'arn:<ref>:backup:<ref>:<ref>:recovery-point:*',
      'arn:<ref>:rds:<ref>:<ref>:snapshot:awsbackup:*',
      'arn:<ref>:rds:<ref>:<ref>:cluster-snapshot:awsbackup:*',
      'arn:<ref>:ec2:<ref>::snapshot/*',
      'arn:<ref>:ec2:<ref>::image/*',
      'arn:<ref>:dynamodb:<ref>:<ref>:table/*/backup/*',
    ]);
  });

  it('passes the restore role, when one is given, to AWS Backup only, and writes it into the configuration', () => {
    const { json } = build({ backup: { ...BACKUP, restoreRoleArn: RESTORE_ROLE } });

    expect(statement(json, 'PassBackupRoleToBackupOnly')).toEqual(
      expect.objectContaining({
        actions: ['iam:PassRole'],
        resources: [BACKUP_ROLE, RESTORE_ROLE],
        condition: [
          { test: 'StringEquals', variable: 'iam:PassedToService', values: ['backup.amazonaws.com'] },
        ],
      }),
    );
    expect(configOf(json).backup?.restoreRoleArn).toBe(RESTORE_ROLE);
  });

  describe('fails at synth', () => {
    it('when the gate sets no check', () => {
      expectValidationError(
        () => fixture().watchdog({ backup: { ...BACKUP, readiness: {} } }),
        'test/Watchdog',
        'backup.readiness',
        /sets no check/,
      );
    });

    it('when a bound is outside lib’s range', () => {
      expectValidationError(
        () => fixture().watchdog({ backup: { ...BACKUP, readiness: { maxRecoveryPointAgeHours: 0 } } }),
        'test/Watchdog',
        'backup.readiness.maxRecoveryPointAgeHours',
        /got 0/,
      );
      expectValidationError(
        () => fixture().watchdog({ backup: { ...BACKUP, readiness: { waitForBackupSeconds: 601 } } }),
        'test/Watchdog',
        'backup.readiness.waitForBackupSeconds',
        /got 601/,
      );
    });

    it('when a bound is only known to Terraform', () => {
      expectValidationError(
        () =>
          fixture().watchdog({
            backup: {
              ...BACKUP,
              readiness: { maxRestoreTestAgeDays: Fn.tonumber('7') as unknown as number },
            },
          }),
        'test/Watchdog',
        'backup.readiness.maxRestoreTestAgeDays',
        /must be known at synth/,
      );
    });

    it('when a timeout given does not cover the wait', () => {
      expectValidationError(
        () =>
          fixture().watchdog({
            timeoutSeconds: 120,
            backup: { ...BACKUP, readiness: { waitForBackupSeconds: 300 } },
          }),
        'test/Watchdog',
        'timeoutSeconds',
        /got 120; the capture waits up to 300 s .* give at least 360/,
      );
    });

    it('when the restore role is not a role ARN', () => {
      expectValidationError(
        () => fixture().watchdog({ backup: { ...BACKUP, restoreRoleArn: 'restore' } }),
        'test/Watchdog',
        'backup.restoreRoleArn',
        /got 'restore'/,
      );
    });
  });
});

describe('RollbackWatchdog freeze and verified callers', () => {
  it('writes freezeMinutes and verifiedCallers into the policy', () => {
    const { json } = build({ freezeMinutes: 0, verifiedCallers: VerifiedCallers.RECORDED });

    expect(configOf(json).policy).toEqual(
      expect.objectContaining({ freezeMinutes: 0, verifiedCallers: 'recorded' }),
    );
    // Verifying a caller is STS checking the caller's own signature: no permission for the watchdog.
    expect(
      statements(json)
        .flatMap((s) => s.actions)
        .filter((a) => a.startsWith('sts:')),
    ).toEqual([]);
  });

  it('fails at synth when freezeMinutes is outside 0-10080', () => {
    expectValidationError(
      () => fixture().watchdog({ freezeMinutes: 10081 }),
      'test/Watchdog',
      'freezeMinutes',
      /got 10081/,
    );
  });

  it('fails at synth when verifiedCallers is not a VerifiedCallers', () => {
    expectValidationError(
      () => fixture().watchdog({ verifiedCallers: 'sometimes' as VerifiedCallers }),
      'test/Watchdog',
      'verifiedCallers',
      /must be one of 'required', 'recorded'/,
    );
  });
});

describe('RollbackWatchdog release overrides', () => {
  const READINESS = { ...BACKUP, readiness: { maxRecoveryPointAgeHours: 24 } };

  it('sends them with this release’s capture, so adding one runs the capture again', () => {
    const { json } = build({
      backup: READINESS,
      releaseOverrides: {
        releaseId: 'r42',
        backupReadinessReason: 'backup vault migration, INC-123',
        freezeReason: 'hotfix for the rollback cause',
        requestedBy: 'alice',
      },
    });

    const invocation = blockAt(json, 'aws_lambda_invocation', 'Watchdog/CaptureOnDeploy');
    expect(JSON.parse(invocation.input as string)).toEqual({
      action: 'capture',
      releaseId: 'r42',
      overrides: {
        backupReadiness: { reason: 'backup vault migration, INC-123', requestedBy: 'alice' },
        freeze: { reason: 'hotfix for the rollback cause', requestedBy: 'alice' },
      },
    });
    expect(invocation.triggers).toEqual({ release_id: 'r42' });
  });

  it('sends only the gates overridden', () => {
    const { json } = build({ releaseOverrides: { releaseId: 'r42', freezeReason: 'hotfix' } });

    expect(
      JSON.parse(blockAt(json, 'aws_lambda_invocation', 'Watchdog/CaptureOnDeploy').input as string),
    ).toEqual({
      action: 'capture',
      releaseId: 'r42',
      overrides: { freeze: { reason: 'hotfix' } },
    });
  });

  describe('fails at synth', () => {
    it('when they were declared for another release', () => {
      expectValidationError(
        () => fixture().watchdog({ releaseOverrides: { releaseId: 'r41', freezeReason: 'hotfix' } }),
        'test/Watchdog',
        'releaseOverrides.releaseId',
        /got 'r41'; the overrides were declared for release 'r41' and this deploy is release 'r42'/,
      );
    });

    it('when they override nothing', () => {
      expectValidationError(
        () => fixture().watchdog({ releaseOverrides: { releaseId: 'r42' } }),
        'test/Watchdog',
        'releaseOverrides',
        /overrides nothing/,
      );
    });

    it('when the capture on deploy is off', () => {
      expectValidationError(
        () =>
          fixture().watchdog({
            captureOnDeploy: false,
            releaseOverrides: { releaseId: 'r42', freezeReason: 'hotfix' },
          }),
        'test/Watchdog',
        'releaseOverrides',
        /captureOnDeploy: false/,
      );
    });

    it('when the backup readiness gate they override is not configured', () => {
      expectValidationError(
        () =>
          fixture().watchdog({ releaseOverrides: { releaseId: 'r42', backupReadinessReason: 'why not' } }),
        'test/Watchdog',
        'releaseOverrides.backupReadinessReason',
        /not configured/,
      );
    });

    it('when a reason is empty or too long', () => {
      expectValidationError(
        () => fixture().watchdog({ releaseOverrides: { releaseId: 'r42', freezeReason: '' } }),
        'test/Watchdog',
        'releaseOverrides.freezeReason',
        /got ''/,
      );
      expectValidationError(
        () => fixture().watchdog({ releaseOverrides: { releaseId: 'r42', freezeReason: 'x'.repeat(501) } }),
        'test/Watchdog',
        'releaseOverrides.freezeReason',
        /<=500 characters/,
      );
    });
  });
});

describe('RollbackWatchdog group membership', () => {
  it('given as a prop: names the coordinator in the configuration and may invoke it, only it', () => {
    const { json } = build({ groupMembership: { groupName: 'shop', coordinatorFunctionArn: COORDINATOR } });

    expect(configOf(json).group).toEqual({ name: 'shop', coordinatorFunctionArn: COORDINATOR });
    expect(statement(json, 'ReportToRollbackGroup')).toEqual(
      expect.objectContaining({ actions: ['lambda:InvokeFunction'], resources: [COORDINATOR] }),
    );
  });

  it('set after construction with joinGroup, as a RollbackGroup does', () => {
    const { stack, watchdog } = fixture();
    const made = watchdog();
    made.joinGroup({ groupName: 'shop', coordinatorFunctionArn: COORDINATOR });

    const json = synthStack(stack);
    expect(made.groupMembership).toEqual({ groupName: 'shop', coordinatorFunctionArn: COORDINATOR });
    expect(configOf(json).group).toEqual({ name: 'shop', coordinatorFunctionArn: COORDINATOR });
    expect(statement(json, 'ReportToRollbackGroup')?.resources).toEqual([COORDINATOR]);
  });

  describe('fails at synth', () => {
    it('when the group name is not one', () => {
      expectValidationError(
        () =>
          fixture().watchdog({ groupMembership: { groupName: 'Shop', coordinatorFunctionArn: COORDINATOR } }),
        'test/Watchdog',
        'groupMembership.groupName',
        /got 'Shop'/,
      );
    });

    it('when the coordinator is not a function ARN', () => {
      expectValidationError(
        () =>
          fixture().watchdog({
            groupMembership: { groupName: 'shop', coordinatorFunctionArn: `${COORDINATOR}:live` },
          }),
        'test/Watchdog',
        'groupMembership.coordinatorFunctionArn',
        /switchback-group-shop:live/,
      );
    });

    it('when it joins a second group', () => {
      const made = fixture().watchdog({
        groupMembership: { groupName: 'shop', coordinatorFunctionArn: COORDINATOR },
      });
      expectValidationError(
        () => made.joinGroup({ groupName: 'payments', coordinatorFunctionArn: COORDINATOR }),
        'test/Watchdog',
        'joinGroup(membership)',
        /a member of the rollback group 'shop' already/,
      );
    });
  });
});

describe('SwitchbackService passes the release-safety options through', () => {
  const serviceProps = {
    releaseId: 'r7',
    loadBalancerArn: LOAD_BALANCER_ARN,
    vpcId: VPC_ID,
  };

  it('the readiness gate of the release backup, the overrides and the watchdog options', () => {
    const { stack } = newStack();
    new SwitchbackService(stack, 'Checkout', {
      ...serviceProps,
      releaseOverrides: { releaseId: 'r7', backupReadinessReason: 'restore test rerun pending' },
      watchdog: { freezeMinutes: 60, verifiedCallers: VerifiedCallers.RECORDED },
      backup: {
        resourceArns: [TABLE],
        backupBeforeRelease: true,
        releaseBackupReadiness: { maxRecoveryPointAgeHours: 26 },
      },
    });
    const json = synthStack(stack);

    const config = parseWatchdogConfig(
      JSON.parse(JSON.stringify(watchdogConfigOf(json, 'Checkout/Watchdog/Configuration', 'checkout'))),
      { isUnresolved: (value) => typeof value === 'string' && value.includes('${') },
    );
    expect(config.backup?.readiness).toEqual({ maxRecoveryPointAgeHours: 26 });
    expect(config.policy).toEqual(
      expect.objectContaining({ freezeMinutes: 60, verifiedCallers: 'recorded' }),
    );
    expect(
      JSON.parse(blockAt(json, 'aws_lambda_invocation', 'Checkout/Watchdog/CaptureOnDeploy').input as string),
    ).toEqual(
      expect.objectContaining({ overrides: { backupReadiness: { reason: 'restore test rerun pending' } } }),
    );
  });

  it('fails at synth when the gate is asked for without the backup before each release', () => {
    const { stack } = newStack();
    expectValidationError(
      () =>
        new SwitchbackService(stack, 'Checkout', {
          ...serviceProps,
          backup: { resourceArns: [TABLE], releaseBackupReadiness: { maxRecoveryPointAgeHours: 26 } },
        }),
      'test/Checkout',
      'backup.releaseBackupReadiness',
      /needs backupBeforeRelease: true/,
    );
  });
});
