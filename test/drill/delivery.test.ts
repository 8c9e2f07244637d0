/**
 * The progressive-delivery parts of the drill that need no run: the five scenarios' checks on made-up
 * observations (in pairs: what passes, and what each check catches), the data plane's reading of the
 * listener's weights, the switch that needs green traffic first, and the text timeline.
 */
import type { AuditRecord } from '../../lib';
import { greenSharePercent, type RoutedRequest } from './data-plane';
import { renderTimelineText } from './report';
import { SCENARIOS, type Observations } from './scenarios';
import { switchTime } from './summary';

describe('progressive-delivery scenario checks', () => {
  const at = '2026-11-22T00:00:00.000Z';
  const record = (
    decision: AuditRecord['decision'],
    outcome: AuditRecord['outcome'],
    steps: AuditRecord['steps'] = [],
    extra: Partial<AuditRecord> = {},
  ): AuditRecord => ({
    schemaVersion: 1,
    decisionId: `${decision}-${outcome}`,
    service: 'checkout',
    decidedAt: at,
    trigger: { kind: 'tick' },
    checks: [],
    decision,
    steps,
    outcome,
    startedAt: at,
    finishedAt: at,
    recoveryPoints: [],
    ...extra,
  });
  const step = (
    kind: AuditRecord['steps'][number]['kind'],
    target: string,
    outcome: 'applied' | 'failed',
  ) => ({
    kind,
    target,
    outcome,
    attempts: 1,
    startedAt: at,
    durationMs: 1,
  });
  const shift = (phase: 'promoted' | 'rolled-back', stepIndex: number, weight: number) => ({
    releaseId: 'release-2',
    phase,
    stepIndex,
    candidateWeightPercent: weight,
    stepStartedAt: at,
    markerSeq: stepIndex + 1,
    updatedAt: at,
  });
  const base: Observations = {
    finalWeights: [100, 0],
    releaseWeights: [100, 0],
    compositeAlarmsAt: [],
    membersInAlarm: [],
    audit: [],
    greenAfterSwitch: 0,
    routedAfterSwitch: 0,
    listenerWrites: 0,
    throttledCalls: 0,
    sdkRetries: 0,
    failedInvocations: 0,
    blueTargetGroupArn: 'arn:blue',
    greenWeights: [0],
    productionToGreen: 0,
    notifications: [],
  };
  const failed = (o: Observations, scenario: keyof typeof SCENARIOS) =>
    SCENARIOS[scenario]
      .check(o)
      .filter((c) => !c.passed)
      .map((c) => c.name);
  const check = step('check', 'http http://127.0.0.1:1/healthz', 'applied');

  const promoted: Observations = {
    ...base,
    finalWeights: [0, 100],
    greenWeights: [0, 10, 100],
    productionToGreen: 120,
    audit: [
      record('capture', 'captured'),
      record('shift', 'shifted', [check, step('listener', 'l', 'applied')]),
      record('promote', 'promoted', [check, step('listener', 'l', 'applied')]),
    ],
    state: {
      schemaVersion: 1,
      recentRollbacks: [],
      shift: shift('promoted', 0, 100),
      promotion: { releaseId: 'release-2', color: 'green', promotedAt: at, by: 'watchdog' },
    } as unknown as Observations['state'],
  };

  it('canary-promotes: pass for 10 % then 100 % with passing checks and the promotion recorded', () => {
    expect(failed(promoted, 'canary-promotes')).toEqual([]);
  });

  it('canary-promotes: catch a step skipped, a failed check, a missing promotion, a rollback', () => {
    expect(failed({ ...promoted, greenWeights: [0, 100] }, 'canary-promotes')).toEqual([
      'traffic reached green at 10 %, then 100 %',
    ]);
    const failedCheck = { ...check, outcome: 'failed' as const };
    expect(
      failed(
        { ...promoted, audit: [record('shift', 'shifted', [failedCheck]), ...promoted.audit.slice(2)] },
        'canary-promotes',
      ),
    ).toEqual(['smoke checks passed before and after the step']);
    expect(
      failed(
        { ...promoted, state: { ...promoted.state, promotion: undefined } as Observations['state'] },
        'canary-promotes',
      ),
    ).toEqual(['green recorded as known-good']);
    expect(
      failed(
        {
          ...promoted,
          audit: [...promoted.audit, record('rollback', 'rolled-back')],
          compositeAlarmsAt: [1],
        },
        'canary-promotes',
      ),
    ).toEqual(['no alarm, no rollback']);
  });

  const breached: Observations = {
    ...base,
    detectAt: 3000,
    switchAt: 3100,
    compositeAlarmsAt: [3000],
    membersInAlarm: ['checkout-5xx-rate'],
    greenWeights: [0, 10, 20, 30, 0],
    routedAfterSwitch: 100,
    listenerWrites: 4,
    audit: [
      record('shift', 'shifted'),
      record('rollback', 'rolled-back', [step('listener', 'l', 'applied')], {
        trigger: { kind: 'alarm', alarmName: 'checkout-rollback', alarmState: 'ALARM' },
      }),
    ],
    state: { shift: shift('rolled-back', 2, 0) } as unknown as Observations['state'],
  };

  it('linear-breach: pass for a rollback at 30 %; catch one more step taken before the rollback', () => {
    expect(failed(breached, 'linear-breach')).toEqual([]);
    expect(failed({ ...breached, greenWeights: [0, 10, 20, 30, 40, 0] }, 'linear-breach')).toEqual([
      'the shift stepped 10 %, 20 %, 30 %, then back to 0',
      'never more than 30 % to green',
    ]);
  });

  const stoppedBeforeTraffic: Observations = {
    ...base,
    audit: [
      record('stop', 'stopped', [{ ...check, outcome: 'failed' }]),
      record('rollback', 'rolled-back', [step('listener', 'l', 'applied')]),
    ],
    state: { shift: shift('rolled-back', -1, 0) } as unknown as Observations['state'],
  };

  it('pre-traffic-fails: pass when no production request reached green; catch one that did', () => {
    expect(failed(stoppedBeforeTraffic, 'pre-traffic-fails')).toEqual([]);
    expect(
      failed(
        { ...stoppedBeforeTraffic, greenWeights: [0, 10, 0], productionToGreen: 3 },
        'pre-traffic-fails',
      ),
    ).toEqual(['no production request reached green', 'the weights never moved']);
  });

  const failedVerification: Observations = {
    ...breached,
    releaseWeights: [80, 20],
    greenWeights: [20, 0],
    listenerWrites: 1,
    state: undefined,
    audit: [
      breached.audit[1] as AuditRecord,
      record('verify', 'verification-failed', [], {
        follows: 'rollback-rolled-back',
        verification: {
          status: 'failed',
          readBack: true,
          smokeChecks: [{ kind: 'http', target: 'http://127.0.0.1:1/healthz', passed: false, durationMs: 1 }],
          alarmsNotOk: [],
          diff: [],
          checkedAt: at,
        },
      }),
    ],
    notifications: [
      { at: 1, subject: 'rolled back', message: '{}' },
      { at: 2, subject: 'verification failed', message: 'http://127.0.0.1:1/healthz answered 503' },
    ],
  };

  it('unhealthy-blue-after-flip: pass for a failed verification paged; catch a verification never paged', () => {
    expect(failed(failedVerification, 'unhealthy-blue-after-flip')).toEqual([]);
    expect(
      failed(
        { ...failedVerification, notifications: failedVerification.notifications.slice(0, 1) },
        'unhealthy-blue-after-flip',
      ),
    ).toEqual(['paged a second time, naming what is still wrong']);
  });

  const killed: Observations = {
    ...base,
    releaseWeights: [80, 20],
    finalWeights: [80, 20],
    greenWeights: [20],
    detectAt: 2000,
    compositeAlarmsAt: [2000],
    membersInAlarm: ['checkout-5xx-rate'],
    audit: [
      record('kill-switch', 'kill-switched', [
        step('kill-switch', '/checkout/features/new-checkout-flow', 'applied'),
      ]),
    ],
    flag: { offAt: 2300, routedAfterOff: 150, failedAfterOff: 0 },
  };

  it('kill-switch: pass when the flag went off and the errors stopped; catch a flip and errors that go on', () => {
    expect(failed(killed, 'kill-switch')).toEqual([]);
    expect(failed({ ...killed, listenerWrites: 1, finalWeights: [100, 0] }, 'kill-switch')).toEqual([
      'no listener write',
    ]);
    expect(
      failed({ ...killed, flag: { offAt: 2300, routedAfterOff: 150, failedAfterOff: 30 } }, 'kill-switch'),
    ).toEqual(['the errors stopped']);
  });
});

describe("the data plane's view of the weights", () => {
  const targets = new Map([
    ['arn:blue', { color: 'blue' as const }],
    ['arn:green', { color: 'green' as const }],
  ]);
  const forward = (...groups: Array<[string, number]>) => [
    {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: groups.map(([arn, w]) => ({ TargetGroupArn: arn, Weight: w })),
        TargetGroupStickinessConfig: { Enabled: false },
      },
    },
  ];

  it("is green's share of the weights, whatever their sum; a forward to green alone is 100", () => {
    expect(greenSharePercent(forward(['arn:blue', 90], ['arn:green', 10]), targets)).toBe(10);
    expect(greenSharePercent(forward(['arn:blue', 1], ['arn:green', 1]), targets)).toBe(50);
    expect(greenSharePercent(forward(['arn:blue', 100], ['arn:green', 0]), targets)).toBe(0);
    expect(greenSharePercent([{ Type: 'forward', TargetGroupArn: 'arn:green' }], targets)).toBe(100);
    expect(greenSharePercent([{ Type: 'fixed-response' }], targets)).toBe(0);
  });

  it('counts a switch only when the listener had sent traffic to green after the release', () => {
    const routed = (arrivedAt: number, greenWeightPercent: number): RoutedRequest => ({
      listener: 'production',
      color: 'blue',
      arrivedAt,
      finishedAt: arrivedAt + 1,
      status: 200,
      targetResponseMs: 1,
      greenWeightZero: greenWeightPercent === 0,
      greenWeightPercent,
    });
    expect(switchTime([routed(10, 20), routed(20, 20), routed(30, 0)], 0, 15)).toBe(30);
    // Green never had production traffic (a pre-traffic check failed): nothing was switched back.
    expect(switchTime([routed(10, 0), routed(20, 0)], 0, 15)).toBeUndefined();
  });

  it('draws the timeline as text: the share as a bar, sent and failed, the marks of each half second', () => {
    const text = renderTimelineText({
      bucketMs: 250,
      buckets: [
        { t: 0, sent: 20, blue: 20, green: 0, failed: 0, greenWeightPercent: 0 },
        { t: 500, sent: 20, blue: 14, green: 6, failed: 6, greenWeightPercent: 30 },
      ],
      marks: [
        { t: 0, kind: 'release', label: 'release' },
        { t: 600, kind: 'weight', label: 'green 30%' },
        { t: 700, kind: 'alarm', label: 'ALARM' },
      ],
    });
    expect(text.split('\n')).toEqual([
      expect.stringContaining('production share'),
      '  0.0s  ····················                   0%    20      0%  release',
      '  0.5s  ██████··············                  30%    20     30%  green 30%, ALARM',
    ]);
  });
});
