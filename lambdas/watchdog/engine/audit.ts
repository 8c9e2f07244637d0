/** One audit record per decision in the store, one notification, one metric. */
import { decisionRecordKey, parseAuditRecord, type AuditRecord } from '../../../lib';
import { isoNow, type EngineContext } from './context';

/** Writes the record (validated against the contract) and publishes the notification. */
export async function recordDecision(
  context: EngineContext,
  record: AuditRecord,
  notify: boolean,
): Promise<void> {
  const valid = parseAuditRecord(record);
  await context.ports.store.putJson(
    decisionRecordKey(valid.service, valid.decidedAt, valid.decisionId),
    valid,
  );
  context.metrics.decision(valid.outcome);
  if (valid.timeToRollbackMs !== undefined) context.metrics.timeToRollback(valid.timeToRollbackMs);
  context.log.info('decision recorded', {
    decisionId: valid.decisionId,
    decision: valid.decision,
    outcome: valid.outcome,
    reason: valid.reason,
    releaseId: valid.releaseId,
  });
  if (!notify) return;
  try {
    await context.ports.notify.publish(subjectOf(valid), valid);
  } catch (error) {
    // The audit record is written; a lost notification must not undo or repeat the decision.
    context.log.error('notification failed', { decisionId: valid.decisionId, error: String(error) });
  }
}

function subjectOf(record: AuditRecord): string {
  const release = record.releaseId ? ` release ${record.releaseId}` : '';
  switch (record.outcome) {
    case 'rolled-back':
      return `[switchback] ${record.service}: rolled back${release}`;
    case 'partial':
      return `[switchback] ${record.service}: PARTIAL rollback${release}, action needed`;
    case 'refused':
      return `[switchback] ${record.service}: capture refused${release}`;
    default:
      return `[switchback] ${record.service}: ${record.decision} (${record.outcome})${release}`;
  }
}

/** An audit record of this invocation: the shared fields filled in, the decision's own given. */
export function auditRecord(
  context: EngineContext,
  startedAt: string,
  fields: Pick<AuditRecord, 'trigger' | 'checks' | 'decision' | 'outcome'> & Partial<AuditRecord>,
): AuditRecord {
  const now = isoNow(context);
  return {
    schemaVersion: 1,
    decisionId: context.invocationId,
    service: context.config.service,
    decidedAt: now,
    startedAt,
    finishedAt: now,
    steps: [],
    recoveryPoints: [],
    ...fields,
  };
}
