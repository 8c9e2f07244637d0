/**
 * A health-ping run: probe the configured URLs every few seconds for most of one invocation; the
 * configured number of consecutive failed rounds is a breach. A round fails when any URL fails.
 */
import type { WatchdogConfig } from '../../../lib';
import type { Clock } from './retry';

/** Probes one URL; resolves true when healthy (a 2xx or 3xx in time). */
export type Probe = (url: string, timeoutMs: number) => Promise<boolean>;

export interface PingResult {
  readonly breached: boolean;
  readonly rounds: number;
  readonly consecutiveFailures: number;
  readonly breachedAt?: number;
  readonly detail: string;
}

export async function runHealthPings(
  healthPing: NonNullable<WatchdogConfig['healthPing']>,
  probe: Probe,
  clock: Clock,
  /** Stop probing this long before the invocation's deadline. */
  deadline: number,
): Promise<PingResult> {
  let rounds = 0;
  let consecutiveFailures = 0;
  let lastFailed: string[] = [];
  while (clock.now() + healthPing.timeoutMs < deadline) {
    const roundStarted = clock.now();
    rounds++;
    const results = await Promise.all(
      healthPing.urls.map(async (url) => ({
        url,
        healthy: await probe(url, healthPing.timeoutMs).catch(() => false),
      })),
    );
    lastFailed = results.filter((r) => !r.healthy).map((r) => r.url);
    consecutiveFailures = lastFailed.length > 0 ? consecutiveFailures + 1 : 0;
    if (consecutiveFailures >= healthPing.failuresToBreach) {
      return {
        breached: true,
        rounds,
        consecutiveFailures,
        breachedAt: clock.now(),
        detail: `${consecutiveFailures} consecutive failed rounds; failing: ${lastFailed.join(', ')}`,
      };
    }
    const wait = roundStarted + healthPing.intervalSeconds * 1000 - clock.now();
    if (wait > 0) await clock.sleep(wait);
  }
  return {
    breached: false,
    rounds,
    consecutiveFailures,
    detail: `${rounds} rounds, ${consecutiveFailures} failing at the end`,
  };
}

/** The production probe: an HTTP GET with a timeout. */
export const httpProbe: Probe = async (url, timeoutMs) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  await response.body?.cancel();
  return response.status >= 200 && response.status < 400;
};
