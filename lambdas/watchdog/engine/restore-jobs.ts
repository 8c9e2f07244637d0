/**
 * Following the restore jobs `restore-data` started (state `restores`), on the schedule tick. Each tick
 * describes the pending jobs; a job still PENDING or RUNNING costs that read and nothing else. A job
 * that ended (COMPLETED, ABORTED, FAILED; or one AWS Backup no longer knows) gets its record (trigger
 * `restore-job`, outcome `restored` or `restore-failed`, following the decision that started it), a
 * notification, and leaves the state. Nothing pending: nothing is read at all.
 */
import { RESTORE_TERMINAL_STATES, type PendingRestore, type WatchdogState } from '../../../lib';
import { AwsCallError, type RestoreJobInfo } from '../ports';
import { auditRecord, recordDecision } from './audit';
import { acquireLock, readVersionedState, releaseLockQuietly, writeState } from './coordination';
import { coordination, isoNow, type EngineContext } from './context';

/** What the tick did about the pending restore jobs. */
export interface RestoreJobsOutcome {
  /** Jobs that ended and were recorded this tick. */
  readonly ended: {
    readonly restoreJobId: string;
    readonly outcome: 'restored' | 'restore-failed';
    readonly decisionId: string;
  }[];
  /** Jobs still running after this tick. */
  readonly pending: number;
}

/** A job that ended, as AWS Backup last described it. */
interface Ended {
  readonly pending: PendingRestore;
  readonly job: RestoreJobInfo;
}

const isTerminal = (status: string) => (RESTORE_TERMINAL_STATES as readonly string[]).includes(status);

/**
 * Describes the pending restore jobs of `state` (as the tick read it) and settles those that ended,
 * under the service's lock. Undefined when nothing is pending, or when jobs ended but another run holds
 * the lock (the next tick looks again).
 */
export async function followRestoreJobs(
  context: EngineContext,
  state: WatchdogState,
): Promise<RestoreJobsOutcome | undefined> {
  const restores = state.restores ?? [];
  if (restores.length === 0) return undefined;
  const port = context.ports.backup;
  if (!port) {
    context.log.warn('restore jobs pending, but no backup client is available to follow them', {
      restoreJobIds: restores.map((r) => r.restoreJobId),
    });
    return { ended: [], pending: restores.length };
  }
  const described = await Promise.all(
    restores.map(async (pending): Promise<Ended | undefined> => {
      try {
        const job = await port.describeRestoreJob(pending.restoreJobId);
        return isTerminal(job.status) ? { pending, job } : undefined;
      } catch (error) {
        if (error instanceof AwsCallError && error.kind === 'not-found') {
          // A job AWS Backup does not know has ended for good, and nothing says it restored anything.
          const job: RestoreJobInfo = {
            restoreJobId: pending.restoreJobId,
            status: 'MISSING',
            createdAt: pending.startedAt,
            statusMessage: `AWS Backup no longer knows restore job ${pending.restoreJobId}: ${error.detail}`,
          };
          return { pending, job };
        }
        context.log.warn('restore job could not be described; the next tick looks again', {
          restoreJobId: pending.restoreJobId,
          error: String(error),
        });
        return undefined;
      }
    }),
  );
  const ended = described.filter((e): e is Ended => e !== undefined);
  if (ended.length === 0) return { ended: [], pending: restores.length };

  const coord = coordination(context);
  const lease = await acquireLock(coord, context.lockWaitMs);
  if (!lease) {
    context.log.info('restore jobs: another run holds the lock; the next tick looks again');
    return undefined;
  }
  try {
    const { state: current, condition } = await readVersionedState(coord);
    // Only jobs still pending under the lock: another run may have settled one already.
    const settling = ended.filter((e) =>
      (current.restores ?? []).some((r) => r.restoreJobId === e.pending.restoreJobId),
    );
    const outcomes: RestoreJobsOutcome['ended'] = [];
    // Recorded first, then dropped from the state: a crash in between records a job twice (under the
    // same decision id), never loses its end.
    for (const { pending, job } of settling) {
      outcomes.push(await recordEnd(context, pending, job));
    }
    const settled = new Set(settling.map((e) => e.pending.restoreJobId));
    const remaining = (current.restores ?? []).filter((r) => !settled.has(r.restoreJobId));
    if (settled.size > 0) {
      const { restores: _restores, ...rest } = current;
      await writeState(coord, remaining.length > 0 ? { ...rest, restores: remaining } : rest, condition);
    }
    return { ended: outcomes, pending: remaining.length };
  } finally {
    await releaseLockQuietly(coord, lease, context.log);
  }
}

async function recordEnd(
  context: EngineContext,
  pending: PendingRestore,
  job: RestoreJobInfo,
): Promise<RestoreJobsOutcome['ended'][number]> {
  const restored = job.status === 'COMPLETED';
  const outcome = restored ? 'restored' : 'restore-failed';
  // Apart from the run's id, and the same whichever run records it.
  const decisionId = `${pending.decisionId}-restore-job`;
  const now = isoNow(context);
  await recordDecision(
    context,
    auditRecord(context, now, {
      decisionId,
      trigger: {
        kind: 'restore-job',
        source: 'schedule',
        reason: `following restore job ${pending.restoreJobId} (decision ${pending.decisionId})`,
        requestedBy: pending.requestedBy,
      },
      releaseId: pending.releaseId,
      checks: [
        {
          name: 'restore-job-completed',
          passed: restored,
          detail: job.status + (job.statusMessage ? `: ${job.statusMessage}` : ''),
        },
      ],
      decision: 'restore-data',
      outcome,
      ...(restored
        ? {}
        : {
            reason: `restore job ${pending.restoreJobId} ${job.status}${job.statusMessage ? `: ${job.statusMessage}` : ''}`,
          }),
      steps: [
        {
          kind: 'restore',
          target: pending.recoveryPointArn,
          outcome: restored ? 'applied' : 'failed',
          attempts: 1,
          startedAt: pending.startedAt,
          durationMs: Math.max(0, Date.parse(job.completedAt ?? now) - Date.parse(pending.startedAt)),
          detail: restored
            ? `created ${job.createdResourceArn ?? pending.creates}`
            : `${job.status}${job.statusMessage ? `: ${job.statusMessage}` : ''}`,
        },
      ],
      recoveryPoints: [pending.recoveryPointArn],
      follows: pending.decisionId,
      restore: {
        restoreJobId: pending.restoreJobId,
        recoveryPointArn: pending.recoveryPointArn,
        resourceArn: pending.resourceArn,
        creates: pending.creates,
        status: job.status,
        ...(job.createdResourceArn ? { createdResourceArn: job.createdResourceArn } : {}),
        ...(job.statusMessage ? { statusMessage: job.statusMessage } : {}),
      },
    }),
    true,
  );
  return { restoreJobId: pending.restoreJobId, outcome, decisionId };
}
