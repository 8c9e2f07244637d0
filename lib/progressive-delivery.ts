/**
 * Progressive delivery: the contracts for shifting traffic in steps with bake times and promotion,
 * smoke checks before and after traffic moves (hooks), verification after a rollback, and kill
 * switches. The constructs write the configuration parts, the watchdog carries them out on its
 * schedule tick and records their state, the CLI reads that state; all three validate with these
 * schemas.
 */
import * as z from 'zod/mini';
import { arnSchema, boundedIntSchema, httpUrlSchema, patternSchema, type SchemaOptions } from './schema-kit';
import { auditKeyPrefix } from './store-layout';

const isoTime = z.iso.datetime({ offset: false });

/** The defaults of the progressive-delivery settings where the configuration leaves a field out. */
export const DEFAULT_DELIVERY = {
  /** A smoke check's time limit. */
  checkTimeoutMs: 5000,
  /** The longest a smoke check may take: less than a rollback waits for the lock (15 s). */
  maxCheckTimeoutMs: 10000,
  /** The HTTP status a smoke check expects. */
  expectedStatus: 200,
  /** After a rollback, the protected alarms must be OK again within this time. */
  alarmsOkWithinMinutes: 10,
  /** Whether the shift makes the candidate the known-good color after its last step has baked. */
  promote: true,
  /** At most this many steps in one shifting plan. */
  maxSteps: 20,
} as const;

/** How kill switches relate to the traffic flip on a breach. */
export const KILL_SWITCH_MODES = ['before-traffic', 'instead-of-traffic'] as const;
export type KillSwitchMode = (typeof KILL_SWITCH_MODES)[number];

/** The phases of a traffic shift, as the watchdog's state records them. */
export const SHIFT_PHASES = [
  /** Captured; the pre-traffic checks run on the next tick (the candidate has no production traffic). */
  'pre-traffic',
  /** A step's weight is set; it bakes until `stepStartedAt + bakeMinutes`. */
  'shifting',
  /** An operator paused the shift: no step is taken until `resume`. Breaches still roll back. */
  'paused',
  /** The candidate took all traffic and became the known-good color. */
  'promoted',
  /** The last step baked and the plan does not promote: the shift holds its last weight. */
  'completed',
  /** The shift stopped without a rollback (live weights changed by hand): a person decides. */
  'stopped',
  /** A breach, a failed check or an operator rolled the release back. */
  'rolled-back',
] as const;
export type ShiftPhase = (typeof SHIFT_PHASES)[number];

/** The operator's actions on a shift. */
export type ShiftAction = 'pause' | 'resume' | 'promote';

/** The phases each operator action is allowed from: the watchdog enforces it, the CLI checks first. */
export const SHIFT_ACTION_PHASES: Readonly<Record<ShiftAction, readonly ShiftPhase[]>> = {
  pause: ['pre-traffic', 'shifting'],
  resume: ['paused'],
  // `completed`: the plan did not promote; `stopped`: the weights were changed by hand, and a person
  // looked and decided to go ahead.
  promote: ['pre-traffic', 'shifting', 'paused', 'completed', 'stopped'],
};

/**
 * The schema parts of progressive delivery's configuration, one per field, so the constructs can check
 * each prop with the rule of the field it becomes.
 */
export function deliveryConfigParts(options: SchemaOptions = {}) {
  const boundedInt = (min: number, max: number, why?: string) => boundedIntSchema(options, min, max, why);
  const D = DEFAULT_DELIVERY;

  const step = z.strictObject({
    /** The candidate's share of production traffic at this step, 1-100. */
    weightPercent: boundedInt(1, 100),
    /** How long the step runs with every protected alarm OK before the next step, 0-1440. */
    bakeMinutes: boundedInt(0, 1440),
  });
  const shifting = z.strictObject({
    steps: z.array(step).check(
      z.minLength(1, 'must hold at least one step'),
      z.maxLength(D.maxSteps, `at most ${D.maxSteps} steps`),
      z.refine((steps) => steps.every((s, i) => i === 0 || s.weightPercent > steps[i - 1]!.weightPercent), {
        message: 'step weights must increase from one step to the next',
      }),
    ),
    /** After the last step has baked: the candidate takes all traffic and becomes known-good. */
    promote: z._default(z.boolean(), D.promote),
  });

  const httpCheck = z.strictObject({
    kind: z.literal('http'),
    /** For pre-traffic and after-step checks: a URL on the test listener (which forwards to the candidate). */
    url: httpUrlSchema(options),
    expectedStatus: z._default(boundedInt(100, 599), D.expectedStatus),
    /** A regular expression the response body must match. */
    bodyPattern: z.optional(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(500),
          z.refine(isRegExp, 'must be a valid regular expression (JavaScript syntax)'),
        ),
    ),
    // Checks run under the service's lock, while an alarm's rollback may be waiting for it (15 s):
    // a check that could take longer would hold the way back up.
    timeoutMs: z._default(boundedInt(100, D.maxCheckTimeoutMs, 'a check holds the lock'), D.checkTimeoutMs),
  });
  const lambdaCheck = z.strictObject({
    kind: z.literal('lambda'),
    /**
     * The user's function, invoked synchronously with `{ releaseId, service, stage }`; it passes when it
     * returns without a function error and its result is not `{ "passed": false }`.
     */
    functionArn: arnSchema('lambdaFunction', options),
    timeoutMs: z._default(boundedInt(100, D.maxCheckTimeoutMs, 'a check holds the lock'), D.checkTimeoutMs),
  });
  const check = z.discriminatedUnion('kind', [httpCheck, lambdaCheck]);
  const checks = z._default(z.array(check).check(z.maxLength(10, 'at most 10 checks')), []);

  const hooks = z.strictObject({
    /** Run before the first step; a failure stops the release before production traffic moves. */
    preTraffic: checks,
    /** Run when a step has baked, before the next; a failure rolls back. */
    afterEachStep: checks,
  });

  const verification = z.strictObject({
    /** Smoke checks against the production listener after every rollback. */
    checks,
    /** The protected alarms must all be OK within this time after a rollback, 1-120. */
    alarmsOkWithinMinutes: z._default(boundedInt(1, 120), D.alarmsOkWithinMinutes),
  });

  // Terraform references pass at synth (`isUnresolved`); the watchdog checks the values it reads.
  const pattern = (regex: RegExp, message: string) => patternSchema(options, regex, message);
  const ssmKillSwitch = z.strictObject({
    kind: z.literal('ssm-parameter'),
    name: pattern(/^\/?[A-Za-z0-9_.\-/]{1,2048}$/, 'must be an SSM parameter name'),
    /** The value that turns the feature off (written as a new version; the captured version is recorded). */
    offValue: z.string().check(z.minLength(1), z.maxLength(4096)),
  });
  const appConfigKillSwitch = z.strictObject({
    kind: z.literal('appconfig'),
    applicationId: pattern(/^[a-z0-9]{4,7}$/, 'must be an AppConfig application id'),
    environmentId: pattern(/^[a-z0-9]{4,7}$/, 'must be an AppConfig environment id'),
    configurationProfileId: pattern(/^[a-z0-9]{4,7}$/, 'must be an AppConfig configuration profile id'),
    /** The deployment strategy used to deploy the captured version back (e.g. `AppConfig.AllAtOnce`). */
    deploymentStrategyId: pattern(
      /^([a-z0-9]{4,7}|AppConfig\.[A-Za-z0-9.]{1,60})$/,
      'must be an AppConfig deployment strategy id',
    ),
  });
  const killSwitch = z.discriminatedUnion('kind', [ssmKillSwitch, appConfigKillSwitch]);
  const killSwitches = z.strictObject({
    switches: z
      .array(killSwitch)
      .check(z.minLength(1, 'must name at least one kill switch'), z.maxLength(10)),
    /** `before-traffic`: switches off, then traffic back; `instead-of-traffic`: switches only. */
    mode: z.enum(KILL_SWITCH_MODES),
  });

  return { step, shifting, check, hooks, verification, killSwitch, killSwitches };
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** The shifting-plan section of the configuration. */
export type ShiftingPlan = z.output<ReturnType<typeof deliveryConfigParts>['shifting']>;
/** One step of a shifting plan. */
export type ShiftStep = ShiftingPlan['steps'][number];
/** One smoke check (HTTP or Lambda). */
export type SmokeCheck = z.output<ReturnType<typeof deliveryConfigParts>['check']>;
/** The hooks section of the configuration. */
export type DeliveryHooks = z.output<ReturnType<typeof deliveryConfigParts>['hooks']>;
/** The verification section of the configuration. */
export type RollbackVerification = z.output<ReturnType<typeof deliveryConfigParts>['verification']>;
/** One configured kill switch. */
export type KillSwitch = z.output<ReturnType<typeof deliveryConfigParts>['killSwitch']>;
/** The kill-switch section of the configuration. */
export type KillSwitches = z.output<ReturnType<typeof deliveryConfigParts>['killSwitches']>;

/** A kill switch's state at capture: what restoring it after the incident puts back. */
export const capturedKillSwitchSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('ssm-parameter'),
    name: z.string(),
    version: z.int().check(z.minimum(1)),
  }),
  z.strictObject({
    kind: z.literal('appconfig'),
    applicationId: z.string(),
    environmentId: z.string(),
    configurationProfileId: z.string(),
    /** The configuration version deployed at capture; absent when none was. */
    configurationVersion: z.optional(z.string()),
  }),
]);
export type CapturedKillSwitch = z.output<typeof capturedKillSwitchSchema>;

/** The state of a release's traffic shift, kept in the watchdog's state document. */
export const shiftStateSchema = z.strictObject({
  releaseId: z.string(),
  phase: z.enum(SHIFT_PHASES),
  /** The index of the step whose weight is set; -1 before the first step. */
  stepIndex: z.int().check(z.minimum(-1)),
  /** The candidate's weight (percent of production traffic) the watchdog last set and read back. */
  candidateWeightPercent: z.int().check(z.minimum(0), z.maximum(100)),
  /** When the current step (or the pre-traffic phase) began. */
  stepStartedAt: isoTime,
  /** The number of the last traffic marker written for this release (markers sort by it). */
  markerSeq: z.int().check(z.minimum(0)),
  /** While paused: who paused and when. */
  paused: z.optional(z.strictObject({ at: isoTime, by: z.string(), reason: z.string() })),
  /** Why the shift stopped or rolled back. */
  reason: z.optional(z.string()),
  updatedAt: isoTime,
});
export type ShiftState = z.output<typeof shiftStateSchema>;

/** The color that became known-good by a promotion: the next release starts from it. */
export const promotionSchema = z.strictObject({
  releaseId: z.string(),
  color: z.enum(['blue', 'green']),
  promotedAt: isoTime,
  by: z.string(),
});
export type Promotion = z.output<typeof promotionSchema>;

/** The outcome of one smoke check. */
export const checkResultSchema = z.strictObject({
  kind: z.enum(['http', 'lambda']),
  target: z.string(),
  passed: z.boolean(),
  durationMs: z.number(),
  detail: z.optional(z.string()),
});
export type SmokeCheckResult = z.output<typeof checkResultSchema>;

/** What the watchdog found after a rollback: its audit record's `verification` section. */
export const verificationSchema = z.strictObject({
  status: z.enum(['pending', 'verified', 'failed']),
  /** Listener actions read back after the writes. */
  readBack: z.boolean(),
  smokeChecks: z._default(z.array(checkResultSchema), []),
  /** Protected alarms not OK (yet), by name. */
  alarmsNotOk: z._default(z.array(z.string()), []),
  /** By when the alarms must be OK. */
  alarmsOkBy: z.optional(isoTime),
  /** Differences between the live state and the release manifest, one line each. */
  diff: z._default(z.array(z.string()), []),
  checkedAt: isoTime,
});
export type Verification = z.output<typeof verificationSchema>;

/** A rollback whose verification is still waiting for the alarms, kept in the watchdog's state. */
export const pendingVerificationSchema = z.strictObject({
  releaseId: z.string(),
  /** The rollback's decision id: the verification record links to it. */
  decisionId: z.string(),
  since: isoTime,
  alarmsOkBy: isoTime,
});
export type PendingVerification = z.output<typeof pendingVerificationSchema>;

/**
 * A traffic marker: the watchdog writes one each time it sets a release's production weights (each
 * shift step, a promotion, a rollback). Its key carries the blue weight, so the BlueGreenListener can
 * read, at plan time, the weights the watchdog last set for the release (the marker with the highest
 * sequence number) and `cdktf deploy` of the same release keeps them instead of fighting the watchdog.
 */
export function trafficMarkerPrefix(serviceName: string, releaseId: string): string {
  return `${auditKeyPrefix(serviceName)}holds/${releaseId}.traffic-`;
}

/**
 * A rollback's marker number: it sorts after every step's (1-9998), so it is the last word on the
 * release until an acknowledgement.
 */
export const ROLLBACK_MARKER_SEQ = 9999;

/** `<holds>/<releaseId>.traffic-<seq, 4 digits>-blue-<blue weight, 3 digits>`. */
export function trafficMarkerKey(
  serviceName: string,
  releaseId: string,
  seq: number,
  blueWeightPercent: number,
): string {
  if (!Number.isInteger(seq) || seq < 1 || seq > 9999)
    throw new RangeError(`marker seq ${seq} is not 1-9999`);
  if (!Number.isInteger(blueWeightPercent) || blueWeightPercent < 0 || blueWeightPercent > 100) {
    throw new RangeError(`blue weight ${blueWeightPercent} is not 0-100`);
  }
  return `${trafficMarkerPrefix(serviceName, releaseId)}${pad(seq, 4)}-blue-${pad(blueWeightPercent, 3)}`;
}

/** Reads a traffic marker's key back, or undefined for any other key. */
export function parseTrafficMarkerKey(
  serviceName: string,
  releaseId: string,
  key: string,
): { readonly seq: number; readonly blueWeightPercent: number } | undefined {
  const prefix = trafficMarkerPrefix(serviceName, releaseId);
  if (!key.startsWith(prefix)) return undefined;
  const match = /^(\d{4})-blue-(\d{3})$/.exec(key.slice(prefix.length));
  if (!match) return undefined;
  const blueWeightPercent = Number(match[2]);
  return blueWeightPercent <= 100 ? { seq: Number(match[1]), blueWeightPercent } : undefined;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** The answer to `pause`, `resume` and `promote` (shift actions). */
export const shiftActionResultSchema = z.object({
  releaseId: z.string(),
  /** The shift's phase after the action. */
  phase: z.enum(SHIFT_PHASES),
  candidateWeightPercent: z.number(),
  decisionId: z.string(),
});
export type ShiftActionResult = z.output<typeof shiftActionResultSchema>;
