/**
 * The CLI over a release that shifts traffic in steps: `pause`, `resume`, `promote` (skip the rest),
 * `rollback` during a shift, and what `status` shows of it, against the real watchdog runtime on the
 * emulator, with one hand-moved clock shared by the watchdog and the CLI.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ShiftingPlan } from '../../lib';
import { setForwardWeights } from '../emulator/elbv2-fixtures';
import { useEmulator } from '../emulator/testing';
import type { World } from '../watchdog/harness';
import { FUNCTION, cli, deployedWorld, type CliRunOptions } from './harness';

const emulator = useEmulator();

const PLAN: ShiftingPlan = {
  steps: [
    { weightPercent: 10, bakeMinutes: 5 },
    { weightPercent: 50, bakeMinutes: 5 },
    { weightPercent: 100, bakeMinutes: 5 },
  ],
  promote: true,
};

/** A world with a shifting plan, release r1 captured, and its shift at the first step (10%). */
async function shiftingWorld(options: { plan?: ShiftingPlan } = {}) {
  let time = Date.UTC(2026, 0, 1);
  const clock = {
    now: () => time,
    sleep: async (ms: number) => {
      time += ms;
    },
  };
  const world = await deployedWorld(emulator(), {
    listeners: 1,
    clock,
    extraConfig: { shifting: options.plan ?? PLAN },
  });
  world.setAlarm('checkout-5xx', 'OK');
  const run = (argv: string[], more: CliRunOptions = {}) =>
    cli(world.emulator, [...argv, '--function', FUNCTION], { now: clock.now, ...more });
  const advanceMinutes = (minutes: number) => {
    time += minutes * 60_000;
  };
  expect((await run(['capture', '--release', 'r1'])).code).toBe(0);
  advanceMinutes(1);
  await tick(world);
  expect(await world.weights()).toEqual([[90, 10]]);
  return { world, run, advanceMinutes, clock };
}

async function tick(world: World): Promise<void> {
  const answer = (await world.invoke({ action: 'tick' })) as { status: string };
  expect(answer.status).toBe('ok');
}

function invokes(world: World): number {
  return world.emulator.requestLog.entries().filter((entry) => entry.action === 'Invoke').length;
}

describe('switchback pause and resume', () => {
  it('pauses the shift through the watchdog, shows who paused, and resumes it, audited', async () => {
    const { world, run } = await shiftingWorld();

    const paused = await run(['pause', '--reason', 'latency looks odd', '--json']);
    const status = await run(['status']);
    const resumed = await run(['resume', '--reason', 'latency was the CDN', '--requested-by', 'bob']);
    const history = await run(['history']);

    expect(paused.code).toBe(0);
    expect(paused.json()).toEqual({
      service: 'checkout',
      action: 'pause',
      releaseId: 'r1',
      phase: 'paused',
      candidateWeightPercent: 10,
      decisionId: expect.any(String),
      requestedBy: expect.stringMatching(/^alice@/),
      reason: 'latency looks odd',
    });
    expect(status.stdout).toMatch(
      /shift\s+release r1 paused: candidate at 10% \(step 1 of 3\) by alice@\S+ just now: "latency looks odd"/,
    );
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('resumed the shift of release r1 at 10%');
    expect(history.stdout).toMatch(/resume by bob \(user\/emulator, verified\)\s+r1\s+resumed/);
    expect(history.stdout).toMatch(/pause by alice@\S+ \(user\/emulator, verified\)\s+r1\s+paused/);
    expect(await world.weights()).toEqual([[90, 10]]);
  });

  it('takes no step while paused, and goes on once resumed', async () => {
    const { world, run, advanceMinutes } = await shiftingWorld();
    expect((await run(['pause', '--reason', 'hold on'])).code).toBe(0);

    advanceMinutes(6);
    await tick(world);
    const whilePaused = await world.weights();
    expect((await run(['resume', '--reason', 'go on'])).code).toBe(0);
    await tick(world);

    expect(whilePaused).toEqual([[90, 10]]);
    expect(await world.weights()).toEqual([[50, 50]]);
  });

  it('refuses to resume a shift that is not paused, naming the phase and what is allowed, without an invoke', async () => {
    const { world, run } = await shiftingWorld();
    world.emulator.requestLog.clear();

    const result = await run(['resume', '--reason', 'go']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'cannot resume: the shift of release r1 is shifting (step 1 of 3, candidate at 10%). resume is allowed while a shift is paused. It is not paused: nothing to resume.',
    );
    expect(invokes(world)).toBe(0);
  });

  it('refuses to pause a release that shifts no traffic in steps, without an invoke', async () => {
    const world = await deployedWorld(emulator(), { listeners: 1 });
    expect((await cli(world.emulator, ['capture', '--function', FUNCTION, '--release', 'r1'])).code).toBe(0);
    world.emulator.requestLog.clear();

    const result = await cli(world.emulator, ['pause', '--function', FUNCTION, '--reason', 'x']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'cannot pause: checkout has no traffic shift in progress (release r1 shifts no traffic in steps (its configuration has no shifting plan))',
    );
    expect(invokes(world)).toBe(0);
  });

  it('requires a reason before any AWS call', async () => {
    const emu = emulator();

    const pause = await cli(emu, ['pause', '--function', FUNCTION]);
    const resume = await cli(emu, ['resume', '--function', FUNCTION, '--reason', '  ']);

    expect([pause.code, resume.code]).toEqual([2, 2]);
    expect(pause.stderr).toContain('--reason is required, 1-500 characters');
    expect(resume.stderr).toContain('--reason is required, 1-500 characters');
    expect(emu.requestLog.count()).toBe(0);
  });

  it("exits 1 with the watchdog's reason when the shift changed between the read and the invoke", async () => {
    const { world, run } = await shiftingWorld();
    // Another operator pauses just before this one's request reaches the watchdog.
    world.emulator.lambda.registerHandler(FUNCTION, async (event) => {
      await world.invoke({ action: 'pause', requestedBy: 'carol', reason: 'first' });
      return world.invoke(event);
    });

    const result = await run(['pause', '--reason', 'second']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /the watchdog rejected the request: pause refused: the shift of r1 is paused; pause is allowed when it is pre-traffic, shifting/,
    );
  });
});

describe('switchback promote during a shift', () => {
  it('asks on a terminal, and changes nothing when the operator declines', async () => {
    const { world, run } = await shiftingWorld();
    world.emulator.requestLog.clear();

    const declined = await run(['promote', '--reason', 'looks good'], { typed: 'n\n' });

    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain(
      'Promote release r1 of checkout now: the candidate goes from 10% to 100% and becomes the known-good color, skipping 2 remaining step(s) of [10% 5m] → 50% 5m → 100% 5m, then promote? [y/N]',
    );
    expect(declined.stderr).toContain('not confirmed: nothing changed.');
    expect(invokes(world)).toBe(0);
    expect(await world.weights()).toEqual([[90, 10]]);
  });

  it('skips the remaining steps when confirmed: the candidate takes all traffic and is known-good', async () => {
    const { world, run } = await shiftingWorld();

    const promoted = await run(['promote', '--reason', 'looks good'], { typed: 'yes\n' });
    const status = await run(['status', '--json']);

    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain(
      'promoted release r1: the candidate has 100% of the traffic and is the known-good color.',
    );
    expect(await world.weights()).toEqual([[0, 100]]);
    const { state } = status.json().services[0].status;
    expect(state.shift).toEqual(expect.objectContaining({ phase: 'promoted', candidateWeightPercent: 100 }));
    expect(state.promotion).toEqual(
      expect.objectContaining({ releaseId: 'r1', color: 'green', by: expect.stringMatching(/^alice@/) }),
    );
  });

  it('needs --yes where there is no terminal to ask, and promotes with it', async () => {
    const { world, run } = await shiftingWorld();
    world.emulator.requestLog.clear();

    const unconfirmed = await run(['promote', '--reason', 'ship it']);
    const unconfirmedInvokes = invokes(world);
    const confirmed = await run(['promote', '--reason', 'ship it', '--yes', '--json']);

    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('There is no terminal to confirm on: add --yes to promote.');
    expect(unconfirmedInvokes).toBe(0);
    expect(confirmed.code).toBe(0);
    expect(confirmed.json()).toEqual({
      service: 'checkout',
      action: 'promote',
      releaseId: 'r1',
      phase: 'promoted',
      candidateWeightPercent: 100,
      decisionId: expect.any(String),
      requestedBy: expect.stringMatching(/^alice@/),
      reason: 'ship it',
    });
  });

  it('requires a reason during a shift, and refuses --ack on a release that is not rolled back', async () => {
    const { world, run } = await shiftingWorld();
    world.emulator.requestLog.clear();

    const noReason = await run(['promote', '--yes']);
    const ack = await run(['promote', '--ack', '--reason', 'ship it']);

    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain(
      'release r1 is shifting traffic (shifting, step 1 of 3, candidate at 10%): promote skips the remaining steps and needs --reason',
    );
    expect(ack.code).toBe(1);
    expect(ack.stderr).toContain('release r1 is not rolled back: it is shifting traffic');
    expect(ack.stderr).toContain('run `switchback promote --reason "<why it is safe now>"` without --ack');
    expect(invokes(world)).toBe(0);
  });

  it('rolls back during a shift, and keeps the acknowledgement flow of promote after it', async () => {
    const { world, run } = await shiftingWorld();

    const rollback = await run(['rollback', '--reason', 'errors at 10%']);
    const preview = await run(['promote']);
    const status = await run(['status']);
    const ack = await run(['promote', '--ack', '--reason', 'fixed', '--json']);

    expect(rollback.code).toBe(0);
    expect(await world.weights()).toEqual([[100, 0]]);
    expect(status.stdout).toMatch(/shift\s+release r1 rolled back at step 1 of 3/);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/release r1 was rolled back .* and is held on the known-good color/);
    // A shifting release is declared at 0%: the acknowledgement lifts the hold, it does not shift again.
    expect(preview.stdout).toContain('keeps the candidate at 0% (a shift does not start again)');
    expect(ack.code).toBe(0);
    expect(ack.json()).toEqual(expect.objectContaining({ releaseId: 'r1', wasRolledBack: true }));
  });
});

describe('switchback status during a shift', () => {
  it('shows the plan with the current step marked, the time left in its bake, and the JSON the watchdog answers', async () => {
    const { run, advanceMinutes } = await shiftingWorld();
    advanceMinutes(2);

    const text = await run(['status']);
    const json = await run(['status', '--json']);

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /shift\s+release r1 shifting: candidate at 10% \(step 1 of 3\), bakes 3m more/,
    );
    expect(text.stdout).toContain('plan: [10% 5m] → 50% 5m → 100% 5m, then promote');
    const { status } = json.json().services[0];
    expect(status.shifting).toEqual(PLAN);
    expect(status.state.shift).toEqual(
      expect.objectContaining({
        releaseId: 'r1',
        phase: 'shifting',
        stepIndex: 0,
        candidateWeightPercent: 10,
      }),
    );
  });

  it('shows why a shift stopped when someone changed the weights by hand', async () => {
    const { world, run, advanceMinutes } = await shiftingWorld();
    await setForwardWeights(world.elbv2, world.pairs[0], 70, 30);
    advanceMinutes(6);
    await tick(world);

    const status = await run(['status']);
    const pause = await run(['pause', '--reason', 'x']);

    expect(status.stdout).toMatch(/shift\s+release r1 stopped at 10% \(step 1 of 3\)/);
    expect(status.stdout).toContain('the watchdog takes no more steps');
    expect(pause.code).toBe(1);
    expect(pause.stderr).toContain('cannot pause: the shift of release r1 is stopped');
    expect(await world.weights()).toEqual([[70, 30]]);
  });

  it('shows a rollback whose verification waits for the alarms, with its deadline', async () => {
    const { world, run } = await shiftingWorld();
    world.setAlarm('checkout-5xx', 'ALARM');
    expect((await run(['rollback', '--reason', 'errors'])).code).toBe(0);

    const text = await run(['status']);
    const json = await run(['status', '--json']);

    const { verifying } = json.json().services[0].status.state;
    expect(verifying).toEqual(expect.objectContaining({ releaseId: 'r1', alarmsOkBy: expect.any(String) }));
    expect(text.stdout).toContain(
      `verifying  the rollback of r1 (decision ${verifying.decisionId}) waits for every protected alarm to be OK by ${verifying.alarmsOkBy} (in 10m)`,
    );
  });
});

describe('switchback history of a shift', () => {
  it('shows shift steps, operator actions and the verification of a rollback', async () => {
    const { run } = await shiftingWorld();
    expect((await run(['pause', '--reason', 'look'])).code).toBe(0);
    expect((await run(['rollback', '--reason', 'errors'])).code).toBe(0);

    const table = await run(['history']);
    const json = await run(['history', '--json']);

    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/tick: shift\s+r1\s+shifted\s+-\s+\S+ applied/);
    expect(table.stdout).toMatch(/pause by alice@\S+ \(user\/emulator, verified\)\s+r1\s+paused/);
    expect(table.stdout).toMatch(/ verify r1 {2}verified \(follows \S+\)/);
    expect(table.stdout).toMatch(/read-back\s+listeners read back/);
    expect(table.stdout).toMatch(/diff\s+live state matches the manifest/);
    const verify = json.json().records.find((r: { decision: string }) => r.decision === 'verify');
    expect(verify.verification).toEqual(expect.objectContaining({ status: 'verified', readBack: true }));
  });

  it('spells out a failed verification and the kill switches a decision applied', async () => {
    const { world, run } = await shiftingWorld();
    const base = {
      schemaVersion: 1,
      service: 'checkout',
      releaseId: 'r1',
      checks: [],
      recoveryPoints: [],
      trigger: { kind: 'alarm', alarmName: 'checkout-5xx', alarmState: 'ALARM' },
    };
    const killSwitched = {
      ...base,
      decisionId: 'd-kill',
      decidedAt: '2026-01-01T00:03:00.000Z',
      startedAt: '2026-01-01T00:03:00.000Z',
      finishedAt: '2026-01-01T00:03:01.000Z',
      decision: 'kill-switch',
      outcome: 'kill-switched',
      steps: [
        {
          kind: 'kill-switch',
          target: '/checkout/new-cart',
          outcome: 'applied',
          attempts: 1,
          startedAt: '2026-01-01T00:03:00.000Z',
          durationMs: 40,
          detail: 'value off',
        },
      ],
    };
    const verification = {
      ...base,
      decisionId: 'd-verify',
      decidedAt: '2026-01-01T00:04:00.000Z',
      startedAt: '2026-01-01T00:04:00.000Z',
      finishedAt: '2026-01-01T00:04:02.000Z',
      trigger: { kind: 'tick' },
      decision: 'verify',
      outcome: 'verification-failed',
      follows: 'd-kill',
      steps: [],
      verification: {
        status: 'failed',
        readBack: true,
        smokeChecks: [
          { kind: 'http', target: 'https://shop.example.com/health', passed: true, durationMs: 20 },
          {
            kind: 'http',
            target: 'https://shop.example.com/cart',
            passed: false,
            durationMs: 30,
            detail: 'status 503, expected 200',
          },
        ],
        alarmsNotOk: ['checkout-5xx'],
        alarmsOkBy: '2026-01-01T00:13:00.000Z',
        diff: ['listener listener-0: forwards to green 100, the manifest says blue 100'],
        checkedAt: '2026-01-01T00:04:02.000Z',
      },
    };
    for (const record of [killSwitched, verification]) {
      await world.s3.send(
        new PutObjectCommand({
          Bucket: world.bucket,
          Key: `audit/checkout/decisions/${record.decidedAt.replace(/[:.]/g, '-')}-${record.decisionId}.json`,
          Body: JSON.stringify(record),
        }),
      );
    }

    const result = await run(['history']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/tick: verify\s+r1\s+verification-failed/);
    expect(result.stdout).toMatch(/alarm checkout-5xx ALARM\s+r1\s+kill-switched/);
    expect(result.stdout).toMatch(/kill switches\s+\/checkout\/new-cart applied \(value off\)/);
    expect(result.stdout).toMatch(/verify r1 {2}verification-failed \(follows d-kill\) {2}d-verify/);
    expect(result.stdout).toMatch(
      /smoke checks\s+1 of 2 passed; failed: http https:\/\/shop\.example\.com\/cart \(status 503, expected 200\)/,
    );
    expect(result.stdout).toMatch(/alarms\s+not OK: checkout-5xx \(must be OK by 2026-01-01T00:13:00Z\)/);
    expect(result.stdout).toMatch(
      /diff\s+listener listener-0: forwards to green 100, the manifest says blue 100/,
    );
  });
});
