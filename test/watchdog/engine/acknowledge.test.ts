import {
  acknowledgementKey,
  auditKeyPrefix,
  rollbackMarkerKey,
  watchdogLockKey,
  watchdogStateKey,
  type AuditRecord,
  type WatchdogState,
} from '../../../lib';
import { acknowledgeRollback } from '../../../lambdas/watchdog/engine/acknowledge';
import type { EngineContext } from '../../../lambdas/watchdog/engine/context';
import type { AcknowledgeRequest } from '../../../lambdas/watchdog/events';
import type { WatchdogPorts } from '../../../lambdas/watchdog/ports';
import {
  FakeBucket,
  fakeNotify,
  fakeStore,
  ManualClock,
  RecordingLog,
  RecordingMetrics,
  type Notification,
} from '../fakes';
import { checkoutConfig, EMPTY_STATE, iso, T0 } from '../fixtures';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:switchback-checkout';
const CONFIG = checkoutConfig({ notificationTopicArn: TOPIC });

const REQUEST: AcknowledgeRequest = {
  kind: 'acknowledge',
  releaseId: 'r42',
  requestedBy: 'alice',
  reason: 'fixed forward in r43',
};

function world(state?: WatchdogState, options: { rolledBack?: boolean } = {}) {
  const bucket = new FakeBucket('checkout-artifacts');
  const published: Notification[] = [];
  const ctx: EngineContext = {
    config: CONFIG,
    ports: { store: fakeStore(bucket), notify: fakeNotify(TOPIC, published) } as unknown as WatchdogPorts,
    clock: new ManualClock(T0),
    log: new RecordingLog(),
    metrics: new RecordingMetrics(),
    invocationId: 'run-0007',
    lockWaitMs: 100,
  };
  if (state) bucket.put(watchdogStateKey('checkout'), JSON.stringify(state));
  if (options.rolledBack)
    bucket.put(rollbackMarkerKey('checkout', 'r42'), JSON.stringify({ releaseId: 'r42' }));
  const audit = () =>
    bucket.keys(`${auditKeyPrefix('checkout')}decisions/`).map((key) => bucket.json(key) as AuditRecord);
  const lock = () => bucket.json(watchdogLockKey('checkout')) as { released: boolean } | undefined;
  const stored = () => bucket.json(watchdogStateKey('checkout')) as WatchdogState;
  return { ctx, bucket, published, audit, lock, stored };
}

const latchedOn = (releaseId: string) => ({
  releaseId,
  rolledBackAt: iso(T0 - 60_000),
  decisionId: 'run-0001',
  trigger: 'alarm',
});
const unfinishedOf = (releaseId: string) => ({
  releaseId,
  decisionId: 'run-0001',
  since: iso(T0 - 60_000),
  detail: 'listener L1: blocked',
  lastPagedAt: iso(T0 - 60_000),
  attempts: 1,
});

describe('acknowledging a rollback', () => {
  it('lifts the hold and the latch of a rolled-back release, audits and notifies it, and releases the lock', async () => {
    const w = world({ ...EMPTY_STATE, latched: latchedOn('r42') }, { rolledBack: true });

    await expect(acknowledgeRollback(w.ctx, REQUEST)).resolves.toEqual({
      releaseId: 'r42',
      wasRolledBack: true,
    });

    expect(w.bucket.json(acknowledgementKey('checkout', 'r42'))).toEqual({
      releaseId: 'r42',
      acknowledgedBy: 'alice',
      reason: 'fixed forward in r43',
      acknowledgedAt: iso(T0),
    });
    expect(w.stored()).toEqual(EMPTY_STATE);
    expect(w.audit()).toEqual([
      expect.objectContaining({
        decisionId: 'run-0007',
        trigger: {
          kind: 'acknowledge',
          source: 'manual',
          reason: 'fixed forward in r43',
          requestedBy: 'alice',
        },
        releaseId: 'r42',
        checks: [{ name: 'release-was-rolled-back', passed: true }],
        decision: 'acknowledge',
        reason: 'fixed forward in r43',
        outcome: 'acknowledged',
      }),
    ]);
    expect(w.published.map((n) => n.subject)).toEqual([
      '[switchback] checkout: acknowledge (acknowledged) release r42',
    ]);
    expect(w.lock()?.released).toBe(true);
  });

  it('stops the tick finishing an unfinished rollback that moved nothing (no hold to lift)', async () => {
    const w = world({ ...EMPTY_STATE, unfinished: unfinishedOf('r42') });

    await expect(acknowledgeRollback(w.ctx, REQUEST)).resolves.toEqual({
      releaseId: 'r42',
      wasRolledBack: false,
    });

    expect(w.stored()).toEqual(EMPTY_STATE);
    expect(w.audit()[0]?.checks).toEqual([{ name: 'release-was-rolled-back', passed: false }]);
  });

  it('leaves the state alone, unwritten, when it holds nothing of this release', async () => {
    const state = { ...EMPTY_STATE, latched: latchedOn('r41'), unfinished: unfinishedOf('r40') };
    const w = world(state, { rolledBack: true });

    await acknowledgeRollback(w.ctx, REQUEST);

    expect(w.stored()).toEqual(state);
    expect(w.bucket.writes.filter((write) => write.key === watchdogStateKey('checkout'))).toHaveLength(1);
  });

  it('lifts this release’s latch and keeps another release’s unfinished rollback', async () => {
    const w = world(
      { ...EMPTY_STATE, latched: latchedOn('r42'), unfinished: unfinishedOf('r40') },
      { rolledBack: true },
    );

    await acknowledgeRollback(w.ctx, REQUEST);

    expect(w.stored()).toEqual({ ...EMPTY_STATE, unfinished: unfinishedOf('r40') });
  });

  it('clears only what is this release’s when the state has both', async () => {
    const w = world({ ...EMPTY_STATE, latched: latchedOn('r41'), unfinished: unfinishedOf('r42') });

    await acknowledgeRollback(w.ctx, REQUEST);

    expect(w.stored()).toEqual({ ...EMPTY_STATE, latched: latchedOn('r41') });
  });

  it('refuses a release that was not rolled back, writing nothing and releasing the lock', async () => {
    const w = world({ ...EMPTY_STATE, unfinished: unfinishedOf('r41') });

    await expect(acknowledgeRollback(w.ctx, REQUEST)).rejects.toThrow(
      'release r42 was not rolled back: there is nothing to acknowledge',
    );

    expect(w.bucket.json(acknowledgementKey('checkout', 'r42'))).toBeUndefined();
    expect(w.audit()).toEqual([]);
    expect(w.lock()?.released).toBe(true);
  });

  it('refuses while another run holds the lock', async () => {
    const w = world(undefined, { rolledBack: true });
    w.bucket.put(
      watchdogLockKey('checkout'),
      JSON.stringify({ owner: 'other', acquiredAt: iso(T0), expiresAt: iso(T0 + 120_000), released: false }),
    );

    await expect(acknowledgeRollback(w.ctx, REQUEST)).rejects.toThrow(
      'another watchdog run holds the lock of checkout; try again',
    );
    expect(w.bucket.json(acknowledgementKey('checkout', 'r42'))).toBeUndefined();
  });
});
