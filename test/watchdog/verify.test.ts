/**
 * Verified rollbacks, with in-memory ports: smoke checks against production, the protected alarms
 * (now, or by a deadline the schedule tick watches), and the live state against the manifest.
 */
import { handleTrigger } from '../../lambdas/watchdog/engine/rollback';
import { continueVerification } from '../../lambdas/watchdog/engine/verify';
import { ALARM } from './fakes';
import { minutes } from './fixtures';
import { killSwitchWorld } from './kill-switch-world';

const PRODUCTION_URL = 'https://shop.example.com/health';
const FLAG = '/checkout/config';

function world() {
  const w = killSwitchWorld({
    parameters: [{ name: FLAG }],
    verification: { checks: [{ kind: 'http', url: PRODUCTION_URL }], alarmsOkWithinMinutes: 10 },
  });
  w.parameters.put(FLAG, 'v1');
  return w;
}

/** A release on green that changed the parameter, captured before. */
async function released(w: ReturnType<typeof world>) {
  await w.capture();
  w.shiftToGreen();
  w.parameters.put(FLAG, 'v2');
  w.clock.advance(minutes(1));
}

const manualRollback = { kind: 'rollback' as const, reason: 'bad', requestedBy: 'alice', dryRun: false };

describe('verification after a rollback', () => {
  it('is verified at once when the checks pass, the alarms are OK and the live state is the manifest', async () => {
    const w = world();
    await released(w);

    const outcome = await handleTrigger(w.context(), manualRollback);

    const rollback = w.records().find((r) => r.decision === 'rollback');
    const verify = w.records().find((r) => r.decision === 'verify');
    expect(rollback?.verification).toMatchObject({ status: 'pending', readBack: true });
    expect(verify).toMatchObject({
      outcome: 'verified',
      follows: outcome.decisionId,
      verification: { status: 'verified', alarmsNotOk: [], diff: [], smokeChecks: [{ passed: true }] },
    });
    expect(w.checks.calls).toEqual([PRODUCTION_URL]);
    // The first notification is the rollback's; the second says it was verified
    expect(w.published.map((p) => p.subject)).toEqual([
      '[switchback] checkout: rolled back release r1',
      '[switchback] checkout: rolled back and verified, release r1',
    ]);
    expect(w.state().verifying).toBeUndefined();
  });

  it('fails, with a second page naming the check, when a smoke check fails', async () => {
    const w = world();
    await released(w);
    w.checks.answers.set(PRODUCTION_URL, 503);

    await handleTrigger(w.context(), manualRollback);

    const verify = w.records().find((r) => r.decision === 'verify');
    expect(verify).toMatchObject({ outcome: 'verification-failed', verification: { status: 'failed' } });
    expect(verify?.reason).toContain(`smoke check http ${PRODUCTION_URL} failed`);
    expect(w.published).toHaveLength(2);
    expect(w.published[1]?.subject).toBe(
      '[switchback] checkout: rollback of release r1 NOT verified, action needed',
    );
  });

  it('waits for alarms still in ALARM, then is verified on the tick once they are OK', async () => {
    const w = world();
    await released(w);

    // When the alarm breaches and the rollback is done, the alarm is still in ALARM
    const outcome = await handleTrigger(w.context(), w.breach());

    // Then the verification is pending with a deadline, and nothing more is recorded yet
    expect(w.state().verifying).toMatchObject({
      releaseId: 'r1',
      decisionId: outcome.decisionId,
      alarmsOkBy: new Date(w.clock.now() + minutes(10)).toISOString(),
    });
    expect(w.records().filter((r) => r.decision === 'verify')).toEqual([]);
    w.clock.advance(minutes(2));
    expect(await continueVerification(w.context(), w.state())).toMatchObject({
      status: 'pending',
      verification: { alarmsNotOk: [`${ALARM} (ALARM)`] },
    });

    // When the alarm recovers
    w.alarms.set(ALARM, 'OK');
    const verified = await continueVerification(w.context(), w.state());

    expect(verified).toMatchObject({ status: 'verified', follows: outcome.decisionId });
    expect(w.records().find((r) => r.decision === 'verify')).toMatchObject({ outcome: 'verified' });
    expect(w.state().verifying).toBeUndefined();
  });

  it('fails after the deadline, naming the alarms still not OK', async () => {
    const w = world();
    await released(w);
    await handleTrigger(w.context(), w.breach());
    w.clock.advance(minutes(11));

    const failed = await continueVerification(w.context(), w.state());

    expect(failed).toMatchObject({ status: 'failed', trafficRollbackFollows: false });
    const verify = w.records().find((r) => r.decision === 'verify');
    expect(verify?.reason).toContain(`alarms not OK by`);
    expect(verify?.reason).toContain(`${ALARM} (ALARM)`);
    expect(w.published.at(-1)?.subject).toContain('NOT verified');
    expect(w.state().verifying).toBeUndefined();
    // A normal rollback that fails verification is a person's to look at: nothing more moves
    expect(w.state().unfinished).toBeUndefined();
  });

  it('finds a parameter someone changed back after the rollback', async () => {
    const w = world();
    await released(w);
    await handleTrigger(w.context(), w.breach());
    expect(w.parameters.valueOf(FLAG)).toBe('v1');

    // Someone writes the release's value again; the alarm recovers
    w.parameters.put(FLAG, 'v2');
    w.alarms.set(ALARM, 'OK');
    const outcome = await continueVerification(w.context(), w.state());

    expect(outcome).toMatchObject({
      status: 'failed',
      verification: { diff: [`parameter ${FLAG} is not the value of version 1`] },
    });
  });

  it('drops a pending verification whose release was acknowledged (no longer latched)', async () => {
    const w = world();
    await released(w);
    await handleTrigger(w.context(), w.breach());
    const { latched: _gone, ...acknowledged } = w.state();
    await w.setState(acknowledged);

    expect(await continueVerification(w.context(), w.state())).toBeUndefined();
    expect(w.state().verifying).toBeUndefined();
    expect(w.records().filter((r) => r.decision === 'verify')).toEqual([]);
  });
});
