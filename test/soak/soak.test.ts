/**
 * The watchdog soak in CI: 1,000 mixed events with faults on 10% of the AWS calls (see soak.ts), then
 * every invariant must hold. `npm run soak -- --events 10000` runs a larger one.
 */
import { setForwardWeights } from '../emulator/elbv2-fixtures';
import { runSoak, type SoakReport } from './soak';

const EVENTS = Number(process.env.SOAK_EVENTS ?? '1000');
const SEED = Number(process.env.SOAK_SEED ?? '42');

function failed(report: SoakReport): string[] {
  return report.invariants.filter((i) => !i.passed).map((i) => `${i.name}: ${i.detail}`);
}

describe('the watchdog soak', () => {
  it(`keeps every invariant through ${EVENTS} mixed events under random faults (seed ${SEED})`, async () => {
    const report = await runSoak({ events: EVENTS, seed: SEED, faultRate: 0.1 });

    // The run exercised what it claims to: every kind of event, faults, concurrency's duplicates
    expect(report.eventsByKind).toEqual(
      expect.objectContaining({
        alarm: expect.any(Number),
        duplicate: expect.any(Number),
        manual: expect.any(Number),
        capture: expect.any(Number),
        malformed: expect.any(Number),
        'health-breach': expect.any(Number),
        acknowledge: expect.any(Number),
        status: expect.any(Number),
      }),
    );
    expect(report.faultsInjected.total).toBeGreaterThan(0);
    expect(report.rollbacks.completed).toBeGreaterThan(0);
    expect(report.duplicatesSuppressed).toBeGreaterThan(0);
    // ... and nothing went wrong
    expect(failed(report)).toEqual([]);
    expect(report.thrown.unhandled).toBe(0);
    expect(report.invariants.map((i) => i.name)).toEqual([
      'at most one rollback per breach',
      'every decision audited',
      'nothing thrown unhandled',
      'malformed events rejected with no AWS call',
      'pending work finished by one fault-free redelivery',
      'no listener sent to a target group without healthy targets',
      'traffic on the captured state after every completed rollback',
      'final live state equals the captured state (rolled back) or the deployed one (not rolled back)',
    ]);
  }, 240_000);

  it('reports a broken final state: the invariant checks can fail', async () => {
    // Given a short soak after which something outside the watchdog moves every listener to green
    const report = await runSoak({
      events: 40,
      seed: 7,
      faultRate: 0,
      beforeChecks: async (world) => {
        for (const pair of world.pairs) await setForwardWeights(world.elbv2, pair, 1, 1);
      },
    });

    // Then the final-state invariant fails and says which listener serves what
    expect(failed(report)).toEqual([
      expect.stringMatching(/^final live state .*: 1: release r\d+ .*serves .*=1/),
    ]);
  }, 60_000);

  it('refuses settings that cannot run, naming them', async () => {
    await expect(runSoak({ events: 0, seed: 1, faultRate: 0.1 })).rejects.toThrow(
      'soak: events must be a positive integer, got 0',
    );
    await expect(runSoak({ events: 10, seed: 1, faultRate: 1.5 })).rejects.toThrow(
      'soak: faultRate must be from 0 to 1, got 1.5',
    );
  });
});
