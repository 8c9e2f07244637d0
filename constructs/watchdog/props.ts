/**
 * The props of RollbackWatchdog. Fields that become the watchdog's configuration carry lib's names,
 * bounds and defaults (`lib/watchdog-config.ts`); a test holds each `@default` here to lib's value.
 *
 * CDK style, they come in two parts: {@link RollbackWatchdogOptions} (how the watchdog behaves, what
 * `SwitchbackService` takes as `watchdog`) and {@link RollbackWatchdogProps} (those plus what it
 * protects and where it keeps its records).
 */
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import type {
  IArtifactStore,
  IBlueGreenListener,
  ProtectedAlarmProps,
  ProtectedListenerAttributes,
  RollbackGroupMembership,
} from '../contracts';
import type { KillSwitch, KillSwitchMode } from '../delivery/kill-switch';
import type { SmokeCheck } from '../delivery/smoke-check';
import type { TrafficShifting } from '../delivery/traffic-shifting';

/** The instruction set the watchdog's functions run on. */
export enum WatchdogArchitecture {
  /** AWS Graviton: cheaper per millisecond, and what the bundle is tested on. */
  ARM_64 = 'arm64',
  /** x86-64. */
  X86_64 = 'x86_64',
}

/** Whether manual actions must prove who sent them. */
export enum VerifiedCallers {
  /**
   * A manual action (rollback, acknowledge, pause, resume, promote, restore-data) without a valid
   * caller proof (a presigned `sts:GetCallerIdentity` the CLI signs) is rejected before anything is
   * read or written.
   */
  REQUIRED = 'required',
  /**
   * A proof is checked and recorded when there is one; an action without one runs on the name its
   * sender claims, marked unverified in the audit record.
   */
  RECORDED = 'recorded',
}

/** A Lambda alias whose version (and routing) the watchdog restores. */
export interface ProtectedAliasProps {
  /** The function's name (not its ARN: the watchdog addresses it in the service's region and account). */
  readonly functionName: string;
  /** The alias's name, e.g. `live`. */
  readonly aliasName: string;
}

/** Probing health URLs on a schedule; consecutive failed rounds are a breach. */
export interface HealthPingProps {
  /** The http(s) URLs to probe, 1-10. */
  readonly urls: string[];
  /** Seconds between probe rounds within one run, 1-60. @default 5 */
  readonly intervalSeconds?: number;
  /** Consecutive failed rounds that make a breach, 1-20. @default 3 */
  readonly failuresToBreach?: number;
  /** How long one probe may take, in milliseconds, 100-10000. @default 2000 */
  readonly timeoutMs?: number;
  /** Minutes between runs; at least 1 (EventBridge schedules are per minute). @default 1 */
  readonly scheduleMinutes?: number;
}

/** An on-demand AWS Backup job per resource, started at capture and tagged with the release id. */
export interface ReleaseBackupProps {
  /** The backup vault the recovery points go to. */
  readonly vaultName: string;
  /** The role AWS Backup uses; the watchdog may pass only this role, only to AWS Backup. */
  readonly roleArn: string;
  /** The resources to back up (concrete ARNs, no wildcards), at least one. */
  readonly resourceArns: string[];
  /**
   * Days the release's recovery points are kept before AWS Backup expires them.
   * @default 35
   */
  readonly deleteAfterDays?: number;
  /**
   * The backup readiness gate: capture refuses the release (the deploy stops, audited, with the reason)
   * unless the backups of `resourceArns` are recent and restorable.
   * @default - no gate: the backup is started and the release goes ahead
   */
  readonly readiness?: BackupReadinessProps;
  /**
   * The role AWS Backup restores with, when an operator restores a release's recovery point
   * (`switchback restore-data`); the watchdog may pass it only to AWS Backup. It needs AWS's restore
   * permissions (the managed policies `AWSBackupServiceRolePolicyForRestores` and, for S3,
   * `AWSBackupServiceRolePolicyForS3Restore`, which a `BackupSchedule`'s role has).
   * @default - roleArn
   */
  readonly restoreRoleArn?: string;
}

/**
 * The backup readiness gate, checked at capture for every resource of the release backup, before the
 * capture takes the service's lock (a rollback of the live release never waits on it). Each check
 * runs only when set.
 */
export interface BackupReadinessProps {
  /**
   * The newest completed recovery point of each resource (in any vault) must be younger than this,
   * 1-8760 hours; none, or an older one, refuses the release.
   * @default - not checked
   */
  readonly maxRecoveryPointAgeHours?: number;
  /**
   * The newest restore test of each resource (a restore job a restore testing plan started, see
   * `BackupSchedule`'s `restoreTesting`) must have completed, its validation not failed, and be younger
   * than this, 1-365 days; none, a failed one or an older one refuses the release.
   * @default - not checked
   */
  readonly maxRestoreTestAgeDays?: number;
  /**
   * Wait up to this long, 1-600 seconds, for the pre-release backup job to complete before capture
   * answers (and traffic moves); a job that fails or is not complete by then refuses the release. The
   * function's timeout grows to cover the wait, and its reserved concurrency becomes 2 so that a
   * rollback of the live release runs while a capture waits.
   * @default - not waited for: the backup completes in the background
   */
  readonly waitForBackupSeconds?: number;
}

/**
 * Gates this one release may pass, each with the reason recorded in the capture's audit record. They
 * go to the capture with the release id they name, which must be this deploy's: an override left in
 * the code fails the next release's synth instead of carrying over silently.
 */
export interface ReleaseOverridesProps {
  /** The release the overrides are for: the watchdog's `releaseId`. */
  readonly releaseId: string;
  /**
   * Why this release may go out although the backup readiness gate refuses it (1-500 characters).
   * @default - the gate applies
   */
  readonly backupReadinessReason?: string;
  /**
   * Why this release may go out although a deploy freeze is in force (an unacknowledged rollback of
   * this service, or of a group member it depends on), 1-500 characters.
   * @default - the freeze applies
   */
  readonly freezeReason?: string;
  /**
   * Who decided, recorded with the reasons (1-200 characters).
   * @default - not recorded (the audit names the deploy's capture)
   */
  readonly requestedBy?: string;
}

/**
 * How a {@link RollbackWatchdog} behaves: every prop but what it protects and where it keeps its
 * records. `SwitchbackService` takes these as its `watchdog` prop.
 */
export interface RollbackWatchdogOptions {
  /**
   * Listeners defined elsewhere (another stack, by load balancer ARN and port and target group names).
   * More can be added with `addProtectedListener()`.
   * @default - none
   */
  readonly protectedListeners?: ProtectedListenerAttributes[];
  /** Lambda aliases to restore. @default - none */
  readonly aliases?: ProtectedAliasProps[];
  /** SSM parameter names to restore. @default - none */
  readonly parameterNames?: string[];
  /**
   * Customer-managed KMS keys of SecureString parameters among `parameterNames`: the watchdog may
   * decrypt and encrypt with them, through SSM only. @default - none (String parameters, or
   * SecureString under the AWS-managed key)
   */
  readonly parameterKmsKeyArns?: string[];
  /** Keys under `artifacts/` in the store whose object version is restored. @default - none */
  readonly artifactKeys?: string[];
  /** Health pings on a schedule. @default - none */
  readonly healthPing?: HealthPingProps;
  /** Minutes after a capture during which breaches roll back automatically. @default 60 */
  readonly evaluationWindowMinutes?: number;
  /** Minutes after a rollback during which no automatic rollback happens. @default 15 */
  readonly cooldownMinutes?: number;
  /** Automatic rollbacks allowed per budget window. @default 3 */
  readonly maxAutomaticRollbacks?: number;
  /** The window, in minutes, over which `maxAutomaticRollbacks` is counted. @default 1440 */
  readonly budgetWindowMinutes?: number;
  /**
   * Events older than this are dropped (and Lambda's asynchronous queue discards them), 60-21600.
   * @default 600
   */
  readonly maxEventAgeSeconds?: number;
  /** Capture even when a protected alarm is already in ALARM. @default false */
  readonly allowCaptureWhileAlarming?: boolean;
  /** Healthy targets a known-good group needs before traffic is sent to it (the absolute minimum). @default 1 */
  readonly minHealthyTargets?: number;
  /**
   * Healthy targets a known-good group needs as a percentage (0-100) of the healthy targets of the
   * candidate it takes the traffic from, so it can absorb the load; 0 turns the check off. @default 50
   */
  readonly minHealthyPercentOfCandidate?: number;
  /** While a rollback stays blocked or partial, the schedule tick pages again after this many minutes. @default 15 */
  readonly repageMinutes?: number;
  /**
   * After a rollback, captures of a new release are refused for this many minutes (0-10080) unless the
   * rollback is acknowledged first or the release declares `releaseOverrides.freezeReason`; the same
   * release id captured again is never refused. 0 turns the freeze off.
   * @default 1440
   */
  readonly freezeMinutes?: number;
  /**
   * Whether manual actions must prove who sent them: the CLI signs a presigned `sts:GetCallerIdentity`
   * with the operator's own credentials, and the watchdog has STS check it and records the ARN STS
   * answers with. Needs no IAM permission: STS answers GetCallerIdentity for any valid signature, and it
   * is the caller's signature, not the watchdog's, that STS checks.
   * @default VerifiedCallers.REQUIRED
   */
  readonly verifiedCallers?: VerifiedCallers;
  /**
   * The rollback group this watchdog belongs to when the group is defined elsewhere (another stack,
   * region or tool): the watchdog reports its rollbacks and acknowledgements to the coordinator, and
   * may invoke it. A `RollbackGroup` in the watchdog's own stack sets this itself (`joinGroup`).
   * @default - in no group, unless a RollbackGroup adds it
   */
  readonly groupMembership?: RollbackGroupMembership;
  /**
   * The region the protected service runs in, when the watchdog is placed in another region
   * (standalone placement): its calls to the service go there. @default - the watchdog's own region
   */
  readonly serviceRegion?: string;
  /** Roles allowed to invoke the watchdog by hand (the CLI). @default - nobody */
  readonly operatorRoleArns?: string[];
  /** SNS topics the watchdog subscribes to (alarm fan-out, cross-region). @default - none */
  readonly alarmTopicArns?: string[];
  /** An EventBridge rule on the protected alarms' state changes, a durable second path. @default true */
  readonly eventBridgeTrigger?: boolean;
  /**
   * Run the watchdog every minute to re-evaluate (level-triggered): a protected alarm in ALARM that
   * was not acted on (a lost delivery, an alarm already in ALARM) is acted on, and a blocked or
   * partial rollback is tried again until it completes or is acknowledged. An all-clear run makes
   * two reads and no writes. @default true
   */
  readonly scheduleTick?: boolean;
  /** The topic for one notification per decision. @default - an encrypted topic is defined */
  readonly notificationTopic?: SnsTopic;
  /** Capture the live state as the release manifest on deploy, before traffic changes. @default true */
  readonly captureOnDeploy?: boolean;
  /** The instruction set of the watchdog's functions. @default WatchdogArchitecture.ARM_64 */
  readonly architecture?: WatchdogArchitecture;
  /**
   * The watchdog function's memory, in MB (128-10240).
   * @default 256 - the engine needs little memory; more memory is more CPU for a faster cold start
   */
  readonly memorySizeMb?: number;
  /**
   * The watchdog function's timeout, in seconds (30-870).
   * @default 90 - a health-ping run probes for most of it; a rollback takes well under a second plus
   * retries within its 20 s step budgets. With `backup.readiness.waitForBackupSeconds`, that wait plus
   * 60 s when it is longer (a timeout given must cover it too)
   */
  readonly timeoutSeconds?: number;
  /**
   * How long the function's logs are kept, in days: one of the values CloudWatch Logs accepts (1, 3, 5,
   * 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).
   * @default 365 - a year of decisions to look back on (the audit trail in the store is kept as well)
   */
  readonly logRetentionDays?: number;
  /** X-Ray tracing. @default true */
  readonly tracing?: boolean;
  /**
   * Shift production traffic to the candidate in steps (`TrafficShifting.canary(10, 5)`,
   * `TrafficShifting.linear(10, 1)`, …), each held for its bake time while every protected alarm is
   * OK, then promote it. The candidate is declared at 0% and the watchdog's schedule tick sets each
   * step; a breach at any step rolls back. The shift (its bake times plus a tick per step) must end
   * inside `evaluationWindowMinutes`, and needs `scheduleTick`.
   * @default - no shift: the listener's declared weights take effect on deploy
   */
  readonly shifting?: TrafficShifting;
  /**
   * Smoke checks run before the first step of a shift, against the test listener (which always
   * forwards to the candidate); a failure rolls the release back before any production request
   * reaches the candidate. Needs `shifting`. At most 10.
   * @default - none
   */
  readonly preTrafficChecks?: SmokeCheck[];
  /**
   * Smoke checks run when a step has baked, before the next step (or the promotion); a failure rolls
   * back. Needs `shifting`. At most 10.
   * @default - none
   */
  readonly afterStepChecks?: SmokeCheck[];
  /**
   * Smoke checks run against the production listener after every rollback, to verify it; a failure
   * pages a second time ("rolled back, still failing"). At most 10.
   * @default - none (the rollback is still read back, its alarms watched and the live state compared
   * with the release manifest)
   */
  readonly verificationChecks?: SmokeCheck[];
  /**
   * After a rollback, the protected alarms must all be OK again within this many minutes (1-120), or
   * the verification fails and pages.
   * @default 10
   */
  readonly alarmsOkWithinMinutes?: number;
  /**
   * Feature flags the watchdog turns off first on a breach (`KillSwitch.ssmParameter`,
   * `KillSwitch.appConfig`): captured with the release, applied and read back as steps of the
   * rollback. At most 10, each once; an SSM switch may not also be in `parameterNames`.
   * @default - none
   */
  readonly killSwitches?: KillSwitch[];
  /**
   * Whether the kill switches come before the traffic flip or replace it.
   * @default KillSwitchMode.BEFORE_TRAFFIC
   */
  readonly killSwitchMode?: KillSwitchMode;
}

/** Props of {@link RollbackWatchdog}: its options, what it protects and where it keeps its records. */
export interface RollbackWatchdogProps extends RollbackWatchdogOptions {
  /**
   * The service name (1-40 of `[a-z0-9-]`).
   * @default - the store's service name
   */
  readonly serviceName?: string;
  /**
   * The artifact store: holds the configuration, manifests and audit trail, and the artifacts to
   * restore (a `VersionedArtifactStore`, or one from `VersionedArtifactStore.fromArtifactStoreAttributes`).
   */
  readonly store: IArtifactStore;
  /**
   * The release this deploy is for: the capture runs when it changes. A commit, a build number, a tag:
   * 1-128 letters, digits, dots, underscores or hyphens.
   */
  readonly releaseId: string;
  /**
   * Blue-green listeners to protect; their traffic-changing resources wait for the capture. More can be
   * added with `addListener()`.
   * @default - none
   */
  readonly listeners?: IBlueGreenListener[];
  /**
   * Alarms whose breach rolls the release back (e.g. `RollbackAlarms.protectedAlarms`). More can be
   * added with `addAlarm()`.
   * @default - none
   */
  readonly alarms?: ProtectedAlarmProps[];
  /** On-demand backups at capture, and the backup readiness gate. @default - none */
  readonly backup?: ReleaseBackupProps;
  /**
   * Gates this release may pass (the backup readiness gate, a deploy freeze), with audited reasons.
   * They name the release they are for, which must be `releaseId`; they need the capture on deploy.
   * @default - every gate applies
   */
  readonly releaseOverrides?: ReleaseOverridesProps;
}
