/**
 * In-memory ports for release safety: AWS Backup (jobs, recovery points, restore tests, restores),
 * STS caller proofs and the rollback group's coordinator. Tests set what AWS would answer.
 */
import type { CallerProof, MemberReport } from '../../lib';
import {
  AwsCallError,
  type BackupJobInfo,
  type BackupPort,
  type CallerIdentity,
  type GroupPort,
  type IdentityPort,
  type RecoveryPointInfo,
  type RestoreJobInfo,
} from '../../lambdas/watchdog/ports';

const ACCOUNT = '123456789012';
const clone = <T>(value: T): T => structuredClone(value);

export type StartBackupInput = Parameters<BackupPort['startBackup']>[0];
export type StartRestoreInput = Parameters<BackupPort['startRestore']>[0];

/** AWS Backup as the tests set it. Jobs start `RUNNING` unless `jobStates` says otherwise. */
export class FakeBackup implements BackupPort {
  /** Every StartBackupJob, in order. */
  readonly jobs: StartBackupInput[] = [];
  /** What DescribeBackupJob answers, by job id; a job missing here is RUNNING. */
  readonly jobStates = new Map<string, Partial<BackupJobInfo>>();
  /** What each DescribeBackupJob answers in turn (for a job that completes while capture waits). */
  readonly jobSequences = new Map<string, Partial<BackupJobInfo>[]>();
  /** Recovery points by ARN (their resource in `resourceArn`). */
  readonly recoveryPoints = new Map<string, RecoveryPointInfo>();
  /** The newest restore test per resource. */
  readonly restoreTests = new Map<string, RestoreJobInfo>();
  /** Restore metadata per recovery point; missing: `{}`. */
  readonly metadata = new Map<string, Record<string, string>>();
  /** Every StartRestoreJob, in order. */
  readonly restores: StartRestoreInput[] = [];
  /** Restore jobs by id, as DescribeRestoreJob answers (tests move their status). */
  readonly restoreJobs = new Map<string, RestoreJobInfo>();

  constructor(private readonly now: () => number = Date.now) {}

  async startBackup(input: StartBackupInput) {
    this.jobs.push(clone(input));
    const n = this.jobs.length;
    return {
      backupJobId: `backup-job-${n}`,
      recoveryPointArn: `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:rp-${n}`,
    };
  }

  async describeBackupJob(backupJobId: string): Promise<BackupJobInfo> {
    const sequence = this.jobSequences.get(backupJobId);
    const next = sequence && sequence.length > 1 ? sequence.shift() : sequence?.[0];
    return { backupJobId, state: 'RUNNING', ...this.jobStates.get(backupJobId), ...next };
  }

  async latestRecoveryPoint(resourceArn: string): Promise<RecoveryPointInfo | undefined> {
    const points = [...this.recoveryPoints.values()]
      .filter((p) => p.resourceArn === resourceArn && p.status === 'COMPLETED')
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    return points[0] ? clone(points[0]) : undefined;
  }

  async latestRestoreTest(resourceArn: string): Promise<RestoreJobInfo | undefined> {
    const test = this.restoreTests.get(resourceArn);
    return test ? clone(test) : undefined;
  }

  async describeRecoveryPoint(_vaultName: string, recoveryPointArn: string) {
    const point = this.recoveryPoints.get(recoveryPointArn);
    return point ? clone(point) : undefined;
  }

  async restoreMetadata(_vaultName: string, recoveryPointArn: string) {
    return clone(this.metadata.get(recoveryPointArn) ?? {});
  }

  async startRestore(input: StartRestoreInput): Promise<string> {
    const existing = this.restores.findIndex((r) => r.idempotencyToken === input.idempotencyToken);
    if (existing >= 0) return `restore-job-${existing + 1}`;
    this.restores.push(clone(input));
    const restoreJobId = `restore-job-${this.restores.length}`;
    this.restoreJobs.set(restoreJobId, {
      restoreJobId,
      status: 'PENDING',
      recoveryPointArn: input.recoveryPointArn,
      createdAt: new Date(this.now()).toISOString(),
    });
    return restoreJobId;
  }

  async describeRestoreJob(restoreJobId: string): Promise<RestoreJobInfo> {
    const job = this.restoreJobs.get(restoreJobId);
    if (!job)
      throw new AwsCallError('not-found', 'DescribeRestoreJob', 'ResourceNotFoundException', restoreJobId);
    return clone(job);
  }

  /** A completed recovery point of `resourceArn`, created `ageHours` ago. */
  addRecoveryPoint(resourceArn: string, ageHours: number, extra: Partial<RecoveryPointInfo> = {}) {
    const n = this.recoveryPoints.size + 1;
    const point: RecoveryPointInfo = {
      recoveryPointArn: `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:existing-${n}`,
      resourceArn,
      resourceType: 'DynamoDB',
      vaultName: 'release-vault',
      status: 'COMPLETED',
      createdAt: new Date(this.now() - ageHours * 3_600_000).toISOString(),
      ...extra,
    };
    this.recoveryPoints.set(point.recoveryPointArn, point);
    return point;
  }
}

/**
 * STS as the tests set it: a proof made by {@link fakeCallerProof} is good for its digest; any other
 * digest is refused as STS refuses a signature that does not match.
 */
export class FakeIdentity implements IdentityPort {
  readonly verified: { proof: CallerProof; digest: string }[] = [];

  async verify(proof: CallerProof, digest: string): Promise<CallerIdentity> {
    this.verified.push({ proof: clone(proof), digest });
    const params = new URLSearchParams(proof.query);
    if (params.get('Action') !== 'GetCallerIdentity')
      throw new AwsCallError(
        'invalid',
        'GetCallerIdentity',
        'InvalidProof',
        'not a GetCallerIdentity request',
      );
    if (params.get('X-Fake-Digest') !== digest)
      throw new AwsCallError(
        'access-denied',
        'GetCallerIdentity',
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    const arn = params.get('X-Fake-Arn') ?? '';
    return { arn, account: arn.split(':')[4] ?? ACCOUNT, userId: `AIDA${arn.length}` };
  }
}

/** A caller proof {@link FakeIdentity} accepts for `digest`, as `arn`. */
export function fakeCallerProof(arn: string, digest: string): CallerProof {
  const query = new URLSearchParams({
    Action: 'GetCallerIdentity',
    Version: '2011-06-15',
    'X-Fake-Arn': arn,
    'X-Fake-Digest': digest,
  });
  return { query: query.toString(), host: 'sts.us-east-1.amazonaws.com' };
}

/** The coordinator as the tests see it: every report, in order. */
export class FakeGroup implements GroupPort {
  readonly reports: { coordinatorFunctionArn: string; report: MemberReport }[] = [];
  failWith?: Error;

  async report(coordinatorFunctionArn: string, report: MemberReport): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.reports.push({ coordinatorFunctionArn, report: clone(report) });
  }
}
