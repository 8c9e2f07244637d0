/**
 * What a release-safety scenario's run comes to: its row of the drill table (the first service's
 * figures, the others in `members`), the checks' verdicts, and a timeline with a lane per service,
 * marked with the script's deploys and releases, the operator's commands, the alarms, each watchdog's
 * decisions and the group's.
 */
import type { AuditRecord, GroupRecord, WatchdogState } from '../../lib';
import type { AlarmTransition } from './alarm-evaluator';
import type { PlaneLogEntry } from './control-plane';
import type { ClientRequest, RoutedRequest } from './data-plane';
import type {
  DeployRecord,
  MemberObservations,
  OperatorCall,
  ReleaseSafetyObservations,
  ReleaseSafetyScenario,
  ScriptMark,
} from './release-safety-scenarios';
import {
  decisionMarks,
  productionByArrival,
  refusedToSwitch,
  shareAt,
  TIMELINE_BUCKET_MS,
  trafficBuckets,
  weightChanges,
  type DetectedBy,
  type MemberResult,
  type ScenarioResult,
  type ScenarioRun,
  type TimelineMark,
} from './summary';
import type { InvocationRecord } from './watchdog-function';
import type { Notification } from './world';

/** One service as it was at the end of the run. */
export interface ObservedService {
  readonly service: string;
  readonly compositeName: string;
  readonly finalWeights: [number, number];
  readonly audit: readonly AuditRecord[];
  readonly state?: WatchdogState;
  readonly routed: readonly RoutedRequest[];
  readonly client: readonly ClientRequest[];
  readonly transitions: readonly AlarmTransition[];
  readonly notifications: readonly Notification[];
  readonly invocations: readonly InvocationRecord[];
  readonly coldStartMs: number;
  /** Failed alarm publications. */
  readonly evaluationErrors: readonly string[];
}

/** The records of one run. */
export interface ReleaseSafetyInput {
  readonly scenario: ReleaseSafetyScenario;
  readonly startedAt: number;
  /** When the script began (after the baseline period); NaN when the run failed before it. */
  readonly scriptStartedAt: number;
  /** The control plane's request log after the script began. */
  readonly logAfterStart: readonly PlaneLogEntry[];
  /** The services, the first being the one the row's figures are about. */
  readonly services: readonly ObservedService[];
  readonly deploys: readonly DeployRecord[];
  readonly operatorCalls: readonly OperatorCall[];
  readonly marks: readonly ScriptMark[];
  readonly groupRecords: readonly GroupRecord[];
  readonly groupNotifications: readonly Notification[];
  readonly coordinatorInvocations: readonly InvocationRecord[];
  readonly coordinatorCallerArn?: string;
  readonly watchdogLog: readonly string[];
  readonly errors: readonly string[];
  readonly timeouts: readonly string[];
}

const failed = (r: ClientRequest) => r.status === 0 || r.status >= 500;

/** Turns the records of a release-safety run into its report row, checks and timeline. */
export function summarizeReleaseSafety(input: ReleaseSafetyInput): ScenarioRun {
  const { scenario, services, marks } = input;
  const start = Number.isNaN(input.scriptStartedAt) ? input.startedAt : input.scriptStartedAt;
  const firstRelease = marks.find((m) => m.kind === 'release')?.at;
  // The row's moment zero: the release for a scenario detected by its alarm, else the first deploy.
  const t0 = (scenario.detectedBy === 'alarm' ? firstRelease : undefined) ?? input.deploys[0]?.at ?? start;
  const members = services.map((s) => memberObservations(s, start, firstRelease));
  const primary = services[0];
  const primaryObserved = members[0];

  const detection = detect(input, primary, firstRelease);
  const trigger = detection?.at;
  const switchAt =
    primaryObserved?.switchAt !== undefined && trigger !== undefined && primaryObserved.switchAt >= trigger
      ? primaryObserved.switchAt
      : undefined;

  const observations: ReleaseSafetyObservations = {
    deploys: input.deploys,
    operatorCalls: input.operatorCalls,
    marks,
    members: Object.fromEntries(members.map((m) => [m.service, m])),
    groupRecords: input.groupRecords,
    coordinatorInvocations: input.coordinatorInvocations.map((i) => ({ action: i.action, ok: i.ok })),
    ...(input.coordinatorCallerArn ? { coordinatorCallerArn: input.coordinatorCallerArn } : {}),
  };
  const checks = [
    ...scenario.check(observations),
    ...services.flatMap((s) =>
      s.evaluationErrors.map((detail) => ({
        name: 'ran without errors',
        passed: false,
        detail: `${s.service}: ${detail}`,
      })),
    ),
    ...input.errors.map((detail) => ({ name: 'ran without errors', passed: false, detail })),
    ...input.timeouts.map((detail) => ({ name: 'finished in time', passed: false, detail })),
  ];

  const audit = services.flatMap((s) => s.audit);
  const outcomes: Record<string, number> = {};
  for (const record of audit) outcomes[record.outcome] = (outcomes[record.outcome] ?? 0) + 1;
  for (const record of input.groupRecords) {
    const key = `group ${record.outcome}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  const client = primary?.client ?? [];
  const invocations = [...services.flatMap((s) => s.invocations), ...input.coordinatorInvocations];
  const rolledBack = primary?.audit.find((r) => r.outcome === 'rolled-back');
  const result: ScenarioResult = {
    scenario: scenario.name,
    title: scenario.title,
    proves: scenario.proves,
    passed: checks.every((c) => c.passed),
    checks,
    detectMs: trigger === undefined || detection === undefined ? null : trigger - detection.from,
    detectedBy: detection?.by ?? null,
    switchMs: switchAt === undefined || trigger === undefined ? null : switchAt - trigger,
    watchdogTimeToRollbackMs: rolledBack?.timeToRollbackMs ?? null,
    failedAfterDetect:
      trigger === undefined ? 0 : client.filter((r) => r.sentAt >= trigger && failed(r)).length,
    failedBeforeDetect: client.filter(
      (r) => r.sentAt >= t0 && (trigger === undefined || r.sentAt < trigger) && failed(r),
    ).length,
    servedBlue: services.reduce((n, s) => n + s.client.filter((r) => r.color === 'blue').length, 0),
    servedGreen: services.reduce((n, s) => n + s.client.filter((r) => r.color === 'green').length, 0),
    requests: services.reduce((n, s) => n + s.client.length, 0),
    greenWeights: primaryObserved?.greenWeights ?? [],
    auditRecords: audit.length + input.groupRecords.length,
    auditOutcomes: outcomes,
    rollbacks: audit.filter((r) => r.outcome === 'rolled-back').length,
    switchRefused: audit.some(refusedToSwitch),
    invocations: invocations.length,
    ticks: invocations.filter((i) => i.action === 'tick').length,
    failedInvocations: invocations.filter((i) => !i.ok).length,
    timedOutInvocations: invocations.filter(
      (i) => !i.ok && (i.result as { errorType?: string }).errorType === 'Sandbox.Timedout',
    ).length,
    throttledCalls: input.logAfterStart.filter((e) =>
      /Throttl|TooManyRequests|SlowDown/.test(e.errorCode ?? ''),
    ).length,
    sdkRetries: input.logAfterStart.filter((e) => (e.attempt ?? 1) > 1).length,
    notifications: services.reduce((n, s) => n + s.notifications.length, 0) + input.groupNotifications.length,
    alarmTransitions: (primary?.transitions ?? [])
      .filter((t) => t.alarm === primary?.compositeName && t.at >= t0)
      .map((t) => ({ to: t.to, atMs: t.at - t0 })),
    finalWeights: primary?.finalWeights ?? [0, 0],
    shiftPhase: primary?.state?.shift?.phase ?? null,
    coldStartMs: primary?.coldStartMs ?? 0,
    durationMs: Date.now() - input.startedAt,
    errors: input.errors,
    timeouts: input.timeouts,
    ...(services.length > 1 ? { members: services.map((s, i) => memberResult(s, members[i])) } : {}),
    deploys: input.deploys.map(
      (d) =>
        `${services.length > 1 ? `${d.service} ` : ''}${d.releaseId} ${d.outcome}${d.errorType ? ` (${d.errorType})` : ''}`,
    ),
  };
  return {
    result,
    timeline: {
      bucketMs: TIMELINE_BUCKET_MS,
      buckets: primary ? trafficBuckets(primary.client, primary.routed, t0) : [],
      marks: timelineMarks(input, t0, start),
      ...(services.length > 1
        ? {
            lanes: services.map((s) => ({
              name: s.service,
              buckets: trafficBuckets(s.client, s.routed, t0),
            })),
          }
        : {}),
    },
    watchdogLog: input.watchdogLog,
    audit: [...audit].sort((a, b) => a.decidedAt.localeCompare(b.decidedAt)),
  };
}

/** The checks' view of one service, from the script's start on. */
function memberObservations(
  s: ObservedService,
  start: number,
  firstRelease: number | undefined,
): MemberObservations {
  const production = productionByArrival(s.routed);
  const changes = weightChanges(production, start);
  // The switch: the share back to 0 after the data plane had routed some to green.
  const switchAt = changes.find(
    (c, i) => c.weight === 0 && changes.slice(0, i).some((p) => p.weight > 0),
  )?.at;
  const afterSwitch = switchAt === undefined ? [] : production.filter((r) => r.arrivedAt >= switchAt);
  return {
    service: s.service,
    audit: s.audit,
    ...(s.state ? { state: s.state } : {}),
    finalWeights: s.finalWeights,
    greenWeights: changes.map((c) => c.weight),
    productionToGreen: production.filter((r) => r.color === 'green').length,
    toGreenBeforeRelease: production.filter(
      (r) => r.color === 'green' && (firstRelease === undefined || r.arrivedAt < firstRelease),
    ).length,
    routedAfterSwitch: afterSwitch.length,
    greenAfterSwitch: afterSwitch.filter((r) => r.color === 'green').length,
    ...(switchAt !== undefined ? { switchAt } : {}),
    compositeAlarmsAt: s.transitions
      .filter((t) => t.alarm === s.compositeName && t.to === 'ALARM' && t.at >= start)
      .map((t) => t.at),
    notifications: s.notifications,
    failedInvocations: s.invocations.filter((i) => !i.ok).length,
  };
}

/**
 * The row's trigger: the first service's first ALARM after the release (measured from the release),
 * or the first refused deploy (measured from when that deploy began).
 */
function detect(
  input: ReleaseSafetyInput,
  primary: ObservedService | undefined,
  firstRelease: number | undefined,
): { readonly at: number; readonly from: number; readonly by: DetectedBy } | undefined {
  if (input.scenario.detectedBy === 'gate') {
    const refused = input.deploys.find((d) => d.outcome === 'refused');
    return refused ? { at: refused.answeredAt, from: refused.at, by: 'gate' } : undefined;
  }
  if (firstRelease === undefined || !primary) return undefined;
  const alarm = primary.transitions.find(
    (t) => t.alarm === primary.compositeName && t.to === 'ALARM' && t.at >= firstRelease,
  );
  return alarm ? { at: alarm.at, from: firstRelease, by: 'alarm' } : undefined;
}

function memberResult(s: ObservedService, m: MemberObservations | undefined): MemberResult {
  const auditOutcomes: Record<string, number> = {};
  for (const record of s.audit) auditOutcomes[record.outcome] = (auditOutcomes[record.outcome] ?? 0) + 1;
  return {
    service: s.service,
    greenWeights: m?.greenWeights ?? [],
    finalWeights: s.finalWeights,
    rollbacks: s.audit.filter((r) => r.outcome === 'rolled-back').length,
    servedGreen: s.client.filter((r) => r.color === 'green').length,
    auditOutcomes,
  };
}

/**
 * The timeline's marks: the script's (deploys and their answers, releases, the operator, a backup),
 * each service's composite alarm changes, the switch back of each service, each watchdog's decisions
 * but the captures (their answers are the deploy marks), and the group's decisions. With several
 * services each service's marks name it. Marks of the same label in the same quarter second are one.
 */
function timelineMarks(input: ReleaseSafetyInput, t0: number, start: number): TimelineMark[] {
  const several = input.services.length > 1;
  const named = (service: string, label: string) => (several ? `${service} ${label}` : label);
  const marks: TimelineMark[] = input.marks.map((m) => ({
    t: m.at - t0,
    kind: m.kind,
    label: m.service ? named(m.service, m.label) : m.label,
  }));
  for (const s of input.services) {
    for (const t of s.transitions) {
      // The evaluator's first verdict (no data yet, then OK) is no event of the scenario.
      if (t.alarm !== s.compositeName || t.at < start || t.from === 'INSUFFICIENT_DATA') continue;
      marks.push({ t: t.at - t0, kind: t.to === 'ALARM' ? 'alarm' : 'ok', label: named(s.service, t.to) });
    }
    const changes = weightChanges(productionByArrival(s.routed), start);
    changes.forEach((change, i) => {
      if (change.weight === 0 && changes.slice(0, i).some((c) => c.weight > 0))
        marks.push({ t: change.at - t0, kind: 'switch', label: named(s.service, 'switch') });
    });
    for (const record of s.audit) {
      if (record.trigger.kind === 'capture') continue;
      const at = Date.parse(record.finishedAt);
      for (const mark of decisionMarks(record, shareAt(changes, Date.parse(record.startedAt))))
        marks.push({ t: at - t0, kind: mark.kind, label: named(s.service, mark.label) });
    }
  }
  for (const record of input.groupRecords)
    marks.push({ t: Date.parse(record.finishedAt) - t0, kind: 'group', label: `group ${record.outcome}` });
  const sorted = marks.sort((a, b) => a.t - b.t);
  return sorted.filter(
    (m, i) => !sorted.slice(0, i).some((p) => p.label === m.label && m.t - p.t < TIMELINE_BUCKET_MS),
  );
}
