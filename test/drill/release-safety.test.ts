/**
 * The release-safety parts of the drill that need no run: the three scenarios' checks on made-up
 * observations (in pairs: what passes, and what each check catches), where they sit in the drill's
 * registry, the table's cell of a group, and the text timeline with a lane per service.
 */
import type { AuditRecord, GroupRecord } from '../../lib';
import { MOTO_SCENARIOS, SCENARIO_NAMES } from './index';
import { renderTable, renderTimelineText } from './report';
import {
  ORDERS_TABLE_ARN,
  RELEASE_SAFETY_SCENARIOS,
  STALE_RECOVERY_POINT_AGE_HOURS,
  type DeployRecord,
  type MemberObservations,
  type ReleaseSafetyObservations,
  type ReleaseSafetyScenarioName,
} from './release-safety-scenarios';
import { aboutScenario } from './scenarios';
import type { ScenarioResult } from './summary';

const at = '2026-11-22T00:00:00.000Z';
const later = '2026-11-22T00:00:05.000Z';

const record = (
  service: string,
  decision: AuditRecord['decision'],
  outcome: AuditRecord['outcome'],
  extra: Partial<AuditRecord> = {},
): AuditRecord => ({
  schemaVersion: 1,
  decisionId: `${service}-${decision}-${outcome}`,
  service,
  decidedAt: at,
  trigger: { kind: 'capture' },
  checks: [],
  decision,
  steps: [],
  outcome,
  startedAt: at,
  finishedAt: at,
  recoveryPoints: [],
  ...extra,
});

const member = (service: string, extra: Partial<MemberObservations> = {}): MemberObservations => ({
  service,
  audit: [],
  finalWeights: [80, 20],
  greenWeights: [0, 20],
  productionToGreen: 40,
  toGreenBeforeRelease: 0,
  routedAfterSwitch: 0,
  greenAfterSwitch: 0,
  compositeAlarmsAt: [],
  notifications: [],
  failedInvocations: 0,
  ...extra,
});

const deploy = (
  service: string,
  releaseId: string,
  outcome: DeployRecord['outcome'],
  errorType?: string,
): DeployRecord => ({
  service,
  releaseId,
  at: 1000,
  answeredAt: 1300,
  outcome,
  ...(errorType ? { errorType, errorMessage: `capture of release ${releaseId} refused` } : {}),
});

const observations = (extra: Partial<ReleaseSafetyObservations>): ReleaseSafetyObservations => ({
  deploys: [],
  operatorCalls: [],
  marks: [],
  members: {},
  groupRecords: [],
  coordinatorInvocations: [],
  ...extra,
});

const failed = (o: ReleaseSafetyObservations, scenario: ReleaseSafetyScenarioName) =>
  RELEASE_SAFETY_SCENARIOS[scenario]
    .check(o)
    .filter((c) => !c.passed)
    .map((c) => c.name);

describe('stale-backup checks', () => {
  const staleDetail = `${ORDERS_TABLE_ARN}: the newest completed recovery point (arn:rp, created ${at}) is ${STALE_RECOVERY_POINT_AGE_HOURS} h old, older than the 24 h allowed`;
  const refused = record('checkout', 'refuse', 'refused', {
    releaseId: 'release-2',
    checks: [
      { name: 'deploy-not-frozen', passed: true },
      { name: 'recovery-point-fresh', passed: false, detail: staleDetail },
    ],
  });
  const captured = record('checkout', 'capture', 'captured', {
    releaseId: 'release-2',
    checks: [{ name: 'recovery-point-fresh', passed: true, detail: `${ORDERS_TABLE_ARN}: 0 h old` }],
  });
  const passing = observations({
    deploys: [
      deploy('checkout', 'release-2', 'refused', 'CaptureBackupNotReadyError'),
      deploy('checkout', 'release-2', 'captured'),
    ],
    members: { checkout: member('checkout', { audit: [refused, captured] }) },
  });

  it('pass for a refusal naming the stale point, no traffic to green, then the release captured and out', () => {
    expect(failed(passing, 'stale-backup')).toEqual([]);
  });

  it('catch a release let through, traffic that moved, and a release captured by an override', () => {
    expect(
      failed(
        observations({
          deploys: [deploy('checkout', 'release-2', 'captured')],
          members: { checkout: member('checkout', { audit: [captured] }) },
        }),
        'stale-backup',
      ),
    ).toEqual([
      'the deploy of release-2 stopped: its capture failed with CaptureBackupNotReadyError',
      'the refusal audited with the recovery-point-fresh check failed',
      'the refusal names the stale recovery point of the table',
      'traffic never moved while refused: no production request to green',
    ]);
    expect(
      failed(
        {
          ...passing,
          members: { checkout: member('checkout', { audit: [refused, captured], toGreenBeforeRelease: 3 }) },
        },
        'stale-backup',
      ),
    ).toEqual(['traffic never moved while refused: no production request to green']);
    const overridden = { ...captured, overrides: ['backupReadiness' as const] };
    expect(
      failed(
        { ...passing, members: { checkout: member('checkout', { audit: [refused, overridden] }) } },
        'stale-backup',
      ),
    ).toEqual(['the next capture passed the gate with the fresh recovery point']);
  });
});

describe('group-follows checks', () => {
  const coordinatorArn =
    'arn:aws:sts::123456789012:assumed-role/switchback-shop-coordinator/switchback-shop-coordinator';
  const apiRollback = record('api', 'rollback', 'rolled-back', {
    decisionId: 'api-decision',
    trigger: { kind: 'alarm', alarmName: 'api-rollback', alarmState: 'ALARM' },
  });
  const workerRollback = record('worker', 'rollback', 'rolled-back', {
    decisionId: 'worker-decision',
    trigger: {
      kind: 'rollback',
      requestedBy: 'group:shop',
      group: { name: 'shop', cause: 'api-decision' },
      caller: { arn: coordinatorArn, account: '123456789012', verified: true },
    },
  });
  const groupRecord: GroupRecord = {
    schemaVersion: 1,
    decisionId: 'group-decision',
    group: 'shop',
    decidedAt: later,
    trigger: {
      kind: 'member-rolled-back',
      service: 'api',
      releaseId: 'release-2',
      decisionId: 'api-decision',
    },
    order: 'callers-first',
    outcome: 'followed',
    members: [
      { service: 'api', role: 'cause', outcome: 'rolled-back', decisionId: 'api-decision' },
      { service: 'worker', role: 'follower', outcome: 'rolled-back', decisionId: 'worker-decision' },
      { service: 'billing', role: 'unaffected', outcome: 'skipped' },
    ],
    startedAt: later,
    finishedAt: later,
  };
  const switched = {
    finalWeights: [100, 0] as [number, number],
    greenWeights: [0, 20, 0],
    routedAfterSwitch: 50,
  };
  const passing = observations({
    members: {
      api: member('api', { ...switched, compositeAlarmsAt: [2000], audit: [apiRollback] }),
      worker: member('worker', { ...switched, audit: [workerRollback] }),
      billing: member('billing'),
    },
    groupRecords: [groupRecord],
    coordinatorInvocations: [{ action: 'member-rolled-back', ok: true }],
    coordinatorCallerArn: coordinatorArn,
  });

  it('pass when the API rolled back, the worker followed with the coordinator as caller, billing kept its release', () => {
    expect(failed(passing, 'group-follows')).toEqual([]);
  });

  it('catch a worker rolled back by its own alarm, an unverified caller, billing rolled back, a record not linking', () => {
    const ownAlarm = { ...workerRollback, trigger: { kind: 'alarm' as const, alarmName: 'worker-rollback' } };
    expect(
      failed(
        {
          ...passing,
          members: { ...passing.members, worker: member('worker', { ...switched, audit: [ownAlarm] }) },
        },
        'group-follows',
      ),
    ).toEqual([
      "the worker rolled back by its own watchdog at the group's request",
      "the worker's caller verified: the coordinator's role",
    ]);
    const unverified = {
      ...workerRollback,
      trigger: { ...workerRollback.trigger, caller: { verified: false, detail: 'no caller proof' } },
    };
    expect(
      failed(
        {
          ...passing,
          members: { ...passing.members, worker: member('worker', { ...switched, audit: [unverified] }) },
        },
        'group-follows',
      ),
    ).toEqual(["the worker's caller verified: the coordinator's role"]);
    expect(
      failed(
        {
          ...passing,
          members: {
            ...passing.members,
            billing: member('billing', {
              ...switched,
              audit: [record('billing', 'rollback', 'rolled-back')],
            }),
          },
        },
        'group-follows',
      ),
    ).toEqual(['billing untouched: no rollback, its release keeps its share']);
    expect(
      failed({ ...passing, groupRecords: [{ ...groupRecord, outcome: 'partial' }] }, 'group-follows'),
    ).toEqual(['one group record links both rollbacks']);
    expect(failed({ ...passing, coordinatorInvocations: [] }, 'group-follows')).toEqual([
      'the coordinator was invoked',
    ]);
  });
});

describe('frozen-deploy checks', () => {
  const rollback = record('checkout', 'rollback', 'rolled-back', {
    decisionId: 'rollback-decision',
    releaseId: 'release-1',
    trigger: { kind: 'alarm', alarmName: 'checkout-rollback', alarmState: 'ALARM' },
  });
  const refused = record('checkout', 'refuse', 'refused', {
    releaseId: 'release-2',
    checks: [
      {
        name: 'deploy-not-frozen',
        passed: false,
        detail: `release release-1 of checkout was rolled back at ${at} (decision rollback-decision) and is not acknowledged`,
      },
    ],
  });
  const ack = record('checkout', 'acknowledge', 'acknowledged', {
    releaseId: 'release-1',
    decidedAt: later,
    trigger: {
      kind: 'acknowledge',
      requestedBy: 'drill-operator',
      caller: { arn: 'arn:aws:iam::123456789012:user/emulator', verified: true },
    },
  });
  const captured = record('checkout', 'capture', 'captured', {
    releaseId: 'release-2',
    checks: [{ name: 'deploy-not-frozen', passed: true }],
  });
  const passing = observations({
    deploys: [
      deploy('checkout', 'release-1', 'captured'),
      deploy('checkout', 'release-2', 'refused', 'CaptureFrozenError'),
      deploy('checkout', 'release-2', 'captured'),
    ],
    operatorCalls: [{ at: 1, argv: ['promote', '--ack'], code: 0, stdout: '{}', stderr: '' }],
    members: {
      checkout: member('checkout', {
        audit: [
          record('checkout', 'capture', 'captured', { releaseId: 'release-1' }),
          rollback,
          refused,
          ack,
          captured,
        ],
        greenWeights: [0, 20, 0, 20],
      }),
    },
  });

  it('pass for a rollback, the next release refused, acknowledged by a verified caller, then captured and out', () => {
    expect(failed(passing, 'frozen-deploy')).toEqual([]);
  });

  it('catch a release not frozen, an acknowledgement without a verified caller, traffic moved while frozen', () => {
    const audit = passing.members.checkout?.audit ?? [];
    expect(
      failed(
        {
          ...passing,
          deploys: [deploy('checkout', 'release-1', 'captured'), deploy('checkout', 'release-2', 'captured')],
          members: {
            checkout: member('checkout', {
              audit: audit.filter((r) => r !== refused),
              greenWeights: [0, 20, 0, 20],
            }),
          },
        },
        'frozen-deploy',
      ),
    ).toEqual([
      'the deploy of release-2 stopped: its capture failed with CaptureFrozenError',
      'the refusal audited with the deploy-not-frozen check failed',
      'the freeze named the unacknowledged rollback of release-1',
    ]);
    const unverified = { ...ack, trigger: { ...ack.trigger, caller: { verified: false } } };
    expect(
      failed(
        {
          ...passing,
          members: {
            checkout: member('checkout', {
              audit: audit.map((r) => (r === ack ? unverified : r)),
              greenWeights: [0, 20, 0, 20],
            }),
          },
        },
        'frozen-deploy',
      ),
    ).toEqual(['the operator acknowledged release-1 with a verified caller']);
    expect(
      failed(
        {
          ...passing,
          members: { checkout: member('checkout', { audit, greenWeights: [0, 20, 0, 10, 20] }) },
        },
        'frozen-deploy',
      ),
    ).toEqual(['traffic did not move while frozen']);
  });
});

describe('the release-safety scenarios in the drill', () => {
  it('run after the one-service scenarios, on the emulator only, saying why', () => {
    expect(SCENARIO_NAMES.slice(-3)).toEqual(['stale-backup', 'group-follows', 'frozen-deploy']);
    for (const name of ['stale-backup', 'group-follows', 'frozen-deploy'] as const) {
      expect(aboutScenario(name).needsEmulator).toEqual(expect.any(String));
      expect(MOTO_SCENARIOS).not.toContain(name);
    }
  });

  it("show each service's share in the table's green share cell", () => {
    const row = {
      scenario: 'group-follows',
      detectMs: 2000,
      detectedBy: 'alarm',
      switchMs: 150,
      failedAfterDetect: 3,
      servedBlue: 900,
      servedGreen: 60,
      greenWeights: [0, 20, 0],
      members: [
        { service: 'api', greenWeights: [0, 20, 0] },
        { service: 'worker', greenWeights: [0, 20, 0] },
        { service: 'billing', greenWeights: [0, 20] },
      ],
      auditRecords: 6,
      auditOutcomes: { captured: 3, 'rolled-back': 2, 'group followed': 1 },
      rollbacks: 2,
      passed: true,
    } as unknown as ScenarioResult;
    expect(renderTable([row]).split('\n')[2]).toContain('| api 0→20→0, worker 0→20→0, billing 0→20 |');
  });

  it('draws a timeline of several services as text: a share bar per service, and the marks', () => {
    const bucket = (t: number, sent: number, failedCount: number, greenWeightPercent: number) => ({
      t,
      sent,
      blue: sent,
      green: 0,
      failed: failedCount,
      greenWeightPercent,
    });
    const text = renderTimelineText({
      bucketMs: 250,
      buckets: [],
      lanes: [
        { name: 'api', buckets: [bucket(0, 10, 5, 20)] },
        { name: 'worker', buckets: [bucket(0, 10, 0, 20), bucket(500, 10, 0, 0)] },
      ],
      marks: [
        { t: 100, kind: 'alarm', label: 'api ALARM' },
        { t: 600, kind: 'switch', label: 'worker switch' },
      ],
    });
    expect(text.split('\n')).toEqual([
      '     t  api                     worker                  marks',
      '        share     green failed  share     green failed  (█ green, · blue)',
      '  0.0s  ██········  20%    50%  ██········  20%     0%  api ALARM',
      '  0.5s  ··········   0%         ··········   0%     0%  worker switch',
    ]);
  });
});
