import { BudgetWaitAborted, RequestBudget } from '../../lambdas/watchdog/adapters/request-budget';

/** A clock whose sleeps move time forward after the callers already granted have run. */
function manualClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      await new Promise((resolve) => setImmediate(resolve));
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('the request budget (a client-side token bucket)', () => {
  it('grants the burst at once, then paces callers at the refill rate, first come first served', async () => {
    const clock = manualClock();
    const budget = new RequestBudget({ capacity: 40, refillPerSecond: 10, clock });
    const grantedAt: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => budget.take().then(() => (grantedAt[i] = clock.now()))),
    );
    expect(grantedAt.slice(0, 40).every((t) => t === 0)).toBe(true);
    // 10 more at 10 a second: the last one a second later, in arrival order.
    expect(grantedAt.slice(40)).toEqual([...grantedAt.slice(40)].sort((a, b) => a - b));
    expect(grantedAt[49]).toBeGreaterThanOrEqual(1000);
    expect(grantedAt[49]).toBeLessThanOrEqual(1010);
  });

  it('empties itself when AWS throttles anyway (someone else spends the same bucket)', () => {
    const clock = manualClock();
    const budget = new RequestBudget({ capacity: 40, refillPerSecond: 10, clock });
    budget.throttled();
    expect(budget.available()).toBe(0);
    clock.advance(500);
    expect(budget.available()).toBeCloseTo(5);
  });

  it('lets a waiter give up: an aborted wait rejects and spends no token', async () => {
    const clock = manualClock();
    const budget = new RequestBudget({
      capacity: 1,
      refillPerSecond: 1,
      clock: { ...clock, sleep: () => new Promise(() => undefined) },
    });
    await budget.take();
    const abort = new AbortController();
    const waiting = budget.take(abort.signal);
    abort.abort();
    await expect(waiting).rejects.toBeInstanceOf(BudgetWaitAborted);
    await expect(budget.take(abort.signal)).rejects.toBeInstanceOf(BudgetWaitAborted);
  });

  it('refuses a budget that could never grant a token', () => {
    expect(() => new RequestBudget({ capacity: 0, refillPerSecond: 10 })).toThrow(
      /capacity >= 1 and refillPerSecond > 0/,
    );
  });
});
