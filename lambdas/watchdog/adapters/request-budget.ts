/**
 * A client-side token bucket in front of a rate-limited API, shared by every call the container makes
 * to it: calls wait for a token (first come, first served) instead of being throttled by AWS and
 * retried into a storm. ELBv2 documents its Describe* bucket as 40 tokens refilled at 10 a second,
 * per account and region; other callers share that bucket, so a throttle from AWS empties ours too.
 */

/** Time for the budget (tests move it). */
export interface BudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface RequestBudgetOptions {
  /** Tokens when full (the burst). */
  readonly capacity: number;
  /** Tokens added per second. */
  readonly refillPerSecond: number;
  readonly clock?: BudgetClock;
}

/** Raised when a call gave up waiting for a token (its caller no longer needs the answer). */
export class BudgetWaitAborted extends Error {
  constructor() {
    super('gave up waiting for an API token: the answer is no longer needed');
    this.name = 'BudgetWaitAborted';
  }
}

export class RequestBudget {
  private tokens: number;
  private updatedAt: number;
  /** Waiters in arrival order; each resolves when it holds a token. */
  private readonly queue: { grant(): void }[] = [];
  private pumping = false;
  private readonly clock: BudgetClock;

  constructor(private readonly options: RequestBudgetOptions) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0)) {
      throw new Error(
        `a request budget needs capacity >= 1 and refillPerSecond > 0 (got ${options.capacity}, ${options.refillPerSecond})`,
      );
    }
    this.clock = options.clock ?? {
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
    this.tokens = options.capacity;
    this.updatedAt = this.clock.now();
  }

  /** Waits for a token. Rejects with {@link BudgetWaitAborted} if `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new BudgetWaitAborted());
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) {
          this.queue.splice(at, 1);
          reject(new BudgetWaitAborted());
        }
      };
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.pump();
    });
  }

  /** AWS throttled a call anyway (someone else spends the same bucket): assume ours is empty. */
  throttled(): void {
    this.refill();
    this.tokens = 0;
  }

  /** Tokens available now (for tests and logs). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.clock.now();
    const added = ((now - this.updatedAt) / 1000) * this.options.refillPerSecond;
    this.tokens = Math.min(this.options.capacity, this.tokens + added);
    this.updatedAt = now;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        this.refill();
        if (this.tokens >= 1) {
          this.tokens -= 1;
          this.queue.shift()?.grant();
          continue;
        }
        const waitMs = Math.ceil(((1 - this.tokens) / this.options.refillPerSecond) * 1000);
        await this.clock.sleep(Math.max(1, waitMs));
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** ELBv2's documented Describe* bucket: 40 tokens, 10 a second. */
export const ELBV2_DESCRIBE_BUDGET = { capacity: 40, refillPerSecond: 10 } as const;
