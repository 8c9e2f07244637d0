/**
 * Retrying inside a time budget, with exponential backoff and full jitter. Only failures an adapter
 * marked retryable (throttling, 5xx, dropped connections) are tried again; the SDK has already made
 * its own attempts by then, so this is the slower, outer loop.
 */
import { AwsCallError } from '../ports';

/** Time, injected so tests control it. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface RetryOptions {
  readonly budgetMs: number;
  readonly clock: Clock;
  /** @default 50 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  /** @default Math.random */
  readonly random?: () => number;
}

/** A call that failed for good: the last error and how many attempts it took. */
export class RetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(lastError instanceof Error ? lastError.message : String(lastError));
    this.name = 'RetriesExhausted';
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof AwsCallError && error.retryable;
}

/** Calls `fn` until it succeeds, fails for good, or the budget runs out. */
export async function withRetry<T>(
  fn: () => Promise<T>,
  options: RetryOptions,
): Promise<{ value: T; attempts: number }> {
  const deadline = options.clock.now() + options.budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(), attempts: attempt };
    } catch (error) {
      const delay = backoff(attempt, options);
      if (!isRetryable(error) || options.clock.now() + delay > deadline)
        throw new RetriesExhausted(attempt, error);
      await options.clock.sleep(delay);
    }
  }
}

/**
 * Polls `check` until it returns true or the budget runs out; retryable read errors count as "not
 * yet". Used to verify a write by reading it back (reads may lag behind writes).
 */
export async function pollUntil(
  check: () => Promise<boolean>,
  options: RetryOptions,
): Promise<{ ok: boolean; attempts: number }> {
  const deadline = options.clock.now() + options.budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      if (await check()) return { ok: true, attempts: attempt };
    } catch (error) {
      if (!isRetryable(error)) throw new RetriesExhausted(attempt, error);
    }
    const delay = backoff(attempt, options);
    if (options.clock.now() + delay > deadline) return { ok: false, attempts: attempt };
    await options.clock.sleep(delay);
  }
}

function backoff(attempt: number, options: RetryOptions): number {
  const ceiling = Math.min(options.maxDelayMs ?? 2000, (options.baseDelayMs ?? 50) * 2 ** (attempt - 1));
  return Math.floor((options.random ?? Math.random)() * ceiling);
}
