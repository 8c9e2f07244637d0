import {
  isRetryable,
  pollUntil,
  RetriesExhausted,
  withRetry,
  type Clock,
  type RetryOptions,
} from '../../../lambdas/watchdog/engine/retry';
import { AwsCallError, type FailureKind } from '../../../lambdas/watchdog/ports';

/** A clock that only moves when the code under test sleeps; it records every sleep. */
function fakeClock(start = 1_000_000): Clock & { readonly sleeps: number[]; readonly elapsed: () => number } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    elapsed: () => now - start,
  };
}

const failure = (kind: FailureKind) => new AwsCallError(kind, 'ModifyListener', 'Code', 'it failed');
const throttled = () => failure('throttled');

/** A call that fails with each error in turn, then answers `value`. */
function failing<T>(errors: readonly unknown[], value: T): jest.Mock<Promise<T>, []> {
  let calls = 0;
  return jest.fn(() => {
    const error = errors[calls++];
    return error === undefined ? Promise.resolve(value) : Promise.reject(error);
  });
}

// With random() = 0.5 the delays are half the ceiling: 25, 50, 100, 200, 400, 800, then 1000 (half of 2000).
const HALF = () => 0.5;

describe('retrying a call', () => {
  it('answers at once when the call succeeds, without sleeping', async () => {
    const clock = fakeClock();

    await expect(withRetry(() => Promise.resolve('ok'), { budgetMs: 1000, clock })).resolves.toEqual({
      value: 'ok',
      attempts: 1,
    });
    expect(clock.sleeps).toEqual([]);
  });

  it('retries retryable failures with exponential backoff, and counts the attempts', async () => {
    const clock = fakeClock();
    const fn = failing([throttled(), failure('transient'), throttled()], 'done');

    await expect(withRetry(fn, { budgetMs: 10_000, clock, random: HALF })).resolves.toEqual({
      value: 'done',
      attempts: 4,
    });
    expect(clock.sleeps).toEqual([25, 50, 100]);
    expect(fn).toHaveBeenCalledTimes(4);
  });

  it('uses the base and the cap it is given, with full jitter below the ceiling', async () => {
    const clock = fakeClock();
    const fn = failing(Array.from({ length: 5 }, throttled), 'done');

    await withRetry(fn, { budgetMs: 60_000, clock, baseDelayMs: 100, maxDelayMs: 500, random: () => 0.999 });

    expect(clock.sleeps).toEqual([99, 199, 399, 499, 499]);
  });

  it('caps the delay at two seconds by default', async () => {
    const clock = fakeClock();
    const fn = failing(Array.from({ length: 8 }, throttled), 'done');

    await withRetry(fn, { budgetMs: 60_000, clock, random: HALF });

    expect(clock.sleeps).toEqual([25, 50, 100, 200, 400, 800, 1000, 1000]);
  });

  it('does not sleep past the budget: a delay ending exactly at the deadline is taken, a longer one is not', async () => {
    const clock = fakeClock();
    const fn = failing(Array.from({ length: 10 }, throttled), 'done');

    // 25 + 50 + 100 = 175: the third delay ends exactly at the deadline; the fourth (200) would not.
    const error = await withRetry(fn, { budgetMs: 175, clock, random: HALF }).catch((e: unknown) => e);

    expect(clock.sleeps).toEqual([25, 50, 100]);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect(error).toEqual(expect.objectContaining({ attempts: 4, name: 'RetriesExhausted' }));
    expect((error as RetriesExhausted).lastError).toBeInstanceOf(AwsCallError);
    expect((error as RetriesExhausted).message).toBe('ModifyListener failed (Code): it failed');
  });

  it('gives up at once on a failure that is not retryable', async () => {
    for (const kind of ['not-found', 'access-denied', 'invalid'] as const) {
      const clock = fakeClock();
      const fn = failing([failure(kind)], 'never');

      await expect(withRetry(fn, { budgetMs: 10_000, clock, random: HALF })).rejects.toEqual(
        expect.objectContaining({ attempts: 1 }),
      );
      expect(clock.sleeps).toEqual([]);
    }
  });

  it('gives up at once on an error that is not an AWS call error, keeping its text', async () => {
    const clock = fakeClock();

    const thrown = await withRetry(() => Promise.reject(new TypeError('bug')), {
      budgetMs: 10_000,
      clock,
    }).catch((e: unknown) => e);
    const notAnError = await withRetry(() => Promise.reject('plain string'), {
      budgetMs: 10_000,
      clock,
    }).catch((e: unknown) => e);

    expect(thrown).toEqual(expect.objectContaining({ message: 'bug', attempts: 1 }));
    expect(notAnError).toEqual(
      expect.objectContaining({ message: 'plain string', lastError: 'plain string' }),
    );
  });

  it('jitters with Math.random when no random source is given', async () => {
    const clock = fakeClock();
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      await withRetry(failing([throttled()], 'done'), { budgetMs: 10_000, clock });
    } finally {
      random.mockRestore();
    }

    expect(clock.sleeps).toEqual([25]);
  });
});

describe('polling until a write reads back', () => {
  const options = (clock: Clock, budgetMs = 10_000): RetryOptions => ({ budgetMs, clock, random: HALF });

  it('answers ok on the first check that passes, counting the checks', async () => {
    const clock = fakeClock();
    const answers = [false, false, true];
    const check = jest.fn(() => Promise.resolve(answers.shift() ?? false));

    await expect(pollUntil(check, options(clock))).resolves.toEqual({ ok: true, attempts: 3 });
    expect(clock.sleeps).toEqual([25, 50]);
  });

  it('counts a retryable read error as not yet', async () => {
    const clock = fakeClock();
    let calls = 0;
    const check = () => (++calls === 1 ? Promise.reject(throttled()) : Promise.resolve(true));

    await expect(pollUntil(check, options(clock))).resolves.toEqual({ ok: true, attempts: 2 });
  });

  it('throws on a read error that is not retryable', async () => {
    const clock = fakeClock();

    await expect(pollUntil(() => Promise.reject(failure('access-denied')), options(clock))).rejects.toEqual(
      expect.objectContaining({ name: 'RetriesExhausted', attempts: 1 }),
    );
    expect(clock.sleeps).toEqual([]);
  });

  it('answers not ok when the budget runs out, after the last delay that fits exactly', async () => {
    const clock = fakeClock();

    await expect(pollUntil(() => Promise.resolve(false), options(clock, 175))).resolves.toEqual({
      ok: false,
      attempts: 4,
    });
    expect(clock.sleeps).toEqual([25, 50, 100]);
    expect(clock.elapsed()).toBe(175);
  });
});

describe('which failures are retryable', () => {
  it('retries throttling and transient failures only, and only from AWS calls', () => {
    expect(isRetryable(failure('throttled'))).toBe(true);
    expect(isRetryable(failure('transient'))).toBe(true);
    expect(isRetryable(failure('not-found'))).toBe(false);
    expect(isRetryable(failure('access-denied'))).toBe(false);
    expect(isRetryable(failure('invalid'))).toBe(false);
    expect(isRetryable(new Error('throttled'))).toBe(false);
    expect(isRetryable({ retryable: true })).toBe(false);
  });
});
