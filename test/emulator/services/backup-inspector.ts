/** In-process access to AWS Backup for tests and drills: what it holds, and the controls. */
import { Runtime } from '../core/service';
import {
  BackupJob,
  BackupJobBehaviour,
  BackupJobState,
  BackupState,
  BackupVault,
  endJob,
  endRestore,
  newestFirst,
  RecoveryPoint,
  RecoveryPointStatus,
  RestoreJob,
  RestoreJobBehaviour,
  RestoreJobEnd,
  RestoreJobStatus,
  settle,
  syncPoint,
} from './backup-model';
import { describeRestoreJob } from './backup-restore';
import {
  seedRecoveryPoint,
  SeedRecoveryPointInput,
  seedRestoreTest,
  SeedRestoreTestInput,
} from './backup-seed';

/** A restore job as of now: its record plus what DescribeRestoreJob would report. */
export type RestoreJobView = Omit<RestoreJob, 'Status'> & {
  readonly Status: RestoreJobStatus;
  readonly PercentDone: string;
  readonly CreatedResourceArn?: string;
};

export class BackupInspector {
  constructor(
    private readonly state: () => BackupState,
    private readonly runtime: Runtime,
  ) {}

  /** The live state, moved on to the emulator's clock. */
  private live(): BackupState {
    const state = this.state();
    settle(state, this.runtime.now());
    return state;
  }

  private view(job: RestoreJob): RestoreJobView {
    const wire = describeRestoreJob(job, this.runtime.now());
    return {
      ...structuredClone(job),
      Status: wire.Status as RestoreJobStatus,
      PercentDone: wire.PercentDone as string,
      CreatedResourceArn: wire.CreatedResourceArn as string | undefined,
    };
  }

  vaults(): BackupVault[] {
    return structuredClone([...this.live().vaults.values()]);
  }

  /** Jobs in start order, optionally those of one vault. */
  jobs(vaultName?: string): BackupJob[] {
    return structuredClone(
      [...this.live().jobs.values()].filter(
        (j) => vaultName === undefined || j.BackupVaultName === vaultName,
      ),
    );
  }

  job(backupJobId: string): BackupJob | undefined {
    return structuredClone(this.live().jobs.get(backupJobId));
  }

  /**
   * Puts a job in `state` (a drill's failed or expired backup). From `CREATED`, `PENDING`,
   * `RUNNING` or `ABORTING` it moves on at the next DescribeBackupJob; the other states are final.
   * Its recovery point follows (a failed job leaves none).
   */
  setJobState(backupJobId: string, state: BackupJobState, statusMessage?: string): void {
    const live = this.live();
    const job = live.jobs.get(backupJobId);
    if (!job) throw new Error(`No backup job ${backupJobId}`);
    endJob(job, state, this.runtime.now(), statusMessage);
    syncPoint(live, job);
  }

  /**
   * AWS seconds per second of the emulator's clock (a drill running 60 times faster than AWS sets
   * 60): the durations of behaviours and of restore jobs are divided by it. `reset()` sets it back
   * to 1.
   */
  setTimeScale(factor: number): void {
    if (!(factor > 0) || !Number.isFinite(factor))
      throw new Error(`The time scale must be > 0, not ${factor}`);
    this.state().timeScale = factor;
  }

  /**
   * How backup jobs of `resourceArn` (`'*'`: any resource without its own) started from now on
   * run: slow (`completeAfterSeconds`), failed (`endState: 'FAILED'`, `statusMessage`), or both.
   * `undefined` removes the behaviour.
   */
  setBackupBehaviour(resourceArn: string, behaviour: BackupJobBehaviour | undefined): void {
    if (behaviour === undefined) this.state().backupBehaviours.delete(resourceArn);
    else this.state().backupBehaviours.set(resourceArn, { ...behaviour });
  }

  /** Recovery points, newest first, optionally those of one protected resource. */
  recoveryPoints(resourceArn?: string): RecoveryPoint[] {
    return structuredClone(
      newestFirst(
        [...this.live().points.values()].filter(
          (p) => resourceArn === undefined || p.ResourceArn === resourceArn,
        ),
      ),
    );
  }

  recoveryPoint(recoveryPointArn: string): RecoveryPoint | undefined {
    return structuredClone(this.live().points.get(recoveryPointArn));
  }

  /** Puts a recovery point in place, as if a backup had made it (the vault is created if missing). */
  seedRecoveryPoint(input: SeedRecoveryPointInput): RecoveryPoint {
    return structuredClone(seedRecoveryPoint(this.live(), input, this.runtime.now()));
  }

  /** Sets what AWS Backup reports of a recovery point (`EXPIRED`, `DELETING`, `PARTIAL`...). */
  setRecoveryPointStatus(
    recoveryPointArn: string,
    status: RecoveryPointStatus,
    statusMessage?: string,
  ): void {
    const point = this.live().points.get(recoveryPointArn);
    if (!point) throw new Error(`No recovery point ${recoveryPointArn}`);
    point.Status = status;
    point.StatusMessage = statusMessage;
  }

  /**
   * Records a restore test of a resource, as a restore testing plan would have run it: a restore
   * job with `CreatedBy.RestoreTestingPlanArn`, its status and validation result, at a given time.
   */
  seedRestoreTest(input: SeedRestoreTestInput): RestoreJobView {
    return this.view(seedRestoreTest(this.live(), input, this.runtime.now()));
  }

  /**
   * How restores of `resourceArn`'s recovery points (`'*'`: any resource without its own) started
   * from now on run: their duration, or a failure. `undefined` removes the behaviour.
   */
  setRestoreBehaviour(resourceArn: string, behaviour: RestoreJobBehaviour | undefined): void {
    if (behaviour === undefined) this.state().restoreBehaviours.delete(resourceArn);
    else this.state().restoreBehaviours.set(resourceArn, { ...behaviour });
  }

  /** Restore jobs (restore tests included), newest first, optionally of one protected resource. */
  restoreJobs(resourceArn?: string): RestoreJobView[] {
    return newestFirst(
      [...this.live().restoreJobs.values()].filter(
        (j) => resourceArn === undefined || j.SourceResourceArn === resourceArn,
      ),
    ).map((j) => this.view(j));
  }

  restoreJob(restoreJobId: string): RestoreJobView | undefined {
    const job = this.live().restoreJobs.get(restoreJobId);
    return job && this.view(job);
  }

  /** Ends a restore job now: `FAILED` with a message (a drill's failed restore), `COMPLETED`, `ABORTED`. */
  setRestoreJobStatus(restoreJobId: string, status: RestoreJobEnd, statusMessage?: string): void {
    const live = this.live();
    const job = live.restoreJobs.get(restoreJobId);
    if (!job) throw new Error(`No restore job ${restoreJobId}`);
    const now = this.runtime.now();
    job.EndStatus = status;
    job.EndMessage = statusMessage;
    job.EndsAt = Math.min(job.EndsAt, now);
    endRestore(live, job, status, now, statusMessage);
  }
}
