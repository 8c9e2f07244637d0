/**
 * The backup plan: its rules (presets or raw), their defaults, their validation (schedule, windows,
 * lifecycle, copies, the vault lock's bounds), and the `aws_backup_plan` built from them.
 */
import { BackupPlan, type BackupPlanRule } from '@cdktf/provider-aws/lib/backup-plan';
import { ARN_PATTERNS } from '../../lib';
import { SwitchbackChecks } from '../checks/switchback-checks';
import { isKnown, type PropValidator } from '../internal/validation';
import type { BackupContext } from './context';
import { cronProblem } from './cron';
import { arnAccount, arnRegion } from './region';
import { tagMap, validateTags, type BackupTag } from './tags';
import { MAX_RETENTION_DAYS, validateLock, type BackupVaultLockOptions } from './vault';

/** A copy of every recovery point a rule creates, to a vault in another region or account. */
export interface BackupCopyActionOptions {
  /**
   * The destination vault's ARN, `arn:aws:backup:<region>:<account>:backup-vault:<name>`. Define the
   * destination vault with a second `AwsProvider` whose `alias` points at the other region (or account)
   * and pass its `arn`.
   */
  readonly destinationVaultArn: string;
  /**
   * Days after creation a copy moves to cold storage (only for resource types that support it; AWS
   * Backup ignores it for the others).
   * @default - the copy keeps the source recovery point's lifecycle
   */
  readonly moveToColdStorageAfterDays?: number;
  /**
   * Days after creation a copy is deleted; at least `moveToColdStorageAfterDays` + 90.
   * @default - the copy keeps the source recovery point's lifecycle
   */
  readonly deleteAfterDays?: number;
}

/** One rule of the backup plan: when to back up, how long to keep it, where to copy it. */
export interface BackupRuleOptions {
  /**
   * The rule's name, 1-50 of `[A-Za-z0-9_.-]`, unique in the plan. It identifies the rule: keep it
   * stable across releases.
   */
  readonly ruleName: string;
  /**
   * When backups start: `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, in UTC unless
   * `scheduleExpressionTimezone` says otherwise, with `?` in exactly one of day-of-month and day-of-week
   * and a single minute (AWS Backup runs a rule at most once an hour), such as `cron(0 5 ? * * *)`.
   */
  readonly scheduleExpression: string;
  /** The IANA time zone of `scheduleExpression`, such as `Europe/Paris`. @default - UTC */
  readonly scheduleExpressionTimezone?: string;
  /**
   * Minutes after the scheduled time within which a job must start, or it is cancelled (and reported):
   * at least 60.
   * @default 60 - a backup that cannot start within the hour fails loudly instead of starting hours late
   */
  readonly startWindowMinutes?: number;
  /**
   * Minutes after the scheduled time within which a started job must complete, or it is cancelled: at
   * least `startWindowMinutes` + 60.
   * @default 10080 - seven days, AWS Backup's own default
   */
  readonly completionWindowMinutes?: number;
  /**
   * Days after creation a recovery point moves to cold storage (only for resource types that support
   * it; AWS Backup ignores it for the others). Not with continuous backup.
   * @default - never moved to cold storage
   */
  readonly moveToColdStorageAfterDays?: number;
  /**
   * Days after creation a recovery point is deleted: at least `moveToColdStorageAfterDays` + 90, at most
   * 35 with continuous backup, within the vault lock's bounds when there is one.
   * @default - 35 with continuous backup; otherwise recovery points are kept until deleted by hand
   */
  readonly deleteAfterDays?: number;
  /**
   * Continuous backup for point-in-time restore, for the resource types that support it (Amazon RDS,
   * Aurora, Amazon S3, SAP HANA on EC2); the others get a snapshot on the schedule.
   * @default false
   */
  readonly enableContinuousBackup?: boolean;
  /** Copies of every recovery point to other regions or accounts. @default - no copies */
  readonly copyActions?: BackupCopyActionOptions[];
  /** Tags on every recovery point this rule creates. @default - no tags */
  readonly recoveryPointTags?: BackupTag[];
}

/** Options every rule of a preset gets. */
export interface BackupPresetOptions {
  /** Copies of every recovery point, added to each rule. @default - no copies */
  readonly copyActions?: BackupCopyActionOptions[];
  /** Tags on every recovery point, added to each rule. @default - no tags */
  readonly recoveryPointTags?: BackupTag[];
}

const DAILY = 'cron(0 5 ? * * *)';

/**
 * Backup rules named by intent. Each returns plain rule props, so a preset can be extended or mixed
 * with raw rules: `rules: [...BackupPresets.daily35Days(), { ruleName: 'weekly', … }]`. Rule names are
 * fixed: they identify the rules across deploys.
 */
export class BackupPresets {
  private constructor() {}

  /** A backup every day at 05:00 UTC, kept 35 days (AWS Backup Audit Manager's default minimums). */
  public static daily35Days(options: BackupPresetOptions = {}): BackupRuleOptions[] {
    return [{ ruleName: 'daily-35-days', scheduleExpression: DAILY, deleteAfterDays: 35, ...options }];
  }

  /**
   * A backup every hour kept 7 days, every day at 05:00 UTC kept 35 days, and on the first of every
   * month kept one year (in cold storage after 30 days where the resource type supports it). When two
   * rules fall on the same hour, AWS Backup keeps the one with the longest retention.
   */
  public static hourly7DaysDaily35DaysMonthly1Year(options: BackupPresetOptions = {}): BackupRuleOptions[] {
    return [
      { ruleName: 'hourly-7-days', scheduleExpression: 'cron(0 * ? * * *)', deleteAfterDays: 7, ...options },
      { ruleName: 'daily-35-days', scheduleExpression: DAILY, deleteAfterDays: 35, ...options },
      {
        ruleName: 'monthly-1-year',
        scheduleExpression: 'cron(0 5 1 * ? *)',
        moveToColdStorageAfterDays: 30,
        deleteAfterDays: 365,
        ...options,
      },
    ];
  }

  /**
   * Continuous backup (point-in-time restore to any second) kept 35 days, the most AWS Backup allows,
   * for RDS, Aurora, S3 and SAP HANA; the other resource types get a daily snapshot at 05:00 UTC.
   */
  public static continuous35Days(options: BackupPresetOptions = {}): BackupRuleOptions[] {
    return [
      {
        ruleName: 'continuous-35-days',
        scheduleExpression: DAILY,
        enableContinuousBackup: true,
        deleteAfterDays: 35,
        ...options,
      },
    ];
  }
}

const DEFAULT_START_WINDOW_MINUTES = 60;
const DEFAULT_COMPLETION_WINDOW_MINUTES = 10080;
/** AWS Backup's longest start and completion windows: 100 years. */
const MAX_WINDOW_MINUTES = 52_560_000;
const MAX_CONTINUOUS_RETENTION_DAYS = 35;
const MIN_COLD_STORAGE_DAYS = 90;
const RULE_NAME = /^[A-Za-z0-9_.-]{1,50}$/;

/** A rule with its defaults filled in (windows; continuous retention). */
export function withDefaults(rule: BackupRuleOptions): BackupRuleOptions {
  return {
    ...rule,
    startWindowMinutes: rule.startWindowMinutes ?? DEFAULT_START_WINDOW_MINUTES,
    completionWindowMinutes: rule.completionWindowMinutes ?? DEFAULT_COMPLETION_WINDOW_MINUTES,
    ...(rule.enableContinuousBackup && rule.deleteAfterDays === undefined
      ? { deleteAfterDays: MAX_CONTINUOUS_RETENTION_DAYS }
      : {}),
  };
}

/** Whether any rule copies its recovery points elsewhere. */
export function anyRuleCopies(rules: readonly BackupRuleOptions[]): boolean {
  return rules.some((rule) => (rule.copyActions ?? []).length > 0);
}

/** Where the schedule lives, for checking copy destinations and lock bounds. */
export interface RuleBounds {
  readonly region?: string;
  readonly accountId?: string;
  readonly vaultLock?: BackupVaultLockOptions;
}

/** The rules (with their defaults filled in), and the vault lock they must fit. */
export function validateRules(
  check: PropValidator,
  rules: readonly BackupRuleOptions[],
  bounds: RuleBounds,
): void {
  if (rules.length === 0)
    check.fail('rules', [], 'give at least one rule, such as BackupPresets.daily35Days().');
  const lock = bounds.vaultLock;
  if (lock) validateLock(check, lock);

  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    const at = (field: string) => `rules[${index}].${field}`;
    check.matches(
      at('ruleName'),
      rule.ruleName,
      RULE_NAME,
      'must be 1-50 letters, digits or ._- characters.',
    );
    if (seen.has(rule.ruleName)) {
      check.fail(at('ruleName'), rule.ruleName, 'must be unique in the plan: it identifies the rule.');
    }
    seen.add(rule.ruleName);

    if (isKnown(rule.scheduleExpression)) {
      const problem = cronProblem(rule.scheduleExpression, true);
      if (problem) check.fail(at('scheduleExpression'), rule.scheduleExpression, problem);
    }
    validateWindows(check, at, rule);
    if (rule.enableContinuousBackup) validateContinuous(check, at, rule);
    validateLifecycle(check, at, rule);
    if (lock) validateWithinLock(check, at, rule, lock);

    validateTags(check, at('recoveryPointTags'), rule.recoveryPointTags);
    (rule.copyActions ?? []).forEach((copy, copyIndex) =>
      validateCopy(check, (field) => at(`copyActions[${copyIndex}].${field}`), copy, bounds),
    );
  });
}

function validateWindows(check: PropValidator, at: (field: string) => string, rule: BackupRuleOptions): void {
  const start = rule.startWindowMinutes as number;
  const completion = rule.completionWindowMinutes as number;
  check.integerInRange(
    at('startWindowMinutes'),
    start,
    60,
    MAX_WINDOW_MINUTES,
    'AWS Backup needs at least 60',
  );
  check.integerInRange(at('completionWindowMinutes'), completion, 1, MAX_WINDOW_MINUTES);
  if (isKnown(start) && isKnown(completion) && completion < start + 60) {
    check.fail(
      at('completionWindowMinutes'),
      completion,
      `must be at least startWindowMinutes + 60 = ${start + 60}: the completion window counts from the scheduled time, start window included.`,
    );
  }
}

function validateContinuous(
  check: PropValidator,
  at: (field: string) => string,
  rule: BackupRuleOptions,
): void {
  if (rule.moveToColdStorageAfterDays !== undefined) {
    check.fail(
      at('moveToColdStorageAfterDays'),
      rule.moveToColdStorageAfterDays,
      'continuous backups cannot move to cold storage; remove it or turn enableContinuousBackup off.',
    );
  }
  if (isKnown(rule.deleteAfterDays) && (rule.deleteAfterDays as number) > MAX_CONTINUOUS_RETENTION_DAYS) {
    check.fail(
      at('deleteAfterDays'),
      rule.deleteAfterDays,
      `continuous backups are kept at most ${MAX_CONTINUOUS_RETENTION_DAYS} days; add a snapshot rule for longer retention.`,
    );
  }
}

function validateWithinLock(
  check: PropValidator,
  at: (field: string) => string,
  rule: BackupRuleOptions,
  lock: BackupVaultLockOptions,
): void {
  const { minRetentionDays: min, maxRetentionDays: max } = lock;
  if (rule.deleteAfterDays === undefined) {
    check.fail(
      at('deleteAfterDays'),
      undefined,
      `the vault lock allows retention of ${min}-${max} days and AWS Backup fails jobs kept longer: set deleteAfterDays within those bounds.`,
    );
  }
  if (
    isKnown(rule.deleteAfterDays) &&
    ((rule.deleteAfterDays as number) < min || (rule.deleteAfterDays as number) > max)
  ) {
    check.fail(
      at('deleteAfterDays'),
      rule.deleteAfterDays,
      `must be within the vault lock's retention of ${min}-${max} days (vaultLock.minRetentionDays to maxRetentionDays), or AWS Backup fails the job.`,
    );
  }
}

function validateLifecycle(
  check: PropValidator,
  at: (field: string) => string,
  lifecycle: { moveToColdStorageAfterDays?: number; deleteAfterDays?: number },
): void {
  const { moveToColdStorageAfterDays: cold, deleteAfterDays: remove } = lifecycle;
  check.integerInRange(at('moveToColdStorageAfterDays'), cold, 1, MAX_RETENTION_DAYS, 'days');
  check.integerInRange(at('deleteAfterDays'), remove, 1, MAX_RETENTION_DAYS, 'days');
  if (isKnown(cold) && isKnown(remove) && (remove as number) < (cold as number) + MIN_COLD_STORAGE_DAYS) {
    check.fail(
      at('deleteAfterDays'),
      remove,
      `must be at least moveToColdStorageAfterDays + ${MIN_COLD_STORAGE_DAYS} = ${(cold as number) + MIN_COLD_STORAGE_DAYS}: recovery points stay in cold storage for at least ${MIN_COLD_STORAGE_DAYS} days.`,
    );
  }
}

function validateCopy(
  check: PropValidator,
  at: (field: string) => string,
  copy: BackupCopyActionOptions,
  { region, accountId }: RuleBounds,
): void {
  const arn = copy.destinationVaultArn;
  check.matches(
    at('destinationVaultArn'),
    arn,
    ARN_PATTERNS.backupVault,
    "must be a backup vault ARN such as 'arn:aws:backup:eu-west-1:123456789012:backup-vault:checkout-dr'.",
  );
  const destinationRegion = arnRegion(arn);
  if (region !== undefined && destinationRegion === region) {
    const destinationAccount = arnAccount(arn);
    const otherAccount =
      isKnown(accountId) && destinationAccount !== undefined && destinationAccount !== accountId;
    if (!otherAccount) {
      check.fail(
        at('destinationVaultArn'),
        arn,
        `is in ${region}, the region of this vault: a copy must go to another region (define the destination vault with a second AwsProvider whose alias points there), or to another account — then set accountId so synth can tell them apart.`,
      );
    }
  }
  validateLifecycle(check, at, copy);
}

/** The plan with one rule per `rules` entry (defaults filled in), backing up into `vaultName`. */
export function definePlan(
  context: BackupContext,
  rules: readonly BackupRuleOptions[],
  vaultName: string,
): BackupPlan {
  const plan = new BackupPlan(context.scope, 'Plan', {
    name: `${context.serviceName}-plan`,
    rule: rules.map((rule) => planRule(rule, vaultName)),
    ...context.regional,
  });
  if (!anyRuleCopies(rules)) {
    SwitchbackChecks.suppress(plan, [
      {
        id: 'SWB-BACKUP-3',
        reason:
          'copies to another region are opt-in (copyActions): the destination vault lives in a region this construct does not manage',
      },
    ]);
  }
  return plan;
}

function planRule(rule: BackupRuleOptions, vaultName: string): BackupPlanRule {
  const lifecycle = lifecycleOf(rule);
  return {
    ruleName: rule.ruleName,
    targetVaultName: vaultName,
    schedule: rule.scheduleExpression,
    ...(rule.scheduleExpressionTimezone !== undefined
      ? { scheduleExpressionTimezone: rule.scheduleExpressionTimezone }
      : {}),
    startWindow: rule.startWindowMinutes,
    completionWindow: rule.completionWindowMinutes,
    enableContinuousBackup: rule.enableContinuousBackup ?? false,
    ...(lifecycle ? { lifecycle } : {}),
    ...((rule.copyActions ?? []).length > 0
      ? {
          copyAction: (rule.copyActions ?? []).map((copy) => {
            const copyLifecycle = lifecycleOf(copy);
            return {
              destinationVaultArn: copy.destinationVaultArn,
              ...(copyLifecycle ? { lifecycle: copyLifecycle } : {}),
            };
          }),
        }
      : {}),
    ...((rule.recoveryPointTags ?? []).length > 0
      ? { recoveryPointTags: tagMap(rule.recoveryPointTags ?? []) }
      : {}),
  };
}

function lifecycleOf(options: {
  moveToColdStorageAfterDays?: number;
  deleteAfterDays?: number;
}): { coldStorageAfter?: number; deleteAfter?: number } | undefined {
  const { moveToColdStorageAfterDays, deleteAfterDays } = options;
  if (moveToColdStorageAfterDays === undefined && deleteAfterDays === undefined) return undefined;
  return {
    ...(moveToColdStorageAfterDays !== undefined ? { coldStorageAfter: moveToColdStorageAfterDays } : {}),
    ...(deleteAfterDays !== undefined ? { deleteAfter: deleteAfterDays } : {}),
  };
}
