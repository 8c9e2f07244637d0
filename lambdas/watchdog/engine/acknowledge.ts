/**
 * An operator's acknowledgement of a rolled-back release: the next `cdktf deploy` of that release may
 * send traffic to the candidate again, and the watchdog is armed again for it. Audited like any
 * decision.
 */
import { acknowledgementKey, rollbackMarkerKey, type AcknowledgeResultAnswer } from '../../../lib';
import type { AcknowledgeRequest } from '../events';
import { auditRecord, recordDecision } from './audit';
import { acquireLock, readState, releaseLockQuietly, writeState } from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import { reportToGroup } from './rollback';
import { originOf } from './trigger';

/** The answer to an acknowledgement, in lib's answer shape (the CLI parses it with the same schema). */
export type AcknowledgeResult = AcknowledgeResultAnswer;

export async function acknowledgeRollback(
  context: EngineContext,
  request: AcknowledgeRequest,
): Promise<AcknowledgeResult> {
  const { config, ports } = context;
  const coord = coordination(context);
  const lease = await acquireLock(coord, context.lockWaitMs);
  if (!lease) throw new Error(`another watchdog run holds the lock of ${config.service}; try again`);
  const startedAt = isoNow(context);
  try {
    const [marker, state] = await Promise.all([
      ports.store.getJson(rollbackMarkerKey(config.service, request.releaseId)),
      readState(coord),
    ]);
    const wasRolledBack = marker !== undefined;
    // A rollback that could move nothing left no hold, but the tick keeps retrying it until acknowledged.
    const unfinished = state.unfinished?.releaseId === request.releaseId;
    if (!wasRolledBack && !unfinished) {
      throw new Error(`release ${request.releaseId} was not rolled back: there is nothing to acknowledge`);
    }
    await Promise.all([
      ports.store.putJson(acknowledgementKey(config.service, request.releaseId), {
        releaseId: request.releaseId,
        acknowledgedBy: request.requestedBy,
        reason: request.reason,
        acknowledgedAt: startedAt,
      }),
      // Acknowledging also stops the schedule tick from finishing an unfinished rollback of it.
      state.latched?.releaseId === request.releaseId || state.unfinished?.releaseId === request.releaseId
        ? writeState(coord, {
            ...state,
            latched: state.latched?.releaseId === request.releaseId ? undefined : state.latched,
            unfinished: state.unfinished?.releaseId === request.releaseId ? undefined : state.unfinished,
          })
        : Promise.resolve(),
    ]);
    await recordDecision(
      context,
      auditRecord(context, startedAt, {
        trigger: {
          kind: 'acknowledge',
          source: 'manual',
          reason: request.reason,
          requestedBy: request.requestedBy,
          ...originOf(request),
        },
        releaseId: request.releaseId,
        checks: [{ name: 'release-was-rolled-back', passed: wasRolledBack }],
        decision: 'acknowledge',
        reason: request.reason,
        outcome: 'acknowledged',
      }),
      true,
    );
    // The group lifts the deploy freeze it put on this service's dependents for this rollback.
    await reportToGroup(context, {
      action: 'member-acknowledged',
      releaseId: request.releaseId,
      decisionId: context.invocationId,
    });
    return { releaseId: request.releaseId, wasRolledBack };
  } finally {
    await releaseLockQuietly(coord, lease, context.log);
  }
}
