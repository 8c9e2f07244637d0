/**
 * The watchdog's configuration: what it protects, where its store is and the rollback policy. Written
 * by the constructs at synth time (as an S3 object in the artifact store) and read by the watchdog at
 * run time; both sides validate it with the same schema.
 */
import * as z from 'zod/mini';
import {
  arnSchema,
  AWS_REGION_PATTERN,
  boundedIntSchema,
  bucketNameSchema,
  httpUrlSchema,
  parseContract,
  patternSchema,
  type SchemaOptions,
  TARGET_GROUP_NAME_PATTERN,
} from './schema-kit';
import { deliveryConfigParts } from './progressive-delivery';
import { CALLER_VERIFICATION, DEFAULT_RELEASE_SAFETY, releaseSafetyConfigParts } from './release-safety';
import { SERVICE_NAME_PATTERN, STORE_KEY_PREFIXES } from './store-layout';

/** The configuration format this code writes and reads. Bump it on any incompatible change. */
export const WATCHDOG_CONFIG_SCHEMA_VERSION = 1;

/** The rollback policy used where the configuration leaves a field out. */
export const DEFAULT_ROLLBACK_POLICY = {
  evaluationWindowMinutes: 60,
  cooldownMinutes: 15,
  maxAutomaticRollbacks: 3,
  budgetWindowMinutes: 1440,
  maxEventAgeSeconds: 600,
  lockTtlSeconds: 120,
  allowCaptureWhileAlarming: false,
  minHealthyTargets: 1,
  minHealthyPercentOfCandidate: 50,
  stepTimeBudgetMs: 20000,
  repageMinutes: 15,
  freezeMinutes: DEFAULT_RELEASE_SAFETY.freezeMinutes,
  verifiedCallers: DEFAULT_RELEASE_SAFETY.verifiedCallers,
} as const;

/** The health-ping settings used where the configuration leaves a field out. */
export const DEFAULT_HEALTH_PING = {
  intervalSeconds: 5,
  failuresToBreach: 3,
  timeoutMs: 2000,
} as const;

/** The release-backup settings used where the configuration leaves a field out. */
export const DEFAULT_RELEASE_BACKUP = {
  deleteAfterDays: 35,
} as const;

/**
 * The name of the Terraform local that holds a service's watchdog configuration in the synthesized
 * stack. The configuration object in the store is `jsonencode` of it, and the CLI reads it from the
 * stack's JSON as plain data (references stay `${...}` strings).
 */
export function watchdogConfigLocalName(serviceName: string): string {
  return `switchback_watchdog_config_${serviceName}`;
}

/**
 * The parts of the watchdog configuration schema, one per field, so the constructs can check each prop
 * with the rule of the field it becomes (and name the prop in the error).
 */
export function watchdogConfigParts(options: SchemaOptions = {}) {
  const boundedInt = (min: number, max: number, why?: string) => boundedIntSchema(options, min, max, why);
  const targetGroupName = z.string().check(z.regex(TARGET_GROUP_NAME_PATTERN, 'must be a target group name'));
  // A listener is named either by ARN, or by its load balancer and port: those are known at synth
  // time, so the configuration (and the capture that reads it) need not depend on the listener.
  const protectedListener = z
    .strictObject({
      /** A stable name for the listener within the service, e.g. `production` or `test`. */
      name: z
        .string()
        .check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be 1-32 lowercase letters, digits or hyphens')),
      /** `production` listeners are switched back; `test` listeners always follow the candidate. */
      role: z.enum(['production', 'test']),
      listenerArn: z.optional(arnSchema('listener', options)),
      loadBalancerArn: z.optional(arnSchema('loadBalancer', options)),
      port: z.optional(boundedInt(1, 65535)),
      /** The two target groups; which one is known-good for a release is captured in its manifest. */
      targetGroupArns: z.optional(
        z.strictObject({ blue: arnSchema('targetGroup', options), green: arnSchema('targetGroup', options) }),
      ),
      targetGroupNames: z.optional(z.strictObject({ blue: targetGroupName, green: targetGroupName })),
      /**
       * The color the stack declares active (known-good) for this release. With a shifting plan,
       * capture refuses a release whose declared color is not where live traffic is (a promotion
       * the stack has not followed would otherwise send traffic back at apply).
       */
      activeColor: z.optional(z.enum(['blue', 'green'])),
      /** The listener rules whose actions the watchdog restores along with the default actions. */
      ruleArns: z._default(z.array(arnSchema('listenerRule', options)), []),
      /** The same, named by priority (known at synth time). */
      rulePriorities: z._default(z.array(boundedInt(1, 50000)), []),
    })
    .check(
      z.refine(
        (l) =>
          l.listenerArn !== undefined
            ? l.loadBalancerArn === undefined && l.port === undefined
            : l.loadBalancerArn !== undefined && l.port !== undefined,
        { message: 'give either listenerArn, or loadBalancerArn and port (not both)' },
      ),
      z.refine((l) => (l.targetGroupArns !== undefined) !== (l.targetGroupNames !== undefined), {
        message: 'give either targetGroupArns or targetGroupNames',
      }),
    );

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

  const protectedAlarm = z.strictObject({
    /** The alarm's name, as DescribeAlarms takes it. */
    name: z.string().check(z.minLength(1), z.maxLength(255)),
    /** The alarm's ARN, as alarm events carry it. */
    arn: arnSchema('alarm', options),
  });

  const protectedAlias = z.strictObject({
    functionName: z
      .string()
      .check(z.regex(/^[A-Za-z0-9_:-]{1,170}$/, 'must be a Lambda function name or ARN')),
    aliasName: z.string().check(z.regex(/^(?![0-9]+$)[A-Za-z0-9_-]{1,128}$/, 'must be a Lambda alias name')),
  });

  const protectedParameter = z.strictObject({
    name: z.string().check(z.regex(/^\/?[A-Za-z0-9_.\-/]{1,2048}$/, 'must be an SSM parameter name')),
  });

  const protectedArtifact = z.strictObject({
    /** A key under the store's `artifacts/` prefix whose object version is restored. */
    key: z.string().check(z.regex(/^artifacts\/[^*?]*[^/*?]$/, "must be an object key under 'artifacts/'")),
  });

  const healthPing = z.strictObject({
    urls: z
      .array(httpUrlSchema(options))
      .check(z.minLength(1, 'must name at least one URL to probe'), z.maxLength(10, 'at most 10 URLs')),
    intervalSeconds: z._default(boundedInt(1, 60), DEFAULT_HEALTH_PING.intervalSeconds),
    failuresToBreach: z._default(boundedInt(1, 20), DEFAULT_HEALTH_PING.failuresToBreach),
    timeoutMs: z._default(boundedInt(100, 10000), DEFAULT_HEALTH_PING.timeoutMs),
  });

  const safety = releaseSafetyConfigParts(options);
  const backup = z.strictObject({
    vaultName: z.string().check(z.regex(/^[A-Za-z0-9_.-]{2,50}$/, 'must be a backup vault name')),
    roleArn: arnSchema('iamRole', options),
    resourceArns: z
      .array(z.string().check(z.minLength(1, 'must not be empty')))
      .check(z.minLength(1, 'must name at least one resource to back up')),
    /** Days a release's recovery points are kept (the vault denies deleting them by hand). */
    deleteAfterDays: z._default(boundedInt(1, 36500), DEFAULT_RELEASE_BACKUP.deleteAfterDays),
    /** The backup readiness gate checked at capture; left out, no gate. */
    readiness: z.optional(safety.readiness),
    /** The role AWS Backup restores with (`switchback restore-data`). @default roleArn */
    restoreRoleArn: z.optional(arnSchema('iamRole', options)),
  });

  const D = DEFAULT_ROLLBACK_POLICY;
  const policy = z.strictObject({
    /** How long after a capture automatic rollbacks may happen. */
    evaluationWindowMinutes: z._default(boundedInt(1, 10080), D.evaluationWindowMinutes),
    /** No second automatic rollback within this time after one. */
    cooldownMinutes: z._default(boundedInt(0, 1440), D.cooldownMinutes),
    /** At most this many automatic rollbacks per budget window (stops cascades). */
    maxAutomaticRollbacks: z._default(boundedInt(1, 100), D.maxAutomaticRollbacks),
    budgetWindowMinutes: z._default(boundedInt(1, 10080), D.budgetWindowMinutes),
    /** Alarm events older than this are dropped. */
    maxEventAgeSeconds: z._default(
      boundedInt(60, 21600, "Lambda's asynchronous event age limits"),
      D.maxEventAgeSeconds,
    ),
    /** A lock older than this is taken over (a crashed run). */
    lockTtlSeconds: z._default(boundedInt(10, 900), D.lockTtlSeconds),
    /** Capture refuses while a protected alarm is in ALARM unless this is true. */
    allowCaptureWhileAlarming: z._default(z.boolean(), D.allowCaptureWhileAlarming),
    /** Healthy targets the known-good groups need before traffic is sent to them (the absolute minimum). */
    minHealthyTargets: z._default(
      boundedInt(1, 1000, 'never send traffic to an empty group'),
      D.minHealthyTargets,
    ),
    /**
     * Healthy targets a known-good group needs, as a percentage of the healthy targets of the
     * candidate group it takes the traffic from (it must absorb that load). 0 turns the check off.
     */
    minHealthyPercentOfCandidate: z._default(boundedInt(0, 100), D.minHealthyPercentOfCandidate),
    /** Time budget for retrying one step (throttling, 5xx). */
    stepTimeBudgetMs: z._default(boundedInt(100, 600000), D.stepTimeBudgetMs),
    /** While a rollback stays blocked or partial, the schedule tick pages again after this long. */
    repageMinutes: z._default(boundedInt(1, 1440), D.repageMinutes),
    /**
     * After a rollback, captures of a new release are refused for this long unless the rollback is
     * acknowledged first or the release declares an override. 0 turns the freeze off.
     */
    freezeMinutes: z._default(boundedInt(0, 10080), D.freezeMinutes),
    /** Whether manual actions must prove who sent them (a presigned sts:GetCallerIdentity). */
    verifiedCallers: z._default(z.enum(CALLER_VERIFICATION), D.verifiedCallers),
  });

  const service = z.string().check(
    z.regex(
      SERVICE_NAME_PATTERN,
      'must be 1-40 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
    ),
    // `audit/groups/` holds the rollback groups' records.
    z.refine((name) => name !== 'groups', { message: "'groups' is reserved (rollback groups' records)" }),
  );
  const region = patternSchema(options, AWS_REGION_PATTERN, 'must be an AWS region such as us-east-1');
  const listeners = z.array(protectedListener).check(
    z.minLength(1, 'must name at least one listener to protect'),
    z.refine((all) => new Set(all.map((l) => l.name)).size === all.length, {
      message: 'listener names must be unique',
    }),
  );
  return {
    service,
    region,
    store,
    listener: protectedListener,
    listeners,
    alarm: protectedAlarm,
    alias: protectedAlias,
    parameterName: protectedParameter.shape.name,
    artifactKey: protectedArtifact.shape.key,
    healthPing,
    backup,
    policy,
    group: safety.groupMembership,
  };
}

/** Builds the watchdog configuration schema; see {@link SchemaOptions} for synth-time use. */
export function watchdogConfigSchema(options: SchemaOptions = {}) {
  const part = watchdogConfigParts(options);
  const delivery = deliveryConfigParts(options);
  return z.strictObject({
    schemaVersion: z.literal(WATCHDOG_CONFIG_SCHEMA_VERSION),
    service: part.service,
    /**
     * The region the protected service runs in, when the watchdog runs elsewhere (standalone
     * placement). Listeners, alarms, aliases, parameters and backups are called there.
     */
    region: z.optional(part.region),
    store: part.store,
    listeners: part.listeners,
    /** Where the watchdog publishes one notification per decision. */
    notificationTopicArn: z.optional(arnSchema('snsTopic', options)),
    alarms: z._default(z.array(part.alarm), []),
    aliases: z._default(z.array(part.alias), []),
    parameters: z._default(z.array(z.strictObject({ name: part.parameterName })), []),
    artifacts: z._default(z.array(z.strictObject({ key: part.artifactKey })), []),
    healthPing: z.optional(part.healthPing),
    backup: z.optional(part.backup),
    policy: z._default(part.policy, { ...DEFAULT_ROLLBACK_POLICY }),
    /** Traffic shifting: the candidate's weight in steps, each baked with the alarms OK, then promoted. */
    shifting: z.optional(delivery.shifting),
    /** Smoke checks before the first step and after each step. */
    hooks: z.optional(delivery.hooks),
    /** What is checked after a rollback (read-back and the manifest diff are always done). */
    verification: z.optional(delivery.verification),
    /** Switches that turn the feature off, applied first on a breach. */
    killSwitches: z.optional(delivery.killSwitches),
    /** The rollback group this service belongs to: its coordinator hears of rollbacks and acknowledgements. */
    group: z.optional(part.group),
  });
}

/** The watchdog configuration, as the watchdog sees it after validation. */
export type WatchdogConfig = z.output<ReturnType<typeof watchdogConfigSchema>>;
/** The watchdog configuration as written (defaults may be left out). */
export type WatchdogConfigInput = z.input<ReturnType<typeof watchdogConfigSchema>>;
/** One protected listener of the watchdog configuration. */
export type ProtectedListener = WatchdogConfig['listeners'][number];
/** One protected listener as written (defaults may be left out). */
export type ProtectedListenerInput = WatchdogConfigInput['listeners'][number];
/** The artifact store section of the watchdog configuration. */
export type StoreConfig = WatchdogConfig['store'];
/** The rollback policy: windows, cooldown, budget, limits. */
export type RollbackPolicy = WatchdogConfig['policy'];
/** One protected alarm. */
export type ProtectedAlarm = WatchdogConfig['alarms'][number];

/** Validates a watchdog configuration document, or throws a `ContractError` naming each bad field. */
export function parseWatchdogConfig(input: unknown, options: SchemaOptions = {}): WatchdogConfig {
  return parseContract('watchdog config', watchdogConfigSchema(options), input);
}
