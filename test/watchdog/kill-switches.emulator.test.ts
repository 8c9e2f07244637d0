/**
 * Kill switches through the real adapters (SSM and AppConfig, AWS SDK v3) against our emulator: the
 * capture reads the deployed version, a breach stops the release's deployment and turns the flag off,
 * and the emulator (not the watchdog) says what is served afterwards. Traffic and the store stay in
 * memory: what this proves is the switches' wire path.
 */
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createAppConfigAdapter } from '../../lambdas/watchdog/adapters/appconfig';
import { createParameterAdapter } from '../../lambdas/watchdog/adapters/ssm';
import { handleTrigger } from '../../lambdas/watchdog/engine/rollback';
import { fastRetry, useEmulator } from '../emulator/testing';
import { givenTwoProfiles } from './adapters/appconfig-fixtures';
import { minutes } from './fixtures';
import { killSwitchWorld } from './kill-switch-world';

const emulator = useEmulator();
let appConfigClient: AppConfigClient;
let ssmClient: SSMClient;

beforeEach(() => {
  appConfigClient = new AppConfigClient({ ...emulator().clientConfig(), retryStrategy: fastRetry() });
  ssmClient = new SSMClient({ ...emulator().clientConfig(), retryStrategy: fastRetry() });
});
afterEach(() => {
  appConfigClient.destroy();
  ssmClient.destroy();
});

const FLAG = '/checkout/new-checkout';

async function givenABadRelease(
  mode: 'before-traffic' | 'instead-of-traffic',
  release: 'baking' | 'complete' = 'baking',
) {
  const setup = await givenTwoProfiles(appConfigClient);
  const features = setup.profiles[0]!;
  await setup.deploy(features, '1');
  await ssmClient.send(new PutParameterCommand({ Name: FLAG, Value: 'on', Type: 'String' }));
  const world = killSwitchWorld(
    {
      killSwitches: {
        switches: [
          { kind: 'ssm-parameter', name: FLAG, offValue: 'off' },
          {
            kind: 'appconfig',
            applicationId: setup.applicationId,
            environmentId: setup.environmentId,
            configurationProfileId: features,
            deploymentStrategyId: setup.instantId,
          },
        ],
        mode,
      },
    },
    {
      parameters: createParameterAdapter(ssmClient),
      appConfig: createAppConfigAdapter(appConfigClient),
    },
  );
  const manifest = await world.capture();
  // The release: version 2 (with AllAtOnce: baking for 10 minutes), the flag on, traffic to green
  await setup.deploy(features, '2', release === 'baking' ? 'AppConfig.AllAtOnce' : setup.instantId);
  world.shiftToGreen();
  world.clock.advance(minutes(1));
  return { world, manifest, setup, features };
}

describe('kill switches through the adapters', () => {
  it('captures the deployed AppConfig version and the flag version', async () => {
    const { manifest, setup, features } = await givenABadRelease('instead-of-traffic');
    expect(manifest.killSwitches).toEqual([
      { kind: 'ssm-parameter', name: FLAG, version: 1 },
      {
        kind: 'appconfig',
        applicationId: setup.applicationId,
        environmentId: setup.environmentId,
        configurationProfileId: features,
        configurationVersion: '1',
      },
    ]);
  });

  it('instead of traffic: stops the baking deployment and writes the flag off; the emulator serves version 1', async () => {
    const { world, setup, features } = await givenABadRelease('instead-of-traffic');

    const outcome = await handleTrigger(world.context(), world.breach());

    expect(outcome.outcome).toBe('kill-switched');
    expect(outcome.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['kill-switch', 'applied'],
      ['kill-switch', 'applied'],
    ]);
    expect(emulator().ssm.parameter(FLAG)?.Value).toBe('off');
    expect(emulator().appConfig.deployedVersion(setup.applicationId, setup.environmentId, features)).toBe(
      '1',
    );
    expect(
      emulator().appConfig.deployments(setup.applicationId, setup.environmentId, features)[0],
    ).toMatchObject({ deploymentNumber: 2, state: 'ROLLED_BACK' });
    expect(world.blueWeight()).toBe(0);
  });

  it('before traffic: deploys version 1 again when the release completed version 2, then moves traffic', async () => {
    // Given the release's deployment of version 2 complete: nothing to stop, version 2 is served
    const { world, setup, features } = await givenABadRelease('before-traffic', 'complete');

    const outcome = await handleTrigger(world.context(), world.breach());

    expect(outcome.outcome).toBe('rolled-back');
    expect(outcome.steps.map((s) => s.kind)).toEqual(['kill-switch', 'kill-switch', 'listener']);
    expect(outcome.steps[1]?.detail).toContain('of version 1 started (was 2)');
    expect(emulator().appConfig.deployedVersion(setup.applicationId, setup.environmentId, features)).toBe(
      '1',
    );
    expect(world.blueWeight()).toBe(100);
  });
});
