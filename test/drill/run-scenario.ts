/**
 * Runs one scenario end to end on loopback, on a fresh control plane (our emulator, or moto) and a
 * fresh watchdog container:
 * build the world, capture the release through the bundle, start the traffic and the alarm
 * evaluator, release (move the canary weight to green), let the scenario's failure play out, then
 * read what happened from the traffic records, the control plane and the store.
 */
import {
  startAlarmEvaluator,
  type AlarmTransition,
  type CompositeAlarmSpec,
  type MetricAlarmSpec,
} from './alarm-evaluator';
import {
  startApp,
  startLoad,
  startRouter,
  type App,
  type AppResponse,
  type ClientRequest,
  type RoutedRequest,
  type Router,
} from './data-plane';
import { type ControlPlane, type ControlPlaneName, startControlPlane } from './control-plane';
import { SCENARIOS, type Check, type Observations, type ScenarioName } from './scenarios';
import { WATCHDOG_FUNCTION, buildWorld, type World } from './world';
import { runCli } from '../../cli/program';
import type { AuditRecord } from '../../lib';

/** Settings shared by every scenario of a drill. */
export interface DrillSettings {
  /** How much faster than CloudWatch the drill runs: 60 makes a 60 s alarm period one drill second. */
  readonly timeScale: number;
  /** Production requests per second. */
  readonly requestsPerSecond: number;
  /** The release's canary: the percentage of production traffic it sends to green. */
  readonly canaryWeightPercent: number;
  /** A request without an answer after this long counts as failed. */
  readonly requestTimeoutMs: number;
  /** Alarm periods of traffic on blue only before the release. */
  readonly baselinePeriods: number;
  /** Traffic observed after the switch (or after the detection, when no switch is expected). */
  readonly tailMs: number;
  /**
   * A scenario whose capture has not answered this long after it was sent, or that has not finished
   * (traffic observed, the watchdog idle) this long after its release, is stopped and fails with a
   * `finished in time` check saying what was still running.
   */
  readonly maxRunMs: number;
  /** The watchdog function's timeout, in seconds of real time (the drill does not scale it). */
  readonly functionTimeoutSeconds: number;
  /** The watchdog bundle. */
  readonly bundlePath: string;
  /** Which emulator serves the AWS APIs: ours (every scenario) or moto (see control-plane.ts). */
  readonly controlPlane: ControlPlaneName;
}

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
}

/** A marked moment of a scenario, ms since the release. */
export interface TimelineMark {
  readonly t: number;
  /** `decision`: the watchdog finished a decision (its audit record's outcome is the label). */
  readonly kind: 'release' | 'alarm' | 'ok' | 'manual' | 'switch' | 'decision';
  readonly label: string;
}

/** What a timeline is drawn from. */
export interface Timeline {
  readonly bucketMs: number;
  readonly buckets: readonly TimelineBucket[];
  readonly marks: readonly TimelineMark[];
}

/** One row of the drill report: one scenario's figures and verdict. */
export interface ScenarioResult {
  readonly scenario: ScenarioName;
  readonly title: string;
  readonly proves: string;
  readonly passed: boolean;
  readonly checks: readonly Check[];
  /** Release (canary weight applied) to trigger: the composite alarm's state change, or the operator's request. */
  readonly detectMs: number | null;
  /** What detected it: `alarm` or `operator`; null when nothing did. */
  readonly detectedBy: 'alarm' | 'operator' | null;
  /**
   * Trigger to the first production request the data plane routed with the listener's live actions
   * sending nothing to green; null when traffic was not switched.
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
  /** The watchdog container's cold start. */
  readonly coldStartMs: number;
  /** Wall time of the scenario, setup included. */
  readonly durationMs: number;
  /** Setup or run errors (a scenario with errors fails). */
  readonly errors: readonly string[];
  /** What was still running when the scenario was stopped at its deadline (empty when it finished). */
  readonly timeouts: readonly string[];
}

/** A scenario's result with what the report draws and keeps beside it. */
export interface ScenarioRun {
  readonly result: ScenarioResult;
  readonly timeline: Timeline;
  /** The watchdog container's structured log lines. */
  readonly watchdogLog: readonly string[];
}

const RELEASE_ID = 'release-2';
const TIMELINE_BUCKET_MS = 250;
/** Lets the evaluation of the period before the release publish first. */
const RELEASE_AFTER_BOUNDARY_MS = 30;
/** How long teardown waits for an operator's rollback still in flight (the container is stopped by then). */
const OPERATOR_SETTLE_MS = 5000;

/** Thrown to end a run at its deadline; what timed out is already in the run's `timeouts`. */
class DeadlinePassed extends Error {}

/** The rollback alarms every scenario starts from (a scenario may override a member). */
export function defaultAlarms(): { metricAlarms: MetricAlarmSpec[]; composite: CompositeAlarmSpec } {
  const metricAlarms: MetricAlarmSpec[] = [
    {
      name: 'checkout-5xx-rate',
      metric: 'target-5xx-rate',
      threshold: 5,
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
    },
    {
      name: 'checkout-p99-latency',
      metric: 'target-p99-latency',
      threshold: 0.3,
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
    },
  ];
  return {
    metricAlarms,
    // 1 of 2, so each single-symptom scenario fires it (the example app uses 2 of 3).
    composite: { name: 'checkout-rollback', members: metricAlarms.map((a) => a.name), requiredBreaches: 1 },
  };
}

/** Runs one scenario on a fresh control plane and watchdog container. */
export async function runScenario(name: ScenarioName, settings: DrillSettings): Promise<ScenarioRun> {
  const scenario = SCENARIOS[name];
  const startedAt = Date.now();
  const periodMs = (60 * 1000) / settings.timeScale;
  const errors: string[] = [];
  const timeouts: string[] = [];
  const routed: RoutedRequest[] = [];
  const client: ClientRequest[] = [];
  const transitions: AlarmTransition[] = [];
  const alarms = defaultAlarms();
  const metricAlarms = alarms.metricAlarms.map((a) => ({ ...a, ...scenario.alarmOverrides?.[a.metric] }));
  const releaseWeights: [number, number] = [100 - settings.canaryWeightPercent, settings.canaryWeightPercent];

  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };

  let plane: ControlPlane | undefined;
  let world: World | undefined;
  let releaseAt = Number.NaN;
  // The release's own write can arrive in the same millisecond as releaseAt: count by arrival order.
  let releaseLogSeq = Number.POSITIVE_INFINITY;
  let manualRequest: Observations['manualRequest'];
  let manualTimer: NodeJS.Timeout | undefined;
  let operatorCall: Promise<void> | undefined;
  let coldStartMs = 0;
  try {
    plane = await startControlPlane(settings.controlPlane);
    const cp = plane;
    closers.push(() => cp.stop());
    // Runs after the container is stopped (closers run in reverse), so a rollback in flight ends.
    closers.push(async () => {
      if (operatorCall) await within(operatorCall, Date.now() + OPERATOR_SETTLE_MS);
    });
    const blue: App = await startApp('blue');
    const green: App = await startApp('green');
    closers.push(
      () => blue.close(),
      () => green.close(),
    );
    world = await buildWorld({
      plane: cp,
      metricAlarms,
      composite: alarms.composite,
      bundlePath: settings.bundlePath,
      timeScale: settings.timeScale,
      functionTimeoutSeconds: settings.functionTimeoutSeconds,
    });
    const w = world;
    closers.push(() => w.close());
    coldStartMs = w.watchdog.initMs;
    const targets = new Map([
      [w.blueArn, { color: 'blue' as const, port: blue.port }],
      [w.greenArn, { color: 'green' as const, port: green.port }],
    ]);
    const router = (listenerName: string, arn: string): Promise<Router> =>
      startRouter({
        plane: cp,
        listener: { name: listenerName, arn },
        productionListenerArn: w.productionListenerArn,
        targets,
        targetTimeoutMs: settings.requestTimeoutMs - 250,
        records: routed,
      });
    await cp.watchListeners([w.productionListenerArn, w.testListenerArn]);
    const production = await router('production', w.productionListenerArn);
    const test = await router('test', w.testListenerArn);
    closers.push(
      () => production.close(),
      () => test.close(),
    );

    // Deploy: capture before anything changes traffic, through the bundle (as aws_lambda_invocation does).
    const capture = await within(
      w.invokeWatchdog({ action: 'capture', releaseId: RELEASE_ID }),
      Date.now() + settings.maxRunMs,
    );
    if (!capture.done) {
      timeouts.push(
        `the capture invocation had not answered ${settings.maxRunMs} ms after it was sent (the watchdog is hung or too slow); the release was not made`,
      );
      throw new DeadlinePassed();
    }
    const captured = capture.value as { status?: string; result?: { outcome?: string } };
    if (captured?.status !== 'ok') throw new Error(`capture failed: ${JSON.stringify(captured)}`);

    const load = startLoad({
      port: production.port,
      requestsPerSecond: settings.requestsPerSecond,
      timeoutMs: settings.requestTimeoutMs,
      records: client,
    });
    const trafficStops = [() => load.stop()];
    if (scenario.testRequestsPerSecond) {
      const testLoad = startLoad({
        port: test.port,
        requestsPerSecond: scenario.testRequestsPerSecond,
        timeoutMs: settings.requestTimeoutMs,
        records: [],
      });
      trafficStops.push(() => testLoad.stop());
    }
    const evaluator = startAlarmEvaluator({
      plane: cp,
      metricAlarms,
      composite: alarms.composite,
      records: routed,
      timeScale: settings.timeScale,
      transitions,
      errors,
    });
    trafficStops.push(() => evaluator.stop());
    closers.push(() => Promise.all(trafficStops.map((stop) => stop())).then(() => undefined));

    // Release just after a period boundary (once the baseline period is evaluated), so the
    // scenario's periods are the alarm's periods.
    const boundary = evaluator.origin + settings.baselinePeriods * periodMs;
    await sleep(boundary + RELEASE_AFTER_BOUNDARY_MS - Date.now());
    await w.setWeights(...releaseWeights);
    releaseAt = Date.now();
    releaseLogSeq = cp.requestLog().at(-1)?.seq ?? 0;
    const release = releaseAt;
    green.behave((now) => scenario.green(Math.floor((now - boundary) / periodMs)));
    scenario.onRelease?.({
      emulator: () => {
        if (!cp.emulator)
          throw new Error(`scenario ${name} needs the emulator's hooks; it runs on the emulator only`);
        return cp.emulator;
      },
      world: w,
      periodMs,
      setBlue: (response: AppResponse) => blue.behave(() => response),
      manualRollback: (delayMs) => {
        manualTimer = setTimeout(() => {
          manualTimer = undefined;
          const at = Date.now();
          // The operator's path: the switchback CLI, which invokes the watchdog through the Lambda API.
          operatorCall = operatorRollback(cp, 'drill: checkout errors reported by support').then(
            ({ code, outcome, detail }) => {
              manualRequest = { at, ok: code === 0 && outcome === 'rolled-back', detail };
            },
            (error: unknown) => {
              manualRequest = {
                at,
                ok: false,
                detail: error instanceof Error ? error.message : String(error),
              };
            },
          );
          manualRequest = { at, ok: false, detail: 'in flight' };
        }, delayMs);
      },
    });

    // Run until the scenario has played out: triggered, the watchdog idle, and traffic observed after.
    const minEnd = release + scenario.minPeriodsAfterRelease * periodMs;
    const deadline = release + settings.maxRunMs;
    for (;;) {
      await sleep(50);
      const now = Date.now();
      const trigger = triggerAt(transitions, alarms.composite.name, release, manualRequest);
      const alarmDecided =
        !scenario.awaitAlarmDecision || (await w.auditRecords()).some((r) => r.trigger.kind === 'alarm');
      if (now > deadline) {
        const pending = [
          ...(trigger === undefined ? ['no trigger yet (no ALARM, no operator request)'] : []),
          ...(manualRequest?.detail === 'in flight' ? ["the operator's rollback still in flight"] : []),
          ...(w.watchdog.busy
            ? ['the watchdog still busy (an invocation running, queued or awaiting a retry)']
            : []),
          ...(alarmDecided ? [] : ['no watchdog decision on an ALARM yet']),
        ];
        timeouts.push(
          `stopped ${settings.maxRunMs} ms after the release without finishing: ${pending.join('; ') || 'the traffic after the trigger not yet observed'}`,
        );
        throw new DeadlinePassed();
      }
      if (now < minEnd || trigger === undefined || manualRequest?.detail === 'in flight') continue;
      if (!alarmDecided || w.watchdog.busy) continue;
      const switchAt = switchTime(routed, trigger);
      const from = scenario.expectSwitch ? switchAt : trigger;
      if (from !== undefined && now >= from + settings.tailMs) break;
    }
    // Stop the traffic and the alarms first, then let the watchdog finish what it started.
    await Promise.all(trafficStops.map((stop) => stop()));
    if (!(await within(w.watchdog.idle(), deadline)).done) {
      timeouts.push(
        `stopped ${settings.maxRunMs} ms after the release: the watchdog still busy after the traffic stopped (an invocation running, queued or awaiting a retry)`,
      );
    }
  } catch (error) {
    if (!(error instanceof DeadlinePassed))
      errors.push(error instanceof Error ? error.message : String(error));
  }

  // Nothing may start after the world is closed: the operator's rollback has not run yet, it never will.
  if (manualTimer !== undefined) clearTimeout(manualTimer);
  const observed = plane && world ? await observe(plane, world).catch(() => undefined) : undefined;
  await closeAll();
  const run = summarize({
    name,
    settings,
    startedAt,
    releaseAt,
    releaseLogSeq,
    releaseWeights,
    routed,
    client,
    transitions,
    compositeName: alarms.composite.name,
    manualRequest,
    observed,
    errors,
    timeouts,
    coldStartMs,
  });
  return run;
}

/** Reads what the summary needs from the control plane and the store, before they are closed. */
async function observe(plane: ControlPlane, world: World) {
  return {
    finalWeights: await world.weights(),
    audit: await world.auditRecords(),
    log: plane.requestLog(),
    notifications: world.notifications(),
    invocations: [...world.watchdog.invocations],
    watchdogLog: [...world.watchdog.logLines],
    blueArn: world.blueArn,
  };
}

interface SummaryInput {
  readonly name: ScenarioName;
  readonly settings: DrillSettings;
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
  readonly observed: Awaited<ReturnType<typeof observe>> | undefined;
  readonly errors: readonly string[];
  readonly timeouts: readonly string[];
  readonly coldStartMs: number;
}

/** Turns the records of a run into the report row, the checks and the timeline. */
function summarize(input: SummaryInput): ScenarioRun {
  const scenario = SCENARIOS[input.name];
  const { releaseAt, routed, client, transitions, observed } = input;
  const trigger = triggerAt(transitions, input.compositeName, releaseAt, input.manualRequest);
  const switchAt = trigger === undefined ? undefined : switchTime(routed, trigger);
  const production = routed.filter((r) => r.listener === 'production');
  const afterSwitch = switchAt === undefined ? [] : production.filter((r) => r.arrivedAt >= switchAt);
  const failed = (r: ClientRequest) => r.status === 0 || r.status >= 500;
  const audit = observed?.audit ?? [];
  const afterRelease = (observed?.log ?? []).filter((e) => e.seq > input.releaseLogSeq);
  const compositeAlarms = transitions.filter(
    (t) => t.alarm === input.compositeName && t.to === 'ALARM' && t.at >= releaseAt,
  );
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
  };
  const checks = [
    ...scenario.check(observations),
    ...input.errors.map((error) => ({ name: 'ran without errors', passed: false, detail: error })),
    ...input.timeouts.map((detail) => ({ name: 'finished in time', passed: false, detail })),
  ];
  const outcomes: Record<string, number> = {};
  for (const record of audit) outcomes[record.outcome] = (outcomes[record.outcome] ?? 0) + 1;
  const rolledBack = audit.find((r) => r.outcome === 'rolled-back');
  const manualFirst =
    input.manualRequest !== undefined &&
    (compositeAlarms[0] === undefined || input.manualRequest.at < compositeAlarms[0].at);
  const result: ScenarioResult = {
    scenario: input.name,
    title: scenario.title,
    proves: scenario.proves,
    passed: checks.every((c) => c.passed),
    checks,
    detectMs: trigger === undefined ? null : trigger - releaseAt,
    detectedBy: trigger === undefined ? null : manualFirst ? 'operator' : 'alarm',
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
    auditRecords: audit.length,
    auditOutcomes: outcomes,
    rollbacks: audit.filter((r) => r.outcome === 'rolled-back').length,
    switchRefused: audit.some(refusedToSwitch),
    invocations: observed?.invocations.length ?? 0,
    failedInvocations: observations.failedInvocations,
    timedOutInvocations: (observed?.invocations ?? []).filter(
      (i) => !i.ok && (i.result as { errorType?: string }).errorType === 'Sandbox.Timedout',
    ).length,
    throttledCalls: observations.throttledCalls,
    sdkRetries: observations.sdkRetries,
    notifications: observed?.notifications ?? 0,
    alarmTransitions: transitions
      .filter((t) => t.alarm === input.compositeName && t.at >= releaseAt)
      .map((t) => ({ to: t.to, atMs: t.at - releaseAt })),
    finalWeights: observations.finalWeights,
    coldStartMs: input.coldStartMs,
    durationMs: Date.now() - input.startedAt,
    errors: input.errors,
    timeouts: input.timeouts,
  };
  return {
    result,
    timeline: timeline(input, trigger, switchAt, manualFirst),
    watchdogLog: observed?.watchdogLog ?? [],
  };
}

function timeline(
  input: SummaryInput,
  trigger: number | undefined,
  switchAt: number | undefined,
  manualFirst: boolean,
): Timeline {
  const { releaseAt, client, transitions } = input;
  const buckets = new Map<number, { sent: number; blue: number; green: number; failed: number }>();
  for (const r of client) {
    const t = Math.floor((r.sentAt - releaseAt) / TIMELINE_BUCKET_MS) * TIMELINE_BUCKET_MS;
    const bucket = buckets.get(t) ?? { sent: 0, blue: 0, green: 0, failed: 0 };
    bucket.sent++;
    if (r.color === 'blue') bucket.blue++;
    if (r.color === 'green') bucket.green++;
    if (r.status === 0 || r.status >= 500) bucket.failed++;
    buckets.set(t, bucket);
  }
  const marks: TimelineMark[] = [{ t: 0, kind: 'release', label: 'release' }];
  for (const t of transitions) {
    if (t.alarm !== input.compositeName || t.at < releaseAt) continue;
    marks.push({ t: t.at - releaseAt, kind: t.to === 'ALARM' ? 'alarm' : 'ok', label: t.to });
  }
  if (manualFirst && trigger !== undefined)
    marks.push({ t: trigger - releaseAt, kind: 'manual', label: 'operator' });
  if (switchAt !== undefined) marks.push({ t: switchAt - releaseAt, kind: 'switch', label: 'switch' });
  for (const record of input.observed?.audit ?? []) {
    if (record.trigger.kind === 'capture') continue;
    marks.push({ t: Date.parse(record.finishedAt) - releaseAt, kind: 'decision', label: record.outcome });
  }
  return {
    bucketMs: TIMELINE_BUCKET_MS,
    buckets: [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, b]) => ({ t, ...b })),
    marks,
  };
}

/** The trigger: the operator's request, or the first ALARM of the composite after the release. */
function triggerAt(
  transitions: readonly AlarmTransition[],
  composite: string,
  releaseAt: number,
  manual: Observations['manualRequest'],
): number | undefined {
  const alarm = transitions.find((t) => t.alarm === composite && t.to === 'ALARM' && t.at >= releaseAt)?.at;
  if (manual === undefined) return alarm;
  return alarm === undefined ? manual.at : Math.min(alarm, manual.at);
}

/** The first production request at or after `from` routed while the listener sent nothing to green. */
function switchTime(routed: readonly RoutedRequest[], from: number): number | undefined {
  return routed.find((r) => r.listener === 'production' && r.arrivedAt >= from && r.greenWeightZero)
    ?.arrivedAt;
}

/** An audit record of the watchdog refusing to move traffic: partial or refused, with a blocked traffic step. */
export function refusedToSwitch(record: AuditRecord): boolean {
  return (
    (record.outcome === 'partial' || record.outcome === 'refused') &&
    record.steps.some((s) => s.outcome === 'blocked' && ['listener', 'rule', 'alias'].includes(s.kind))
  );
}

/** Waits for `promise` until `deadline` (epoch ms); `done: false` when the deadline came first. */
async function within<T>(
  promise: Promise<T>,
  deadline: number,
): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), Math.max(0, deadline - Date.now()));
  });
  try {
    // A rejection after the deadline is absorbed by the race, never unhandled.
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** `switchback rollback --json` as an operator runs it, pointed at the control plane by AWS_ENDPOINT_URL. */
async function operatorRollback(
  plane: ControlPlane,
  reason: string,
): Promise<{ code: number; outcome?: string; detail: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    [
      'rollback',
      '--function',
      WATCHDOG_FUNCTION,
      '--reason',
      reason,
      '--requested-by',
      'drill-operator',
      '--json',
    ],
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { AWS_ENDPOINT_URL: plane.endpoint, AWS_REGION: plane.clientConfig().region },
      clientConfig: { credentials: plane.clientConfig().credentials },
    },
  );
  let outcome: string | undefined;
  try {
    outcome = (JSON.parse(stdout) as { outcome?: string }).outcome;
  } catch {
    outcome = undefined;
  }
  return {
    code,
    ...(outcome ? { outcome } : {}),
    detail: `switchback rollback exited ${code}${outcome ? `, outcome ${outcome}` : ''}${stderr ? `: ${stderr.trim()}` : ''}`,
  };
}
