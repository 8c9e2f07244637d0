/**
 * CloudWatch's alarm evaluation, scaled down in time: every period, each metric alarm gets one
 * datapoint per period from the router's records of the candidate target group, is evaluated over
 * its last N periods (M of N datapoints to alarm, missing data treated as the alarm says), and a
 * state change is published through the control plane's SetAlarmState, which notifies the alarm's
 * SNS actions. A composite alarm goes to ALARM when at least k of its members are in ALARM.
 */
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { ControlPlane } from './control-plane';
import type { RoutedRequest } from './data-plane';

/** An alarm state, as CloudWatch names it. */
export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** How a period without a datapoint counts (CloudWatch's `TreatMissingData`). */
export type MissingDataTreatment = 'missing' | 'notBreaching' | 'breaching' | 'ignore';

/** The candidate's metrics the drill computes per period. */
export type DrillMetric = 'target-5xx-rate' | 'target-p99-latency';

/** A metric alarm on the candidate (green) target group. */
export interface MetricAlarmSpec {
  readonly name: string;
  readonly metric: DrillMetric;
  /** Breaching above this: percent for the 5xx rate, seconds for p99 latency (as CloudWatch's alarms). */
  readonly threshold: number;
  /** The alarm's period on AWS, in seconds; the drill runs it `timeScale` times faster. */
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: MissingDataTreatment;
}

/** A composite alarm: ALARM when at least `requiredBreaches` members are in ALARM. */
export interface CompositeAlarmSpec {
  readonly name: string;
  readonly members: readonly string[];
  readonly requiredBreaches: number;
}

/** The outcome of evaluating one metric alarm. */
export interface Evaluation {
  readonly state: AlarmStateValue;
  readonly reason: string;
}

/**
 * Evaluates a metric alarm over its most recent datapoints (oldest first, `undefined` = no data in
 * that period), as CloudWatch does: ALARM when at least M of the last N breach, missing data counted
 * as the treatment says; with `missing`, no data at all is INSUFFICIENT_DATA; with `ignore`, it
 * keeps the current state.
 */
export function evaluateMetricAlarm(
  spec: MetricAlarmSpec,
  datapoints: readonly (number | undefined)[],
  current: AlarmStateValue,
): Evaluation {
  const window = datapoints.slice(-spec.evaluationPeriods);
  const verdicts = window.map((value): 'breaching' | 'ok' | 'missing' => {
    if (value !== undefined) return value > spec.threshold ? 'breaching' : 'ok';
    if (spec.treatMissingData === 'breaching') return 'breaching';
    if (spec.treatMissingData === 'notBreaching') return 'ok';
    return 'missing';
  });
  const breaching = verdicts.filter((v) => v === 'breaching').length;
  const shown = window.map((v) => (v === undefined ? 'no data' : round(v))).join(', ');
  if (breaching >= spec.datapointsToAlarm) {
    return {
      state: 'ALARM',
      reason: `Threshold Crossed: ${breaching} out of the last ${window.length} datapoints [${shown}] were greater than the threshold (${spec.threshold}) (minimum ${spec.datapointsToAlarm} datapoints for OK -> ALARM transition).`,
    };
  }
  if (verdicts.every((v) => v === 'missing')) {
    if (spec.treatMissingData === 'ignore')
      return { state: current, reason: 'No data: state kept (ignore).' };
    return {
      state: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: ${window.length} datapoints were unknown.`,
    };
  }
  return {
    state: 'OK',
    reason: `Threshold Crossed: ${breaching} out of the last ${window.length} datapoints [${shown}] were greater than the threshold (${spec.threshold}) (minimum ${spec.datapointsToAlarm} datapoints for OK -> ALARM transition).`,
  };
}

/** A composite's state from its members' states. */
export function evaluateComposite(
  spec: CompositeAlarmSpec,
  memberStates: ReadonlyMap<string, AlarmStateValue>,
): Evaluation {
  const inAlarm = spec.members.filter((m) => memberStates.get(m) === 'ALARM');
  return inAlarm.length >= spec.requiredBreaches
    ? { state: 'ALARM', reason: `${inAlarm.join(', ')} in ALARM` }
    : { state: 'OK', reason: `${inAlarm.length} of ${spec.members.length} members in ALARM` };
}

/** The k-of-n rule text of a composite, as the RollbackAlarms construct writes it. */
export function compositeRule(spec: CompositeAlarmSpec): string {
  const combos = combinations(spec.members, spec.requiredBreaches);
  return combos.map((combo) => `(${combo.map((m) => `ALARM("${m}")`).join(' AND ')})`).join(' OR ');
}

function combinations<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items;
  return [...combinations(rest, k - 1).map((c) => [first as T, ...c]), ...combinations(rest, k)];
}

/**
 * One period's datapoint of a metric, from the requests the router finished in `[from, to)` on the
 * candidate color; `undefined` when the candidate served no request (the load balancer publishes no
 * datapoint then).
 */
export function datapoint(
  metric: DrillMetric,
  records: readonly RoutedRequest[],
  from: number,
  to: number,
): number | undefined {
  const inPeriod = records.filter((r) => r.color === 'green' && r.finishedAt >= from && r.finishedAt < to);
  if (inPeriod.length === 0) return undefined;
  if (metric === 'target-5xx-rate') {
    return (100 * inPeriod.filter((r) => r.status >= 500).length) / inPeriod.length;
  }
  const sorted = inPeriod.map((r) => r.targetResponseMs / 1000).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)];
}

/** A state change the evaluator published. */
export interface AlarmTransition {
  readonly alarm: string;
  readonly from: AlarmStateValue;
  readonly to: AlarmStateValue;
  /** The alarm's state change time, as the control plane stamped it (and the notification carries). */
  readonly at: number;
  readonly reason: string;
}

/** Options of {@link startAlarmEvaluator}. */
export interface EvaluatorOptions {
  readonly plane: ControlPlane;
  readonly metricAlarms: readonly MetricAlarmSpec[];
  readonly composite: CompositeAlarmSpec;
  /** The router's records (read, never changed). */
  readonly records: readonly RoutedRequest[];
  /** How much faster than CloudWatch the drill runs (60: one drill second per CloudWatch minute). */
  readonly timeScale: number;
  /** Where published state changes are recorded. */
  readonly transitions: AlarmTransition[];
  /** Where failed publications are recorded (the SDK's retries exhausted). */
  readonly errors: string[];
}

/** A running evaluator. */
export interface AlarmEvaluator {
  /** When the first period began (epoch ms); periods follow back to back. */
  readonly origin: number;
  /** The length of one (scaled) period. */
  readonly periodMs: number;
  /** Calls `listener` after each later evaluation, once its state changes are published. */
  afterEachEvaluation(listener: () => void): void;
  /** Stops evaluating and waits for a publication in flight. */
  stop(): Promise<void>;
}

/** Evaluates every alarm at each period boundary, from now on. */
export function startAlarmEvaluator(options: EvaluatorOptions): AlarmEvaluator {
  const { plane, metricAlarms, composite, records, timeScale, transitions } = options;
  const cloudwatch = new CloudWatchClient(plane.clientConfig());
  // One period length for all: the drill's alarms share the load balancer's period.
  const periodMs = ((metricAlarms[0]?.periodSeconds ?? 60) * 1000) / timeScale;
  const origin = Date.now();
  const history = new Map<string, (number | undefined)[]>(metricAlarms.map((a) => [a.name, []]));
  const states = new Map<string, AlarmStateValue>(
    [...metricAlarms.map((a) => a.name), composite.name].map((name) => [name, 'INSUFFICIENT_DATA']),
  );
  let periods = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const listeners: Array<() => void> = [];

  const publish = async (alarm: string, evaluation: Evaluation) => {
    const from = states.get(alarm) ?? 'INSUFFICIENT_DATA';
    if (evaluation.state === from) return;
    states.set(alarm, evaluation.state);
    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarm,
        StateValue: evaluation.state,
        StateReason: evaluation.reason,
      }),
    );
    const at = await plane.alarmStateChanged(cloudwatch, alarm, from, evaluation.state);
    transitions.push({ alarm, from, to: evaluation.state, at, reason: evaluation.reason });
  };

  const evaluate = async (from: number, to: number) => {
    for (const spec of metricAlarms) {
      const points = history.get(spec.name) as (number | undefined)[];
      points.push(datapoint(spec.metric, records, from, to));
      await publish(
        spec.name,
        evaluateMetricAlarm(spec, points, states.get(spec.name) ?? 'INSUFFICIENT_DATA'),
      );
    }
    await publish(composite.name, evaluateComposite(composite, states));
  };

  const schedule = () => {
    if (stopped) return;
    const boundary = origin + (periods + 1) * periodMs;
    timer = setTimeout(
      () => {
        const from = origin + periods * periodMs;
        periods++;
        running = running
          .then(() => evaluate(from, boundary))
          .catch((error: unknown) => {
            options.errors.push(
              `alarm evaluation failed: ${error instanceof Error ? error.message : String(error)}`,
            );
          })
          .then(() => {
            if (!stopped) for (const listener of listeners) listener();
          });
        schedule();
      },
      Math.max(0, boundary - Date.now()),
    );
  };
  schedule();

  return {
    origin,
    periodMs,
    afterEachEvaluation(listener) {
      listeners.push(listener);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      cloudwatch.destroy();
    },
  };
}

function round(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
