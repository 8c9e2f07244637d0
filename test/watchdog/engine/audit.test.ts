import { decisionRecordKey, type AuditRecord } from '../../../lib';
import { auditRecord, recordDecision } from '../../../lambdas/watchdog/engine/audit';
import type { EngineContext } from '../../../lambdas/watchdog/engine/context';
import type { WatchdogPorts } from '../../../lambdas/watchdog/ports';
import {
  FakeBucket,
  fakeStore,
  ManualClock,
  RecordingLog,
  RecordingMetrics,
  type Notification,
} from '../fakes';
import { checkoutConfig, iso, listenerArn, T0 } from '../fixtures';

const CONFIG = checkoutConfig();

/** An engine context over a fake bucket, recording what is published (or failing to publish). */
function context(options: { publishFails?: boolean } = {}) {
  const bucket = new FakeBucket('checkout-artifacts');
  const published: Notification[] = [];
  const log = new RecordingLog();
  const metrics = new RecordingMetrics();
  const ports = {
    store: fakeStore(bucket),
    notify: {
      publish: (subject: string, message: unknown) => {
        if (options.publishFails) return Promise.reject(new Error('SNS is down'));
        published.push({ subject, message });
        return Promise.resolve();
      },
    },
  } as unknown as WatchdogPorts;
  const ctx: EngineContext = {
    config: CONFIG,
    ports,
    clock: new ManualClock(T0 + 5000),
    log,
    metrics,
    invocationId: 'run-0001',
    lockWaitMs: 0,
  };
  return { ctx, bucket, published, log, metrics };
}

const ALARM_TRIGGER = {
  kind: 'alarm',
  source: 'sns',
  alarmName: 'checkout-5xx',
  alarmState: 'ALARM',
} as const;

describe('an audit record', () => {
  it('fills in the invocation, the service and the times, keeping the decision’s own fields', () => {
    const { ctx } = context();

    expect(
      auditRecord(ctx, iso(T0), {
        trigger: ALARM_TRIGGER,
        checks: [{ name: 'event-is-alarm', passed: true }],
        decision: 'skip',
        outcome: 'skipped',
        reason: 'not in alarm',
      }),
    ).toEqual({
      schemaVersion: 1,
      decisionId: 'run-0001',
      service: 'checkout',
      decidedAt: iso(T0 + 5000),
      startedAt: iso(T0),
      finishedAt: iso(T0 + 5000),
      steps: [],
      recoveryPoints: [],
      trigger: ALARM_TRIGGER,
      checks: [{ name: 'event-is-alarm', passed: true }],
      decision: 'skip',
      outcome: 'skipped',
      reason: 'not in alarm',
    });
  });

  it('lets the decision give its own steps and recovery points', () => {
    const { ctx } = context();
    const step = {
      kind: 'listener' as const,
      target: listenerArn(1),
      outcome: 'applied' as const,
      attempts: 1,
      startedAt: iso(T0 + 1000),
      durationMs: 12,
    };

    const record = auditRecord(ctx, iso(T0), {
      trigger: ALARM_TRIGGER,
      checks: [],
      decision: 'rollback',
      outcome: 'rolled-back',
      steps: [step],
      recoveryPoints: ['rp-1'],
    });

    expect(record.steps).toEqual([step]);
    expect(record.recoveryPoints).toEqual(['rp-1']);
  });
});

describe('recording a decision', () => {
  const record = (fields: Partial<AuditRecord> = {}): AuditRecord => ({
    schemaVersion: 1,
    decisionId: 'run-0001',
    service: 'checkout',
    decidedAt: iso(T0 + 5000),
    startedAt: iso(T0),
    finishedAt: iso(T0 + 5000),
    trigger: ALARM_TRIGGER,
    checks: [
      { name: 'event-is-alarm', passed: true },
      { name: 'outside-cooldown', passed: false, detail: 'the last rollback was 3 min ago' },
    ],
    decision: 'skip',
    reason: 'the last rollback was 3 min ago',
    outcome: 'skipped',
    steps: [],
    recoveryPoints: [],
    ...fields,
  });

  it('stores the record under its decision key with the failing check’s name and detail, logs it and counts it', async () => {
    const { ctx, bucket, log, metrics } = context();

    await recordDecision(ctx, record(), false);

    const key = decisionRecordKey('checkout', iso(T0 + 5000), 'run-0001');
    expect(bucket.json(key)).toEqual(record());
    expect((bucket.json(key) as AuditRecord).checks).toContainEqual({
      name: 'outside-cooldown',
      passed: false,
      detail: 'the last rollback was 3 min ago',
    });
    expect(metrics.decisions).toEqual(['skipped']);
    expect(metrics.timesToRollback).toEqual([]);
    expect(log.entries).toEqual([
      {
        level: 'info',
        message: 'decision recorded',
        extra: {
          decisionId: 'run-0001',
          decision: 'skip',
          outcome: 'skipped',
          reason: 'the last rollback was 3 min ago',
          releaseId: undefined,
        },
      },
    ]);
  });

  it('refuses a record that breaks the contract, writing nothing', async () => {
    const { ctx, bucket } = context();

    await expect(
      recordDecision(ctx, { ...record(), outcome: 'done' } as unknown as AuditRecord, true),
    ).rejects.toThrow(/audit record/);
    expect(bucket.writes).toEqual([]);
  });

  it('publishes nothing when not asked to', async () => {
    const { ctx, published } = context();

    await recordDecision(ctx, record(), false);

    expect(published).toEqual([]);
  });

  it.each([
    [
      'a rollback',
      { decision: 'rollback', outcome: 'rolled-back', releaseId: 'r42', timeToRollbackMs: 900 },
      '[switchback] checkout: rolled back release r42',
    ],
    [
      'a partial rollback',
      { decision: 'rollback', outcome: 'partial', releaseId: 'r42' },
      '[switchback] checkout: PARTIAL rollback release r42, action needed',
    ],
    [
      'a refused capture',
      { decision: 'refuse', outcome: 'refused', releaseId: 'r43' },
      '[switchback] checkout: capture refused release r43',
    ],
    [
      'a skip without a release',
      { decision: 'skip', outcome: 'skipped' },
      '[switchback] checkout: skip (skipped)',
    ],
    [
      'an acknowledgement',
      { decision: 'acknowledge', outcome: 'acknowledged', releaseId: 'r42' },
      '[switchback] checkout: acknowledge (acknowledged) release r42',
    ],
  ] as const)('publishes %s with a subject that says what happened', async (_case, fields, subject) => {
    const { ctx, published } = context();

    await recordDecision(ctx, record(fields), true);

    expect(published).toEqual([{ subject, message: record(fields) }]);
  });

  it('counts the time to roll back when the record has one', async () => {
    const { ctx, metrics } = context();

    await recordDecision(
      ctx,
      record({ decision: 'rollback', outcome: 'rolled-back', timeToRollbackMs: 0 }),
      false,
    );

    expect(metrics.timesToRollback).toEqual([0]);
    expect(metrics.decisions).toEqual(['rolled-back']);
  });

  it('keeps the record when the notification fails, and logs the failure', async () => {
    const { ctx, bucket, log } = context({ publishFails: true });

    await expect(recordDecision(ctx, record(), true)).resolves.toBeUndefined();

    expect(bucket.keys()).toHaveLength(1);
    expect(log.entries.at(-1)).toEqual({
      level: 'error',
      message: 'notification failed',
      extra: { decisionId: 'run-0001', error: 'Error: SNS is down' },
    });
  });
});
