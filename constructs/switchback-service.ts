import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { DEFAULT_ROLLBACK_POLICY, SERVICE_NAME_PATTERN } from '../lib';
import { BackupSchedule, type BackupScheduleOptions } from './backup-schedule';
import { BlueGreenListener, type BlueGreenListenerOptions } from './blue-green-listener';
import { Color } from './contracts';
import { inOwnFramework } from './internal/framework';
import { checkServiceName, defaultServiceName } from './internal/service-name';
import { PropValidator } from './internal/validation';
import { RollbackAlarms, type RollbackAlarmsOptions } from './rollback-alarms';
import {
  RollbackWatchdog,
  type BackupReadinessProps,
  type ReleaseOverridesProps,
  type RollbackWatchdogOptions,
} from './rollback-watchdog';
import { VersionedArtifactStore, type VersionedArtifactStoreOptions } from './versioned-artifact-store';

/** Props of {@link SwitchbackService}. */
export interface SwitchbackServiceProps {
  /**
   * The service name: 1-40 of `[a-z0-9-]`, starting and ending with a letter or digit. Every part
   * (store, listener, alarms, watchdog, backups) uses it.
   * @default - the construct id, lowercased, other characters turned into hyphens, at most 40 characters
   */
  readonly serviceName?: string;
  /** The release this deploy is for (a commit, a build number): the capture runs when it changes. */
  readonly releaseId: string;
  /** The existing application load balancer. */
  readonly loadBalancerArn: string;
  /** The VPC the targets live in. */
  readonly vpcId: string;
  /** The HTTPS listener's certificate. @default - an HTTP listener */
  readonly certificateArn?: string;
  /**
   * Lift the rollback hold of this release: green may go live again although the watchdog rolled it
   * back. @default false
   */
  readonly acknowledgeRollback?: boolean;
  /**
   * Gates this release may pass (the backup readiness gate, a deploy freeze), with audited reasons;
   * `releaseId` in them must be this release's (see RollbackWatchdog's `releaseOverrides`).
   * @default - every gate applies
   */
  readonly releaseOverrides?: ReleaseOverridesProps;
  /** Settings of the blue-green listener. @default - the BlueGreenListener defaults */
  readonly listener?: BlueGreenListenerOptions;
  /** Settings of the artifact store. @default - the VersionedArtifactStore defaults */
  readonly store?: VersionedArtifactStoreOptions;
  /**
   * Settings of the alarms, and the color whose target group they watch.
   * @default - the RollbackAlarms defaults, on the candidate color during a canary or a shift
   * (`watchdog.shifting`), else on the active color
   */
  readonly alarms?: SwitchbackAlarmsOptions;
  /**
   * Settings of the watchdog, progressive delivery included: with `shifting` the listener declares the
   * candidate at 0% and keeps the weights the watchdog sets, and the alarms watch the candidate.
   * @default - the RollbackWatchdog defaults
   */
  readonly watchdog?: RollbackWatchdogOptions;
  /**
   * Scheduled backups of the service's data (and of its artifact store), and optionally an on-demand
   * backup of that data just before each release.
   * @default - no backups
   */
  readonly backup?: SwitchbackBackupOptions;
}

/** The alarms of a {@link SwitchbackService}: RollbackAlarms' settings and the color they watch. */
export interface SwitchbackAlarmsOptions extends RollbackAlarmsOptions {
  /**
   * The color whose target group the alarms watch.
   * @default - the candidate color during a canary (`canaryWeightPercent` > 0) or a shift
   * (`watchdog.shifting`), else the active color
   */
  readonly watchColor?: Color;
}

/** The backups of a {@link SwitchbackService}. */
export interface SwitchbackBackupOptions extends BackupScheduleOptions {
  /**
   * Back up `resourceArns` on demand at each release's capture, tagged with the release id (never
   * restored automatically; offered to the operator after a rollback).
   * @default false
   */
  readonly backupBeforeRelease?: boolean;
  /** Days those release backups are kept. @default 35 */
  readonly releaseBackupDeleteAfterDays?: number;
  /**
   * The backup readiness gate at capture (needs `backupBeforeRelease`): the release is refused unless
   * the backups of `resourceArns` are recent and restorable (see RollbackWatchdog's `backup.readiness`).
   * @default - no gate
   */
  readonly releaseBackupReadiness?: BackupReadinessProps;
}

/**
 * Everything one service needs for releases that are safe to undo, in one line: a versioned artifact
 * store, a blue-green listener whose rolled-back releases stay on blue, alarms on the candidate color
 * with a "k of n" composite, and the standalone watchdog that captures each release before its
 * traffic changes and switches back on a breach. Every part is a public field for further use.
 */
export class SwitchbackService extends Construct {
  public readonly serviceName: string;
  public readonly store: VersionedArtifactStore;
  public readonly listener: BlueGreenListener;
  public readonly alarms: RollbackAlarms;
  public readonly watchdog: RollbackWatchdog;
  /** The backup schedule, when `backup` is given. */
  public readonly backup?: BackupSchedule;

  constructor(scope: Construct, id: string, props: SwitchbackServiceProps) {
    super(inOwnFramework(scope, 'SwitchbackService', id), id);
    // The name every part uses, defaulted and checked here, not in a child. The id lowercased with
    // other characters as hyphens, as 0.1.0 derived it, when that is a valid name (so no service is
    // renamed); otherwise the parts' derivation (hyphen runs collapsed, at most 40 characters), so
    // an id such as `Checkout_` gives `checkout`.
    this.serviceName = props.serviceName ?? serviceNameOf(id);
    checkServiceName(new PropValidator(this), this.serviceName);
    // With a shifting plan the watchdog sets the candidate's weight step by step; a declared canary
    // would fight it. Named here in the service's props (the listener would name its own).
    const shifting = props.watchdog?.shifting !== undefined;
    if (shifting && (props.listener?.canaryWeightPercent ?? 0) !== 0) {
      new PropValidator(this).conflict(
        'listener.canaryWeightPercent',
        `got ${props.listener?.canaryWeightPercent}; with watchdog.shifting the candidate is declared at 0% and the watchdog sets its weight step by step; leave listener.canaryWeightPercent out, or use TrafficShifting.canary(${props.listener?.canaryWeightPercent}, <bake minutes>) as watchdog.shifting.`,
      );
    }

    this.store = new VersionedArtifactStore(this, 'ArtifactStore', {
      ...props.store,
      serviceName: this.serviceName,
    });
    this.listener = new BlueGreenListener(this, 'BlueGreen', {
      ...props.listener,
      serviceName: this.serviceName,
      loadBalancerArn: props.loadBalancerArn,
      vpcId: props.vpcId,
      ...(props.certificateArn !== undefined ? { certificateArn: props.certificateArn } : {}),
      rollbackHold: {
        storeBucket: this.store.bucketName,
        releaseId: props.releaseId,
        acknowledged: props.acknowledgeRollback ?? false,
        shifting,
      },
    });

    if (props.backup) {
      const { backupBeforeRelease, releaseBackupDeleteAfterDays, releaseBackupReadiness, ...schedule } =
        props.backup;
      if (releaseBackupReadiness !== undefined && !backupBeforeRelease) {
        new PropValidator(this).conflict(
          'backup.releaseBackupReadiness',
          'checks the backups of each release, which needs backupBeforeRelease: true (the watchdog backs up resourceArns at capture).',
        );
      }
      // The store is backed up with the service's data: it holds the way back.
      this.backup = new BackupSchedule(this, 'Backup', {
        ...schedule,
        serviceName: this.serviceName,
        resourceArns: [...(schedule.resourceArns ?? []), this.store.bucketArn],
      });
    }
    const releaseBackup =
      props.backup?.backupBeforeRelease && this.backup
        ? {
            ...this.backup.releaseBackupFor(props.backup.resourceArns ?? []),
            ...(props.backup.releaseBackupDeleteAfterDays !== undefined
              ? { deleteAfterDays: props.backup.releaseBackupDeleteAfterDays }
              : {}),
            ...(props.backup.releaseBackupReadiness !== undefined
              ? { readiness: props.backup.releaseBackupReadiness }
              : {}),
          }
        : undefined;

    // Watch the color this release sends new traffic to: the candidate during a canary or a shift;
    // the active color when there is neither (a promotion puts all traffic on it).
    // (A color rather than a target group's ARN suffix: the groups are made here, so a caller could
    // not name one before this constructor returns.)
    // The service wires the alarms' action itself: an action slipped in by a JavaScript caller is dropped.
    const {
      watchColor,
      alarmActionArns: _wiredHere,
      ...alarmOverrides
    } = (props.alarms ?? {}) as SwitchbackAlarmsOptions & { alarmActionArns?: string[] };
    new PropValidator(this).oneOf('alarms.watchColor', watchColor, Object.values(Color));
    const watchedColor =
      watchColor ??
      (this.listener.canaryWeightPercent > 0 || shifting
        ? this.listener.candidateColor
        : this.listener.activeColor);
    const watchedGroup =
      watchedColor === Color.BLUE ? this.listener.blueTargetGroup : this.listener.greenTargetGroup;
    const evaluationWindowMinutes =
      props.watchdog?.evaluationWindowMinutes ?? DEFAULT_ROLLBACK_POLICY.evaluationWindowMinutes;
    this.alarms = new RollbackAlarms(this, 'Alarms', {
      ...alarmOverrides,
      serviceName: this.serviceName,
      loadBalancerArnSuffix: loadBalancerArnSuffix(props.loadBalancerArn),
      targetGroupArnSuffix: watchedGroup.arnSuffix,
      evaluationWindowMinutes,
    });
    this.watchdog = new RollbackWatchdog(this, 'Watchdog', {
      ...props.watchdog,
      serviceName: this.serviceName,
      store: this.store,
      releaseId: props.releaseId,
      ...(props.releaseOverrides ? { releaseOverrides: props.releaseOverrides } : {}),
      listeners: [this.listener],
      alarms: this.alarms.protectedAlarms,
      ...(releaseBackup ? { backup: releaseBackup } : {}),
    });
    // The watchdog needs the alarms' names, the alarms its ARN: the action is added once both exist.
    this.alarms.addWatchdog(this.watchdog);
  }
}

/** A service's default name: see the constructor. */
function serviceNameOf(id: string): string {
  const asBefore = id.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return SERVICE_NAME_PATTERN.test(asBefore) ? asBefore : defaultServiceName(id);
}

/** `arn:…:loadbalancer/app/<name>/<id>` → `app/<name>/<id>`, the CloudWatch dimension value. */
function loadBalancerArnSuffix(arn: string): string {
  return Token.isUnresolved(arn)
    ? Fn.element(Fn.split('loadbalancer/', arn), 1)
    : (arn.split('loadbalancer/')[1] ?? arn);
}
