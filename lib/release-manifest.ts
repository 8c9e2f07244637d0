/**
 * The release manifest: the live state captured just before a release changes traffic or configuration.
 * The watchdog writes it (a new object version per capture) and restores from it; it never invents state.
 */
import * as z from 'zod/mini';
import { arnSchema, parseContract, type SchemaOptions } from './schema-kit';
import { capturedKillSwitchSchema, deliveryConfigParts } from './progressive-delivery';
import { SERVICE_NAME_PATTERN } from './store-layout';

/** The manifest format this code writes and reads. Bump it on any incompatible change. */
export const RELEASE_MANIFEST_SCHEMA_VERSION = 1;

/** A release id: what `cdktf deploy` was run for (a commit, a build number, a tag). */
export const RELEASE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const HTTP_CODE = /^[2-5]\d\d$/;

/** Builds the release manifest schema. */
export function releaseManifestSchema(options: SchemaOptions = {}) {
  const targetGroupArn = arnSchema('targetGroup', options);

  // The listener actions as ELBv2 describes them, limited to the kinds the watchdog can restore.
  const forwardAction = z.strictObject({
    type: z.literal('forward'),
    order: z.optional(z.int().check(z.minimum(1), z.maximum(50000))),
    forwardConfig: z.strictObject({
      targetGroups: z
        .array(z.strictObject({ targetGroupArn, weight: z.int().check(z.minimum(0), z.maximum(999)) }))
        .check(z.minLength(1), z.maxLength(5)),
      stickiness: z.optional(
        z.strictObject({
          enabled: z.boolean(),
          durationSeconds: z.optional(z.int().check(z.minimum(1), z.maximum(604800))),
        }),
      ),
    }),
  });
  const redirectAction = z.strictObject({
    type: z.literal('redirect'),
    order: z.optional(z.int().check(z.minimum(1), z.maximum(50000))),
    redirectConfig: z.strictObject({
      protocol: z.optional(z.string()),
      port: z.optional(z.string()),
      host: z.optional(z.string()),
      path: z.optional(z.string()),
      query: z.optional(z.string()),
      statusCode: z.enum(['HTTP_301', 'HTTP_302']),
    }),
  });
  const fixedResponseAction = z.strictObject({
    type: z.literal('fixed-response'),
    order: z.optional(z.int().check(z.minimum(1), z.maximum(50000))),
    fixedResponseConfig: z.strictObject({
      statusCode: z.string().check(z.regex(HTTP_CODE, 'must be an HTTP status code from 200 to 599')),
      contentType: z.optional(z.string()),
      messageBody: z.optional(z.string().check(z.maxLength(1024))),
    }),
  });
  const action = z.discriminatedUnion('type', [forwardAction, redirectAction, fixedResponseAction]);
  const actions = z.array(action).check(z.minLength(1, 'must hold at least one action'));

  const capturedRule = z.strictObject({
    ruleArn: arnSchema('listenerRule', options),
    /** The rule's priority when captured, for the audit trail; the watchdog restores actions only. */
    priority: z.string(),
    actions,
  });

  const capturedListener = z.strictObject({
    name: z.string(),
    listenerArn: arnSchema('listener', options),
    /** The target groups that served traffic before the release: the way back. */
    knownGoodTargetGroupArns: z.array(targetGroupArn),
    /** The target groups the release may send traffic to. */
    candidateTargetGroupArns: z.array(targetGroupArn),
    defaultActions: actions,
    rules: z._default(z.array(capturedRule), []),
  });

  const capturedAlias = z.strictObject({
    functionName: z.string().check(z.minLength(1)),
    aliasName: z.string().check(z.minLength(1)),
    functionVersion: z
      .string()
      .check(z.regex(/^(\$LATEST|[0-9]+)$/, "must be a version number or '$LATEST'")),
    /** Weighted routing to a second version, as captured (version -> weight 0-1). */
    additionalVersionWeights: z._default(
      z.record(z.string(), z.number().check(z.minimum(0), z.maximum(1))),
      {},
    ),
  });
  const capturedParameter = z.strictObject({
    name: z.string().check(z.minLength(1)),
    /** The version live at capture; restoring writes its value back as a new version. */
    version: z.int().check(z.minimum(1)),
  });
  const capturedArtifact = z.strictObject({
    key: z.string().check(z.minLength(1)),
    versionId: z.string().check(z.minLength(1)),
  });
  const capturedAlarm = z.strictObject({
    name: z.string().check(z.minLength(1)),
    state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  });
  const capturedBackup = z.strictObject({
    resourceArn: z.string().check(z.minLength(1)),
    backupJobId: z.string().check(z.minLength(1)),
    vaultName: z.string().check(z.minLength(1)),
    recoveryPointArn: z.optional(z.string()),
    /** The job's state when capture last saw it (COMPLETED after a wait for it). */
    state: z.optional(z.string()),
    /** When the job completed, if capture waited for it. */
    completedAt: z.optional(z.iso.datetime({ offset: false })),
  });

  return z.strictObject({
    schemaVersion: z.literal(RELEASE_MANIFEST_SCHEMA_VERSION),
    service: z
      .string()
      .check(z.regex(SERVICE_NAME_PATTERN, 'must be 1-40 lowercase letters, digits or hyphens')),
    releaseId: z
      .string()
      .check(z.regex(RELEASE_ID_PATTERN, 'must be 1-128 letters, digits, dots, underscores or hyphens')),
    capturedAt: z.iso.datetime({ offset: false }),
    /** After this time the release is no longer rolled back automatically. */
    evaluationWindowEndsAt: z.iso.datetime({ offset: false }),
    listeners: z.array(capturedListener),
    aliases: z._default(z.array(capturedAlias), []),
    parameters: z._default(z.array(capturedParameter), []),
    artifacts: z._default(z.array(capturedArtifact), []),
    alarms: z._default(z.array(capturedAlarm), []),
    /** On-demand backups started at capture: never restored automatically, offered to the operator. */
    backups: z._default(z.array(capturedBackup), []),
    /** The shifting plan in force for this release (the configuration's, at capture). */
    shifting: z.optional(deliveryConfigParts(options).shifting),
    /** The kill switches' state at capture: what restoring them puts back. */
    killSwitches: z._default(z.array(capturedKillSwitchSchema), []),
  });
}

/** A release manifest after validation. */
export type ReleaseManifest = z.output<ReturnType<typeof releaseManifestSchema>>;
/** One captured listener of a release manifest. */
export type CapturedListener = ReleaseManifest['listeners'][number];
/** One captured Lambda alias. */
export type CapturedAlias = ReleaseManifest['aliases'][number];
/** One captured SSM parameter version. */
export type CapturedParameter = ReleaseManifest['parameters'][number];
/** One captured artifact object version. */
export type CapturedArtifact = ReleaseManifest['artifacts'][number];
/** One listener action as captured (forward, redirect or fixed-response). */
export type ListenerAction = CapturedListener['defaultActions'][number];

/** Validates a release manifest document, or throws a `ContractError` naming each bad field. */
export function parseReleaseManifest(input: unknown, options: SchemaOptions = {}): ReleaseManifest {
  return parseContract('release manifest', releaseManifestSchema(options), input);
}
