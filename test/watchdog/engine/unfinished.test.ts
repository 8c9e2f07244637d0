import { watchdogStateKey, type StepRecord, type WatchdogState } from '../../../lib';
import type { EngineContext } from '../../../lambdas/watchdog/engine/context';
import { settleUnfinished } from '../../../lambdas/watchdog/engine/unfinished';
import type { WatchdogPorts } from '../../../lambdas/watchdog/ports';
import { FakeBucket, fakeStore, ManualClock, RecordingLog, RecordingMetrics } from '../fakes';
import { checkoutConfig, EMPTY_STATE, iso, minutes, T0 } from '../fixtures';

const REPAGE_MINUTES = 15;
const CONFIG = checkoutConfig({ policy: { repageMinutes: REPAGE_MINUTES } });

function context(now: number) {
  const bucket = new FakeBucket('checkout-artifacts');
  const ctx: EngineContext = {
    config: CONFIG,
    ports: { store: fakeStore(bucket) } as unknown as WatchdogPorts,
    clock: new ManualClock(now),
    log: new RecordingLog(),
    metrics: new RecordingMetrics(),
    invocationId: 'run-0002',
    lockWaitMs: 0,
  };
  const stored = () => bucket.json(watchdogStateKey('checkout')) as WatchdogState | undefined;
  return { ctx, bucket, stored };
}

const step = (kind: StepRecord['kind'], target: string, outcome: StepRecord['outcome']): StepRecord => ({
  kind,
  target,
  outcome,
  attempts: 1,
  startedAt: iso(T0),
  durationMs: 5,
});

const STEPS = [
  step('listener', 'L1', 'blocked'),
  step('listener', 'L2', 'applied'),
  step('alias', 'api:live', 'failed'),
];

const NOW = T0 + minutes(30);
const earlier = (releaseId: string, pagedAgo: number): WatchdogState => ({
  ...EMPTY_STATE,
  unfinished: {
    releaseId,
    decisionId: 'run-0001',
    since: iso(T0),
    detail: 'listener L1: blocked',
    lastPagedAt: iso(NOW - pagedAgo),
    attempts: 2,
  },
});

describe('settling an unfinished rollback', () => {
  it('records the first incomplete outcome, naming what is missing, and pages', async () => {
    const { ctx, stored } = context(NOW);

    const settled = await settleUnfinished(ctx, EMPTY_STATE, 'r42', 'partial', STEPS, { kind: 'alarm' });

    expect(settled).toEqual({ page: true });
    expect(stored()).toEqual({
      ...EMPTY_STATE,
      unfinished: {
        releaseId: 'r42',
        decisionId: 'run-0002',
        since: iso(NOW),
        detail: 'listener L1: blocked; alias api:live: failed',
        lastPagedAt: iso(NOW),
        attempts: 1,
      },
    });
  });

  it('keeps the first run’s id and start when the tick tries again, counting attempts, without paging before the interval', async () => {
    const { ctx, stored } = context(NOW);

    const settled = await settleUnfinished(
      ctx,
      earlier('r42', minutes(REPAGE_MINUTES) - 1),
      'r42',
      'rolled-back-unverified',
      STEPS,
      {
        kind: 'finish',
      },
    );

    expect(settled).toEqual({ page: false });
    expect(stored()?.unfinished).toEqual({
      releaseId: 'r42',
      decisionId: 'run-0001',
      since: iso(T0),
      detail: 'listener L1: blocked; alias api:live: failed',
      lastPagedAt: iso(NOW - minutes(REPAGE_MINUTES) + 1),
      attempts: 3,
    });
  });

  it('pages again once the interval has passed exactly', async () => {
    const { ctx, stored } = context(NOW);

    const settled = await settleUnfinished(
      ctx,
      earlier('r42', minutes(REPAGE_MINUTES)),
      'r42',
      'partial',
      STEPS,
      {
        kind: 'finish',
      },
    );

    expect(settled).toEqual({ page: true });
    expect(stored()?.unfinished?.lastPagedAt).toBe(iso(NOW));
  });

  it('pages for a new trigger even inside the interval, without moving the paging time', async () => {
    const { ctx, stored } = context(NOW);

    const settled = await settleUnfinished(ctx, earlier('r42', minutes(1)), 'r42', 'partial', STEPS, {
      kind: 'alarm',
    });

    expect(settled).toEqual({ page: true });
    expect(stored()?.unfinished?.lastPagedAt).toBe(iso(NOW - minutes(1)));
  });

  it('starts afresh when the unfinished rollback is another release’s', async () => {
    const { ctx, stored } = context(NOW);

    const settled = await settleUnfinished(ctx, earlier('r41', minutes(1)), 'r42', 'partial', STEPS, {
      kind: 'finish',
    });

    expect(settled).toEqual({ page: true });
    expect(stored()?.unfinished).toEqual(
      expect.objectContaining({ releaseId: 'r42', decisionId: 'run-0002', since: iso(NOW), attempts: 1 }),
    );
  });

  it('clears the record and pages when the rollback completes', async () => {
    const { ctx, stored } = context(NOW);

    await expect(
      settleUnfinished(ctx, earlier('r42', minutes(1)), 'r42', 'rolled-back', STEPS, { kind: 'finish' }),
    ).resolves.toEqual({ page: true });

    expect(stored()).toEqual(EMPTY_STATE);
    expect(stored()).not.toHaveProperty('unfinished');
  });

  it('writes nothing when a rollback completes with nothing unfinished', async () => {
    const { ctx, bucket } = context(NOW);

    await expect(
      settleUnfinished(ctx, EMPTY_STATE, 'r42', 'rolled-back', [], { kind: 'alarm' }),
    ).resolves.toEqual({ page: true });

    expect(bucket.writes).toEqual([]);
  });

  it('cuts the detail short at 2000 characters', async () => {
    const { ctx, stored } = context(NOW);
    const many = Array.from({ length: 100 }, (_, i) =>
      step('listener', `listener-${'x'.repeat(40)}-${i}`, 'failed'),
    );

    await settleUnfinished(ctx, EMPTY_STATE, 'r42', 'partial', many, { kind: 'alarm' });

    expect(stored()?.unfinished?.detail).toHaveLength(2000);
    expect(stored()?.unfinished?.detail.startsWith(`listener listener-${'x'.repeat(40)}-0: failed; `)).toBe(
      true,
    );
  });
});
