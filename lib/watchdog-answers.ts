/**
 * What the watchdog answers to its manual actions (`status`, `rollback`, `capture`, `acknowledge`),
 * as the CLI reads them. Objects are not strict: a newer watchdog may add fields an older CLI ignores.
 */
import * as z from 'zod/mini';
import { parseContract } from './schema-kit';
import { auditRecordSchema, currentReleaseSchema, watchdogStateSchema } from './watchdog-records';

const color = z.enum(['blue', 'green', 'other']);

/** The answer to `{ "action": "status" }`. */
export const serviceStatusSchema = z.object({
  service: z.string(),
  release: z.optional(currentReleaseSchema),
  evaluationWindowLeftSeconds: z.number(),
  state: watchdogStateSchema,
  lock: z.object({ held: z.boolean(), owner: z.optional(z.string()), expiresAt: z.optional(z.string()) }),
  alarms: z.array(
    z.object({
      name: z.string(),
      arn: z.optional(z.string()),
      value: z.string(),
      updatedAt: z.optional(z.string()),
    }),
  ),
  listeners: z.array(
    z.object({
      name: z.string(),
      listenerArn: z.optional(z.string()),
      forwardsTo: z.array(z.object({ color, targetGroupArn: z.string(), weight: z.number() })),
      activeColor: z.enum(['blue', 'green', 'mixed', 'none']),
      error: z.optional(z.string()),
    }),
  ),
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
