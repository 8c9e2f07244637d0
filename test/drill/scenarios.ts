/**
 * The drill's scenarios: what goes wrong in each, and what the watchdog must then have done. Each
 * check is an outcome read from the emulator, the store and the traffic records — never a timing.
 */
import type { AuditRecord } from '../../lib';
import type { Emulator } from '../emulator/index';
import type { MetricAlarmSpec } from './alarm-evaluator';
import type { AppResponse } from './data-plane';
import type { World } from './world';

/** The scenarios, in the order the drill runs them. */
export const SCENARIO_NAMES = [
  '5xx-release',
  'slow-release',
  'flapping-alarm',
  'throttled-control-plane',
  'unhealthy-blue',
  'manual-override',
] as const;

/** A scenario's name. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** One assertion of a scenario, as the report shows it. */
export interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

/** What a scenario's checks look at once it has run. */
export interface Observations {
  /** Where the production listener sends traffic at the end: [blue weight, green weight]. */
  readonly finalWeights: readonly [number, number];
  /** The release's weights: [blue, green]. */
  readonly releaseWeights: readonly [number, number];
  readonly detectAt?: number;
  readonly switchAt?: number;
  /** ALARM state changes of the composite alarm after the release, in order (epoch ms). */
  readonly compositeAlarmsAt: readonly number[];
  /** Member alarms that went to ALARM after the release. */
  readonly membersInAlarm: readonly string[];
  readonly audit: readonly AuditRecord[];
  /** Production requests routed to green after the switch. */
  readonly greenAfterSwitch: number;
  /** Production requests routed after the switch. */
  readonly routedAfterSwitch: number;
  /** Successful ModifyListener calls after the release (only the watchdog makes them). */
  readonly listenerWrites: number;
  /** Control-plane answers that were throttles, after the release. */
  readonly throttledCalls: number;
  /** SDK retry attempts seen in the emulator's request log, after the release. */
  readonly sdkRetries: number;
  readonly failedInvocations: number;
  /** The operator's manual rollback, when the scenario has one. */
  readonly manualRequest?: { readonly at: number; readonly ok: boolean; readonly detail: string };
  readonly blueTargetGroupArn: string;
}

/** What a scenario does at the release (faults, broken blue, the operator's hand). */
export interface ReleaseContext {
  /** The emulator's hooks: only for a scenario that says it needs them ({@link ScenarioDefinition.needsEmulator}). */
  emulator(): Emulator;
  readonly world: World;
  /** The length of one (scaled) alarm period. */
  readonly periodMs: number;
  /** Makes the blue app answer differently from now on. */
  setBlue(response: AppResponse): void;
  /** Runs the operator's manual rollback through the Lambda API after `delayMs`. */
  manualRollback(delayMs: number): void;
}

/** A drill scenario. */
export interface ScenarioDefinition {
  readonly name: ScenarioName;
  readonly title: string;
  /** What the scenario proves, in one sentence (the report and docs show it). */
  readonly proves: string;
  /** How green answers, given the index of the alarm period since the release (0 = first). */
  green(periodSinceRelease: number): AppResponse;
  /** Changes to the default member alarms, by metric. */
  readonly alarmOverrides?: Partial<Record<MetricAlarmSpec['metric'], Partial<MetricAlarmSpec>>>;
  /** Synthetic requests per second on the test listener (which always forwards to green). */
  readonly testRequestsPerSecond?: number;
  /** Runs right after the release's weights are applied. */
  onRelease?(context: ReleaseContext): void;
  /**
   * Why the scenario runs with our emulator as the control plane only (what moto lacks); absent
   * when moto can serve it too.
   */
  readonly needsEmulator?: string;
  /** The scenario runs at least this many alarm periods after the release. */
  readonly minPeriodsAfterRelease: number;
  /** Whether the watchdog is expected to switch traffic back. */
  readonly expectSwitch: boolean;
  /**
   * The run goes on until the watchdog has audited a decision on an ALARM notification (for a
   * scenario whose trigger is the operator, so that the alarm after it is seen to be handled).
   */
  readonly awaitAlarmDecision?: boolean;
  check(observations: Observations): Check[];
}

const ok: AppResponse = { status: 200, delayMs: 0 };
const failing: AppResponse = { status: 503, delayMs: 0 };

const check = (name: string, passed: boolean, detail: string): Check => ({ name, passed, detail });

/** Checks every scenario that expects a switch shares: traffic ends on blue, one rollback, audited. */
function switchedBack(o: Observations, trigger: 'alarm' | 'rollback'): Check[] {
  const rolledBack = o.audit.filter((r) => r.outcome === 'rolled-back');
  return [
    check(
      'listener ends on blue',
      o.finalWeights[0] > 0 && o.finalWeights[1] === 0,
      `production listener weights blue/green ${o.finalWeights.join('/')}`,
    ),
    check(
      'traffic ends on blue',
      o.switchAt !== undefined && o.routedAfterSwitch > 0 && o.greenAfterSwitch === 0,
      o.switchAt === undefined
        ? 'the data plane never saw the listener back on blue'
        : `${o.routedAfterSwitch} requests routed after the switch, ${o.greenAfterSwitch} of them to green`,
    ),
    check(
      'exactly one rollback',
      rolledBack.length === 1,
      `${rolledBack.length} audit records with outcome rolled-back`,
    ),
    check(
      `rollback audited with its ${trigger === 'alarm' ? 'alarm' : 'operator'}`,
      // The release moved the production listener only: the rollback restores exactly that listener.
      rolledBack.length === 1 &&
        rolledBack[0]?.trigger.kind === trigger &&
        rolledBack[0].steps.length === 1 &&
        rolledBack[0].steps[0]?.kind === 'listener' &&
        rolledBack[0].steps[0].outcome === 'applied',
      rolledBack[0]
        ? `trigger ${rolledBack[0].trigger.kind}${rolledBack[0].trigger.alarmName ? ` ${rolledBack[0].trigger.alarmName}` : ''}${rolledBack[0].trigger.requestedBy ? ` by ${rolledBack[0].trigger.requestedBy}` : ''}, steps ${rolledBack[0].steps.map((s) => `${s.kind}:${s.outcome}`).join(', ')}`
        : 'no rolled-back audit record',
    ),
  ];
}

/**
 * Checks that every ALARM after the rollback (which happened at or after `rolledBackAt`) was audited
 * once, as skipped ("already rolled back"), and that the one rollback was the only listener write:
 * no ping-pong.
 */
function laterAlarmsSkipped(o: Observations, rolledBackAt: number | undefined): Check[] {
  const alarmsAfter = rolledBackAt === undefined ? [] : o.compositeAlarmsAt.filter((at) => at > rolledBackAt);
  const later = o.audit.filter(
    (r) => r.trigger.kind === 'alarm' && r.trigger.alarmState === 'ALARM' && r.outcome !== 'rolled-back',
  );
  return [
    check(
      'later ALARMs are acknowledged, not acted on',
      alarmsAfter.length >= 1 &&
        later.length === alarmsAfter.length &&
        later.every((r) => r.outcome === 'skipped' && /already rolled back/.test(r.reason ?? '')),
      alarmsAfter.length === 0
        ? 'the composite alarm never went to ALARM after the rollback'
        : later.length !== alarmsAfter.length
          ? `${alarmsAfter.length} ALARM(s) after the rollback, ${later.length} audit record(s) of them`
          : later.map((r) => `${r.outcome}: ${r.reason ?? ''}`).join('; '),
    ),
    check(
      'no ping-pong',
      o.listenerWrites === 1,
      `${o.listenerWrites} listener write(s) after the release (the one rollback)`,
    ),
  ];
}

function detectedByAlarm(o: Observations, member?: string): Check[] {
  const checks = [
    check(
      'alarm detected the release',
      o.compositeAlarmsAt.length > 0,
      o.compositeAlarmsAt.length > 0
        ? `composite alarm went to ALARM ${o.compositeAlarmsAt.length} time(s); members ${o.membersInAlarm.join(', ')}`
        : 'the composite alarm never went to ALARM',
    ),
  ];
  if (member)
    checks.push(
      check(
        `the ${member} alarm fired`,
        o.membersInAlarm.some((m) => m.endsWith(member)),
        `members in ALARM: ${o.membersInAlarm.join(', ') || 'none'}`,
      ),
    );
  return checks;
}

/** The six scenarios, by name. */
export const SCENARIOS: Readonly<Record<ScenarioName, ScenarioDefinition>> = {
  '5xx-release': {
    name: '5xx-release',
    title: '5xx release',
    proves:
      'A release whose candidate answers 5xx is detected by the error-rate alarm and switched back to blue.',
    green: () => failing,
    minPeriodsAfterRelease: 2,
    expectSwitch: true,
    check: (o) => [...detectedByAlarm(o, '5xx-rate'), ...switchedBack(o, 'alarm')],
  },
  'slow-release': {
    name: 'slow-release',
    title: 'slow release',
    proves:
      'A release whose candidate is slow (no errors) is detected by the p99 latency alarm and switched back.',
    green: () => ({ status: 200, delayMs: 600 }),
    minPeriodsAfterRelease: 2,
    expectSwitch: true,
    check: (o) => [...detectedByAlarm(o, 'p99-latency'), ...switchedBack(o, 'alarm')],
  },
  'flapping-alarm': {
    name: 'flapping-alarm',
    title: 'flapping alarm',
    proves:
      'An alarm that flaps ALARM/OK/ALARM (the test listener keeps feeding it) causes one rollback, and traffic never goes back to green.',
    // Bad in every other period: a twitchy 1-of-1 alarm follows it, ALARM, OK, ALARM, ...
    green: (period) => (period % 2 === 0 ? failing : ok),
    alarmOverrides: { 'target-5xx-rate': { evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 50 } },
    testRequestsPerSecond: 10,
    minPeriodsAfterRelease: 4.5,
    expectSwitch: true,
    check: (o) => [
      ...detectedByAlarm(o),
      check(
        'the alarm flapped',
        o.compositeAlarmsAt.length >= 2,
        `the composite alarm went to ALARM ${o.compositeAlarmsAt.length} time(s) after the release`,
      ),
      ...switchedBack(o, 'alarm'),
      ...laterAlarmsSkipped(o, o.compositeAlarmsAt[0]),
    ],
  },
  'throttled-control-plane': {
    name: 'throttled-control-plane',
    title: 'throttled control plane',
    proves:
      'With ELBv2 and CloudWatch throttling and slow while the watchdog acts, it still switches back, through retries.',
    green: () => failing,
    needsEmulator:
      'it injects throttling and latency into ELBv2 and CloudWatch, which moto cannot (and counts the throttles in the request log)',
    onRelease: ({ emulator }) => {
      emulator().faults.add({
        service: 'elbv2',
        action: ['DescribeListeners', 'DescribeRules', 'DescribeTargetHealth', 'ModifyListener'],
        throttle: 'always',
        times: 6,
      });
      emulator().faults.add({
        service: 'cloudwatch',
        action: 'DescribeAlarms',
        throttle: 'always',
        times: 2,
      });
      emulator().faults.add({ service: 'elbv2', latencyMs: { min: 20, max: 80 } });
    },
    minPeriodsAfterRelease: 2,
    expectSwitch: true,
    check: (o) => [
      ...detectedByAlarm(o),
      // The faults throttle six ELBv2 calls and two DescribeAlarms, and the watchdog retries through all.
      check(
        'the watchdog was throttled',
        o.throttledCalls === 8,
        `${o.throttledCalls} throttled answers, ${o.sdkRetries} SDK retry attempts in the request log`,
      ),
      ...switchedBack(o, 'alarm'),
    ],
  },
  'unhealthy-blue': {
    name: 'unhealthy-blue',
    title: 'unhealthy blue',
    proves:
      'When blue has no healthy targets, the watchdog refuses to send traffic there, leaves the listener as it was and audits why.',
    green: () => failing,
    needsEmulator: "it turns blue's targets unhealthy, and moto reports every target healthy",
    onRelease: ({ emulator, world, setBlue }) => {
      for (const target of emulator().elbv2.targets(world.blueArn)) {
        emulator().elbv2.setTargetHealth(world.blueArn, target.Id, 'unhealthy', {
          reason: 'Target.FailedHealthChecks',
          description: 'Health checks failed',
        });
      }
      setBlue(failing);
    },
    minPeriodsAfterRelease: 2,
    expectSwitch: false,
    check: (o) => {
      const blocked = o.audit.filter((r) =>
        r.steps.some(
          (s) =>
            s.kind === 'listener' &&
            s.outcome === 'blocked' &&
            (s.detail ?? '').includes(o.blueTargetGroupArn),
        ),
      );
      return [
        ...detectedByAlarm(o),
        check(
          'listener not flipped to blue',
          o.finalWeights[0] === o.releaseWeights[0] && o.finalWeights[1] === o.releaseWeights[1],
          `production listener weights blue/green ${o.finalWeights.join('/')} (the release's ${o.releaseWeights.join('/')})`,
        ),
        check(
          'no listener write',
          o.listenerWrites === 0,
          `${o.listenerWrites} listener write(s) after the release`,
        ),
        // One ALARM, its invocation failed and Lambda retried it twice: three records, each blocked.
        check(
          'audit says why',
          blocked.length === 3 && o.audit.every((r) => r.outcome !== 'rolled-back'),
          blocked[0]
            ? `${blocked.length} record(s) ${blocked[0].outcome}: ${blocked[0].steps.find((s) => s.outcome === 'blocked')?.detail ?? ''}`
            : 'no audit record with a blocked listener step naming the blue target group',
        ),
        check(
          'failure surfaced to Lambda (retried, then on-failure)',
          o.failedInvocations === 3,
          `${o.failedInvocations} failed invocation(s)`,
        ),
      ];
    },
  },
  'manual-override': {
    name: 'manual-override',
    title: 'manual override',
    proves:
      "An operator's rollback through the Lambda API, before any alarm can fire, switches back; the alarm that fires later is not acted on again.",
    green: () => failing,
    // Green keeps failing the test listener's requests after the rollback, so the alarm still fires.
    testRequestsPerSecond: 10,
    needsEmulator:
      "the operator's CLI invokes the watchdog through the Lambda API, and moto runs no function code without Docker",
    onRelease: ({ manualRollback, periodMs }) => manualRollback(periodMs / 2),
    minPeriodsAfterRelease: 2,
    expectSwitch: true,
    awaitAlarmDecision: true,
    check: (o) => [
      check(
        'operator request accepted',
        o.manualRequest?.ok === true,
        o.manualRequest ? o.manualRequest.detail : 'the operator never invoked the watchdog',
      ),
      check(
        'before any alarm',
        o.manualRequest !== undefined &&
          (o.compositeAlarmsAt[0] === undefined || o.manualRequest.at < o.compositeAlarmsAt[0]),
        o.compositeAlarmsAt[0] === undefined
          ? 'no alarm fired'
          : `the alarm fired ${o.compositeAlarmsAt[0] - (o.manualRequest?.at ?? 0)} ms after the request`,
      ),
      ...switchedBack(o, 'rollback'),
      ...laterAlarmsSkipped(o, o.manualRequest?.at),
    ],
  },
};
