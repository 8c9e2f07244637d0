import {
  currentReleaseKey,
  eventReceiptKey,
  watchdogLockKey,
  watchdogStateKey,
  type EventReceipt,
  type WatchdogState,
} from '../../../lib';
import {
  acquireLock,
  acquireLockFast,
  checkReceipt,
  createReceipt,
  markActing,
  readCurrentRelease,
  readState,
  readVersionedState,
  receiptUntouched,
  releaseLock,
  releaseLockQuietly,
  settleReceipt,
  StateChangedError,
  writeState,
  type CoordinationContext,
} from '../../../lambdas/watchdog/engine/coordination';
import type { WarmCache } from '../../../lambdas/watchdog/engine/warm';
import type { StorePort } from '../../../lambdas/watchdog/ports';
import { FakeBucket, fakeStore, ManualClock, RecordingLog } from '../fakes';
import { EMPTY_STATE, iso, T0 } from '../fixtures';

const SERVICE = 'checkout';
const TTL_SECONDS = 120;

function setup(owner = 'run-0001', options: { warm?: WarmCache; store?: StorePort } = {}) {
  const bucket = new FakeBucket('checkout-artifacts');
  const clock = new ManualClock(T0);
  const context: CoordinationContext = {
    store: options.store ?? fakeStore(bucket),
    service: SERVICE,
    clock,
    owner,
    lockTtlSeconds: TTL_SECONDS,
    ...(options.warm ? { warm: options.warm } : {}),
  };
  const lock = () => bucket.json(watchdogLockKey(SERVICE));
  const receipt = (eventId: string) =>
    bucket.json(eventReceiptKey(SERVICE, eventId)) as EventReceipt | undefined;
  return { bucket, clock, context, lock, receipt };
}

const heldBy = (owner: string, expiresAt: number, released = false) =>
  JSON.stringify({
    owner,
    acquiredAt: iso(expiresAt - TTL_SECONDS * 1000),
    expiresAt: iso(expiresAt),
    released,
  });

describe('the service lock', () => {
  it('takes a free lock in one write, for its time to live', async () => {
    const { bucket, context, lock } = setup();

    const lease = await acquireLock(context, 0);

    expect(lease).toEqual({ etag: bucket.current(watchdogLockKey(SERVICE))?.etag });
    expect(lock()).toEqual({
      owner: 'run-0001',
      acquiredAt: iso(T0),
      expiresAt: iso(T0 + TTL_SECONDS * 1000),
      released: false,
    });
    expect(bucket.writes).toHaveLength(1);
  });

  it('takes over a released lock, and an expired one exactly at its expiry', async () => {
    for (const held of [heldBy('run-0000', T0 + 60_000, true), heldBy('run-0000', T0)]) {
      const { bucket, context, lock } = setup();
      bucket.put(watchdogLockKey(SERVICE), held);

      await expect(acquireLock(context, 0)).resolves.toEqual({ etag: expect.any(String) });
      expect(lock()).toEqual(expect.objectContaining({ owner: 'run-0001', released: false }));
    }
  });

  it('takes over a lock whose document is corrupt', async () => {
    const { bucket, context, lock } = setup();
    bucket.put(watchdogLockKey(SERVICE), JSON.stringify({ hello: 'world' }));

    await expect(acquireLock(context, 0)).resolves.toBeDefined();
    expect(lock()).toEqual(expect.objectContaining({ owner: 'run-0001' }));
  });

  it('waits for a held lock with backoff (25, 50, 100, 200, 200 ms...) and gives up at the deadline', async () => {
    const { bucket, clock, context, lock } = setup();
    bucket.put(watchdogLockKey(SERVICE), heldBy('run-0000', T0 + 60_000));
    const sleeps: number[] = [];
    const sleep = clock.sleep.bind(clock);
    clock.sleep = (ms: number) => {
      sleeps.push(ms);
      return sleep(ms);
    };

    // 25 + 50 + 100 + 200 + 200 = 575: the fifth delay ends exactly at the deadline, so it is taken.
    await expect(acquireLock(context, 575)).resolves.toBeUndefined();

    expect(sleeps).toEqual([25, 50, 100, 200, 200]);
    expect(lock()).toEqual(expect.objectContaining({ owner: 'run-0000' }));
  });

  it('takes a held lock once it expires while waiting', async () => {
    const { bucket, context, lock } = setup();
    bucket.put(watchdogLockKey(SERVICE), heldBy('run-0000', T0 + 60));

    await expect(acquireLock(context, 1000)).resolves.toBeDefined();
    expect(lock()).toEqual(expect.objectContaining({ owner: 'run-0001', acquiredAt: iso(T0 + 75) }));
  });

  it('releases the lock it holds, and remembers the released lock’s tag in a warm container', async () => {
    const warm: WarmCache = {};
    const { bucket, clock, context, lock } = setup('run-0001', { warm });
    const lease = await acquireLock(context, 0);
    clock.advance(5000);

    await releaseLock(context, lease!);

    expect(lock()).toEqual({
      owner: 'run-0001',
      acquiredAt: iso(T0 + 5000),
      expiresAt: iso(T0 + 5000),
      released: true,
    });
    expect(warm.lockEtag).toBe(bucket.current(watchdogLockKey(SERVICE))?.etag);
  });

  it('does not release a lock another run has taken since, and forgets the tag', async () => {
    const warm: WarmCache = { lockEtag: 'old' };
    const { bucket, context, lock } = setup('run-0001', { warm });
    const lease = await acquireLock(context, 0);
    bucket.put(watchdogLockKey(SERVICE), heldBy('run-0002', T0 + 60_000));

    await releaseLock(context, lease!);

    expect(lock()).toEqual(expect.objectContaining({ owner: 'run-0002', released: false }));
    expect(warm.lockEtag).toBeUndefined();
  });

  it('takes the lock in one conditional write when this container released it last', async () => {
    const warm: WarmCache = {};
    const { bucket, context, lock } = setup('run-0001', { warm });
    await releaseLock(context, (await acquireLock(context, 0))!);
    const writes = bucket.writes.length;

    const lease = await acquireLockFast({ ...context, owner: 'run-0002' });

    expect(lease).toEqual({ etag: bucket.current(watchdogLockKey(SERVICE))?.etag });
    expect(bucket.writes).toHaveLength(writes + 1);
    expect(lock()).toEqual(expect.objectContaining({ owner: 'run-0002', released: false }));
  });

  it('does not take the lock fast without a remembered tag, or when another run wrote it since', async () => {
    const cold = setup();
    await expect(acquireLockFast(cold.context)).resolves.toBeUndefined();
    expect(cold.bucket.writes).toEqual([]);

    const warm: WarmCache = { lockEtag: '"stale"' };
    const { context, bucket } = setup('run-0001', { warm });
    bucket.put(watchdogLockKey(SERVICE), heldBy('run-0000', T0 + 60_000));

    await expect(acquireLockFast(context)).resolves.toBeUndefined();
    expect(warm.lockEtag).toBeUndefined();
  });

  it('logs instead of throwing when the release fails', async () => {
    const { context } = setup('run-0001', {
      store: { putJson: () => Promise.reject(new Error('S3 is down')) } as unknown as StorePort,
    });
    const log = new RecordingLog();

    await expect(releaseLockQuietly(context, { etag: 'x' }, log)).resolves.toBeUndefined();

    expect(log.entries).toEqual([
      {
        level: 'warn',
        message: 'lock release failed; the lease expires on its own',
        extra: { error: 'Error: S3 is down' },
      },
    ]);
  });
});

describe('trigger receipts', () => {
  it('creates a receipt once: the first delivery is new, the next has seen it', async () => {
    const { bucket, context, receipt } = setup();

    const first = await createReceipt(context, 'e1');
    const second = await createReceipt({ ...context, owner: 'run-0002' }, 'e1');

    expect(first).toEqual({ status: 'new', etag: bucket.current(eventReceiptKey(SERVICE, 'e1'))?.etag });
    expect(second).toEqual({ status: 'seen' });
    expect(receipt('e1')).toEqual({
      eventId: 'e1',
      status: 'in-progress',
      receivedAt: iso(T0),
      decisionId: 'run-0001',
    });
    expect(await receiptUntouched(context, 'e1', first.status === 'new' ? first.etag : '')).toBe(true);
    expect(await receiptUntouched(context, 'e1', '"other"')).toBe(false);
    expect(await receiptUntouched(context, 'e2', '"other"')).toBe(false);
  });

  it('checks a new trigger in, and acknowledges a finished one as a duplicate', async () => {
    const { context, receipt } = setup();

    const check = await checkReceipt(context, 'e1');
    expect(check).toEqual({ status: 'new', etag: expect.any(String) });
    await settleReceipt(context, 'e1', 'done', 'run-0001');

    expect(receipt('e1')).toEqual({
      eventId: 'e1',
      status: 'done',
      receivedAt: iso(T0),
      decisionId: 'run-0001',
    });
    await expect(checkReceipt({ ...context, owner: 'run-0002' }, 'e1')).resolves.toEqual({
      status: 'duplicate',
      receipt: { eventId: 'e1', status: 'done', receivedAt: iso(T0), decisionId: 'run-0001' },
    });
  });

  it('resumes a trigger whose run crashed or failed, taking the receipt over', async () => {
    for (const status of ['in-progress', 'failed'] as const) {
      const { context, receipt } = setup();
      // A crashed run leaves its receipt in progress; a failed one settles it failed.
      if (status === 'failed') await settleReceipt(context, 'e1', 'failed', 'run-0001');
      else await createReceipt(context, 'e1');

      const check = await checkReceipt({ ...context, owner: 'run-0002' }, 'e1');

      expect(check).toStrictEqual({ status: 'resume', previous: status, etag: expect.any(String) });
      expect(receipt('e1')).toEqual({
        eventId: 'e1',
        status: 'in-progress',
        receivedAt: iso(T0),
        decisionId: 'run-0002',
      });
    }
  });

  it('keeps the run that began acting on the receipt when resuming it', async () => {
    const { context, receipt } = setup();
    await markActing(context, 'e1', { decisionId: 'run-0001', decidedAt: iso(T0 - 1000) });
    expect(receipt('e1')).toEqual({
      eventId: 'e1',
      status: 'in-progress',
      receivedAt: iso(T0 - 1000),
      decisionId: 'run-0001',
      decidedAt: iso(T0 - 1000),
    });

    const check = await checkReceipt({ ...context, owner: 'run-0002' }, 'e1');

    expect(check).toEqual({
      status: 'resume',
      previous: 'in-progress',
      etag: expect.any(String),
      acted: { decisionId: 'run-0001', decidedAt: iso(T0 - 1000) },
    });
    expect(receipt('e1')).toEqual(
      expect.objectContaining({ decisionId: 'run-0001', decidedAt: iso(T0 - 1000) }),
    );
  });

  it('keeps no acting run on a failed receipt: its run settled it', async () => {
    const { bucket, context } = setup();
    bucket.put(
      eventReceiptKey(SERVICE, 'e1'),
      JSON.stringify({
        eventId: 'e1',
        status: 'failed',
        receivedAt: iso(T0),
        decisionId: 'run-0001',
        decidedAt: iso(T0),
      }),
    );

    await expect(checkReceipt({ ...context, owner: 'run-0002' }, 'e1')).resolves.toStrictEqual({
      status: 'resume',
      previous: 'failed',
      etag: expect.any(String),
    });
  });

  it('resumes a trigger whose receipt is corrupt', async () => {
    const { bucket, context } = setup();
    bucket.put(eventReceiptKey(SERVICE, 'e1'), JSON.stringify({ status: 'done' }));

    await expect(checkReceipt(context, 'e1')).resolves.toStrictEqual({
      status: 'resume',
      previous: 'in-progress',
      etag: expect.any(String),
    });
  });

  it('fails when the receipt changes while the lock is held', async () => {
    const { bucket, context } = setup();
    const store = fakeStore(bucket);
    await settleReceipt(context, 'e1', 'failed', 'run-0001');
    const racing: StorePort = {
      ...store,
      getJson: async (key, versionId) => {
        const read = await store.getJson(key, versionId);
        bucket.put(
          key,
          JSON.stringify({ eventId: 'e1', status: 'failed', receivedAt: iso(T0), decisionId: 'run-0003' }),
        );
        return read;
      },
    };

    await expect(checkReceipt({ ...context, store: racing }, 'e1')).rejects.toThrow(
      'the receipt of e1 changed while the lock was held',
    );
  });
});

describe('the service state', () => {
  it('starts empty, to be created only if still absent', async () => {
    const { context } = setup();

    await expect(readVersionedState(context)).resolves.toEqual({
      state: { schemaVersion: 1, automaticRollbacks: [] },
      condition: { ifNoneMatch: true },
    });
  });

  it('reads the stored state with the tag to replace it by', async () => {
    const { bucket, context } = setup();
    const state: WatchdogState = { ...EMPTY_STATE, lastRollbackAt: iso(T0) };
    bucket.put(watchdogStateKey(SERVICE), JSON.stringify(state));

    await expect(readVersionedState(context)).resolves.toEqual({
      state,
      condition: { ifMatch: bucket.current(watchdogStateKey(SERVICE))?.etag },
    });
    await expect(readState(context)).resolves.toEqual(state);
  });

  it('says how to fix a corrupt state', async () => {
    const { bucket, context } = setup();
    bucket.put(watchdogStateKey(SERVICE), JSON.stringify({ schemaVersion: 2 }));

    await expect(readState(context)).rejects.toThrow(
      `the watchdog state of checkout is corrupt; fix or delete ${watchdogStateKey(SERVICE)}`,
    );
  });

  it('writes the state under its condition, and fails when another writer changed it', async () => {
    const { bucket, context } = setup();
    const { condition } = await readVersionedState(context);
    await writeState(context, EMPTY_STATE, condition);

    await expect(writeState(context, EMPTY_STATE, condition)).rejects.toThrow(StateChangedError);
    await expect(writeState(context, EMPTY_STATE, condition)).rejects.toEqual(
      expect.objectContaining({
        name: 'StateChangedError',
        message:
          'the watchdog state of checkout changed while this run held the lock; this delivery will be retried',
      }),
    );
    expect(bucket.writes).toHaveLength(1);
  });
});

describe('the current release pointer', () => {
  it('reads the pointer, or nothing before the first capture', async () => {
    const { bucket, context } = setup();
    await expect(readCurrentRelease(context)).resolves.toBeUndefined();
    const pointer = {
      releaseId: 'r42',
      manifestKey: 'manifests/checkout/r42.json',
      capturedAt: iso(T0),
      evaluationWindowEndsAt: iso(T0 + 3_600_000),
    };
    bucket.put(currentReleaseKey(SERVICE), JSON.stringify(pointer));

    await expect(readCurrentRelease(context)).resolves.toEqual(pointer);
  });

  it('refuses a corrupt pointer', async () => {
    const { bucket, context } = setup();
    bucket.put(currentReleaseKey(SERVICE), JSON.stringify({ releaseId: 42 }));

    await expect(readCurrentRelease(context)).rejects.toThrow(
      'the current-release pointer of checkout is corrupt',
    );
  });
});
