/**
 * What the coordinator keeps in the group's store: one record per group decision (the lib contract,
 * under `audit/groups/<group>/decisions/`) and, per rolled-back release, the ledger of the followers
 * frozen for it, so that its acknowledgement lifts exactly those freezes.
 */
import * as z from 'zod/mini';
import { groupRecordKey, STORE_KEY_PREFIXES, type GroupRecord, type MemberReport } from '../../lib';

export type GroupMemberOutcome = GroupRecord['members'][number];

/**
 * The key of the record of the decision a report leads to. It is derived from the report alone (the
 * member's report time sorts it among the group's decisions), so every delivery of that report finds
 * the same key: the record is written with `If-None-Match`, and a retry that finds it does nothing.
 */
export function groupDecisionKey(
  group: string,
  report: Pick<MemberReport, 'at'>,
  decisionId: string,
): string {
  return groupRecordKey(group, report.at, decisionId);
}

/** The followers frozen for one member's rolled-back release, lifted when that release is acknowledged. */
export const freezeLedgerSchema = z.strictObject({
  schemaVersion: z.literal(1),
  group: z.string(),
  /** The member's rollback the freezes are for (the `cause` sent with each freeze). */
  cause: z.strictObject({ service: z.string(), releaseId: z.string(), decisionId: z.string() }),
  /** The group decision that froze them. */
  decisionId: z.string(),
  frozenAt: z.iso.datetime({ offset: false }),
  until: z.iso.datetime({ offset: false }),
  /** The members frozen, in the order they were frozen. */
  members: z.array(z.strictObject({ service: z.string(), watchdogFunctionArn: z.string() })),
  /** Set once the cause was acknowledged and the freezes lifted. */
  lifted: z.optional(
    z.strictObject({
      at: z.iso.datetime({ offset: false }),
      decisionId: z.string(),
      /** Members whose freeze could not be lifted: it ends at `until`. */
      stillFrozen: z.array(z.string()),
    }),
  ),
});
export type FreezeLedger = z.output<typeof freezeLedgerSchema>;

/** The ledger of the freezes put on a member's dependents for a rollback of its release. */
export function freezeLedgerKey(group: string, service: string, releaseId: string): string {
  return `${STORE_KEY_PREFIXES.audit}groups/${group}/frozen/${service}/${releaseId}.json`;
}

/** The notification's subject for a group decision (the SNS adapter trims it to SNS's limit). */
export function groupSubject(record: GroupRecord): string {
  const cause = `${record.trigger.service} ${record.trigger.releaseId}`;
  const followers = record.members.filter((m) => m.role === 'follower');
  const prefix = `[switchback] group ${record.group}`;
  if (record.trigger.kind === 'member-acknowledged') {
    return record.outcome === 'unfrozen'
      ? `${prefix}: ${cause} acknowledged, dependents unfrozen`
      : `${prefix}: ${cause} acknowledged, dependents STILL FROZEN, action needed`;
  }
  switch (record.outcome) {
    case 'followed':
      return `${prefix}: ${followers.length} followed the rollback of ${cause}`;
    case 'partial':
      return `${prefix}: PARTIAL group rollback after ${cause}, action needed`;
    case 'blocked':
      return `${prefix}: rollback of ${cause} BLOCKED for its dependents, action needed`;
    case 'paged':
      return `${prefix}: ${cause} rolled back, dependents frozen, action needed`;
    case 'nothing-to-follow':
      return `${prefix}: ${cause} rolled back, nothing depends on it`;
    case 'unfrozen':
      return `${prefix}: ${cause} dependents unfrozen`;
  }
}
