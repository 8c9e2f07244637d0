/**
 * The progressive-delivery scenarios: a release shifted in steps by the watchdog's schedule tick,
 * smoke checks before traffic moves, a rollback that is verified (and fails verification), and a kill
 * switch that stops the errors without moving traffic. Each check is an outcome read from the control
 * plane, the store and the traffic records — never a timing.
 *
 * The watchdog's clock is real time (its container is a child process the drill does not scale), so a
 * step's `bakeMinutes` would be real minutes: the plans here bake 0 minutes, and a step advances at
 * each tick that finds every protected alarm OK — one step per scaled minute (a drill second at 60x),
 * as a plan of one-minute steps does on AWS.
 */
import { DEFAULT_DELIVERY, type AuditRecord, type SmokeCheck } from '../../lib';
import {
  check,
  detectedByAlarm,
  failing,
  ok,
  switchedBack,
  type Check,
  type FeatureFlag,
  type Observations,
  type ScenarioDefinition,
  type ScenarioName,
} from './scenario-kit';
import { DRILL_RELEASE_ID } from './world';

/** The path the smoke checks request; the apps answer it like any other. */
export const SMOKE_CHECK_PATH = '/healthz';

/** The new checkout flow's feature flag (the kill-switch scenario). */
const NEW_CHECKOUT_FLAG: FeatureFlag = {
  name: '/checkout/features/new-checkout-flow',
  onValue: 'on',
  offValue: 'off',
};

/** An HTTP smoke check on a listener: status 200 and a body the candidate's app writes. */
function smokeCheck(listenerUrl: string, bodyPattern?: string): SmokeCheck {
  return {
    kind: 'http',
    url: `${listenerUrl}${SMOKE_CHECK_PATH}`,
    expectedStatus: 200,
    ...(bodyPattern !== undefined ? { bodyPattern } : {}),
    timeoutMs: DEFAULT_DELIVERY.checkTimeoutMs,
  };
}

/** Steps of `weights` percent, each baked for 0 minutes (one tick each: see the file's comment). */
function steps(...weights: number[]) {
  return weights.map((weightPercent) => ({ weightPercent, bakeMinutes: 0 }));
}

const outcomes = (records: readonly AuditRecord[]) => records.map((r) => r.outcome).join(', ');
const checkSteps = (records: readonly AuditRecord[]) =>
  records.flatMap((r) => r.steps.filter((s) => s.kind === 'check'));
const weightsText = (o: Observations) => `green ${o.greenWeights.map((w) => `${w}%`).join(' → ')}`;

/** The shift's phase in the watchdog's state is `phase`. */
function shiftPhase(o: Observations, phase: string): Check {
  return check(
    `the shift's phase is ${phase}`,
    o.state?.shift?.releaseId === DRILL_RELEASE_ID && o.state.shift.phase === phase,
    o.state?.shift
      ? `release ${o.state.shift.releaseId}, phase ${o.state.shift.phase}, step ${o.state.shift.stepIndex}, green ${o.state.shift.candidateWeightPercent}%${o.state.shift.reason ? `: ${o.state.shift.reason}` : ''}`
      : 'the watchdog state has no shift',
  );
}

/** The traffic steps the data plane saw are exactly `expected` (release first). */
function sawWeights(name: string, o: Observations, expected: readonly number[]): Check {
  return check(
    name,
    o.greenWeights.length === expected.length && o.greenWeights.every((w, i) => w === expected[i]),
    `${weightsText(o)} (expected ${expected.map((w) => `${w}%`).join(' → ')})`,
  );
}

export const DELIVERY_SCENARIOS: Readonly<
  Record<
    Extract<
      ScenarioName,
      'canary-promotes' | 'linear-breach' | 'pre-traffic-fails' | 'unhealthy-blue-after-flip' | 'kill-switch'
    >,
    ScenarioDefinition
  >
> = {
  'canary-promotes': {
    name: 'canary-promotes',
    title: 'canary promotes itself',
    proves:
      'A healthy candidate under a canary plan passes its pre-traffic and after-step checks, takes 10 % and then all production traffic on the schedule tick, and is recorded as the known-good color; nothing is rolled back.',
    needsEmulator:
      'it runs the schedule tick every drill second, and a tick that shifts traffic takes moto (a Python server) longer than that (about 2 s measured on a busy 2-core machine): the steps fall behind the alarms',
    green: () => ok,
    delivery: ({ test }) => ({
      shifting: { steps: steps(10), promote: true },
      hooks: {
        preTraffic: [smokeCheck(test, '^green 200')],
        afterEachStep: [smokeCheck(test, '^green 200')],
      },
    }),
    // Green is healthy: what the latency alarm would see is the drill's own stalls (apps, routers and
    // load share one process) on a busy machine, and a promoted green must not be rolled back for them.
    alarmOverrides: { 'target-p99-latency': { threshold: 1.5 } },
    ticks: true,
    minPeriodsAfterRelease: 1,
    expectSwitch: false,
    awaitAudit: {
      what: 'a promoted audit record',
      done: (records) => records.some((r) => r.outcome === 'promoted'),
    },
    check: (o) => {
      const checks = checkSteps(o.audit);
      const promoted = o.audit.filter((r) => r.outcome === 'promoted');
      return [
        check(
          'smoke checks passed before and after the step',
          checks.length >= 2 && checks.every((s) => s.outcome === 'applied'),
          checks.map((s) => `${s.target}: ${s.outcome}${s.detail ? ` (${s.detail})` : ''}`).join('; ') ||
            'no check step in the audit',
        ),
        sawWeights('traffic reached green at 10 %, then 100 %', o, [0, 10, 100]),
        check(
          'each step and the promotion audited',
          o.audit.some((r) => r.outcome === 'shifted') && promoted.length === 1,
          outcomes(o.audit),
        ),
        check(
          'green recorded as known-good',
          o.state?.promotion?.releaseId === DRILL_RELEASE_ID && o.state.promotion.color === 'green',
          o.state?.promotion
            ? `promotion of ${o.state.promotion.releaseId}: ${o.state.promotion.color} by ${o.state.promotion.by}`
            : 'the watchdog state has no promotion',
        ),
        shiftPhase(o, 'promoted'),
        check(
          'no alarm, no rollback',
          o.compositeAlarmsAt.length === 0 && o.audit.every((r) => r.decision !== 'rollback'),
          `${o.compositeAlarmsAt.length} ALARM(s); ${outcomes(o.audit)}`,
        ),
      ];
    },
  },
  'linear-breach': {
    name: 'linear-breach',
    title: 'linear shift breaches at 30 %',
    proves:
      'A linear shift (+10 % per tick) whose candidate fails once it carries 30 % of the traffic stops at 30 %: the alarm rolls it back to blue, and green never gets more.',
    needsEmulator:
      'it runs the schedule tick every drill second, and a tick that shifts traffic takes moto (a Python server) longer than that (about 2 s measured on a busy 2-core machine): the steps fall behind the alarms',
    green: ({ greenWeightPercent }) => (greenWeightPercent >= 30 ? failing : ok),
    delivery: () => ({ shifting: { steps: steps(10, 20, 30, 40, 50, 60, 70, 80, 90, 100), promote: true } }),
    // One bad period fires it: the next tick must find the alarm in ALARM.
    alarmOverrides: { 'target-5xx-rate': { evaluationPeriods: 1, datapointsToAlarm: 1 } },
    ticks: true,
    minPeriodsAfterRelease: 2,
    expectSwitch: true,
    check: (o) => [
      ...detectedByAlarm(o, '5xx-rate'),
      sawWeights('the shift stepped 10 %, 20 %, 30 %, then back to 0', o, [0, 10, 20, 30, 0]),
      check(
        'never more than 30 % to green',
        Math.max(...o.greenWeights) === 30,
        `at most ${Math.max(...o.greenWeights)}% to green (${weightsText(o)})`,
      ),
      check(
        'blue 100 at the end',
        o.finalWeights[0] === 100 && o.finalWeights[1] === 0,
        `production listener weights blue/green ${o.finalWeights.join('/')}`,
      ),
      ...switchedBack(o, 'alarm'),
      shiftPhase(o, 'rolled-back'),
    ],
  },
  'pre-traffic-fails': {
    name: 'pre-traffic-fails',
    title: 'pre-traffic check fails',
    proves:
      'A candidate that fails its pre-traffic check on the test listener is rolled back before the shift moves any weight: no production request ever reaches green.',
    green: () => failing,
    delivery: ({ test }) => ({
      shifting: { steps: steps(10), promote: true },
      hooks: { preTraffic: [smokeCheck(test, '^green 200')], afterEachStep: [] },
    }),
    ticks: true,
    minPeriodsAfterRelease: 1,
    expectSwitch: false,
    awaitAudit: {
      what: 'a rollback audit record',
      done: (records) => records.some((r) => r.decision === 'rollback'),
    },
    check: (o) => {
      const failedChecks = checkSteps(o.audit).filter((s) => s.outcome === 'failed');
      const rollbacks = o.audit.filter((r) => r.decision === 'rollback');
      return [
        check(
          'the pre-traffic check failed',
          failedChecks.some((s) => s.target.includes(SMOKE_CHECK_PATH)),
          failedChecks.map((s) => `${s.target}: ${s.detail ?? s.outcome}`).join('; ') ||
            'no failed check step in the audit',
        ),
        check(
          'no production request reached green',
          o.productionToGreen === 0 && o.greenWeights.every((w) => w === 0),
          `${o.productionToGreen} production request(s) routed to green; ${weightsText(o)}`,
        ),
        check(
          'the release was rolled back once',
          rollbacks.length === 1 && rollbacks[0]?.outcome === 'rolled-back',
          outcomes(o.audit),
        ),
        // The rollback may restate the listener (a forward to blue alone for blue 100 / green 0): the
        // weights are what must not move.
        check(
          'the weights never moved',
          o.greenWeights.length === 1 && o.finalWeights[0] === 100 && o.finalWeights[1] === 0,
          `${weightsText(o)}; blue/green ${o.finalWeights.join('/')} at the end; ${o.listenerWrites} listener write(s)`,
        ),
        shiftPhase(o, 'rolled-back'),
      ];
    },
  },
  'unhealthy-blue-after-flip': {
    name: 'unhealthy-blue-after-flip',
    title: 'unhealthy blue after the flip',
    proves:
      'A rollback whose blue answers 503 once it has the traffic back is not reported as done: its verification (a smoke check on the production listener) fails, and the watchdog pages a second time naming what is still wrong.',
    green: () => failing,
    blue: ({ switchedBack: back }) => (back ? failing : ok),
    delivery: ({ production }) => ({
      verification: { checks: [smokeCheck(production)], alarmsOkWithinMinutes: 1 },
    }),
    // A verification waiting for the alarms to be OK is finished by a later tick.
    ticks: true,
    minPeriodsAfterRelease: 2,
    expectSwitch: true,
    awaitAudit: {
      what: 'a finished verify audit record',
      done: (records) =>
        records.some(
          (r) => r.decision === 'verify' && (r.outcome === 'verified' || r.outcome === 'verification-failed'),
        ),
    },
    check: (o) => {
      const rollback = o.audit.find((r) => r.outcome === 'rolled-back');
      const verify = o.audit.find((r) => r.decision === 'verify');
      const failedChecks = verify?.verification?.smokeChecks.filter((c) => !c.passed) ?? [];
      // The first notification is the rollback's; a later one must name the failed check.
      const page = o.notifications
        .slice(1)
        .find((n) => `${n.subject ?? ''} ${n.message}`.includes(SMOKE_CHECK_PATH));
      return [
        ...detectedByAlarm(o, '5xx-rate'),
        ...switchedBack(o, 'alarm'),
        check(
          'verification failed, naming the smoke check',
          verify?.outcome === 'verification-failed' &&
            verify.follows === rollback?.decisionId &&
            verify.verification?.status === 'failed' &&
            failedChecks.some((c) => c.target.includes(SMOKE_CHECK_PATH)),
          verify
            ? `${verify.outcome} (follows ${verify.follows ?? 'nothing'}; rollback ${rollback?.decisionId ?? 'none'}): ${failedChecks.map((c) => `${c.target} ${c.detail ?? ''}`).join('; ') || 'no failed smoke check'}${verify.verification?.alarmsNotOk.length ? `; alarms not OK: ${verify.verification.alarmsNotOk.join(', ')}` : ''}`
            : 'no verify audit record',
        ),
        check(
          'paged a second time, naming what is still wrong',
          page !== undefined,
          `${o.notifications.length} notification(s): ${o.notifications.map((n) => n.subject ?? '(no subject)').join(' | ')}`,
        ),
      ];
    },
  },
  'kill-switch': {
    name: 'kill-switch',
    title: 'kill switch instead of a flip',
    proves:
      "A breach of a service with an SSM kill switch (instead of traffic) turns the feature off: green's errors stop while it keeps its canary, and no listener is written.",
    featureFlag: NEW_CHECKOUT_FLAG,
    green: ({ flag }) => (flag === NEW_CHECKOUT_FLAG.offValue ? ok : failing),
    delivery: () => ({
      killSwitches: {
        switches: [
          { kind: 'ssm-parameter', name: NEW_CHECKOUT_FLAG.name, offValue: NEW_CHECKOUT_FLAG.offValue },
        ],
        mode: 'instead-of-traffic',
      },
    }),
    minPeriodsAfterRelease: 2,
    expectSwitch: false,
    awaitAudit: {
      what: 'a kill-switched audit record',
      done: (records) => records.some((r) => r.outcome === 'kill-switched'),
    },
    check: (o) => {
      const killed = o.audit.filter((r) => r.outcome === 'kill-switched');
      const steps = killed[0]?.steps ?? [];
      return [
        ...detectedByAlarm(o, '5xx-rate'),
        check(
          'the kill switch turned the feature off',
          killed.length === 1 &&
            steps.some(
              (s) =>
                s.kind === 'kill-switch' && s.target === NEW_CHECKOUT_FLAG.name && s.outcome === 'applied',
            ) &&
            steps.every((s) => s.kind === 'kill-switch'),
          killed[0]
            ? `steps ${steps.map((s) => `${s.kind} ${s.target}:${s.outcome}`).join(', ')}`
            : `no kill-switched audit record (${outcomes(o.audit)})`,
        ),
        check(
          'the errors stopped',
          o.flag?.offAt !== undefined && o.flag.routedAfterOff > 0 && o.flag.failedAfterOff === 0,
          o.flag?.offAt === undefined
            ? 'the data plane never saw the flag off'
            : `${o.flag.routedAfterOff} production requests after the flag went off, ${o.flag.failedAfterOff} failed`,
        ),
        check(
          'no listener write',
          o.listenerWrites === 0 &&
            o.finalWeights[0] === o.releaseWeights[0] &&
            o.finalWeights[1] === o.releaseWeights[1],
          `${o.listenerWrites} listener write(s); blue/green ${o.finalWeights.join('/')} (the release's ${o.releaseWeights.join('/')})`,
        ),
        check(
          'no rollback',
          o.audit.every((r) => r.outcome !== 'rolled-back'),
          outcomes(o.audit),
        ),
      ];
    },
  },
};
