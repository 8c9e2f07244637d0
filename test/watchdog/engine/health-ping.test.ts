import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpProbe, runHealthPings, type Probe } from '../../../lambdas/watchdog/engine/health-ping';
import type { Clock } from '../../../lambdas/watchdog/engine/retry';

const A = 'https://checkout.example.com/health';
const B = 'https://checkout.example.com/ready';
const SETTINGS = { urls: [A, B], intervalSeconds: 5, failuresToBreach: 3, timeoutMs: 2000 };

/** A clock that moves only when the pinger sleeps, or by `probeMs` for each round of probes. */
function fakeClock(start = 1_000_000): Clock & { readonly sleeps: number[]; advance(ms: number): void } {
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
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A probe that answers each round from `rounds` (healthy URLs per round), then all healthy. */
function probeByRound(
  rounds: readonly (readonly string[])[],
  urls = SETTINGS.urls,
): Probe & { calls: number } {
  let calls = 0;
  const probe = (url: string) => {
    const round = Math.floor(calls / urls.length);
    calls++;
    const healthy = rounds[round] ?? urls;
    return Promise.resolve(healthy.includes(url));
  };
  return Object.assign(probe, {
    get calls() {
      return calls;
    },
  });
}

describe('health pings', () => {
  const T = 1_000_000;

  it('breaches after the configured consecutive failed rounds, naming the failing URLs', async () => {
    const clock = fakeClock(T);
    const probe = probeByRound([[B], [A], [A]]);

    const result = await runHealthPings(SETTINGS, probe, clock, T + 60_000);

    expect(result).toEqual({
      breached: true,
      rounds: 3,
      consecutiveFailures: 3,
      breachedAt: T + 10_000,
      detail: `3 consecutive failed rounds; failing: ${B}`,
    });
    expect(clock.sleeps).toEqual([5000, 5000]);
  });

  it('starts counting again after a healthy round', async () => {
    const clock = fakeClock(T);
    const probe = probeByRound([[], [], [A, B], [], []]);

    const result = await runHealthPings(SETTINGS, probe, clock, T + 24_000);

    expect(result).toEqual({
      breached: false,
      rounds: 5,
      consecutiveFailures: 2,
      detail: '5 rounds, 2 failing at the end',
    });
  });

  it('counts a probe that throws as a failure', async () => {
    const clock = fakeClock(T);
    const probe: Probe = () => Promise.reject(new Error('connection refused'));

    const result = await runHealthPings({ ...SETTINGS, failuresToBreach: 1 }, probe, clock, T + 60_000);

    expect(result).toEqual(
      expect.objectContaining({
        breached: true,
        rounds: 1,
        detail: `1 consecutive failed rounds; failing: ${A}, ${B}`,
      }),
    );
  });

  it('probes every URL with the timeout', async () => {
    const probe = jest.fn<Promise<boolean>, [string, number]>(() => Promise.resolve(true));

    await runHealthPings(SETTINGS, probe, fakeClock(T), T + 2001);

    expect(probe.mock.calls).toEqual([
      [A, 2000],
      [B, 2000],
    ]);
  });

  it('starts no round that could not finish before the deadline', async () => {
    const probe = jest.fn(() => Promise.resolve(true));

    // now + timeout must stay below the deadline: exactly at it, no round starts.
    const none = await runHealthPings(SETTINGS, probe, fakeClock(T), T + 2000);

    expect(none).toEqual({
      breached: false,
      rounds: 0,
      consecutiveFailures: 0,
      detail: '0 rounds, 0 failing at the end',
    });
    expect(probe).not.toHaveBeenCalled();
  });

  it('waits only the rest of the interval after a slow round, and not at all after one longer than it', async () => {
    const clock = fakeClock(T);
    let round = 0;
    const slow: Probe = () => {
      // The first round's probes take 1.5 s, the second's 6 s (longer than the interval).
      clock.advance(round === 0 ? 750 : 3000);
      return Promise.resolve(true);
    };
    const counted: Probe = (url, timeout) =>
      slow(url, timeout).finally(() => {
        if (url === B) round++;
      });

    const result = await runHealthPings(SETTINGS, counted, clock, T + 13_000);

    expect(clock.sleeps).toEqual([3500]);
    expect(result.rounds).toBe(2);
  });

  it('does not sleep after a round that took exactly the interval', async () => {
    const clock = fakeClock(T);
    const exact: Probe = () => {
      clock.advance(2500);
      return Promise.resolve(true);
    };

    const result = await runHealthPings(SETTINGS, exact, clock, T + 7000);

    expect(result.rounds).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('the HTTP probe', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const status = Number(req.url?.slice(1));
      // A redirect to a failing page: followed, it would read as unhealthy.
      res.writeHead(status, status === 301 ? { location: '/500' } : {});
      res.end('body');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    [200, true],
    [204, true],
    [301, true],
    [399, true],
    [400, false],
    [404, false],
    [500, false],
  ])('takes HTTP %i as healthy: %s (a redirect is not followed)', async (status, healthy) => {
    await expect(httpProbe(`${base}/${status}`, 2000)).resolves.toBe(healthy);
  });
});
