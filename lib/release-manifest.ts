/**
 * The release manifest: the live state captured just before a release changes traffic or configuration.
 * The watchdog writes it (a new object version per capture) and restores from it; it never invents state.
 */
import * as z from 'zod/mini';
import { arnSchema, parseContract, type SchemaOptions } from './schema-kit';
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
    knownGoodTargetGroupArns: z.array(targetGroupArn).check(z.minLength(1)),
    /** The target groups the release may send traffic to. */
    candidateTargetGroupArns: z.array(targetGroupArn),
    defaultActions: actions,
    rules: z._default(z.array(capturedRule), []),
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
    listeners: z.array(capturedListener),
  });
}

/** A release manifest after validation. */
export type ReleaseManifest = z.output<ReturnType<typeof releaseManifestSchema>>;
/** One captured listener of a release manifest. */
export type CapturedListener = ReleaseManifest['listeners'][number];
/** One listener action as captured (forward, redirect or fixed-response). */
export type ListenerAction = CapturedListener['defaultActions'][number];

/** Validates a release manifest document, or throws a `ContractError` naming each bad field. */
export function parseReleaseManifest(input: unknown, options: SchemaOptions = {}): ReleaseManifest {
  return parseContract('release manifest', releaseManifestSchema(options), input);
}
