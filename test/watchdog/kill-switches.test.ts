/**
 * Kill switches in the rollback path, with in-memory ports: applied first, read back, each a step of
 * kind `kill-switch`; `before-traffic` then rolls back as usual, `instead-of-traffic` moves nothing
 * else and latches the release; a shift in progress ends in `rolled-back`; every rollback writes its
 * traffic marker.
 */
import { trafficMarkerKey, trafficMarkerPrefix, rollbackMarkerKey } from '../../lib';
import { handleTrigger } from '../../lambdas/watchdog/engine/rollback';
import { continueVerification } from '../../lambdas/watchdog/engine/verify';
import { ALARM, awsError, SERVICE } from './fakes';
import { iso, listenerArn, minutes } from './fixtures';
import { APP, ENV, forward, killSwitchWorld, PROFILE } from './kill-switch-world';

const FLAG = '/checkout/new-checkout';
const ssmSwitch = { kind: 'ssm-parameter' as const, name: FLAG, offValue: 'off' };
const appConfigSwitch = {
  kind: 'appconfig' as const,
  applicationId: APP,
  environmentId: ENV,
  configurationProfileId: PROFILE,
  deploymentStrategyId: 'AppConfig.AllAtOnce',
};

describe('kill switches before traffic', () => {
  it('turns the SSM switch off first, then rolls traffic back, and leaves the switch off', async () => {
    // Given a flag that is also a protected parameter, captured "on"
    const world = killSwitchWorld({
      parameters: [{ name: FLAG }],
      killSwitches: { switches: [ssmSwitch], mode: 'before-traffic' },
    });
    world.parameters.put(FLAG, 'on');
    await world.capture();
    world.shiftToGreen();
    world.clock.advance(minutes(1));

    // When the alarm breaches
    const outcome = await handleTrigger(world.context(), world.breach());

    // Then the switch is the first step, traffic is back, and the flag is not put back "on"
    expect(outcome.outcome).toBe('rolled-back');
    expect(outcome.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['kill-switch', 'applied'],
      ['listener', 'applied'],
    ]);
    expect(outcome.steps[0]?.target).toBe(FLAG);
    expect(world.parameters.valueOf(FLAG)).toBe('off');
    expect(world.blueWeight()).toBe(100);
  });

  it('stops an AppConfig deployment in progress; the captured version is served again without a new deployment', async () => {
    const world = killSwitchWorld({ killSwitches: { switches: [appConfigSwitch], mode: 'before-traffic' } });
    world.appConfig.deploy('1');
    await world.capture();
    // The release deploys version 2, still baking
    world.appConfig.deploy('2', 'BAKING');
    world.shiftToGreen();
    world.clock.advance(minutes(1));

    const outcome = await handleTrigger(world.context(), world.breach());

    expect(outcome.outcome).toBe('rolled-back');
    expect(outcome.steps[0]).toMatchObject({
      kind: 'kill-switch',
      target: `appconfig:${APP}/${ENV}/${PROFILE}`,
      outcome: 'applied',
    });
    expect(world.appConfig.stopped).toEqual([2]);
    expect(world.appConfig.list).toHaveLength(2);
    expect(world.appConfig.deployed()).toBe('1');
  });

  it('deploys the captured AppConfig version again when the release completed another', async () => {
    const world = killSwitchWorld({ killSwitches: { switches: [appConfigSwitch], mode: 'before-traffic' } });
    world.appConfig.deploy('1');
    await world.capture();
    world.appConfig.deploy('2');
    world.shiftToGreen();
    world.clock.advance(minutes(1));

    const outcome = await handleTrigger(world.context(), world.breach());

    expect(outcome.steps[0]).toMatchObject({ kind: 'kill-switch', outcome: 'applied' });
    expect(outcome.steps[0]?.detail).toContain('deployment 3 of version 1 started (was 2)');
    expect(world.appConfig.list[2]).toMatchObject({
      configurationVersion: '1',
      strategy: 'AppConfig.AllAtOnce',
    });
    expect(world.appConfig.deployed()).toBe('1');
  });

  it('moves traffic once the switch writes are issued, without waiting for the AppConfig read-back', async () => {
    // Given an AppConfig switch whose deployment reaches every target only after several reads
    const world = killSwitchWorld({ killSwitches: { switches: [appConfigSwitch], mode: 'before-traffic' } });
    world.appConfig.deploy('1');
    await world.capture();
    world.appConfig.deploy('2');
    world.appConfig.startsAs = 'DEPLOYING';
    world.shiftToGreen();
    world.clock.advance(minutes(1));
    const deployStarted = () => {
      world.appConfig.readsUntilComplete = 4;
    };
    const start = world.appConfig.startDeployment.bind(world.appConfig);
    world.appConfig.startDeployment = async (input) => {
      deployStarted();
      return start(input);
    };

    const outcome = await handleTrigger(world.context(), world.breach());

    // Then the switch's deployment starts first, traffic moves before the switch is read back, and
    // the record keeps its steps: the switch, then traffic
    const calls = world.journal.calls.map((c) => c.operation);
    const deployment = calls.indexOf('appConfig.startDeployment');
    const trafficWrite = calls.indexOf('traffic.restoreListenerActions');
    // The read that finds the deployment complete: the 4th after it started
    const completingRead = calls
      .map((operation, i) => (operation === 'appConfig.deployments' && i > deployment ? i : -1))
      .filter((i) => i >= 0)[3];
    expect(deployment).toBeGreaterThanOrEqual(0);
    expect(trafficWrite).toBeGreaterThan(deployment);
    expect(completingRead).toBeGreaterThan(trafficWrite);
    expect(outcome.outcome).toBe('rolled-back');
    expect(outcome.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['kill-switch', 'applied'],
      ['listener', 'applied'],
    ]);
    expect(world.appConfig.deployed()).toBe('1');
    expect(world.blueWeight()).toBe(100);
  });
});

describe('kill switches instead of traffic', () => {
  async function breachedWorld() {
    const world = killSwitchWorld({
      killSwitches: { switches: [ssmSwitch, appConfigSwitch], mode: 'instead-of-traffic' },
      verification: { alarmsOkWithinMinutes: 10 },
    });
    world.parameters.put(FLAG, 'on');
    world.appConfig.deploy('1');
    await world.capture();
    world.appConfig.deploy('2');
    world.shiftToGreen();
    world.clock.advance(minutes(1));
    const outcome = await handleTrigger(world.context(), world.breach());
    return { world, outcome };
  }

  it('turns the switches off and touches neither traffic nor the hold; the release is latched', async () => {
    const { world, outcome } = await breachedWorld();

    expect(outcome.outcome).toBe('kill-switched');
    expect(outcome.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['kill-switch', 'applied'],
      ['kill-switch', 'applied'],
    ]);
    expect(world.parameters.valueOf(FLAG)).toBe('off');
    expect(world.appConfig.deployed()).toBe('1');
    expect(world.blueWeight()).toBe(0);
    expect(world.state().latched).toMatchObject({ releaseId: 'r1', decisionId: outcome.decisionId });
    expect(world.bucket.current(rollbackMarkerKey(SERVICE, 'r1'))).toBeUndefined();
    expect(world.bucket.keys(trafficMarkerPrefix(SERVICE, 'r1'))).toEqual([]);
    const [record] = world.records().filter((r) => r.decision === 'kill-switch');
    expect(record).toMatchObject({ outcome: 'kill-switched', verification: { status: 'pending' } });
  });

  it('acknowledges a later alarm of the same release instead of acting on it', async () => {
    const { world } = await breachedWorld();
    world.clock.advance(minutes(1));

    const later = await handleTrigger(world.context(), world.breach());

    expect(later.outcome).toBe('skipped');
    expect(later.reason).toContain('already rolled back');
    expect(world.blueWeight()).toBe(0);
  });

  it('rolls traffic back through the finish path when the alarms are still in ALARM after the deadline', async () => {
    // Given the switches applied and the alarm still in ALARM past alarmsOkWithinMinutes
    const { world } = await breachedWorld();
    expect(world.state().verifying).toMatchObject({ releaseId: 'r1' });
    world.clock.advance(minutes(5));
    expect(await continueVerification(world.context(), world.state())).toMatchObject({ status: 'pending' });
    world.clock.advance(minutes(6));

    // When the tick continues the verification
    const verified = await continueVerification(world.context(), world.state());

    // Then it fails, pages, and records the release as unfinished; finishing moves traffic
    expect(verified).toMatchObject({ status: 'failed', trafficRollbackFollows: true });
    expect(world.state().verifying).toBeUndefined();
    expect(world.state().unfinished).toMatchObject({ releaseId: 'r1' });
    expect(world.published.at(-1)?.subject).toContain('kill switches of release r1 NOT verified');
    const finished = await handleTrigger(
      world.context(),
      { kind: 'finish', releaseId: 'r1' },
      { fromTick: true },
    );
    expect(finished.outcome).toBe('rolled-back');
    expect(world.blueWeight()).toBe(100);
    expect(world.state().unfinished).toBeUndefined();
    expect(world.bucket.current(trafficMarkerKey(SERVICE, 'r1', 9999, 100))).toBeDefined();
  });

  describe('with an AppConfig deployment slower than the step budget', () => {
    async function slowSwitch() {
      const world = killSwitchWorld({
        killSwitches: { switches: [appConfigSwitch], mode: 'instead-of-traffic' },
        verification: { alarmsOkWithinMinutes: 10 },
      });
      world.appConfig.deploy('1');
      await world.capture();
      world.appConfig.deploy('2');
      world.appConfig.startsAs = 'DEPLOYING';
      world.shiftToGreen();
      world.clock.advance(minutes(1));
      const outcome = await handleTrigger(world.context(), world.breach());
      // The alarm recovers at once: only the switch is still to come
      world.alarms.set(ALARM, 'OK');
      return { world, outcome };
    }

    it('keeps the verification pending while the switch deploys, then verifies it; traffic never moves', async () => {
      const { world, outcome } = await slowSwitch();
      expect(outcome.outcome).toBe('kill-switched');
      expect(outcome.steps[0]).toMatchObject({ kind: 'kill-switch', outcome: 'unverified' });
      expect(world.state().verifying).toMatchObject({ releaseId: 'r1', decisionId: outcome.decisionId });

      // Each tick re-reads the switch: still deploying, still pending (no page, nothing unfinished)
      world.clock.advance(minutes(3));
      const pending = await continueVerification(world.context(), world.state());
      expect(pending).toMatchObject({
        status: 'pending',
        verification: { diff: [expect.stringContaining('still deploying')] },
      });
      expect(world.state().verifying).toBeDefined();
      expect(world.state().unfinished).toBeUndefined();

      // The deployment reaches every target before the deadline
      world.appConfig.completeDeployments();
      world.clock.advance(minutes(3));
      const verified = await continueVerification(world.context(), world.state());

      expect(verified).toMatchObject({ status: 'verified', trafficRollbackFollows: false });
      expect(world.state().verifying).toBeUndefined();
      expect(world.state().unfinished).toBeUndefined();
      expect(world.published.at(-1)?.subject).toContain('kill switches turned off and verified');
      expect(world.published.some((p) => p.subject.includes('NOT verified'))).toBe(false);
      expect(world.blueWeight()).toBe(0);
      expect(world.bucket.current(rollbackMarkerKey(SERVICE, 'r1'))).toBeUndefined();
    });

    it('fails at the deadline when the switch never deploys, and traffic rolls back next', async () => {
      const { world } = await slowSwitch();
      world.clock.advance(minutes(5));
      expect(await continueVerification(world.context(), world.state())).toMatchObject({ status: 'pending' });
      world.clock.advance(minutes(6));

      const failed = await continueVerification(world.context(), world.state());

      expect(failed).toMatchObject({ status: 'failed', trafficRollbackFollows: true });
      expect(failed?.verification.diff).toEqual([
        expect.stringContaining('serves version 2, not the captured 1'),
      ]);
      expect(world.state().unfinished).toMatchObject({ releaseId: 'r1' });
      expect(world.published.at(-1)?.subject).toContain('kill switches of release r1 NOT verified');
    });
  });

  it('rolls traffic back on a manual rollback (a person asking for a rollback means traffic)', async () => {
    const world = killSwitchWorld({ killSwitches: { switches: [ssmSwitch], mode: 'instead-of-traffic' } });
    world.parameters.put(FLAG, 'on');
    await world.capture();
    world.shiftToGreen();

    const outcome = await handleTrigger(world.context(), {
      kind: 'rollback',
      reason: 'bad checkout',
      requestedBy: 'alice',
      dryRun: false,
    });

    expect(outcome.steps.map((s) => s.kind)).toEqual(['kill-switch', 'listener']);
    expect(world.parameters.valueOf(FLAG)).toBe('off');
    expect(world.blueWeight()).toBe(100);
  });

  it('records a switch that cannot be turned off as partial, for the tick to roll traffic back', async () => {
    const world = killSwitchWorld({ killSwitches: { switches: [ssmSwitch], mode: 'instead-of-traffic' } });
    world.parameters.put(FLAG, 'on');
    await world.capture();
    world.shiftToGreen();
    world.clock.advance(minutes(1));
    world.parameters.putValue = () =>
      Promise.reject(awsError('access-denied', 'PutParameter', 'AccessDeniedException'));

    const outcome = await handleTrigger(world.context(), world.breach(), { fromTick: true });

    expect(outcome.outcome).toBe('partial');
    expect(outcome.steps[0]).toMatchObject({ kind: 'kill-switch', outcome: 'failed' });
    expect(world.state().unfinished).toMatchObject({ releaseId: 'r1' });
    expect(world.blueWeight()).toBe(0);
  });
});

/** The state of release r1 shifting, its first step (10%) set by the watchdog. */
async function shiftingAtTenPercent(world: ReturnType<typeof killSwitchWorld>): Promise<void> {
  const at = iso(world.clock.now());
  await world.setState({
    schemaVersion: 1,
    automaticRollbacks: [],
    shift: {
      releaseId: 'r1',
      phase: 'shifting',
      stepIndex: 0,
      candidateWeightPercent: 10,
      stepStartedAt: at,
      markerSeq: 1,
      updatedAt: at,
    },
  });
}

describe('a rollback during a shift', () => {
  it('ends the shift as rolled-back in the latch write and writes the rollback traffic marker', async () => {
    const world = killSwitchWorld();
    await world.capture();
    await shiftingAtTenPercent(world);
    world.traffic.setDefaultActions(world.config.listeners[0]!.listenerArn!, [
      {
        type: 'forward',
        forwardConfig: {
          targetGroups: [
            { targetGroupArn: world.blue, weight: 90 },
            { targetGroupArn: world.green, weight: 10 },
          ],
        },
      },
    ]);
    world.clock.advance(minutes(1));

    await handleTrigger(world.context(), world.breach());

    expect(world.state().shift).toMatchObject({
      phase: 'rolled-back',
      candidateWeightPercent: 0,
      markerSeq: 9999,
      reason: expect.stringContaining('alarm checkout-5xx'),
    });
    expect(world.bucket.keys(trafficMarkerPrefix(SERVICE, 'r1'))).toEqual([
      trafficMarkerKey(SERVICE, 'r1', 9999, 100),
    ]);
  });

  it('records the candidate at 0% when the candidate is blue (after a promotion of green)', async () => {
    // Given green known-good (promoted), the release deploying to blue, shifted to 10%
    const world = killSwitchWorld();
    world.traffic.setDefaultActions(listenerArn(1), forward(world.blue, world.green, 0));
    await world.capture('r1', 'blue');
    await shiftingAtTenPercent(world);
    world.traffic.setDefaultActions(listenerArn(1), forward(world.blue, world.green, 10));
    world.clock.advance(minutes(1));

    await handleTrigger(world.context(), world.breach());

    // Then all traffic is back on green: the candidate (blue) has 0%, and the marker says blue 0
    expect(world.blueWeight()).toBe(0);
    expect(world.state().shift).toMatchObject({ phase: 'rolled-back', candidateWeightPercent: 0 });
    expect(world.bucket.keys(trafficMarkerPrefix(SERVICE, 'r1'))).toEqual([
      trafficMarkerKey(SERVICE, 'r1', 9999, 0),
    ]);
  });

  it('warns and pages when the rollback marker cannot be written (blue not resolvable)', async () => {
    // Given target groups configured by name, the blue one gone
    const world = killSwitchWorld({
      listeners: [
        {
          name: 'production',
          role: 'production',
          listenerArn: listenerArn(1),
          targetGroupNames: { blue: 'checkout-blue-gone', green: 'checkout-green' },
        },
      ],
    });
    await world.capture();
    world.shiftToGreen();
    world.clock.advance(minutes(1));

    const outcome = await handleTrigger(world.context(), world.breach());

    // Then traffic still rolls back, but the missing marker is logged, recorded and paged
    expect(outcome.outcome).toBe('rolled-back');
    expect(world.blueWeight()).toBe(100);
    expect(world.bucket.keys(trafficMarkerPrefix(SERVICE, 'r1'))).toEqual([]);
    expect(world.log.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringContaining('no rollback traffic marker'),
      }),
    );
    const rollback = world.records().find((r) => r.decision === 'rollback');
    expect(rollback?.steps.at(-1)).toMatchObject({
      kind: 'marker',
      outcome: 'failed',
      detail: expect.stringContaining('checkout-blue-gone'),
    });
    expect(world.published.map((p) => p.subject)).toContainEqual(
      expect.stringContaining('rollback of release r1 has NO traffic marker'),
    );
  });
});
