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

/** Per-service state: a latched rollback keeps the release on the known-good color; the budget stops cascades. */
export const watchdogStateSchema = z.strictObject({
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
});
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
  kind: z.enum(['listener', 'rule', 'alias', 'parameter', 'artifact', 'kill-switch', 'check', 'marker']),
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
    ]),
    source: z.optional(z.string()),
    alarmName: z.optional(z.string()),
    alarmState: z.optional(z.string()),
    stateChangedAt: z.optional(z.string()),
    reason: z.optional(z.string()),
    requestedBy: z.optional(z.string()),
    dryRun: z.optional(z.boolean()),
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
});
export type AuditRecord = z.output<typeof auditRecordSchema>;

export function parseAuditRecord(input: unknown): AuditRecord {
  return parseContract('audit record', auditRecordSchema, input);
}
