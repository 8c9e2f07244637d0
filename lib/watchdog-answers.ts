/**
 * What the watchdog answers to its manual actions (`status`, `rollback`, `capture`, `acknowledge`),
 * as the CLI reads them. Objects are not strict: a newer watchdog may add fields an older CLI ignores.
 */
import * as z from 'zod/mini';
import { deliveryConfigParts } from './progressive-delivery';
import { freezeSchema } from './release-safety';
import { parseContract } from './schema-kit';
import { auditRecordSchema, currentReleaseSchema, watchdogStateSchema } from './watchdog-records';

/** Where a listener's traffic goes: one entry per target group of its forward actions. */
const forwardSchema = z.object({
  /** The configured color of the target group; `other` for a group that is neither. */
  color: z.enum(['blue', 'green', 'other']),
  targetGroupArn: z.string(),
  weight: z.number(),
});

/** One protected listener in a status answer. */
export const listenerStatusSchema = z.object({
  name: z.string(),
  /** Missing when the listener could not be found. */
  listenerArn: z.optional(z.string()),
  forwardsTo: z.array(forwardSchema),
  /** The one color receiving traffic (weight above 0); `mixed` for several or a group of neither color. */
  activeColor: z.enum(['blue', 'green', 'mixed', 'none']),
  /** Why the watchdog could not restore this listener now (missing, unreadable, unrestorable rules). */
  error: z.optional(z.string()),
});
export type ListenerStatusAnswer = z.output<typeof listenerStatusSchema>;

/** One protected alarm in a status answer. */
export const alarmStatusSchema = z.object({
  name: z.string(),
  /** Missing when the alarm does not exist. */
  arn: z.optional(z.string()),
  /** `OK`, `ALARM`, `INSUFFICIENT_DATA`, or `MISSING` when the alarm does not exist. */
  value: z.string(),
  /** When the alarm last changed state (ISO 8601). */
  updatedAt: z.optional(z.string()),
});
export type AlarmStatusAnswer = z.output<typeof alarmStatusSchema>;

/**
 * The answer to `{ "action": "status" }`, and what `switchback status` reads around the watchdog: both
 * come from the watchdog's one status implementation, typed by this schema.
 */
export const serviceStatusSchema = z.object({
  service: z.string(),
  /** The current-release pointer, without its embedded manifest (`switchback history` shows that). */
  release: z.optional(currentReleaseSchema),
  evaluationWindowLeftSeconds: z.number(),
  state: watchdogStateSchema,
  lock: z.object({ held: z.boolean(), owner: z.optional(z.string()), expiresAt: z.optional(z.string()) }),
  /** Every configured alarm, in the configuration's order. */
  alarms: z.array(alarmStatusSchema),
  /** Every configured listener, in the configuration's order. */
  listeners: z.array(listenerStatusSchema),
  /** The shifting plan in force for the current release, when there is one. */
  shifting: z.optional(deliveryConfigParts().shifting),
  /** The deploy freeze in force (own unacknowledged rollback or a group's), when there is one. */
  freeze: z.optional(freezeSchema),
  /** The rollback group the service belongs to. */
  group: z.optional(z.object({ name: z.string(), coordinatorFunctionArn: z.string() })),
});
export type ServiceStatusAnswer = z.output<typeof serviceStatusSchema>;

/** The answer to a rollback (manual or automatic): the decision and each step. */
export const triggerOutcomeSchema = z.object({
  decisionId: z.optional(z.string()),
  outcome: z.union([auditRecordSchema.shape.outcome, z.literal('duplicate'), z.literal('dismissed')]),
  reason: z.optional(z.string()),
  steps: auditRecordSchema.shape.steps,
});
export type TriggerOutcomeAnswer = z.output<typeof triggerOutcomeSchema>;

/** The answer to `{ "action": "capture" }`. */
export const captureResultSchema = z.object({
  status: z.enum(['captured', 'already-captured']),
  /** The gates this release was let past by its overrides. */
  overridden: z.optional(z.array(z.string())),
  releaseId: z.string(),
  manifestKey: z.string(),
  manifestVersionId: z.optional(z.string()),
  evaluationWindowEndsAt: z.string(),
});
export type CaptureResultAnswer = z.output<typeof captureResultSchema>;

/** The answer to `{ "action": "acknowledge" }`. */
export const acknowledgeResultSchema = z.object({ releaseId: z.string(), wasRolledBack: z.boolean() });
export type AcknowledgeResultAnswer = z.output<typeof acknowledgeResultSchema>;

/** Parses one of the answers above, naming the action when the shape is unexpected. */
export function parseWatchdogAnswer<T>(action: string, schema: z.ZodMiniType<T>, input: unknown): T {
  return parseContract(`the watchdog's answer to ${action}`, schema, input);
}
