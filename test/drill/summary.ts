/**
 * What a scenario's run comes to: the report row (figures and the checks' verdicts) and the timeline
 * it is drawn with, computed from the records the run kept — the traffic (router and client side),
 * the alarm transitions, the control plane's request log, the watchdog's audit records, state and
 * notifications.
 */
import type { AuditRecord, WatchdogState } from '../../lib';
import type { AlarmTransition } from './alarm-evaluator';
import type { PlaneLogEntry } from './control-plane';
import type { ClientRequest, RoutedRequest } from './data-plane';
import {
  SCENARIOS,
  type Check,
  type DrillScenarioName,
  type Observations,
  type ScenarioName,
} from './scenarios';
import type { InvocationRecord } from './watchdog-function';
import type { Notification } from './world';

/** The time series a timeline is drawn from: production traffic in buckets since the release. */
export interface TimelineBucket {
  /** Start of the bucket, ms since the release (negative before it). */
  readonly t: number;
  /** Requests sent in the bucket. */
  readonly sent: number;
  /** Of those, answered by blue / green, and failed (5xx or no answer). */
  readonly blue: number;
  readonly green: number;
  readonly failed: number;
  /** The production listener's largest share of traffic to green while the bucket's requests were routed, percent. */
  readonly greenWeightPercent: number;
}

/** A marked moment of a scenario, ms since the release. */
export interface TimelineMark {
  readonly t: number;
  /**
   * `decision`: the watchdog finished a decision (its audit record's outcome is the label); `weight`:
   * the production listener's share to green changed (a shift step or a promotion); `check`: the
   * watchdog ran smoke checks; `promote`, `verify`, `kill-switch`: those decisions; `flag`: the data
   * plane saw the feature flag turned off; `deploy`: a deploy's capture sent or answered (captured,
   * refused); `operator`: an operator's command; `backup`: an on-demand backup completed; `group`: a
   * rollback group's decision.
   */
  readonly kind:
    | 'release'
    | 'alarm'
    | 'ok'
    | 'manual'
    | 'switch'
    | 'decision'
    | 'weight'
    | 'check'
    | 'promote'
    | 'verify'
    | 'kill-switch'
    | 'flag'
    | 'deploy'
    | 'operator'
    | 'backup'
    | 'group';
  readonly label: string;
}

/** One service's traffic on a timeline of several services (a rollback group). */
export interface TimelineLane {
  /** The service. */
  readonly name: string;
  readonly buckets: readonly TimelineBucket[];
}

/** What a timeline is drawn from. */
export interface Timeline {
  readonly bucketMs: number;
  /** Production traffic (of the first service, when there are several). */
  readonly buckets: readonly TimelineBucket[];
  readonly marks: readonly TimelineMark[];
  /** Each service's traffic, when the scenario has several. */
  readonly lanes?: readonly TimelineLane[];
}

/**
 * What detected the bad release: the alarm, the operator, a failed smoke check, or a gate at capture
 * (the deploy was refused before traffic moved).
 */
export type DetectedBy = 'alarm' | 'operator' | 'check' | 'gate';

/** One service's figures, in a scenario of several (a rollback group). */
export interface MemberResult {
  readonly service: string;
  /** Its production listener's share to green, each change once. */
  readonly greenWeights: readonly number[];
  readonly finalWeights: readonly [number, number];
  readonly rollbacks: number;
  readonly servedGreen: number;
  readonly auditOutcomes: Readonly<Record<string, number>>;
}

/** One row of the drill report: one scenario's figures and verdict. */
export interface ScenarioResult {
  readonly scenario: DrillScenarioName;
  readonly title: string;
  readonly proves: string;
  readonly passed: boolean;
  readonly checks: readonly Check[];
  /**
   * Release (canary weight applied, or the shift begun) to trigger: the composite alarm's state
   * change, the operator's request, or the watchdog's decision on a failed smoke check.
   */
  readonly detectMs: number | null;
  /** What detected it; null when nothing did. */
  readonly detectedBy: DetectedBy | null;
  /**
   * Trigger to the first production request the data plane routed with the listener's live actions
   * sending nothing to green (after they had sent some); null when traffic was not switched.
   */
  readonly switchMs: number | null;
  /** The watchdog's own measure from its audit record: trigger to listener verified by reading it back. */
  readonly watchdogTimeToRollbackMs: number | null;
  /** Production requests sent at or after the trigger that failed (5xx, or no answer in time). */
  readonly failedAfterDetect: number;
  /** Production requests sent between the release and the trigger that failed. */
  readonly failedBeforeDetect: number;
  /** Production requests answered by blue / green during the whole scenario. */
  readonly servedBlue: number;
  readonly servedGreen: number;
  readonly requests: number;
  /** The production listener's share of traffic to green after the release, each change once. */
  readonly greenWeights: readonly number[];
  /** Audit records the watchdog wrote, and how many of each outcome. */
  readonly auditRecords: number;
  readonly auditOutcomes: Readonly<Record<string, number>>;
  /** Audit records with outcome rolled-back. */
  readonly rollbacks: number;
  /**
   * Whether the audit shows the watchdog refusing to switch: a `partial` or `refused` record with a
   * `blocked` traffic step (listener, rule or alias).
   */
  readonly switchRefused: boolean;
  readonly invocations: number;
  /** Of those, schedule ticks. */
  readonly ticks: number;
  readonly failedInvocations: number;
  /** Invocations that outlasted the function's timeout (`Sandbox.Timedout`; the container was replaced). */
  readonly timedOutInvocations: number;
  /** Throttled control-plane answers and SDK retry attempts after the release (the control plane's request log). */
  readonly throttledCalls: number;
  readonly sdkRetries: number;
  /** Notifications the watchdog published. */
  readonly notifications: number;
  /** Composite alarm state changes after the release, ms since the release. */
  readonly alarmTransitions: readonly { readonly to: string; readonly atMs: number }[];
  /** The production listener's weights at the end: blue/green. */
  readonly finalWeights: readonly [number, number];
  /** The shift's phase in the watchdog's state at the end, when the release had a shifting plan. */
  readonly shiftPhase: string | null;
  /** The watchdog container's cold start. */
  readonly coldStartMs: number;
  /** Wall time of the scenario, setup included. */
  readonly durationMs: number;
  /** Setup or run errors (a scenario with errors fails). */
  readonly errors: readonly string[];
  /** What was still running when the scenario was stopped at its deadline (empty when it finished). */
  readonly timeouts: readonly string[];
  /** Each service's figures, in a scenario of several services (the others are the first one's). */
  readonly members?: readonly MemberResult[];
  /** The deploys' captures, in a scenario that deploys more than once: `release-2 refused`... */
  readonly deploys?: readonly string[];
}

/** A scenario's result with what the report draws and keeps beside it. */
export interface ScenarioRun {
  readonly result: ScenarioResult;
  readonly timeline: Timeline;
  /** The watchdog container's structured log lines. */
  readonly watchdogLog: readonly string[];
  /** The watchdog's audit records, oldest first. */
  readonly audit: readonly AuditRecord[];
}

/** What was read from the control plane and the store at the end, before they were closed. */
export interface Observed {
  readonly finalWeights: [number, number];
  readonly audit: readonly AuditRecord[];
  readonly state: WatchdogState | undefined;
  readonly log: readonly PlaneLogEntry[];
  readonly notifications: readonly Notification[];
  readonly invocations: readonly InvocationRecord[];
  readonly watchdogLog: readonly string[];
  readonly blueArn: string;
}

/** The records of one run. */
export interface SummaryInput {
  readonly name: ScenarioName;
  readonly startedAt: number;
  readonly releaseAt: number;
  /** The request log's last entry once the release's write was answered: later entries are after it. */
  readonly releaseLogSeq: number;
  readonly releaseWeights: readonly [number, number];
  readonly routed: readonly RoutedRequest[];
  readonly client: readonly ClientRequest[];
  readonly transitions: readonly AlarmTransition[];
  readonly compositeName: string;
  readonly manualRequest: Observations['manualRequest'];
  /** When the data plane first saw the feature flag off (scenarios with a flag). */
  readonly flagOffAt: number | undefined;
  readonly observed: Observed | undefined;
  readonly errors: readonly string[];
  readonly timeouts: readonly string[];
  readonly coldStartMs: number;
}

/** The timelines' bucket, ms. */
export const TIMELINE_BUCKET_MS = 250;

/** Turns the records of a run into the report row, the checks and the timeline. */
export function summarize(input: SummaryInput): ScenarioRun {
  const scenario = SCENARIOS[input.name];
  const { releaseAt, routed, client, transitions, observed } = input;
  const audit = observed?.audit ?? [];
  const detection = detect(input, audit);
  const trigger = detection?.at;
  // Records are kept as requests finish: in the order they arrived, a change of weights reads once.
  const production = productionByArrival(routed);
  const switchAt = trigger === undefined ? undefined : switchTime(production, releaseAt, trigger);
  const afterSwitch = switchAt === undefined ? [] : production.filter((r) => r.arrivedAt >= switchAt);
  const failed = (r: ClientRequest) => r.status === 0 || r.status >= 500;
  const afterRelease = (observed?.log ?? []).filter((e) => e.seq > input.releaseLogSeq);
  const compositeAlarms = transitions.filter(
    (t) => t.alarm === input.compositeName && t.to === 'ALARM' && t.at >= releaseAt,
  );
  const afterOff =
    input.flagOffAt === undefined ? [] : production.filter((r) => r.arrivedAt >= (input.flagOffAt as number));
  const observations: Observations = {
    finalWeights: observed?.finalWeights ?? [0, 0],
    releaseWeights: input.releaseWeights,
    ...(trigger !== undefined ? { detectAt: trigger } : {}),
    ...(switchAt !== undefined ? { switchAt } : {}),
    compositeAlarmsAt: compositeAlarms.map((t) => t.at),
    membersInAlarm: [
      ...new Set(
        transitions
          .filter((t) => t.alarm !== input.compositeName && t.to === 'ALARM' && t.at >= releaseAt)
          .map((t) => t.alarm),
      ),
    ],
    audit,
    greenAfterSwitch: afterSwitch.filter((r) => r.color === 'green').length,
    routedAfterSwitch: afterSwitch.length,
    listenerWrites: afterRelease.filter((e) => e.action === 'ModifyListener' && e.status === 200).length,
    throttledCalls: afterRelease.filter((e) => /Throttl|TooManyRequests|SlowDown/.test(e.errorCode ?? ''))
      .length,
    sdkRetries: afterRelease.filter((e) => (e.attempt ?? 1) > 1).length,
    failedInvocations: (observed?.invocations ?? []).filter((i) => !i.ok).length,
    ...(input.manualRequest ? { manualRequest: input.manualRequest } : {}),
    blueTargetGroupArn: observed?.blueArn ?? '',
    greenWeights: weightChanges(production, releaseAt).map((c) => c.weight),
    productionToGreen: production.filter((r) => r.color === 'green').length,
    ...(observed?.state ? { state: observed.state } : {}),
    notifications: observed?.notifications ?? [],
    ...(scenario.featureFlag
      ? {
          flag: {
            ...(input.flagOffAt !== undefined ? { offAt: input.flagOffAt } : {}),
            routedAfterOff: afterOff.length,
            failedAfterOff: afterOff.filter((r) => r.status >= 500).length,
          },
        }
      : {}),
  };
  const checks = [
    ...scenario.check(observations),
    ...input.errors.map((error) => ({ name: 'ran without errors', passed: false, detail: error })),
    ...input.timeouts.map((detail) => ({ name: 'finished in time', passed: false, detail })),
  ];
  const outcomes: Record<string, number> = {};
  for (const record of audit) outcomes[record.outcome] = (outcomes[record.outcome] ?? 0) + 1;
  const rolledBack = audit.find((r) => r.outcome === 'rolled-back');
  const invocations = observed?.invocations ?? [];
  const result: ScenarioResult = {
    scenario: input.name,
    title: scenario.title,
    proves: scenario.proves,
    passed: checks.every((c) => c.passed),
    checks,
    detectMs: trigger === undefined ? null : trigger - releaseAt,
    detectedBy: detection?.by ?? null,
    switchMs: switchAt === undefined || trigger === undefined ? null : switchAt - trigger,
    watchdogTimeToRollbackMs: rolledBack?.timeToRollbackMs ?? null,
    failedAfterDetect:
      trigger === undefined ? 0 : client.filter((r) => r.sentAt >= trigger && failed(r)).length,
    failedBeforeDetect: client.filter(
      (r) => r.sentAt >= releaseAt && (trigger === undefined || r.sentAt < trigger) && failed(r),
    ).length,
    servedBlue: client.filter((r) => r.color === 'blue').length,
    servedGreen: client.filter((r) => r.color === 'green').length,
    requests: client.length,
    greenWeights: observations.greenWeights,
    auditRecords: audit.length,
    auditOutcomes: outcomes,
    rollbacks: audit.filter((r) => r.outcome === 'rolled-back').length,
    switchRefused: audit.some(refusedToSwitch),
    invocations: invocations.length,
    ticks: invocations.filter((i) => i.action === 'tick').length,
    failedInvocations: observations.failedInvocations,
    timedOutInvocations: invocations.filter(
      (i) => !i.ok && (i.result as { errorType?: string }).errorType === 'Sandbox.Timedout',
    ).length,
    throttledCalls: observations.throttledCalls,
    sdkRetries: observations.sdkRetries,
    notifications: observations.notifications.length,
    alarmTransitions: transitions
      .filter((t) => t.alarm === input.compositeName && t.at >= releaseAt)
      .map((t) => ({ to: t.to, atMs: t.at - releaseAt })),
    finalWeights: observations.finalWeights,
    shiftPhase: observed?.state?.shift?.phase ?? null,
    coldStartMs: input.coldStartMs,
    durationMs: Date.now() - input.startedAt,
    errors: input.errors,
    timeouts: input.timeouts,
  };
  return {
    result,
    timeline: timeline(input, audit, detection, switchAt),
    watchdogLog: observed?.watchdogLog ?? [],
    audit,
  };
}

/**
 * The trigger and what it was: the operator's request or the first ALARM of the composite after the
 * release, whichever came first; else the watchdog's own rollback on a failed smoke check.
 */
function detect(
  input: SummaryInput,
  audit: readonly AuditRecord[],
): { readonly at: number; readonly by: DetectedBy } | undefined {
  const alarm = triggerAt(input.transitions, input.compositeName, input.releaseAt, undefined);
  const manual = input.manualRequest?.at;
  if (manual !== undefined && (alarm === undefined || manual < alarm)) return { at: manual, by: 'operator' };
  if (alarm !== undefined) return { at: alarm, by: 'alarm' };
  // The tick that ran the failed checks may audit them apart from the rollback that follows.
  const onCheck = audit.find((r) => r.steps.some((s) => s.kind === 'check' && s.outcome === 'failed'));
  const rolledBack = audit.some((r) => r.decision === 'rollback');
  return onCheck && rolledBack ? { at: Date.parse(onCheck.decidedAt), by: 'check' } : undefined;
}

/** The production listener's requests, in the order they arrived. */
export function productionByArrival(routed: readonly RoutedRequest[]): RoutedRequest[] {
  return routed.filter((r) => r.listener === 'production').sort((a, b) => a.arrivedAt - b.arrivedAt);
}

/** Each change of the production listener's share to green after the release (the first is the release's). */
export function weightChanges(
  production: readonly RoutedRequest[],
  releaseAt: number,
): { readonly at: number; readonly weight: number }[] {
  const changes: { at: number; weight: number }[] = [];
  for (const r of production) {
    if (r.arrivedAt < releaseAt) continue;
    if (changes.at(-1)?.weight !== r.greenWeightPercent)
      changes.push({ at: r.arrivedAt, weight: r.greenWeightPercent });
  }
  return changes;
}

function timeline(
  input: SummaryInput,
  audit: readonly AuditRecord[],
  detection: ReturnType<typeof detect>,
  switchAt: number | undefined,
): Timeline {
  const { releaseAt, client, routed, transitions } = input;
  const buckets = trafficBuckets(client, routed, releaseAt);
  const production = productionByArrival(routed);
  const marks: TimelineMark[] = [{ t: 0, kind: 'release', label: 'release' }];
  for (const t of transitions) {
    if (t.alarm !== input.compositeName || t.at < releaseAt) continue;
    marks.push({ t: t.at - releaseAt, kind: t.to === 'ALARM' ? 'alarm' : 'ok', label: t.to });
  }
  if (detection?.by === 'operator')
    marks.push({ t: detection.at - releaseAt, kind: 'manual', label: 'operator' });
  // The release's own weight is the release mark, and a share back to 0 is the switch mark.
  const changes = weightChanges(production, releaseAt);
  for (const change of changes.slice(1)) {
    if (change.weight > 0)
      marks.push({ t: change.at - releaseAt, kind: 'weight', label: `green ${change.weight}%` });
  }
  if (switchAt !== undefined) marks.push({ t: switchAt - releaseAt, kind: 'switch', label: 'switch' });
  if (input.flagOffAt !== undefined)
    marks.push({ t: input.flagOffAt - releaseAt, kind: 'flag', label: 'flag off' });
  for (const record of audit) {
    if (record.trigger.kind === 'capture') continue;
    const at = Date.parse(record.finishedAt);
    for (const mark of decisionMarks(record, shareAt(changes, Date.parse(record.startedAt))))
      marks.push({ t: at - releaseAt, ...mark });
  }
  return { bucketMs: TIMELINE_BUCKET_MS, buckets, marks: marks.sort((a, b) => a.t - b.t) };
}

/**
 * Production traffic in buckets of {@link TIMELINE_BUCKET_MS} since `t0`: requests sent, answered by
 * each color and failed (the users' records), and the largest share to green they were routed with.
 */
export function trafficBuckets(
  client: readonly ClientRequest[],
  routed: readonly RoutedRequest[],
  t0: number,
): TimelineBucket[] {
  const bucketOf = (at: number) => Math.floor((at - t0) / TIMELINE_BUCKET_MS) * TIMELINE_BUCKET_MS;
  const buckets = new Map<
    number,
    { sent: number; blue: number; green: number; failed: number; greenWeightPercent: number }
  >();
  const bucket = (t: number) => {
    const found = buckets.get(t) ?? { sent: 0, blue: 0, green: 0, failed: 0, greenWeightPercent: 0 };
    buckets.set(t, found);
    return found;
  };
  for (const r of client) {
    const b = bucket(bucketOf(r.sentAt));
    b.sent++;
    if (r.color === 'blue') b.blue++;
    if (r.color === 'green') b.green++;
    if (r.status === 0 || r.status >= 500) b.failed++;
  }
  for (const r of productionByArrival(routed)) {
    const b = bucket(bucketOf(r.arrivedAt));
    b.greenWeightPercent = Math.max(b.greenWeightPercent, r.greenWeightPercent);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, b]) => ({ t, ...b }));
}

/** The production listener's share to green at `at`, as the data plane last saw it. */
export function shareAt(
  changes: readonly { readonly at: number; readonly weight: number }[],
  at: number,
): number {
  return changes.filter((c) => c.at <= at).at(-1)?.weight ?? 0;
}

/**
 * How a decision is marked: its smoke checks (run while green had no production traffic: pre-traffic;
 * else after a step), then a promotion, a verification, a kill switch, or its outcome. A plain step
 * is left to its weight mark.
 */
export function decisionMarks(
  record: AuditRecord,
  greenShareAtStart: number,
): Array<Pick<TimelineMark, 'kind' | 'label'>> {
  const marks: Array<Pick<TimelineMark, 'kind' | 'label'>> = [];
  const checks = record.steps.filter((s) => s.kind === 'check');
  if (checks.length > 0 && record.decision !== 'verify') {
    const passed = checks.every((s) => s.outcome === 'applied');
    marks.push({
      kind: 'check',
      label: `${greenShareAtStart === 0 ? 'pre-traffic' : 'after-step'} ${passed ? '✓' : '✗'}`,
    });
  }
  if (record.decision === 'verify')
    marks.push({ kind: 'verify', label: record.outcome === 'verified' ? 'verified' : 'verification failed' });
  else if (record.steps.some((s) => s.kind === 'kill-switch'))
    marks.push({ kind: 'kill-switch', label: 'kill switch' });
  else if (record.outcome === 'promoted') marks.push({ kind: 'promote', label: 'promoted' });
  else if (record.outcome !== 'shifted') marks.push({ kind: 'decision', label: record.outcome });
  return marks;
}

/** The first ALARM of the composite after the release, or the operator's request if earlier. */
export function triggerAt(
  transitions: readonly AlarmTransition[],
  composite: string,
  releaseAt: number,
  manual: Observations['manualRequest'],
): number | undefined {
  const alarm = transitions.find((t) => t.alarm === composite && t.to === 'ALARM' && t.at >= releaseAt)?.at;
  if (manual === undefined) return alarm;
  return alarm === undefined ? manual.at : Math.min(alarm, manual.at);
}

/**
 * The first production request (of `production`, in arrival order) at or after `from` routed while the
 * listener sent nothing to green, provided it had sent green some after the release (else there was
 * nothing to switch back).
 */
export function switchTime(
  production: readonly RoutedRequest[],
  releaseAt: number,
  from: number,
): number | undefined {
  const sentToGreen = production.some(
    (r) => r.arrivedAt >= releaseAt && r.arrivedAt < from && !r.greenWeightZero,
  );
  if (!sentToGreen) return undefined;
  return production.find((r) => r.arrivedAt >= from && r.greenWeightZero)?.arrivedAt;
}

/** An audit record of the watchdog refusing to move traffic: partial or refused, with a blocked traffic step. */
export function refusedToSwitch(record: AuditRecord): boolean {
  return (
    (record.outcome === 'partial' || record.outcome === 'refused') &&
    record.steps.some((s) => s.outcome === 'blocked' && ['listener', 'rule', 'alias'].includes(s.kind))
  );
}
