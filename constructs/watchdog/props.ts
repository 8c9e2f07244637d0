/**
 * The props of RollbackWatchdog. Fields that become the watchdog's configuration carry lib's names,
 * bounds and defaults (`lib/watchdog-config.ts`); a test holds each `@default` here to lib's value.
 */
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import type { ProtectedListenerInput } from '../../lib';
import type { BlueGreenListener } from '../blue-green-listener';
import type { VersionedArtifactStore } from '../versioned-artifact-store';

/** An alarm the watchdog protects: a breach of it rolls the release back. */
export interface ProtectedAlarmProps {
  readonly name: string;
  readonly arn: string;
}

/** A Lambda alias whose version (and routing) the watchdog restores. */
export interface ProtectedAliasProps {
  readonly functionName: string;
  readonly aliasName: string;
}

/** Probing health URLs on a schedule; consecutive failed rounds are a breach. */
export interface HealthPingProps {
  readonly urls: string[];
  /** Seconds between probe rounds within one run, 1-60. @default 5 */
  readonly intervalSeconds?: number;
  /** Consecutive failed rounds that make a breach, 1-20. @default 3 */
  readonly failuresToBreach?: number;
  /** @default 2000 */
  readonly timeoutMs?: number;
  /** Minutes between runs; at least 1 (EventBridge schedules are per minute). @default 1 */
  readonly scheduleMinutes?: number;
}

/** An on-demand AWS Backup job per resource, started at capture and tagged with the release id. */
export interface ReleaseBackupProps {
  readonly vaultName: string;
  /** The role AWS Backup uses; the watchdog may pass only this role, only to AWS Backup. */
  readonly roleArn: string;
  readonly resourceArns: string[];
  /**
   * Days the release's recovery points are kept before AWS Backup expires them.
   * @default 35
   */
  readonly deleteAfterDays?: number;
}

/** Props of {@link RollbackWatchdog}. */
export interface RollbackWatchdogProps {
  /**
   * The service name (1-40 of `[a-z0-9-]`).
   * @default - the store's service name
   */
  readonly serviceName?: string;
  /** The artifact store: holds the configuration, manifests and audit trail, and the artifacts to restore. */
  readonly store: VersionedArtifactStore;
  /**
   * The release this deploy is for: the capture runs when it changes. A commit, a build number, a tag:
   * 1-128 letters, digits, dots, underscores or hyphens.
   */
  readonly releaseId: string;
  /** Blue-green listeners to protect; their traffic-changing resources wait for the capture. @default - none */
  readonly listeners?: BlueGreenListener[];
  /**
   * Listeners defined elsewhere (another stack, by load balancer ARN and port and target group names).
   * @default - none
   */
  readonly protectedListeners?: ProtectedListenerInput[];
  /** Alarms whose breach rolls the release back (e.g. `RollbackAlarms.protectedAlarms`). @default - none */
  readonly alarms?: ProtectedAlarmProps[];
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
  /** On-demand backups at capture. @default - none */
  readonly backup?: ReleaseBackupProps;
  /** Minutes after a capture during which breaches roll back automatically. @default 60 */
  readonly evaluationWindowMinutes?: number;
  /** Minutes after a rollback during which no automatic rollback happens. @default 15 */
  readonly cooldownMinutes?: number;
  /** Automatic rollbacks allowed per budget window. @default 3 */
  readonly maxAutomaticRollbacks?: number;
  /** @default 1440 */
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
  /** @default 'arm64' */
  readonly architecture?: 'arm64' | 'x86_64';
  /** @default 256 - the engine needs little memory; more memory is more CPU for a faster cold start */
  readonly memorySizeMb?: number;
  /**
   * @default 90 - a health-ping run probes for most of it; a rollback takes well under a second plus
   * retries within its 20 s step budgets
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
}
