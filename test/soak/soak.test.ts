/**
 * The watchdog soak in CI: 1,000 mixed events with faults on 10% of the AWS calls (see soak.ts), then
 * every invariant must hold. `npm run soak -- --events 10000` runs a larger one.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { decisionRecordKey } from '../../lib';
import { setForwardWeights } from '../emulator/elbv2-fixtures';
import { runSoak, type SoakReport } from './soak';

const EVENTS = Number(process.env.SOAK_EVENTS ?? '1000');
const SOAK_TIMEOUT_MS = 240_000;
const SEED = Number(process.env.SOAK_SEED ?? '42');

/** Failed invariants, each with its trace (when it has one) and the command that re-runs the soak. */
function failed(report: SoakReport): string[] {
  return report.invariants
    .filter((i) => !i.passed)
    .map((i) => [`${i.name}: ${i.detail}`, ...(i.trace ?? []), `re-run: ${report.rerun}`].join('\n'));
}

describe('the watchdog soak', () => {
  it(
    `keeps every invariant through ${EVENTS} mixed events under random faults (seed ${SEED})`,
    async () => {
      // On a loaded machine the run can outlast the test's time. Stop it a little before jest gives up,
      // so runSoak closes its emulator instead of running on after the test (a leaked worker).
      const deadline = Date.now() + SOAK_TIMEOUT_MS - 10_000;
      const report = await runSoak({
        events: EVENTS,
        seed: SEED,
        faultRate: 0.1,
        onProgress: (done, total) => {
          if (Date.now() > deadline) throw new Error(`soak: out of time after ${done} of ${total} events`);
        },
      });

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
    },
    SOAK_TIMEOUT_MS,
  );

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

  it('traces a breach rolled back twice: its deliveries, their store operations, and how to re-run', async () => {
    // Given a short soak after which the audit record of a manual rollback is there twice
    let copied = '';
    const report = await runSoak({
      events: 60,
      seed: 7,
      faultRate: 0,
      beforeChecks: async (world) => {
        // (a request with a requestId: one without is a new request at every delivery)
        const withReceipt = new Set(
          world.emulator.s3
            .keys(world.bucket)
            .flatMap((key) => /\/events\/manual-soak-manual-(\d+)\.json$/.exec(key)?.[1] ?? [])
            .map((id) => `soak manual #${Number(id)}`),
        );
        const [record] = (await world.auditRecords()).filter(
          (r) =>
            r.outcome === 'rolled-back' &&
            r.trigger.kind === 'rollback' &&
            withReceipt.has(r.trigger.reason ?? ''),
        );
        copied = record.decisionId;
        const copy = { ...record, decisionId: 'inv-999999' };
        await world.s3.send(
          new PutObjectCommand({
            Bucket: world.bucket,
            Key: decisionRecordKey(record.service, copy.decidedAt, copy.decisionId),
            Body: JSON.stringify(copy),
          }),
        );
      },
    });

    // Then "at most one rollback per breach" fails, naming both decisions, and traces the breach
    const [invariant] = report.invariants.filter((i) => !i.passed);
    expect(invariant.name).toBe('at most one rollback per breach');
    expect(invariant.detail).toMatch(
      new RegExp(`^1: manual\\|soak manual #\\d+: 2 rollbacks \\(.*${copied}`),
    );
    expect(invariant.trace).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^breach manual\|soak manual #\d+:$/),
        expect.stringMatching(/^ {2}origin #\d+ manual, event id /),
        expect.stringMatching(new RegExp(`^ {4}#\\d+ manual, batch \\d+ .*: rolled-back ${copied}$`)),
        expect.stringMatching(/^ {6}\d+ put lock\.json if-(none-)?match \{held by inv-\d+\} -> ok$/),
        expect.stringMatching(/^ {6}\d+ put decisions\/.* \{rollback\/rolled-back r\d+\} -> ok$/),
      ]),
    );
    expect(report.rerun).toBe(
      'npm run soak -- --events 60 --seed 7 --fault-rate 0 --time-scale 20 --concurrency 4',
    );
  }, 60_000);

  it('stops when its progress callback throws, ending the run (the timeout above relies on it)', async () => {
    let calls = 0;
    await expect(
      runSoak({
        events: 200,
        seed: 3,
        faultRate: 0.1,
        onProgress: (done) => {
          calls++;
          if (done >= 5) throw new Error('stop here');
        },
      }),
    ).rejects.toThrow('stop here');
    expect(calls).toBeLessThan(10);
  });

  it('refuses settings that cannot run, naming them', async () => {
    await expect(runSoak({ events: 0, seed: 1, faultRate: 0.1 })).rejects.toThrow(
      'soak: events must be a positive integer, got 0',
    );
    await expect(runSoak({ events: 10, seed: 1, faultRate: 1.5 })).rejects.toThrow(
      'soak: faultRate must be from 0 to 1, got 1.5',
    );
  });
});
