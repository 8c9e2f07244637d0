/**
 * The events the watchdog accepts, parsed at the edge into one typed union. Shapes follow what AWS
 * delivers: a CloudWatch alarm state change through SNS, through EventBridge, or as a direct alarm
 * action; an EventBridge schedule (health pings); and the operator's manual requests. Anything else
 * is rejected with a reason and causes no action.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import {
  canonicalCallerRequest,
  callerProofSchema,
  captureOverridesSchema,
  groupNameSchema,
  RELEASE_ID_PATTERN,
  type CallerProof,
  type CaptureOverrides,
  type VerifiedCaller,
} from '../../lib';
import type { AlarmStateValue } from './ports';

export type { AlarmStateValue };

/** A CloudWatch alarm changed state. */
export interface AlarmEvent {
  readonly kind: 'alarm';
  /** `tick`: found in ALARM by the schedule tick (a lost delivery, or an alarm already in ALARM). */
  readonly source: 'sns' | 'eventbridge' | 'alarm-action' | 'tick';
  readonly alarmName: string;
  readonly alarmArn?: string;
  readonly state: AlarmStateValue;
  readonly previousState?: AlarmStateValue;
  /** ISO 8601 (UTC). */
  readonly stateChangedAt: string;
  /** Stable across redeliveries of the same state change: the idempotency key. */
  readonly eventId: string;
}

/** The schedule tick: re-evaluate alarms and unfinished rollbacks (level-triggered). */
export interface TickEvent {
  readonly kind: 'tick';
}

/** A scheduled run that probes the health URLs. */
export interface HealthPingEvent {
  readonly kind: 'health-ping';
  readonly scheduledAt: string;
}

/** A breach found by the health-ping prober, forwarded to the watchdog (asynchronously). */
export interface HealthBreachReport {
  readonly kind: 'health-breach';
  readonly breachedAt: string;
  readonly detail: string;
  readonly eventId: string;
}

/**
 * What a manual action carries about its sender: the caller proof as sent and the digest of the
 * request it must be bound to (computed here, from what was delivered). The handler checks it with
 * STS before the engine sees the event, and sets `caller`.
 */
export interface ManualOrigin {
  readonly proof?: { readonly callerProof: CallerProof; readonly digest: string };
  /** Who sent it, as the handler established (verified by STS, or the self-asserted name only). */
  readonly caller?: VerifiedCaller;
}

/** An operator's manual rollback (or a rollback group's, for a member that follows another). */
export interface RollbackRequest extends ManualOrigin {
  readonly kind: 'rollback';
  readonly reason: string;
  readonly requestedBy: string;
  readonly dryRun: boolean;
  /** Set by clients that may retry, so a retried request is not acted on twice. */
  readonly eventId?: string;
  /** Set by a group coordinator: the group, and the member decision that caused this rollback. */
  readonly group?: { readonly name: string; readonly cause: string };
}

/** Capture the live state as the manifest of a release (deploy time). */
export interface CaptureRequest {
  readonly kind: 'capture';
  readonly releaseId: string;
  /** The gates this release declares it may pass, each with an audited reason. */
  readonly overrides?: CaptureOverrides;
}

/** An operator lets a rolled-back release go live again (lifts its hold and latch). */
export interface AcknowledgeRequest extends ManualOrigin {
  readonly kind: 'acknowledge';
  readonly releaseId: string;
  readonly requestedBy: string;
  readonly reason: string;
}

/** An operator pauses, resumes or promotes the current release's traffic shift. */
export interface ShiftRequest extends ManualOrigin {
  readonly kind: 'pause' | 'resume' | 'promote';
  readonly requestedBy: string;
  readonly reason: string;
}

/**
 * An operator's data restore from a release's recovery points: without `recoveryPointArn`, list
 * them; with it and `dryRun`, plan the restore; otherwise start it (never automatic).
 */
export interface RestoreDataRequest extends ManualOrigin {
  readonly kind: 'restore-data';
  readonly releaseId: string;
  readonly recoveryPointArn?: string;
  readonly dryRun: boolean;
  readonly requestedBy: string;
  /** Required to start a restore. */
  readonly reason?: string;
  /** Set by clients that may retry, so a retried start is one restore job. */
  readonly requestId?: string;
}

/** A group coordinator freezes this service's deploys (a member it depends on rolled back), or lifts it. */
export interface GroupFreezeRequest extends ManualOrigin {
  readonly kind: 'freeze' | 'unfreeze';
  readonly group: string;
  /** The member whose rollback causes (caused) the freeze. */
  readonly cause: { readonly service: string; readonly releaseId: string; readonly decisionId: string };
  /** For `freeze`: when it ends on its own (ISO 8601). */
  readonly until?: string;
}

/** Report what the watchdog protects and did. */
export interface StatusRequest {
  readonly kind: 'status';
}

export type WatchdogEvent =
  | AlarmEvent
  | TickEvent
  | HealthPingEvent
  | HealthBreachReport
  | RollbackRequest
  | CaptureRequest
  | AcknowledgeRequest
  | ShiftRequest
  | RestoreDataRequest
  | GroupFreezeRequest
  | StatusRequest;

/** The kinds of manual actions that carry a caller proof and are checked by the handler. */
export const MANUAL_ACTION_KINDS = [
  'rollback',
  'acknowledge',
  'pause',
  'resume',
  'promote',
  'restore-data',
  'freeze',
  'unfreeze',
] as const;
export type ManualAction = Extract<WatchdogEvent, { readonly kind: (typeof MANUAL_ACTION_KINDS)[number] }>;

export function isManualAction(event: WatchdogEvent): event is ManualAction {
  return (MANUAL_ACTION_KINDS as readonly string[]).includes(event.kind);
}

/** The result of parsing: an event, or the reason it was rejected. */
export type ParsedEvent =
  { readonly ok: true; readonly event: WatchdogEvent } | { readonly ok: false; readonly reason: string };

const alarmState = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
/** CloudWatch's own limits: alarm names up to 255 characters, ARNs up to 1600. */
const alarmNameField = z.string().check(z.minLength(1), z.maxLength(255));
const alarmArnField = z.string().check(z.minLength(1), z.maxLength(1600));
/** Every other string an AWS event carries that the watchdog reads (timestamps, sources). */
const shortField = z.string().check(z.minLength(1), z.maxLength(64));

// CloudWatch writes times as 2026-11-21T23:00:00.000+0000; Date needs the offset as +00:00.
const cloudWatchTime = z.pipe(
  shortField,
  z.transform((value, ctx) => {
    const parsed = new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
    if (Number.isNaN(parsed.getTime())) {
      ctx.issues.push({ code: 'custom', message: 'must be a timestamp', input: value });
      return z.NEVER;
    }
    return parsed.toISOString();
  }),
);

const snsAlarmMessage = z.object({
  AlarmName: alarmNameField,
  AlarmArn: z.optional(alarmArnField),
  NewStateValue: alarmState,
  OldStateValue: z.optional(alarmState),
  StateChangeTime: cloudWatchTime,
});

const snsEnvelope = z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal('aws:sns'),
        // SNS messages are at most 256 KB; an alarm notification is a few KB.
        Sns: z.object({
          Message: z.string().check(z.maxLength(262_144)),
          TopicArn: z.optional(z.string().check(z.maxLength(1600))),
        }),
      }),
    )
    .check(z.length(1, 'SNS delivers one record per invocation')),
});

const stateBlock = z.object({ value: alarmState, timestamp: cloudWatchTime });

const eventBridgeAlarm = z.object({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  resources: z.array(alarmArnField).check(z.maxLength(10)),
  detail: z.object({
    alarmName: alarmNameField,
    state: stateBlock,
    previousState: z.optional(z.object({ value: alarmState })),
  }),
});

const directAlarmAction = z.object({
  source: z.literal('aws.cloudwatch'),
  alarmArn: alarmArnField,
  alarmData: z.object({
    alarmName: alarmNameField,
    state: stateBlock,
    previousState: z.optional(z.object({ value: alarmState })),
  }),
});

const scheduledEvent = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
  time: cloudWatchTime,
});

const releaseIdField = z
  .string()
  .check(z.regex(RELEASE_ID_PATTERN, 'must be 1-128 letters, digits, dots, underscores or hyphens'));
const requestedByField = z.string().check(z.minLength(1), z.maxLength(200));
const reasonField = z.string().check(z.minLength(1), z.maxLength(500));
const requestIdField = z
  .string()
  .check(z.regex(/^[A-Za-z0-9-]{8,64}$/, 'must be 8-64 letters, digits or hyphens'));
const decisionIdField = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be a decision id'));

const manualRollback = z.strictObject({
  action: z.literal('rollback'),
  reason: reasonField,
  requestedBy: requestedByField,
  dryRun: z._default(z.boolean(), false),
  requestId: z.optional(requestIdField),
  group: z.optional(z.strictObject({ name: groupNameSchema, cause: decisionIdField })),
  callerProof: z.optional(callerProofSchema),
});

const manualCapture = z.strictObject({
  action: z.literal('capture'),
  releaseId: releaseIdField,
  overrides: z.optional(captureOverridesSchema),
});

const manualShift = z.strictObject({
  action: z.enum(['pause', 'resume', 'promote']),
  requestedBy: requestedByField,
  reason: reasonField,
  callerProof: z.optional(callerProofSchema),
});

const manualRestoreData = z
  .strictObject({
    action: z.literal('restore-data'),
    releaseId: releaseIdField,
    recoveryPointArn: z.optional(z.string().check(z.minLength(20), z.maxLength(1600))),
    dryRun: z._default(z.boolean(), false),
    requestedBy: requestedByField,
    reason: z.optional(reasonField),
    requestId: z.optional(requestIdField),
    callerProof: z.optional(callerProofSchema),
  })
  .check(
    z.refine((r) => r.dryRun || r.recoveryPointArn === undefined || r.reason !== undefined, {
      message: 'starting a restore needs a reason',
      path: ['reason'],
    }),
  );

const groupFreeze = z.strictObject({
  action: z.enum(['freeze', 'unfreeze']),
  group: groupNameSchema,
  cause: z.strictObject({
    service: z.string().check(z.minLength(1), z.maxLength(40)),
    releaseId: releaseIdField,
    decisionId: decisionIdField,
  }),
  until: z.optional(z.iso.datetime({ offset: false })),
  callerProof: z.optional(callerProofSchema),
});

const manualStatus = z.strictObject({ action: z.literal('status') });

const scheduleTick = z.strictObject({ action: z.literal('tick') });

const healthBreach = z.strictObject({
  action: z.literal('health-breach'),
  breachedAt: z.iso.datetime({ offset: false }),
  detail: z.string().check(z.maxLength(1000)),
  requestId: z.string().check(z.regex(/^[A-Za-z0-9-]{8,64}$/)),
});

const manualAcknowledge = z.strictObject({
  action: z.literal('acknowledge'),
  releaseId: releaseIdField,
  requestedBy: requestedByField,
  reason: reasonField,
  callerProof: z.optional(callerProofSchema),
});

/** Parses any delivered event; never throws. */
export function parseWatchdogEvent(raw: unknown): ParsedEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, reason: 'the event is not a JSON object' };
  }
  const record = raw as Record<string, unknown>;

  if ('Records' in record) return parseSns(record);
  if ('action' in record) return parseManual(record);
  if (record.source === 'aws.cloudwatch' && 'alarmData' in record) {
    const parsed = directAlarmAction.safeParse(record);
    if (!parsed.success) return rejected('a direct alarm action', parsed.error);
    const { alarmData } = parsed.data;
    return alarm(
      'alarm-action',
      alarmData.alarmName,
      parsed.data.alarmArn,
      alarmData.state.value,
      alarmData.previousState?.value,
      alarmData.state.timestamp,
    );
  }
  if (record.source === 'aws.cloudwatch') {
    const parsed = eventBridgeAlarm.safeParse(record);
    if (!parsed.success) return rejected('an EventBridge alarm state change', parsed.error);
    const { detail, resources } = parsed.data;
    return alarm(
      'eventbridge',
      detail.alarmName,
      resources[0],
      detail.state.value,
      detail.previousState?.value,
      detail.state.timestamp,
    );
  }
  if (record.source === 'aws.events') {
    const parsed = scheduledEvent.safeParse(record);
    if (!parsed.success) return rejected('a scheduled event', parsed.error);
    return { ok: true, event: { kind: 'health-ping', scheduledAt: parsed.data.time } };
  }
  return {
    ok: false,
    reason: 'unknown event shape: not an alarm state change, a schedule or a manual request',
  };
}

function parseSns(record: Record<string, unknown>): ParsedEvent {
  const envelope = snsEnvelope.safeParse(record);
  if (!envelope.success) return rejected('an SNS delivery', envelope.error);
  let message: unknown;
  try {
    message = JSON.parse(envelope.data.Records[0].Sns.Message);
  } catch {
    return { ok: false, reason: 'the SNS message is not JSON, so not an alarm notification' };
  }
  const parsed = snsAlarmMessage.safeParse(message);
  if (!parsed.success) return rejected('an alarm notification in the SNS message', parsed.error);
  const m = parsed.data;
  return alarm('sns', m.AlarmName, m.AlarmArn, m.NewStateValue, m.OldStateValue, m.StateChangeTime);
}

function parseManual(record: Record<string, unknown>): ParsedEvent {
  switch (record.action) {
    case 'rollback': {
      const parsed = manualRollback.safeParse(record);
      if (!parsed.success) return rejected('a manual rollback', parsed.error);
      const { reason, requestedBy, dryRun, requestId, group } = parsed.data;
      return {
        ok: true,
        event: {
          kind: 'rollback',
          reason,
          requestedBy,
          dryRun,
          ...(requestId ? { eventId: `manual-${requestId}` } : {}),
          ...(group ? { group } : {}),
          ...origin(record, parsed.data.callerProof),
        },
      };
    }
    case 'capture': {
      const parsed = manualCapture.safeParse(record);
      if (!parsed.success) return rejected('a capture request', parsed.error);
      const { releaseId, overrides } = parsed.data;
      return { ok: true, event: { kind: 'capture', releaseId, ...(overrides ? { overrides } : {}) } };
    }
    case 'acknowledge': {
      const parsed = manualAcknowledge.safeParse(record);
      if (!parsed.success) return rejected('an acknowledgement', parsed.error);
      const { releaseId, requestedBy, reason } = parsed.data;
      return {
        ok: true,
        event: {
          kind: 'acknowledge',
          releaseId,
          requestedBy,
          reason,
          ...origin(record, parsed.data.callerProof),
        },
      };
    }
    case 'restore-data': {
      const parsed = manualRestoreData.safeParse(record);
      if (!parsed.success) return rejected('a restore-data request', parsed.error);
      const { releaseId, recoveryPointArn, dryRun, requestedBy, reason, requestId } = parsed.data;
      return {
        ok: true,
        event: {
          kind: 'restore-data',
          releaseId,
          dryRun,
          requestedBy,
          ...(recoveryPointArn ? { recoveryPointArn } : {}),
          ...(reason ? { reason } : {}),
          ...(requestId ? { requestId } : {}),
          ...origin(record, parsed.data.callerProof),
        },
      };
    }
    case 'freeze':
    case 'unfreeze': {
      const parsed = groupFreeze.safeParse(record);
      if (!parsed.success) return rejected(`a ${String(record.action)} request`, parsed.error);
      const { action, group, cause, until } = parsed.data;
      if (action === 'freeze' && until === undefined)
        return { ok: false, reason: 'malformed freeze request: until: a freeze needs the time it ends' };
      return {
        ok: true,
        event: {
          kind: action,
          group,
          cause,
          ...(until ? { until } : {}),
          ...origin(record, parsed.data.callerProof),
        },
      };
    }
    case 'health-breach': {
      const parsed = healthBreach.safeParse(record);
      if (!parsed.success) return rejected('a health-breach report', parsed.error);
      const { breachedAt, detail, requestId } = parsed.data;
      return { ok: true, event: { kind: 'health-breach', breachedAt, detail, eventId: `ping-${requestId}` } };
    }
    case 'pause':
    case 'resume':
    case 'promote': {
      const parsed = manualShift.safeParse(record);
      if (!parsed.success) return rejected(`a ${String(record.action)} request`, parsed.error);
      const { action, requestedBy, reason } = parsed.data;
      return {
        ok: true,
        event: { kind: action, requestedBy, reason, ...origin(record, parsed.data.callerProof) },
      };
    }
    case 'tick': {
      const parsed = scheduleTick.safeParse(record);
      if (!parsed.success) return rejected('a schedule tick', parsed.error);
      return { ok: true, event: { kind: 'tick' } };
    }
    case 'status': {
      const parsed = manualStatus.safeParse(record);
      if (!parsed.success) return rejected('a status request', parsed.error);
      return { ok: true, event: { kind: 'status' } };
    }
    default:
      return {
        ok: false,
        reason: `unknown action ${JSON.stringify(String(record.action)).slice(0, 60)}: expected rollback, capture, acknowledge, pause, resume, promote, restore-data, freeze, unfreeze, status, tick or health-breach`,
      };
  }
}

/** The caller proof of a manual request, bound to the digest of the request as delivered. */
function origin(record: Record<string, unknown>, callerProof: CallerProof | undefined): ManualOrigin {
  if (!callerProof) return {};
  const digest = createHash('sha256').update(canonicalCallerRequest(record)).digest('hex');
  return { proof: { callerProof, digest } };
}

/** The id of an alarm state change: the same for every delivery of it, whichever path it took. */
export function alarmEventId(alarmArnOrName: string, stateChangedAt: string, state: AlarmStateValue): string {
  return createHash('sha256')
    .update(`${alarmArnOrName}\u0000${stateChangedAt}\u0000${state}`)
    .digest('hex')
    .slice(0, 32);
}

function alarm(
  source: AlarmEvent['source'],
  alarmName: string,
  alarmArn: string | undefined,
  state: AlarmStateValue,
  previousState: AlarmStateValue | undefined,
  stateChangedAt: string,
): ParsedEvent {
  // An alarm ARN ends in `:alarm:<name>`: an event whose two disagree is forged or corrupt.
  if (alarmArn !== undefined && !alarmArn.endsWith(`:alarm:${alarmName}`)) {
    return {
      ok: false,
      reason: `malformed alarm state change: the alarm ARN ${JSON.stringify(alarmArn.slice(0, 200))} does not name the alarm ${JSON.stringify(alarmName.slice(0, 100))}: an alarm ARN ends in :alarm:<its name>`,
    };
  }
  // The same state change delivered again (any path, any retry) gets the same id.
  const eventId = alarmEventId(alarmArn ?? alarmName, stateChangedAt, state);
  return {
    ok: true,
    event: {
      kind: 'alarm',
      source,
      alarmName,
      ...(alarmArn ? { alarmArn } : {}),
      state,
      ...(previousState ? { previousState } : {}),
      stateChangedAt,
      eventId,
    },
  };
}

function rejected(what: string, error: z.core.$ZodError): ParsedEvent {
  const issues = error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, reason: `malformed ${what}: ${issues}` };
}
