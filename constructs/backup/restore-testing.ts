/**
 * Restore testing: a plan that restores recovery points of the vault on a schedule, and one selection
 * per resource type saying which protected resources are restored.
 */
import { BackupRestoreTestingPlan } from '@cdktf/provider-aws/lib/backup-restore-testing-plan';
import { BackupRestoreTestingSelection } from '@cdktf/provider-aws/lib/backup-restore-testing-selection';
import { isKnown, type PropValidator } from '../internal/validation';
import type { BackupContext } from './context';
import { cronProblem } from './cron';
import type { ServiceRole } from './selection';
import { tagMap, validateTags, type BackupTag } from './tags';

/** The resource types a restore testing selection accepts. */
export enum RestoreTestingResourceType {
  /** Amazon Aurora clusters. */
  AURORA = 'Aurora',
  /** Amazon DocumentDB clusters. */
  DOCUMENT_DB = 'DocumentDB',
  /** Amazon DynamoDB tables. */
  DYNAMO_DB = 'DynamoDB',
  /** Amazon EBS volumes. */
  EBS = 'EBS',
  /** Amazon EC2 instances. */
  EC2 = 'EC2',
  /** Amazon EFS file systems. */
  EFS = 'EFS',
  /** Amazon FSx file systems. */
  FSX = 'FSx',
  /** Amazon Neptune clusters. */
  NEPTUNE = 'Neptune',
  /** Amazon RDS databases. */
  RDS = 'RDS',
  /** Amazon S3 buckets. */
  S3 = 'S3',
}

/** How a restore test picks the recovery point it restores. */
export enum RestoreTestingAlgorithm {
  /** The most recent recovery point within the selection window. */
  LATEST_WITHIN_WINDOW = 'LATEST_WITHIN_WINDOW',
  /** A random recovery point within the selection window. */
  RANDOM_WITHIN_WINDOW = 'RANDOM_WITHIN_WINDOW',
}

/** A kind of recovery point a restore test may restore. */
export enum RestoreTestingRecoveryPointType {
  /** Snapshot recovery points. */
  SNAPSHOT = 'SNAPSHOT',
  /** Continuous (point-in-time) recovery points. */
  CONTINUOUS = 'CONTINUOUS',
}

/** Which protected resources of one type are restored on the restore testing schedule. */
export interface RestoreTestingSelectionOptions {
  /** The resource type; one selection per type. */
  readonly protectedResourceType: RestoreTestingResourceType;
  /**
   * Up to 30 ARNs of protected resources of this type, or `['*']` for every resource of this type that
   * has recovery points in this vault.
   * @default ['*'] - every resource of this type
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
  /**
   * How the recovery point to restore is picked.
   * @default RestoreTestingAlgorithm.LATEST_WITHIN_WINDOW
   */
  readonly algorithm?: RestoreTestingAlgorithm;
  /**
   * Which kinds of recovery point may be restored.
   * @default - `SNAPSHOT`, plus `CONTINUOUS` when a rule has continuous backup
   */
  readonly recoveryPointTypes?: RestoreTestingRecoveryPointType[];
  /** How far back, 1-365 days, a recovery point may be picked from. @default 30 */
  readonly selectionWindowDays?: number;
  /** Hours, 1-168, within which a restore test must start. @default 24 */
  readonly startWindowHours?: number;
  /** What is restored: one selection per resource type, at least one. */
  readonly selections: RestoreTestingSelectionOptions[];
}

const DEFAULT_RESTORE_TESTING_SCHEDULE = 'cron(0 8 ? * MON *)';
const RESTORE_TESTING_TYPES: readonly RestoreTestingResourceType[] =
  Object.values(RestoreTestingResourceType);
const RECOVERY_POINT_TYPES: readonly string[] = Object.values(RestoreTestingRecoveryPointType);

export function validateRestoreTesting(check: PropValidator, testing: RestoreTestingOptions): void {
  const schedule = testing.scheduleExpression;
  if (schedule !== undefined && isKnown(schedule)) {
    const problem = cronProblem(schedule, false);
    if (problem) check.fail('restoreTesting.scheduleExpression', schedule, problem);
  }
  check.oneOf('restoreTesting.algorithm', testing.algorithm, Object.values(RestoreTestingAlgorithm));
  const types = testing.recoveryPointTypes;
  if (types !== undefined) {
    if (types.length === 0 || types.some((type) => !RECOVERY_POINT_TYPES.includes(type))) {
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

/** The restore testing resources, as BackupSchedule exposes them. */
export interface RestoreTesting {
  readonly plan: BackupRestoreTestingPlan;
  readonly selections: BackupRestoreTestingSelection[];
}

/**
 * The restore testing plan over `vaultArn` and its selections, restoring with the backup role.
 * `continuous`: a rule has continuous backup, so continuous recovery points may be restored too.
 */
export function defineRestoreTesting(
  context: BackupContext,
  testing: RestoreTestingOptions,
  vaultArn: string,
  role: ServiceRole,
  continuous: boolean,
): RestoreTesting {
  const { scope, serviceName, regional } = context;
  const plan = new BackupRestoreTestingPlan(scope, 'RestoreTestingPlan', {
    // Restore testing plan names: letters, digits and underscores, at most 50.
    name: `${serviceName.replace(/-/g, '_').slice(0, 34)}_restore_testing`,
    scheduleExpression: testing.scheduleExpression ?? DEFAULT_RESTORE_TESTING_SCHEDULE,
    startWindowHours: testing.startWindowHours ?? 24,
    recoveryPointSelection: [
      {
        algorithm: testing.algorithm ?? RestoreTestingAlgorithm.LATEST_WITHIN_WINDOW,
        includeVaults: [vaultArn],
        recoveryPointTypes: testing.recoveryPointTypes ?? [
          RestoreTestingRecoveryPointType.SNAPSHOT,
          ...(continuous ? [RestoreTestingRecoveryPointType.CONTINUOUS] : []),
        ],
        selectionWindowDays: testing.selectionWindowDays ?? 30,
      },
    ],
    ...regional,
  });
  const selections = testing.selections.map((selection) => {
    // Keyed by resource type, which is unique in the plan: reordering selections replaces nothing.
    const type = selection.protectedResourceType;
    return new BackupRestoreTestingSelection(scope, `RestoreTesting${type}`, {
      name: type.toLowerCase(),
      restoreTestingPlanName: plan.name,
      protectedResourceType: type,
      protectedResourceArns: selection.protectedResourceArns ?? ['*'],
      iamRoleArn: role.roleArn,
      ...(selection.validationWindowHours !== undefined
        ? { validationWindowHours: selection.validationWindowHours }
        : {}),
      ...((selection.restoreMetadataOverrides ?? []).length > 0
        ? { restoreMetadataOverrides: tagMap(selection.restoreMetadataOverrides ?? []) }
        : {}),
      ...(role.policyAttachments.length > 0 ? { dependsOn: role.policyAttachments } : {}),
      ...regional,
    });
  });
  return { plan, selections };
}
