/**
 * Release safety across services and data: the backup readiness gate at capture, operator-driven
 * data restores, deploy freezes, rollback groups and the verified caller of manual actions. The
 * constructs write the configuration parts, the watchdog and the group coordinator act on them and
 * record their state, the CLI reads that state; all three validate with these schemas.
 */
import * as z from 'zod/mini';
import { arnSchema, boundedIntSchema, bucketNameSchema, type SchemaOptions } from './schema-kit';
import { SERVICE_NAME_PATTERN, STORE_KEY_PREFIXES } from './store-layout';

const isoTime = z.iso.datetime({ offset: false });

/** The defaults of the release-safety settings where the configuration leaves a field out. */
export const DEFAULT_RELEASE_SAFETY = {
  /** After a rollback, captures of new releases are refused this long unless acknowledged first. */
  freezeMinutes: 1440,
  /** Whether manual actions must carry a proof of who sent them (see {@link CALLER_VERIFICATION}). */
  verifiedCallers: 'required',
  /** How long a caller proof is good for after it was signed; the CLI signs with this expiry. */
  callerProofMaxAgeSeconds: 300,
  /** The longest capture may wait for the pre-release backup (under the function's 900 s limit). */
  maxBackupWaitSeconds: 600,
} as const;

/**
 * `required`: a manual action (rollback, acknowledge, pause, resume, promote, restore-data) without a
 * valid caller proof is rejected before anything is read or written. `recorded`: the proof is checked
 * and recorded when present; without one the action runs with the self-asserted `requestedBy` only,
 * marked unverified in the audit.
 */
export const CALLER_VERIFICATION = ['required', 'recorded'] as const;
export type CallerVerification = (typeof CALLER_VERIFICATION)[number];

/** How a group orders the rollbacks of its members: callers before callees, or the reverse. */
export const GROUP_ROLLBACK_ORDERS = ['callers-first', 'callees-first'] as const;
export type GroupRollbackOrder = (typeof GROUP_ROLLBACK_ORDERS)[number];

/** The release-safety parts of the watchdog configuration schema. */
export function releaseSafetyConfigParts(options: SchemaOptions = {}) {
  const boundedInt = (min: number, max: number, why?: string) => boundedIntSchema(options, min, max, why);

  /**
   * The backup readiness gate: checked at capture for every resource of `backup.resourceArns`. Each
   * part is checked only when set.
   */
  const readiness = z.strictObject({
    /** The newest completed recovery point of each resource (any vault) must be younger than this. */
    maxRecoveryPointAgeHours: z.optional(boundedInt(1, 8760)),
    /**
     * The newest restore test of each resource (a restore job a restore testing plan started) must have
     * completed with its validation not failed, and be younger than this.
     */
    maxRestoreTestAgeDays: z.optional(boundedInt(1, 365)),
    /**
     * Wait up to this long for the pre-release backup job to complete before capture answers (and
     * traffic moves); a job not completed by then refuses the release. Left out: not waited for.
     */
    waitForBackupSeconds: z.optional(
      boundedInt(1, DEFAULT_RELEASE_SAFETY.maxBackupWaitSeconds, "under Lambda's 900 s limit"),
    ),
  });

  /** Membership of a rollback group: where to report this service's rollbacks and acknowledgements. */
  const groupMembership = z.strictObject({
    name: groupNameSchema,
    /** The group coordinator function (any region): told of every rollback and acknowledgement. */
    coordinatorFunctionArn: arnSchema('lambdaFunction', options),
  });

  return { readiness, groupMembership };
}

/** A rollback group's name. */
export const GROUP_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const groupNameSchema = z
  .string()
  .check(
    z.regex(
      GROUP_NAME_PATTERN,
      'must be 1-40 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
    ),
  );

/** Why an operator lets a release past a gate; recorded in the capture's audit record. */
export const overrideSchema = z.strictObject({
  reason: z.string().check(z.minLength(1), z.maxLength(500)),
  requestedBy: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
});
export type ReleaseOverride = z.output<typeof overrideSchema>;

/** The gates a release may declare an override for, per release (with the capture request). */
export const captureOverridesSchema = z.strictObject({
  /** Release although the backup readiness gate would refuse it. */
  backupReadiness: z.optional(overrideSchema),
  /** Release although a deploy freeze is in force. */
  freeze: z.optional(overrideSchema),
});
export type CaptureOverrides = z.output<typeof captureOverridesSchema>;

/**
 * A proof of the caller's identity: a SigV4-presigned `sts:GetCallerIdentity` request, signed by the
 * caller's own credentials, whose signed headers include `x-switchback-request` valued with
 * {@link callerRequestDigest} of the request it comes with. The watchdog sends it to STS itself (at
 * its own trusted endpoint, with the digest it computes) and records the ARN STS answers with.
 */
export const callerProofSchema = z.strictObject({
  /** The presigned URL's query string (without `?`): Action, Version and the X-Amz-* parameters. */
  query: z.string().check(z.minLength(1), z.maxLength(4096)),
  /** The host the request was signed for: the watchdog accepts only its own STS endpoint's host. */
  host: z.string().check(z.minLength(1), z.maxLength(255)),
});
export type CallerProof = z.output<typeof callerProofSchema>;

/**
 * How a member's watchdog answers (its `reason` begins with this) a group's rollback request for a
 * release it has already rolled back (on its own alarm, say): it changes nothing, and the group
 * records the member as `already-rolled-back`.
 */
export const ALREADY_ROLLED_BACK_REASON = 'already rolled back';

/** The signed header that binds a caller proof to one request. */
export const CALLER_REQUEST_HEADER = 'x-switchback-request';

/**
 * The canonical text of a manual request that a caller proof binds: every field but `callerProof`,
 * keys sorted at every depth, JSON. The CLI signs its SHA-256 (hex); the watchdog computes it again.
 */
export function canonicalCallerRequest(request: Record<string, unknown>): string {
  const { callerProof: _proof, ...rest } = request;
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value as Record<string, unknown>)
          .sort()
          .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return JSON.stringify(sorted(rest));
}

/** Who sent a manual action, as recorded in its audit record. */
export const callerSchema = z.strictObject({
  /** The ARN STS answered with (for an assumed role, the `assumed-role/<role>/<session>` ARN). */
  arn: z.optional(z.string()),
  account: z.optional(z.string()),
  userId: z.optional(z.string()),
  /** True when STS confirmed the proof; false when the action ran on the self-asserted name only. */
  verified: z.boolean(),
  /** Why the caller is not verified (no proof and `recorded` mode). */
  detail: z.optional(z.string()),
});
export type VerifiedCaller = z.output<typeof callerSchema>;

/** A restore job the watchdog started and follows on its schedule tick until it ends. */
export const pendingRestoreSchema = z.strictObject({
  restoreJobId: z.string(),
  releaseId: z.string(),
  recoveryPointArn: z.string(),
  resourceArn: z.string(),
  resourceType: z.string(),
  /** The decision that started it (its audit record); the completion record follows it. */
  decisionId: z.string(),
  startedAt: isoTime,
  requestedBy: z.string(),
  /** What the restore creates, as far as known at start (e.g. the new table's name). */
  creates: z.string(),
});
export type PendingRestore = z.output<typeof pendingRestoreSchema>;

/** The terminal states of an AWS Backup restore job. */
export const RESTORE_TERMINAL_STATES = ['COMPLETED', 'ABORTED', 'FAILED'] as const;

/**
 * A deploy freeze in force: captures of new releases are refused until `until`, an acknowledgement
 * of the cause (own rollbacks) or the group's release of the freeze (a member's rollback).
 */
export const freezeSchema = z.strictObject({
  /** `rollback`: this service's own unacknowledged rollback; `group`: a group member's. */
  cause: z.enum(['rollback', 'group']),
  service: z.string(),
  releaseId: z.string(),
  decisionId: z.string(),
  group: z.optional(z.string()),
  since: isoTime,
  until: isoTime,
});
export type DeployFreeze = z.output<typeof freezeSchema>;

/** One recovery point recorded for a release, as `restore-data` lists it. */
export const recoveryPointAnswerSchema = z.object({
  recoveryPointArn: z.string(),
  resourceArn: z.string(),
  resourceType: z.optional(z.string()),
  vaultName: z.string(),
  /** AWS Backup's recovery point status (COMPLETED, PARTIAL, DELETING, EXPIRED), or MISSING. */
  status: z.string(),
  createdAt: z.optional(z.string()),
  /** When AWS Backup deletes it (its lifecycle). */
  deleteAt: z.optional(z.string()),
  /** Why it cannot be restored (expired, missing, not completed), when it cannot. */
  unavailable: z.optional(z.string()),
});
export type RecoveryPointAnswer = z.output<typeof recoveryPointAnswerSchema>;

/** The answer to `{ "action": "restore-data" }`: a list, a plan (dry run), a start, or a refusal. */
export const restoreDataAnswerSchema = z.object({
  outcome: z.enum(['listed', 'planned', 'restore-started', 'refused']),
  releaseId: z.string(),
  recoveryPoints: z.array(recoveryPointAnswerSchema),
  /** For `planned` and `restore-started`: what the restore creates and what the operator does next. */
  plan: z.optional(
    z.object({
      recoveryPointArn: z.string(),
      resourceArn: z.string(),
      resourceType: z.string(),
      /** The new resource AWS Backup creates (it never restores over the original). */
      creates: z.string(),
      /** What the operator must do to cut the service over to the restored resource. */
      cutOver: z.array(z.string()),
      /** The restore metadata sent with StartRestoreJob. */
      metadata: z.record(z.string(), z.string()),
    }),
  ),
  restoreJobId: z.optional(z.string()),
  decisionId: z.optional(z.string()),
  /** For `refused`: why, and the code the CLI maps to its exit status. */
  reason: z.optional(z.string()),
  code: z.optional(z.enum(['unknown-recovery-point', 'expired', 'not-restorable', 'unsupported-type'])),
});
export type RestoreDataAnswer = z.output<typeof restoreDataAnswerSchema>;

// ---- Rollback groups ---------------------------------------------------------------------------

/** One member of a rollback group, as the coordinator's configuration names it. */
export function groupMemberSchema(options: SchemaOptions = {}) {
  return z.strictObject({
    service: z.string().check(z.regex(SERVICE_NAME_PATTERN, 'must be a service name')),
    /** The member's watchdog function (any region): the coordinator invokes it. */
    watchdogFunctionArn: arnSchema('lambdaFunction', options),
    /** The services this member calls (its callees): a rollback of one of them makes this one follow. */
    dependsOn: z._default(z.array(z.string().check(z.regex(SERVICE_NAME_PATTERN))), []),
    /**
     * Whether the group may roll this member back automatically without a person: `false` for a member
     * whose revert needs more than traffic (a schema change, a data restore). A group rollback that
     * would include it is blocked and pages with the commands instead.
     */
    mayRevertAlone: z._default(z.boolean(), true),
  });
}

/** The coordinator's configuration: written by the RollbackGroup construct into the group's store. */
export function groupConfigSchema(options: SchemaOptions = {}) {
  return z.strictObject({
    schemaVersion: z.literal(1),
    group: groupNameSchema,
    /** Which way the followers are rolled back. */
    order: z.enum(GROUP_ROLLBACK_ORDERS),
    /** `follow`: dependents of a rolled-back member roll back too; `page`: they are frozen and paged. */
    onMemberRollback: z.enum(['follow', 'page']),
    members: z.array(groupMemberSchema(options)).check(z.minLength(2, 'a group has at least two members')),
    store: z.strictObject({
      bucket: bucketNameSchema(options),
      kmsKeyArn: z.optional(arnSchema('kmsKey', options)),
    }),
    notificationTopicArn: z.optional(arnSchema('snsTopic', options)),
    /** How long dependents of a rolled-back member stay frozen unless its rollback is acknowledged. */
    freezeMinutes: z._default(boundedIntSchema(options, 0, 10080), DEFAULT_RELEASE_SAFETY.freezeMinutes),
  });
}
export type GroupConfig = z.output<ReturnType<typeof groupConfigSchema>>;
export type GroupConfigInput = z.input<ReturnType<typeof groupConfigSchema>>;
export type GroupMember = GroupConfig['members'][number];

/** What a member's watchdog tells its coordinator (an asynchronous invoke). */
export const memberReportSchema = z.strictObject({
  action: z.enum(['member-rolled-back', 'member-acknowledged']),
  group: groupNameSchema,
  service: z.string().check(z.regex(SERVICE_NAME_PATTERN)),
  releaseId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The member's decision (its audit record). */
  decisionId: z.string().check(z.minLength(1), z.maxLength(100)),
  at: isoTime,
  /** For `member-rolled-back`: the outcome of the member's own rollback. */
  outcome: z.optional(z.string().check(z.maxLength(64))),
  /** For `member-rolled-back`: requested by the group itself (a follower's report starts nothing). */
  byGroup: z._default(z.boolean(), false),
});
export type MemberReport = z.output<typeof memberReportSchema>;

/** What the coordinator did for one member in a group decision. */
export const groupMemberOutcomeSchema = z.strictObject({
  service: z.string(),
  /** `cause`: the member whose rollback started it. */
  role: z.enum(['cause', 'follower', 'frozen', 'unaffected']),
  outcome: z.enum([
    'rolled-back',
    'already-rolled-back',
    'failed',
    'blocked',
    'frozen',
    'unfrozen',
    'skipped',
  ]),
  /** The member's own audit record of this (its decision id). */
  decisionId: z.optional(z.string()),
  detail: z.optional(z.string()),
});

/** One group decision: written by the coordinator to `audit/groups/<group>/decisions/`. */
export const groupRecordSchema = z.strictObject({
  schemaVersion: z.literal(1),
  decisionId: z.string(),
  group: z.string(),
  decidedAt: isoTime,
  trigger: z.strictObject({
    kind: z.enum(['member-rolled-back', 'member-acknowledged']),
    service: z.string(),
    releaseId: z.string(),
    decisionId: z.string(),
  }),
  order: z.enum(GROUP_ROLLBACK_ORDERS),
  /** `blocked`: a member that may not revert alone would have followed: nobody followed; paged. */
  outcome: z.enum(['followed', 'partial', 'blocked', 'paged', 'nothing-to-follow', 'unfrozen']),
  reason: z.optional(z.string()),
  /** Members in the order they were acted on (the cause first). */
  members: z.array(groupMemberOutcomeSchema),
  startedAt: isoTime,
  finishedAt: isoTime,
});
export type GroupRecord = z.output<typeof groupRecordSchema>;

/** The key of a rollback group's coordinator configuration. */
export function groupConfigKey(group: string): string {
  return `${STORE_KEY_PREFIXES.config}groups/${group}/coordinator.json`;
}

/** The key prefix of a group's decisions; keys sort by time. */
export function groupRecordPrefix(group: string): string {
  return `${STORE_KEY_PREFIXES.audit}groups/${group}/decisions/`;
}

export function groupRecordKey(group: string, decidedAt: string, decisionId: string): string {
  return `${groupRecordPrefix(group)}${decidedAt.replace(/[:.]/g, '-')}-${decisionId}.json`;
}

/** The group whose coordinator configuration lives at `key`, or undefined for any other key. */
export function groupOfConfigKey(key: string): string | undefined {
  const match = /^config\/groups\/([^/]+)\/coordinator\.json$/.exec(key);
  return match && GROUP_NAME_PATTERN.test(match[1]) ? match[1] : undefined;
}

/**
 * The members to roll back after `cause` rolled back, in order: the members that depend on it,
 * directly or through others (its callers, their callers...), callers before callees or the reverse.
 * Pure; the group's graph is acyclic (the construct refuses cycles at synth, the coordinator's
 * configuration schema is written from it).
 */
export function followersOf(
  members: readonly Pick<GroupMember, 'service' | 'dependsOn'>[],
  cause: string,
  order: GroupRollbackOrder,
): string[] {
  const callersOf = (service: string) =>
    members.filter((m) => m.dependsOn.includes(service)).map((m) => m.service);
  const reached = new Set<string>();
  const queue = [cause];
  while (queue.length > 0) {
    for (const caller of callersOf(queue.shift() as string)) {
      if (caller !== cause && !reached.has(caller)) {
        reached.add(caller);
        queue.push(caller);
      }
    }
  }
  // Depth: the longest chain of followers calling this one. Callers first sorts by it ascending (a
  // caller is always shallower than what it calls); ties keep the declaration order.
  const rank = new Map<string, number>();
  const depth = (service: string): number => {
    const known = rank.get(service);
    if (known !== undefined) return known;
    const callers = callersOf(service).filter((c) => reached.has(c));
    const value = callers.length === 0 ? 0 : 1 + Math.max(...callers.map(depth));
    rank.set(service, value);
    return value;
  };
  const callersFirst = members
    .map((m) => m.service)
    .filter((service) => reached.has(service))
    .sort((a, b) => depth(a) - depth(b));
  return order === 'callers-first' ? callersFirst : callersFirst.reverse();
}
