/**
 * The drill's scenarios: what goes wrong in each, and what the watchdog must then have done. The
 * first six rehearse a canary release and its rollback; the progressive-delivery ones (traffic
 * shifting, smoke checks, verified rollbacks, kill switches) are in delivery-scenarios.ts. Those are
 * one service and one release each ({@link SCENARIOS}); the release-safety ones (a stale backup, a
 * rollback group, a frozen deploy) are scripts over one or more services, in
 * release-safety-scenarios.ts. {@link DRILL_SCENARIO_NAMES} lists them all, in the order the drill
 * runs them. Each check is an outcome read from the control plane, the store and the traffic
 * records — never a timing.
 */
import { DELIVERY_SCENARIOS } from './delivery-scenarios';
import {
  RELEASE_SAFETY_SCENARIO_NAMES,
  RELEASE_SAFETY_SCENARIOS,
  type ReleaseSafetyScenarioName,
} from './release-safety-scenarios';
import {
  check,
  detectedByAlarm,
  failing,
  laterAlarmsSkipped,
  ok,
  SCENARIO_NAMES,
  switchedBack,
  type ScenarioDefinition,
  type ScenarioName,
} from './scenario-kit';

export {
  SCENARIO_NAMES,
  type Check,
  type FeatureFlag,
  type ListenerUrls,
  type Live,
  type Observations,
  type ReleaseContext,
  type ScenarioDefinition,
  type ScenarioName,
} from './scenario-kit';

export {
  RELEASE_SAFETY_SCENARIO_NAMES,
  RELEASE_SAFETY_SCENARIOS,
  type ReleaseSafetyScenario,
  type ReleaseSafetyScenarioName,
} from './release-safety-scenarios';

/** Every one-service scenario, by name. */
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
    green: ({ period }) => (period % 2 === 0 ? failing : ok),
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
    blue: () => failing,
    onRelease: ({ emulator, world }) => {
      for (const target of emulator().elbv2.targets(world.blueArn)) {
        emulator().elbv2.setTargetHealth(world.blueArn, target.Id, 'unhealthy', {
          reason: 'Target.FailedHealthChecks',
          description: 'Health checks failed',
        });
      }
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
  ...DELIVERY_SCENARIOS,
};

/** Every scenario of the drill, in the order it runs them: the one-service ones, then the release-safety ones. */
export const DRILL_SCENARIO_NAMES = [...SCENARIO_NAMES, ...RELEASE_SAFETY_SCENARIO_NAMES] as const;

/** Any scenario's name. */
export type DrillScenarioName = (typeof DRILL_SCENARIO_NAMES)[number];

/** Whether a scenario is a release-safety script (run by run-release-safety.ts). */
export function isReleaseSafetyScenario(name: DrillScenarioName): name is ReleaseSafetyScenarioName {
  return (RELEASE_SAFETY_SCENARIO_NAMES as readonly string[]).includes(name);
}

/** What the report and the command line say about any scenario. */
export function aboutScenario(name: DrillScenarioName): {
  readonly title: string;
  readonly proves: string;
  readonly needsEmulator?: string;
} {
  const scenario = isReleaseSafetyScenario(name) ? RELEASE_SAFETY_SCENARIOS[name] : SCENARIOS[name];
  return {
    title: scenario.title,
    proves: scenario.proves,
    ...(scenario.needsEmulator !== undefined ? { needsEmulator: scenario.needsEmulator } : {}),
  };
}
