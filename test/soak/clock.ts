/**
 * Soak time: real time sped up by a factor, plus jumps the driver makes between events. The
 * watchdog and the emulator share it, so a backoff of 2 s takes 100 ms at 20x, stale-read windows
 * and lock leases shrink alike, and cooldowns or evaluation windows are crossed by a jump instead
 * of by waiting.
 */
import type { Clock } from '../../lambdas/watchdog/engine/retry';

/** A clock for the watchdog (`now`, `sleep`) and the emulator (`now`), sped up by `scale`. */
export class SoakClock implements Clock {
  private readonly startedAt = performance.now();
  private jumpedMs = 0;

  /**
   * @param origin epoch milliseconds the soak starts at
   * @param scale how much faster than real time the clock runs
   */
  constructor(
    private readonly origin: number,
    private readonly scale: number,
  ) {
    if (!(scale >= 1)) throw new Error(`SoakClock: scale must be at least 1, got ${scale}`);
  }

  readonly now = (): number =>
    Math.floor(this.origin + this.jumpedMs + (performance.now() - this.startedAt) * this.scale);

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, Math.max(0, ms) / this.scale));

  /** Moves time forward at once (time passing between events). */
  jump(ms: number): void {
    this.jumpedMs += ms;
  }
}
