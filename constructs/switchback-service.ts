import { Fn, Lazy, Token } from 'cdktf';
import { Construct } from 'constructs';
import { DEFAULT_ROLLBACK_POLICY } from '../lib';
import { BackupSchedule, type BackupScheduleProps } from './backup-schedule';
import { BlueGreenListener, type BlueGreenListenerProps } from './blue-green-listener';
import { PropValidator } from './internal/validation';
import { inOwnFramework } from './internal/framework';
import { RollbackAlarms, type RollbackAlarmsProps } from './rollback-alarms';
import { RollbackWatchdog, type RollbackWatchdogProps } from './rollback-watchdog';
import { VersionedArtifactStore, type VersionedArtifactStoreProps } from './versioned-artifact-store';

/** Props of {@link SwitchbackService}. */
export interface SwitchbackServiceProps {
  /** The service name: 1-40 of `[a-z0-9-]`. @default - the construct id, lowercased */
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
  /** Overrides for the blue-green listener. @default - the BlueGreenListener defaults */
  readonly listener?: Omit<
    BlueGreenListenerProps,
    'loadBalancerArn' | 'vpcId' | 'serviceName' | 'certificateArn' | 'rollbackHold'
  >;
  /** Overrides for the artifact store. @default - the VersionedArtifactStore defaults */
  readonly store?: Omit<VersionedArtifactStoreProps, 'serviceName'>;
  /**
   * Overrides for the alarms, and `watchColor`: the color whose target group they watch.
   * @default - the RollbackAlarms defaults, on the candidate color during a canary, else on the
   * active color
   */
  readonly alarms?: Omit<
    RollbackAlarmsProps,
    | 'serviceName'
    | 'loadBalancerArnSuffix'
    | 'targetGroupArnSuffix'
    | 'alarmActionArns'
    | 'evaluationWindowMinutes'
  > & { readonly watchColor?: 'blue' | 'green' };
  /** Overrides for the watchdog. @default - the RollbackWatchdog defaults */
  readonly watchdog?: Omit<
    RollbackWatchdogProps,
    'serviceName' | 'store' | 'releaseId' | 'listeners' | 'alarms' | 'backup'
  >;
  /**
   * Scheduled backups of the service's data (and of its artifact store), and optionally an on-demand
   * backup of that data just before each release.
   * @default - no backups
   */
  readonly backup?: SwitchbackBackupProps;
}

/** The backups of a {@link SwitchbackService}. */
export interface SwitchbackBackupProps extends Omit<BackupScheduleProps, 'serviceName'> {
  /**
   * Back up `resourceArns` on demand at each release's capture, tagged with the release id (never
   * restored automatically; offered to the operator after a rollback).
   * @default false
   */
  readonly backupBeforeRelease?: boolean;
  /** Days those release backups are kept. @default 35 */
  readonly releaseBackupDeleteAfterDays?: number;
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
    this.serviceName = props.serviceName ?? id.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

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
      },
    });

    if (props.backup) {
      const { backupBeforeRelease, releaseBackupDeleteAfterDays, ...schedule } = props.backup;
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
          }
        : undefined;

    // Watch the color this release sends new traffic to: the candidate during a canary; the active
    // color when there is no canary (a promotion puts all traffic on it).
    // (A color rather than a target group's ARN suffix: the groups are made here, so a caller could
    // not name one before this constructor returns.)
    const { watchColor, ...alarmOverrides } = props.alarms ?? {};
    new PropValidator(this).oneOf('alarms.watchColor', watchColor, ['blue', 'green']);
    const watchedColor =
      watchColor ??
      (this.listener.canaryWeightPercent > 0 ? this.listener.candidateColor : this.listener.activeColor);
    const watchedGroup =
      watchedColor === 'blue' ? this.listener.blueTargetGroup : this.listener.greenTargetGroup;
    const evaluationWindowMinutes =
      props.watchdog?.evaluationWindowMinutes ?? DEFAULT_ROLLBACK_POLICY.evaluationWindowMinutes;
    // The watchdog needs the alarms' names; the alarms need its ARN: the ARN is read lazily.
    const wiring: { watchdog?: RollbackWatchdog } = {};
    this.alarms = new RollbackAlarms(this, 'Alarms', {
      ...alarmOverrides,
      serviceName: this.serviceName,
      loadBalancerArnSuffix: loadBalancerArnSuffix(props.loadBalancerArn),
      targetGroupArnSuffix: watchedGroup.arnSuffix,
      evaluationWindowMinutes,
      alarmActionArns: Lazy.listValue({
        produce: () => (wiring.watchdog ? [wiring.watchdog.functionArn] : []),
      }),
    });
    this.watchdog = new RollbackWatchdog(this, 'Watchdog', {
      ...props.watchdog,
      serviceName: this.serviceName,
      store: this.store,
      releaseId: props.releaseId,
      listeners: [this.listener],
      alarms: this.alarms.protectedAlarms,
      ...(releaseBackup ? { backup: releaseBackup } : {}),
    });
    wiring.watchdog = this.watchdog;
  }
}

/** `arn:…:loadbalancer/app/<name>/<id>` → `app/<name>/<id>`, the CloudWatch dimension value. */
function loadBalancerArnSuffix(arn: string): string {
  return Token.isUnresolved(arn)
    ? Fn.element(Fn.split('loadbalancer/', arn), 1)
    : (arn.split('loadbalancer/')[1] ?? arn);
}
