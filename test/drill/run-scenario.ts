/**
 * Runs one scenario end to end on loopback, on a fresh control plane (our emulator, or moto) and a
 * fresh watchdog container:
 * build the world, capture the release through the bundle, start the traffic and the alarm
 * evaluator, release (move the canary weight to green, or let the watchdog's schedule tick shift it),
 * let the scenario's failure play out, then read what happened from the traffic records, the control
 * plane and the store (summary.ts).
 */
import {
  startAlarmEvaluator,
  type AlarmTransition,
  type CompositeAlarmSpec,
  type MetricAlarmSpec,
} from './alarm-evaluator';
import {
  greenSharePercent,
  startApp,
  startLoad,
  startRouter,
  type App,
  type ClientRequest,
  type RoutedRequest,
  type Router,
} from './data-plane';
import { type ControlPlane, type ControlPlaneName, startControlPlane } from './control-plane';
import { watchFlag, type FlagWatch } from './flag-watch';
import { SCENARIOS, type Live, type Observations, type ScenarioName } from './scenarios';
import {
  productionByArrival,
  summarize,
  switchTime,
  triggerAt,
  type Observed,
  type ScenarioRun,
} from './summary';
import { DRILL_RELEASE_ID, WATCHDOG_FUNCTION, buildWorld, type World } from './world';
import { runCli } from '../../cli/program';
import type { AuditRecord } from '../../lib';

export {
  refusedToSwitch,
  type DetectedBy,
  type ScenarioResult,
  type ScenarioRun,
  type Timeline,
  type TimelineBucket,
  type TimelineMark,
} from './summary';

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

/** Lets the evaluation of the period before the release publish first. */
const RELEASE_AFTER_BOUNDARY_MS = 30;
/** How long teardown waits for an operator's rollback still in flight (the container is stopped by then). */
const OPERATOR_SETTLE_MS = 5000;
/** How often the run reads the audit records while it waits for a decision. */
const AUDIT_POLL_MS = 250;
/** How often the service reads its feature flag. */
const FLAG_POLL_MS = 50;

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
  // With a shifting plan the deploy puts green at 0 % and the watchdog moves it; else the release
  // sets the canary weight itself.
  const shifts = scenario.delivery?.({ production: '', test: '' }).shifting !== undefined;
  const releaseWeights: [number, number] = shifts
    ? [100, 0]
    : [100 - settings.canaryWeightPercent, settings.canaryWeightPercent];

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
  let flag: FlagWatch | undefined;
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

    // Deploy: the configuration (with the listeners' addresses for smoke checks), the service's
    // feature flag, then the capture before anything changes traffic, through the bundle (as
    // aws_lambda_invocation does).
    if (scenario.delivery) {
      await w.configure(
        scenario.delivery({
          production: `http://127.0.0.1:${production.port}`,
          test: `http://127.0.0.1:${test.port}`,
        }),
      );
    }
    if (scenario.featureFlag) await w.putParameter(scenario.featureFlag.name, scenario.featureFlag.onValue);
    const capture = await within(
      w.invokeWatchdog({ action: 'capture', releaseId: DRILL_RELEASE_ID }),
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
    if (!shifts) await w.setWeights(...releaseWeights);
    releaseAt = Date.now();
    releaseLogSeq = cp.requestLog().at(-1)?.seq ?? 0;
    const release = releaseAt;
    if (scenario.featureFlag) {
      const { name: flagName, offValue, onValue } = scenario.featureFlag;
      flag = watchFlag({
        read: () => w.parameterValue(flagName),
        offValue,
        initial: onValue,
        intervalMs: FLAG_POLL_MS,
      });
      trafficStops.push(() => (flag as FlagWatch).stop());
    }
    // The schedule, rate(1 minute) scaled: each tick right after the minute's alarm evaluation. Not
    // while the function is busy: Lambda would throttle the tick (reserved concurrency 1) and run it
    // late, and a tick is level-triggered, so the next minute's does the same work.
    if (scenario.ticks)
      evaluator.afterEachEvaluation(() => {
        if (!w.watchdog.busy) w.tick();
      });
    let sawGreen = false;
    const live = (now: number, path: string): Live => {
      const greenWeightPercent = greenSharePercent(cp.defaultActions(w.productionListenerArn), targets);
      if (greenWeightPercent > 0) sawGreen = true;
      return {
        period: Math.floor((now - boundary) / periodMs),
        path,
        greenWeightPercent,
        switchedBack: sawGreen && greenWeightPercent === 0,
        ...(flag ? { flag: flag.value() } : {}),
      };
    };
    green.behave((now, path) => scenario.green(live(now, path)));
    const blueAfterRelease = scenario.blue;
    if (blueAfterRelease) blue.behave((now, path) => blueAfterRelease(live(now, path)));
    scenario.onRelease?.({
      emulator: () => {
        if (!cp.emulator)
          throw new Error(`scenario ${name} needs the emulator's hooks; it runs on the emulator only`);
        return cp.emulator;
      },
      world: w,
      periodMs,
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

    // Run until the scenario has played out: triggered (or the awaited decision audited), the
    // watchdog idle, and traffic observed after.
    const minEnd = release + scenario.minPeriodsAfterRelease * periodMs;
    const deadline = release + settings.maxRunMs;
    let awaitedAt: number | undefined;
    let alarmDecided = !scenario.awaitAlarmDecision;
    let auditReadAt = 0;
    for (;;) {
      await sleep(50);
      const now = Date.now();
      const trigger = triggerAt(transitions, alarms.composite.name, release, manualRequest);
      if ((awaitedAt === undefined || !alarmDecided) && now - auditReadAt >= AUDIT_POLL_MS) {
        auditReadAt = now;
        const records = await w.auditRecords();
        if (awaitedAt === undefined && scenario.awaitAudit?.done(records)) awaitedAt = Date.now();
        alarmDecided ||= records.some((r) => r.trigger.kind === 'alarm');
      }
      if (now > deadline) {
        const pending = [
          ...(trigger === undefined && !scenario.awaitAudit
            ? ['no trigger yet (no ALARM, no operator request)']
            : []),
          ...(scenario.awaitAudit && awaitedAt === undefined
            ? [`no ${scenario.awaitAudit.what} yet (audit: ${summarizeOutcomes(await w.auditRecords())})`]
            : []),
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
      if (now < minEnd || manualRequest?.detail === 'in flight') continue;
      if (!alarmDecided || w.watchdog.busy) continue;
      // What the scenario waits for: the awaited decision, and the switch (or else the trigger).
      const ends: Array<number | undefined> = [];
      if (scenario.awaitAudit) ends.push(awaitedAt);
      if (scenario.expectSwitch)
        ends.push(
          trigger === undefined ? undefined : switchTime(productionByArrival(routed), release, trigger),
        );
      else if (!scenario.awaitAudit) ends.push(trigger);
      if (ends.some((end) => end === undefined)) continue;
      if (now >= Math.max(...(ends as number[])) + settings.tailMs) break;
    }
    // Stop the traffic, the alarms and the schedule first, then let the watchdog finish what it started.
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
  const flagOffAt = flag?.offAt();
  await closeAll();
  return summarize({
    name,
    startedAt,
    releaseAt,
    releaseLogSeq,
    releaseWeights,
    routed,
    client,
    transitions,
    compositeName: alarms.composite.name,
    manualRequest,
    flagOffAt,
    observed,
    errors,
    timeouts,
    coldStartMs,
  });
}

/** Reads what the summary needs from the control plane and the store, before they are closed. */
async function observe(plane: ControlPlane, world: World): Promise<Observed> {
  return {
    finalWeights: await world.weights(),
    audit: await world.auditRecords(),
    state: await world.watchdogState(),
    log: plane.requestLog(),
    notifications: world.notificationMessages(),
    invocations: [...world.watchdog.invocations],
    watchdogLog: [...world.watchdog.logLines],
    blueArn: world.blueArn,
  };
}

function summarizeOutcomes(records: readonly AuditRecord[]): string {
  return records.map((r) => r.outcome).join(', ') || 'no record';
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
