/**
 * The records the watchdog keeps in the store besides manifests: the current-release pointer, its
 * per-service state (latch, budget), the lock, trigger receipts and one audit record per decision.
 * The CLI reads them too, so their shapes live here.
 */
import * as z from 'zod/mini';
import {
  pendingVerificationSchema,
  promotionSchema,
  shiftStateSchema,
  verificationSchema,
} from './progressive-delivery';
import { releaseManifestSchema } from './release-manifest';
import { callerSchema, freezeSchema, pendingRestoreSchema } from './release-safety';
import { parseContract } from './schema-kit';

const isoTime = z.iso.datetime({ offset: false });

/** Which release is current and where its manifest version is. */
export const currentReleaseSchema = z.strictObject({
  releaseId: z.string(),
  manifestKey: z.string(),
  manifestVersionId: z.optional(z.string()),
  capturedAt: isoTime,
  evaluationWindowEndsAt: isoTime,
  /**
   * The manifest itself, so a rollback reads pointer and manifest in one round trip. Pointers
   * written before it was embedded leave it out; the manifest is then read by its version id.
   */
  manifest: z.optional(releaseManifestSchema()),
});
export type CurrentRelease = z.output<typeof currentReleaseSchema>;

/** The state as stored (see {@link watchdogStateSchema}). */
const storedStateSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** Set once a release is rolled back; cleared by a new release id or an explicit acknowledgement. */
  latched: z.optional(
    z.strictObject({
      releaseId: z.string(),
      rolledBackAt: isoTime,
      decisionId: z.string(),
      trigger: z.string(),
      /** The trigger that began the rollback: its redelivery finishes it. */
      eventId: z.optional(z.string()),
    }),
  ),
  lastRollbackAt: z.optional(isoTime),
  /** Times of recent automatic rollbacks, newest last, for the budget. */
  automaticRollbacks: z._default(z.array(isoTime), []),
  /**
   * A rollback that began but did not complete (blocked by unhealthy known-good groups, failed
   * steps, or writes not yet verified): the schedule tick finishes it, paging at an interval.
   */
  unfinished: z.optional(
    z.strictObject({
      releaseId: z.string(),
      decisionId: z.string(),
      since: isoTime,
      /** What is still missing, for the page. */
      detail: z.string(),
      lastPagedAt: isoTime,
      attempts: z.int(),
    }),
  ),
  /** The current release's traffic shift, when its configuration has a shifting plan. */
  shift: z.optional(shiftStateSchema),
  /** The last promotion: the color that is known-good since, which the next release starts from. */
  promotion: z.optional(promotionSchema),
  /** A rollback whose verification waits for the alarms to be OK: the schedule tick finishes it. */
  verifying: z.optional(pendingVerificationSchema),
  /** Restore jobs started by `restore-data`, followed by the schedule tick until they end. */
  restores: z.optional(z.array(pendingRestoreSchema)),
  /**
   * The deploy freezes group coordinators put on this service, one per (group, cause decision): each
   * member it depends on that rolled back freezes it until that rollback is acknowledged.
   */
  groupFreezes: z.optional(z.array(freezeSchema)),
  /**
   * The single group freeze states held before there could be several: read as one entry of
   * `groupFreezes`, never written.
   */
  groupFreeze: z.optional(freezeSchema),
});

/**
 * Per-service state: a latched rollback keeps the release on the known-good color; the budget stops
 * cascades. An old single `groupFreeze` is read as an entry of `groupFreezes`, so the state written
 * back holds only the list.
 */
export const watchdogStateSchema = z.pipe(
  storedStateSchema,
  z.transform(({ groupFreeze, ...state }) => {
    if (!groupFreeze) return state;
    const freezes = state.groupFreezes ?? [];
    const listed = freezes.some(
      (f) => f.group === groupFreeze.group && f.decisionId === groupFreeze.decisionId,
    );
    return { ...state, groupFreezes: listed ? freezes : [groupFreeze, ...freezes] };
  }),
);
export type WatchdogState = z.output<typeof watchdogStateSchema>;

/** The lock that serializes the watchdog's actions on one service. */
export const watchdogLockSchema = z.strictObject({
  owner: z.string(),
  acquiredAt: isoTime,
  expiresAt: isoTime,
  released: z._default(z.boolean(), false),
});
export type WatchdogLock = z.output<typeof watchdogLockSchema>;

/** The receipt of one delivered trigger: what makes duplicates harmless. */
export const eventReceiptSchema = z.strictObject({
  eventId: z.string(),
  status: z.enum(['in-progress', 'done', 'failed']),
  receivedAt: isoTime,
  decisionId: z.optional(z.string()),
  /**
   * Written, with `decisionId`, by the run that acts on the trigger before it acts: where its audit
   * record is, so a redelivery can tell whether that rollback completed.
   */
  decidedAt: z.optional(isoTime),
});
export type EventReceipt = z.output<typeof eventReceiptSchema>;

/** The outcome of one step of a rollback. */
export const stepRecordSchema = z.strictObject({
  kind: z.enum([
    'listener',
    'rule',
    'alias',
    'parameter',
    'artifact',
    'kill-switch',
    'check',
    'marker',
    'backup',
    'restore',
  ]),
  target: z.string(),
  /** `unverified`: written, but reading it back was throttled or failed until the budget ran out. */
  outcome: z.enum(['applied', 'unverified', 'unchanged', 'failed', 'blocked', 'planned']),
  attempts: z.int(),
  startedAt: isoTime,
  durationMs: z.number(),
  detail: z.optional(z.string()),
});
export type StepRecord = z.output<typeof stepRecordSchema>;

/** One audit record per decision. */
export const auditRecordSchema = z.strictObject({
  schemaVersion: z.literal(1),
  decisionId: z.string(),
  service: z.string(),
  decidedAt: isoTime,
  trigger: z.strictObject({
    kind: z.enum([
      'alarm',
      'health-ping',
      'rollback',
      'capture',
      'acknowledge',
      'tick',
      'pause',
      'resume',
      'promote',
      'restore-data',
      'group',
      'restore-job',
    ]),
    source: z.optional(z.string()),
    alarmName: z.optional(z.string()),
    alarmState: z.optional(z.string()),
    stateChangedAt: z.optional(z.string()),
    reason: z.optional(z.string()),
    requestedBy: z.optional(z.string()),
    dryRun: z.optional(z.boolean()),
    /** Who sent a manual action, verified by STS when it carried a caller proof. */
    caller: z.optional(callerSchema),
    /** For an action a rollback group asked for: the group and the member decision that caused it. */
    group: z.optional(z.strictObject({ name: z.string(), cause: z.string() })),
  }),
  releaseId: z.optional(z.string()),
  checks: z.array(z.strictObject({ name: z.string(), passed: z.boolean(), detail: z.optional(z.string()) })),
  decision: z.enum([
    'rollback',
    'skip',
    'plan',
    'capture',
    'refuse',
    'acknowledge',
    'shift',
    'pause',
    'resume',
    'promote',
    'stop',
    'verify',
    'kill-switch',
    'restore-data',
    'freeze',
    'unfreeze',
  ]),
  reason: z.optional(z.string()),
  steps: z.array(stepRecordSchema),
  /** `rolled-back-unverified`: every write landed, but some could not be read back in time (throttled). */
  outcome: z.enum([
    'rolled-back',
    'rolled-back-unverified',
    'partial',
    'skipped',
    'planned',
    'captured',
    'refused',
    'acknowledged',
    'shifted',
    'paused',
    'resumed',
    'promoted',
    'stopped',
    'verified',
    'verification-failed',
    'kill-switched',
    'restore-started',
    'restored',
    'restore-failed',
    'frozen',
    'unfrozen',
  ]),
  startedAt: isoTime,
  finishedAt: isoTime,
  /** From the trigger's state change (or the start of the run) to the last traffic step verified. */
  timeToRollbackMs: z.optional(z.number()),
  /** Recovery points of data backups: never restored automatically; here for the operator. */
  recoveryPoints: z._default(z.array(z.string()), []),
  /** After a rollback: read-back, smoke checks, alarms back to OK, and the diff against the manifest. */
  verification: z.optional(verificationSchema),
  /** For a verification or shift record: the decision it follows up. */
  follows: z.optional(z.string()),
  /** For a capture: the gates passed or overridden (with the override's reason in the checks). */
  overrides: z.optional(z.array(z.enum(['backupReadiness', 'freeze']))),
  /** For a restore: the job, what it creates and where it stands. */
  restore: z.optional(
    z.strictObject({
      restoreJobId: z.optional(z.string()),
      recoveryPointArn: z.string(),
      resourceArn: z.string(),
      creates: z.string(),
      status: z.optional(z.string()),
      createdResourceArn: z.optional(z.string()),
      statusMessage: z.optional(z.string()),
    }),
  ),
});
export type AuditRecord = z.output<typeof auditRecordSchema>;

export function parseAuditRecord(input: unknown): AuditRecord {
  return parseContract('audit record', auditRecordSchema, input);
}
