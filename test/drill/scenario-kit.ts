/**
 * What every drill scenario is made of: its definition, the observations its checks read, the live
 * view its apps answer from, and the checks several scenarios share. Each check is an outcome read
 * from the control plane, the store and the traffic records — never a timing.
 */
import type { AuditRecord, WatchdogState } from '../../lib';
import type { Emulator } from '../emulator/index';
import type { MetricAlarmSpec } from './alarm-evaluator';
import type { AppResponse } from './data-plane';
import type { DeliveryConfig, Notification, World } from './world';

/** The scenarios, in the order the drill runs them. */
export const SCENARIO_NAMES = [
  '5xx-release',
  'slow-release',
  'flapping-alarm',
  'throttled-control-plane',
  'unhealthy-blue',
  'manual-override',
  'canary-promotes',
  'linear-breach',
  'pre-traffic-fails',
  'unhealthy-blue-after-flip',
  'kill-switch',
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
  /**
   * The production listener's share of traffic to green, as the data plane routed requests after the
   * release, each change once (the first is the release's own): `[20, 0]` for a canary switched back.
   */
  readonly greenWeights: readonly number[];
  /** Production requests the router sent to green during the whole scenario. */
  readonly productionToGreen: number;
  /** The watchdog's state document at the end (its shift, promotion, pending verification). */
  readonly state?: WatchdogState;
  /** What the watchdog published on its notification topic, oldest first. */
  readonly notifications: readonly Notification[];
  /** The scenario's feature flag, when it has one: what production traffic did once it was off. */
  readonly flag?: {
    /** When the data plane first saw the flag's off value; undefined when it never did. */
    readonly offAt?: number;
    /** Production requests routed at or after `offAt`, and how many of them failed. */
    readonly routedAfterOff: number;
    readonly failedAfterOff: number;
  };
}

/** What the apps see when they answer a request: the scenario's moment and the live state. */
export interface Live {
  /** The index of the alarm period since the release (0 = first). */
  readonly period: number;
  /** The request's path. */
  readonly path: string;
  /** The production listener's live share of traffic to green, percent. */
  readonly greenWeightPercent: number;
  /** Whether the production listener sent traffic to green after the release and sends none now. */
  readonly switchedBack: boolean;
  /** The feature flag's live value (read from the control plane), when the scenario has one. */
  readonly flag?: string;
}

/** The addresses of the drill's listeners, for smoke checks. */
export interface ListenerUrls {
  /** `http://127.0.0.1:<port>` of the production listener's router. */
  readonly production: string;
  /** `http://127.0.0.1:<port>` of the test listener's router (it always forwards to green). */
  readonly test: string;
}

/** A feature flag the service reads from SSM; the world creates it with `onValue` before the capture. */
export interface FeatureFlag {
  readonly name: string;
  readonly onValue: string;
  readonly offValue: string;
}

/** What a scenario does at the release (faults, broken blue, the operator's hand). */
export interface ReleaseContext {
  /** The emulator's hooks: only for a scenario that says it needs them ({@link ScenarioDefinition.needsEmulator}). */
  emulator(): Emulator;
  readonly world: World;
  /** The length of one (scaled) alarm period. */
  readonly periodMs: number;
  /** Runs the operator's manual rollback through the Lambda API after `delayMs`. */
  manualRollback(delayMs: number): void;
}

/** A drill scenario. */
export interface ScenarioDefinition {
  readonly name: ScenarioName;
  readonly title: string;
  /** What the scenario proves, in one sentence (the report and docs show it). */
  readonly proves: string;
  /** How green answers from the release on. */
  green(live: Live): AppResponse;
  /** How blue answers from the release on. @default healthy */
  blue?(live: Live): AppResponse;
  /**
   * The progressive-delivery parts of the watchdog's configuration. With a `shifting` plan the release
   * deploys green at 0 % (the watchdog shifts it); without, the release sets the canary weight itself.
   */
  delivery?(urls: ListenerUrls): DeliveryConfig;
  /** An SSM feature flag the apps read (`Live.flag`). */
  readonly featureFlag?: FeatureFlag;
  /**
   * The EventBridge schedule's tick runs: `{ "action": "tick" }` invoked asynchronously once per
   * (scaled) minute, from the release on, each right after the minute's alarm evaluation is published
   * (so a tick decides on the alarm states of the minute that just ended).
   */
  readonly ticks?: boolean;
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
  /**
   * The run goes on until the watchdog's audit records show this (then the tail of traffic): for a
   * scenario whose end is a decision rather than a switch (a promotion, a verification, a kill switch).
   */
  readonly awaitAudit?: {
    /** What is awaited, for the report when it never comes. */
    readonly what: string;
    done(records: readonly AuditRecord[]): boolean;
  };
  check(observations: Observations): Check[];
}

/** A healthy answer. */
export const ok: AppResponse = { status: 200, delayMs: 0 };
/** A failed answer. */
export const failing: AppResponse = { status: 503, delayMs: 0 };

/** One check. */
export const check = (name: string, passed: boolean, detail: string): Check => ({ name, passed, detail });

/** Checks every scenario that expects a switch shares: traffic ends on blue, one rollback, audited. */
export function switchedBack(o: Observations, trigger: 'alarm' | 'rollback'): Check[] {
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
export function laterAlarmsSkipped(o: Observations, rolledBackAt: number | undefined): Check[] {
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

export function detectedByAlarm(o: Observations, member?: string): Check[] {
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
