/**
 * Soak time: a virtual clock that moves only when a run sleeps on it or the driver jumps it (time
 * passing between events). Real time never leaks in, so a slow or loaded machine (another process, a
 * GC pause) cannot expire a live run's lock lease, end a lock wait early, close a stale-read window or
 * end a cooldown: a seed means the same times on any machine. The watchdog and the emulator share it;
 * cooldowns and evaluation windows are crossed by a jump instead of by waiting.
 */
import type { Clock } from '../../lambdas/watchdog/engine/retry';

/** A clock for the watchdog (`now`, `sleep`) and the emulator (`now`). */
export class SoakClock implements Clock {
  private time: number;

  /**
   * @param origin epoch milliseconds the soak starts at
   * @param scale how much shorter a sleep is in real time than on this clock: a sleep still takes
   *   some real time, so that concurrent runs interleave while one of them backs off
   */
  constructor(
    origin: number,
    private readonly scale: number,
  ) {
    if (!(scale >= 1)) throw new Error(`SoakClock: scale must be at least 1, got ${scale}`);
    this.time = origin;
  }

  readonly now = (): number => this.time;

  /**
   * Waits `ms` of soak time: the clock is at least `now() + ms` when it resolves. Concurrent sleeps
   * overlap (two runs sleeping 100 ms at once move the clock by 100 ms, not 200), and the clock never
   * goes back when a shorter sleep ends after a longer one.
   */
  readonly sleep = async (ms: number): Promise<void> => {
    const wait = Math.max(0, ms);
    const wakeAt = this.time + wait;
    await new Promise((resolve) => setTimeout(resolve, wait / this.scale));
    this.time = Math.max(this.time, wakeAt);
  };

  /** Moves time forward at once (time passing between events). */
  jump(ms: number): void {
    this.time += ms;
  }
}
