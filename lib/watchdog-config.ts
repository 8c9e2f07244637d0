/**
 * The watchdog's configuration: what it protects and where its store is. Written by the constructs at
 * synth time (as an S3 object in the artifact store) and read by the watchdog at run time; both sides
 * validate it with the same schema.
 */
import * as z from 'zod/mini';
import { arnSchema, bucketNameSchema, parseContract, type SchemaOptions } from './schema-kit';
import { SERVICE_NAME_PATTERN, STORE_KEY_PREFIXES } from './store-layout';

/** The configuration format this code writes and reads. Bump it on any incompatible change. */
export const WATCHDOG_CONFIG_SCHEMA_VERSION = 1;

/** Builds the watchdog configuration schema; see {@link SchemaOptions} for synth-time use. */
export function watchdogConfigSchema(options: SchemaOptions = {}) {
  const protectedListener = z.strictObject({
    /** A stable name for the listener within the service, e.g. `production` or `test`. */
    name: z
      .string()
      .check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be 1-32 lowercase letters, digits or hyphens')),
    /** `production` listeners are switched back; `test` listeners always follow the candidate. */
    role: z.enum(['production', 'test']),
    listenerArn: arnSchema('listener', options),
    /** The two target groups; which one is known-good for a release is captured in its manifest. */
    targetGroupArns: z.strictObject({
      blue: arnSchema('targetGroup', options),
      green: arnSchema('targetGroup', options),
    }),
    /** The listener rules whose actions the watchdog restores along with the default actions. */
    ruleArns: z._default(z.array(arnSchema('listenerRule', options)), []),
  });

  const store = z.strictObject({
    bucket: bucketNameSchema(options),
    /** The store's key layout; fixed for this schema version. */
    prefixes: z._default(
      z.strictObject({
        artifacts: z.literal(STORE_KEY_PREFIXES.artifacts),
        manifests: z.literal(STORE_KEY_PREFIXES.manifests),
        config: z.literal(STORE_KEY_PREFIXES.config),
        audit: z.literal(STORE_KEY_PREFIXES.audit),
      }),
      { ...STORE_KEY_PREFIXES },
    ),
    /** The store's KMS key, when objects are encrypted with SSE-KMS. */
    kmsKeyArn: z.optional(arnSchema('kmsKey', options)),
  });

  return z.strictObject({
    schemaVersion: z.literal(WATCHDOG_CONFIG_SCHEMA_VERSION),
    service: z
      .string()
      .check(z.regex(SERVICE_NAME_PATTERN, 'must be 1-40 lowercase letters, digits or hyphens')),
    store,
    listeners: z.array(protectedListener).check(
      z.minLength(1, 'must name at least one listener to protect'),
      z.refine((listeners) => new Set(listeners.map((l) => l.name)).size === listeners.length, {
        message: 'listener names must be unique',
      }),
    ),
  });
}

/** The watchdog configuration, as the watchdog sees it after validation. */
export type WatchdogConfig = z.output<ReturnType<typeof watchdogConfigSchema>>;
/** The watchdog configuration as written (defaults may be left out). */
export type WatchdogConfigInput = z.input<ReturnType<typeof watchdogConfigSchema>>;
/** One protected listener of the watchdog configuration. */
export type ProtectedListener = WatchdogConfig['listeners'][number];
/** The artifact store section of the watchdog configuration. */
export type StoreConfig = WatchdogConfig['store'];

/** Validates a watchdog configuration document, or throws a `ContractError` naming each bad field. */
export function parseWatchdogConfig(input: unknown, options: SchemaOptions = {}): WatchdogConfig {
  return parseContract('watchdog config', watchdogConfigSchema(options), input);
}
