/**
 * The drill's pure parts: CloudWatch's M-of-N evaluation with missing data, the per-period
 * datapoints, the scenarios' checks on made-up observations (so a ping-pong or a flip to an
 * unhealthy blue is caught), and the command line.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../lib';
import {
  compositeRule,
  datapoint,
  evaluateComposite,
  evaluateMetricAlarm,
  type AlarmStateValue,
  type MetricAlarmSpec,
} from './alarm-evaluator';
import { main, parseDrillArgs, DRILL_EXIT } from './cli';
import { DEFAULT_BUNDLE_PATH } from './watchdog-function';
import type { RoutedRequest } from './data-plane';
import { renderTable } from './report';
import { refusedToSwitch, type ScenarioResult } from './run-scenario';
import { SCENARIOS, type Observations } from './scenarios';

const spec = (overrides: Partial<MetricAlarmSpec> = {}): MetricAlarmSpec => ({
  name: 'checkout-5xx-rate',
  metric: 'target-5xx-rate',
  threshold: 5,
  periodSeconds: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: 'missing',
  ...overrides,
});

describe('evaluateMetricAlarm (CloudWatch M of N)', () => {
  it.each([
    { points: [0, 10, 10], treat: 'missing', state: 'ALARM' },
    { points: [10, 0, 0], treat: 'missing', state: 'OK' },
    { points: [10, 0, 10], treat: 'missing', state: 'ALARM' },
    { points: [undefined, undefined, undefined], treat: 'missing', state: 'INSUFFICIENT_DATA' },
    { points: [undefined, undefined, undefined], treat: 'notBreaching', state: 'OK' },
    { points: [10, undefined, undefined], treat: 'breaching', state: 'ALARM' },
    { points: [10, undefined, undefined], treat: 'notBreaching', state: 'OK' },
    { points: [undefined, undefined, undefined], treat: 'ignore', state: 'ALARM' },
    // Only the last N datapoints count.
    { points: [10, 10, 0, 0, 0], treat: 'missing', state: 'OK' },
  ] as const)('$points with $treat -> $state', ({ points, treat, state }) => {
    expect(evaluateMetricAlarm(spec({ treatMissingData: treat }), points, 'ALARM').state).toBe(state);
  });

  it('words the reason as CloudWatch does', () => {
    expect(evaluateMetricAlarm(spec(), [0, 12.5, 100], 'OK').reason).toBe(
      'Threshold Crossed: 2 out of the last 3 datapoints [0, 12.5, 100] were greater than the threshold (5) (minimum 2 datapoints for OK -> ALARM transition).',
    );
  });
});

describe('composite alarms', () => {
  const composite = { name: 'rollback', members: ['a', 'b', 'c'], requiredBreaches: 2 };

  it('goes to ALARM when k members are in ALARM', () => {
    const states = (a: AlarmStateValue, b: AlarmStateValue) =>
      new Map<string, AlarmStateValue>([
        ['a', a],
        ['b', b],
        ['c', 'OK'],
      ]);
    expect(evaluateComposite(composite, states('ALARM', 'OK')).state).toBe('OK');
    expect(evaluateComposite(composite, states('ALARM', 'ALARM')).state).toBe('ALARM');
  });

  it('writes the k-of-n rule as every combination of k members', () => {
    expect(compositeRule(composite)).toBe(
      '(ALARM("a") AND ALARM("b")) OR (ALARM("a") AND ALARM("c")) OR (ALARM("b") AND ALARM("c"))',
    );
  });
});

describe('datapoint', () => {
  const request = (color: 'blue' | 'green', finishedAt: number, status: number, ms = 10): RoutedRequest => ({
    listener: 'production',
    color,
    arrivedAt: finishedAt - ms,
    finishedAt,
    status,
    targetResponseMs: ms,
    greenWeightZero: false,
    greenWeightPercent: 20,
  });

  it("is the candidate's 5xx rate in percent over the requests finished in the period", () => {
    const records = [
      request('green', 100, 503),
      request('green', 200, 200),
      request('green', 300, 200),
      request('green', 400, 200),
      request('blue', 500, 503),
      request('green', 1500, 503),
    ];
    expect(datapoint('target-5xx-rate', records, 0, 1000)).toBe(25);
  });

  it('is the p99 target response time in seconds', () => {
    const records = Array.from({ length: 100 }, (_, i) => request('green', 10 + i, 200, i === 99 ? 900 : 20));
    expect(datapoint('target-p99-latency', records, 0, 1000)).toBe(0.02);
    records.push(request('green', 500, 200, 800));
    expect(datapoint('target-p99-latency', records, 0, 1000)).toBe(0.8);
  });

  it('is missing when the candidate served nothing in the period', () => {
    expect(datapoint('target-5xx-rate', [request('blue', 100, 200)], 0, 1000)).toBeUndefined();
  });
});

describe('scenario checks', () => {
  const audit = (outcome: AuditRecord['outcome'], detail?: string): AuditRecord => ({
    schemaVersion: 1,
    decisionId: 'd',
    service: 'checkout',
    decidedAt: '2026-11-22T00:00:00.000Z',
    trigger: { kind: 'alarm', alarmName: 'checkout-rollback', alarmState: 'ALARM' },
    checks: [],
    decision: outcome === 'rolled-back' ? 'rollback' : 'skip',
    ...(outcome === 'skipped'
      ? { reason: 'release r was already rolled back at 2026-11-22T00:00:00.000Z' }
      : {}),
    steps:
      outcome === 'skipped'
        ? []
        : [
            {
              kind: 'listener',
              target: 'listener',
              outcome: outcome === 'rolled-back' ? 'applied' : 'blocked',
              attempts: 1,
              startedAt: '2026-11-22T00:00:00.000Z',
              durationMs: 1,
              ...(detail ? { detail } : {}),
            },
          ],
    outcome,
    startedAt: '2026-11-22T00:00:00.000Z',
    finishedAt: '2026-11-22T00:00:00.000Z',
    recoveryPoints: [],
  });
  const flapped: Observations = {
    finalWeights: [100, 0],
    releaseWeights: [80, 20],
    detectAt: 1000,
    switchAt: 1100,
    compositeAlarmsAt: [1000, 3000],
    membersInAlarm: ['checkout-5xx-rate'],
    audit: [audit('rolled-back'), audit('skipped')],
    greenAfterSwitch: 0,
    routedAfterSwitch: 200,
    listenerWrites: 1,
    throttledCalls: 0,
    sdkRetries: 0,
    failedInvocations: 0,
    blueTargetGroupArn: 'arn:blue',
    greenWeights: [20, 0],
    productionToGreen: 40,
    notifications: [],
  };
  const failed = (o: Observations, scenario: keyof typeof SCENARIOS) =>
    SCENARIOS[scenario]
      .check(o)
      .filter((c) => !c.passed)
      .map((c) => c.name);

  it('pass for one rollback and later ALARMs acknowledged', () => {
    expect(failed(flapped, 'flapping-alarm')).toEqual([]);
  });

  it('catch a ping-pong: traffic back on green after the switch, a second listener write', () => {
    const pingPong = { ...flapped, greenAfterSwitch: 40, listenerWrites: 2, finalWeights: [80, 20] as const };
    expect(failed(pingPong, 'flapping-alarm')).toEqual([
      'listener ends on blue',
      'traffic ends on blue',
      'no ping-pong',
    ]);
  });

  it('catch a second rollback of the same release', () => {
    expect(
      failed({ ...flapped, audit: [audit('rolled-back'), audit('rolled-back')] }, 'flapping-alarm'),
    ).toEqual(
      expect.arrayContaining(['exactly one rollback', 'later ALARMs are acknowledged, not acted on']),
    );
  });

  it('catch a flip to an unhealthy blue', () => {
    const flipped: Observations = {
      ...flapped,
      compositeAlarmsAt: [1000],
      audit: [audit('rolled-back')],
      listenerWrites: 1,
      failedInvocations: 0,
    };
    expect(failed(flipped, 'unhealthy-blue')).toEqual([
      'listener not flipped to blue',
      'no listener write',
      'audit says why',
      'failure surfaced to Lambda (retried, then on-failure)',
    ]);
    // The failed invocation and Lambda's two retries of it: three records, each blocked.
    const blocked = audit(
      'partial',
      'not applied: known-good target group(s) arn:blue have fewer than 1 healthy target(s)',
    );
    const refused: Observations = {
      ...flipped,
      finalWeights: [80, 20],
      listenerWrites: 0,
      failedInvocations: 3,
      audit: [blocked, blocked, blocked],
    };
    expect(failed(refused, 'unhealthy-blue')).toEqual([]);
    // Lambda's retries not run (or not audited): the checks say so.
    expect(failed({ ...refused, audit: [blocked], failedInvocations: 1 }, 'unhealthy-blue')).toEqual([
      'audit says why',
      'failure surfaced to Lambda (retried, then on-failure)',
    ]);
  });

  it('catch a later ALARM that was never audited', () => {
    expect(failed({ ...flapped, compositeAlarmsAt: [1000, 3000, 5000] }, 'flapping-alarm')).toEqual([
      'later ALARMs are acknowledged, not acted on',
    ]);
  });

  it('catch a rollback that restored more than the release moved, or restored it twice', () => {
    const rolledBack = audit('rolled-back');
    const extraStep = {
      ...rolledBack,
      steps: [...rolledBack.steps, { ...rolledBack.steps[0]!, kind: 'rule' as const }],
    };
    expect(failed({ ...flapped, audit: [extraStep, audit('skipped')] }, 'flapping-alarm')).toEqual([
      'rollback audited with its alarm',
    ]);
    expect(
      failed({ ...flapped, audit: [{ ...rolledBack, steps: [] }, audit('skipped')] }, 'flapping-alarm'),
    ).toEqual(['rollback audited with its alarm']);
  });

  it('catch a throttling fault that did not throttle as many calls as it was set to', () => {
    const throttled: Observations = {
      ...flapped,
      compositeAlarmsAt: [1000],
      audit: [audit('rolled-back')],
      throttledCalls: 8,
    };
    expect(failed(throttled, 'throttled-control-plane')).toEqual([]);
    expect(failed({ ...throttled, throttledCalls: 7 }, 'throttled-control-plane')).toEqual([
      'the watchdog was throttled',
    ]);
    expect(failed({ ...throttled, throttledCalls: 9 }, 'throttled-control-plane')).toEqual([
      'the watchdog was throttled',
    ]);
  });

  describe('manual override', () => {
    const rollback: AuditRecord = {
      ...audit('rolled-back'),
      trigger: { kind: 'rollback', requestedBy: 'drill-operator' },
    };
    const manual: Observations = {
      ...flapped,
      detectAt: 500,
      switchAt: 600,
      manualRequest: { at: 500, ok: true, detail: 'switchback rollback exited 0, outcome rolled-back' },
      compositeAlarmsAt: [2000],
      audit: [rollback, audit('skipped')],
    };

    it('pass when the ALARM after the rollback is audited skipped', () => {
      expect(failed(manual, 'manual-override')).toEqual([]);
    });

    it('fail when no ALARM came after the rollback: "not acted on again" was never exercised', () => {
      expect(failed({ ...manual, compositeAlarmsAt: [], audit: [rollback] }, 'manual-override')).toEqual([
        'later ALARMs are acknowledged, not acted on',
      ]);
    });

    it('fail when the later ALARM was acted on: a second rollback, a second listener write', () => {
      expect(
        failed({ ...manual, audit: [rollback, audit('rolled-back')], listenerWrites: 2 }, 'manual-override'),
      ).toEqual(
        expect.arrayContaining([
          'exactly one rollback',
          'later ALARMs are acknowledged, not acted on',
          'no ping-pong',
        ]),
      );
    });
  });

  it('refusedToSwitch: a partial or refused record with a blocked traffic step, nothing else', () => {
    expect(refusedToSwitch(audit('partial', 'fewer than 1 healthy target(s)'))).toBe(true);
    expect(refusedToSwitch({ ...audit('partial'), outcome: 'refused' })).toBe(true);
    expect(refusedToSwitch(audit('skipped'))).toBe(false);
    expect(refusedToSwitch(audit('rolled-back'))).toBe(false);
    const artifactBlocked = audit('partial');
    expect(
      refusedToSwitch({
        ...artifactBlocked,
        steps: artifactBlocked.steps.map((s) => ({ ...s, kind: 'artifact' as const })),
      }),
    ).toBe(false);
  });
});

describe('the report table', () => {
  const row = (overrides: Partial<ScenarioResult>): ScenarioResult => ({
    scenario: 'unhealthy-blue',
    title: 'unhealthy blue',
    proves: '',
    passed: false,
    checks: [],
    detectMs: 1000,
    detectedBy: 'alarm',
    switchMs: null,
    watchdogTimeToRollbackMs: null,
    failedAfterDetect: 0,
    failedBeforeDetect: 0,
    servedBlue: 0,
    servedGreen: 0,
    requests: 0,
    greenWeights: [20],
    auditRecords: 1,
    auditOutcomes: { captured: 1 },
    rollbacks: 0,
    switchRefused: false,
    invocations: 0,
    ticks: 0,
    failedInvocations: 0,
    timedOutInvocations: 0,
    throttledCalls: 0,
    sdkRetries: 0,
    notifications: 0,
    alarmTransitions: [],
    finalWeights: [80, 20],
    shiftPhase: null,
    coldStartMs: 0,
    durationMs: 0,
    errors: [],
    timeouts: [],
    ...overrides,
  });
  const switchCell = (r: ScenarioResult) => renderTable([r]).split('\n')[2]?.split('|')[3]?.trim();

  it('says refused only when the audit shows the refusal, whatever the scenario', () => {
    expect(switchCell(row({ switchRefused: true }))).toBe('refused');
    expect(switchCell(row({}))).toBe('no switch');
    expect(switchCell(row({ scenario: '5xx-release', switchRefused: true }))).toBe('refused');
    expect(switchCell(row({ switchMs: 205 }))).toBe('205 ms');
  });
});

describe('the drill command line', () => {
  it('takes scenarios repeated or as a comma list, without duplicates', () => {
    expect(
      parseDrillArgs(['--scenario', '5xx-release,slow-release', '--scenario', '5xx-release']).scenarios,
    ).toEqual(['5xx-release', 'slow-release']);
    expect(parseDrillArgs([])).toEqual(
      expect.objectContaining({
        outDir: 'drill-report',
        bundlePath: DEFAULT_BUNDLE_PATH,
        json: false,
        scenarios: expect.arrayContaining(['unhealthy-blue']),
      }),
    );
  });

  it('names an unknown scenario and the allowed ones', () => {
    expect(() => parseDrillArgs(['--scenario', 'meteor'])).toThrow(
      "unknown scenario 'meteor'; allowed: 5xx-release, slow-release, flapping-alarm, throttled-control-plane, unhealthy-blue, manual-override, canary-promotes, linear-breach, pre-traffic-fails, unhealthy-blue-after-flip, kill-switch",
    );
  });

  it('names an unknown option and the allowed ones', () => {
    expect(() => parseDrillArgs(['--fast'])).toThrow(
      /Unknown option '--fast'.*allowed options: --scenario <name>, --control-plane <emulator\|moto>, --out <dir>, --bundle <file>, --json, --help/,
    );
  });

  it('runs the scenarios moto can serve on moto, and names why the others run on the emulator only', () => {
    expect(parseDrillArgs(['--control-plane', 'moto'])).toEqual(
      expect.objectContaining({
        controlPlane: 'moto',
        scenarios: [
          '5xx-release',
          'slow-release',
          'flapping-alarm',
          'pre-traffic-fails',
          'unhealthy-blue-after-flip',
          'kill-switch',
        ],
      }),
    );
    expect(parseDrillArgs([]).controlPlane).toBe('emulator');
    expect(() => parseDrillArgs(['--control-plane', 'moto', '--scenario', 'unhealthy-blue'])).toThrow(
      "'unhealthy-blue' runs on the emulator only: it turns blue's targets unhealthy, and moto reports every target healthy; on moto: 5xx-release, slow-release, flapping-alarm, pre-traffic-fails, unhealthy-blue-after-flip, kill-switch",
    );
    expect(() => parseDrillArgs(['--control-plane', 'localstack'])).toThrow(
      "unknown control plane 'localstack'; allowed: emulator, moto",
    );
  });

  it('runs the bundle --bundle names, and exits 2 naming a bundle that is not there', async () => {
    expect(parseDrillArgs(['--bundle', '/tmp/pkg/dist/watchdog/index.js']).bundlePath).toBe(
      '/tmp/pkg/dist/watchdog/index.js',
    );
    expect(() => parseDrillArgs(['--bundle', ' '])).toThrow('--bundle needs a file');
    // Relative to where the drill runs, made absolute for the function's process.
    expect(parseDrillArgs(['--bundle', 'pkg/dist/watchdog/index.js']).bundlePath).toBe(
      join(process.cwd(), 'pkg/dist/watchdog/index.js'),
    );
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(main(['--bundle', tmpdir()])).resolves.toBe(DRILL_EXIT.usage);
      expect(String(write.mock.calls[0]?.[0])).toContain(`the watchdog bundle ${tmpdir()} is missing`);
      write.mockClear();
      await expect(main(['--bundle', '/nonexistent/index.js'])).resolves.toBe(DRILL_EXIT.usage);
      expect(String(write.mock.calls[0]?.[0])).toBe(
        'drill: the watchdog bundle /nonexistent/index.js is missing; name an existing file with --bundle\n',
      );
    } finally {
      write.mockRestore();
    }
  });

  it('exits 2 on bad usage', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(main(['--scenario', 'meteor'])).resolves.toBe(DRILL_EXIT.usage);
      expect(String(write.mock.calls[0]?.[0])).toContain("unknown scenario 'meteor'");
    } finally {
      write.mockRestore();
    }
  });
});
