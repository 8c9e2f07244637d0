/**
 * The AppConfig adapter through the real SDK against our emulator. Not against moto: the pinned moto
 * (requirements/moto.txt, 5.2.6) implements applications, configuration profiles and hosted versions
 * only; it has no environments, deployment strategies or deployments (no ListDeployments,
 * StartDeployment or StopDeployment), which are all this adapter calls.
 */
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { createAppConfigAdapter } from '../../../lambdas/watchdog/adapters/appconfig';
import { AwsCallError, type AppConfigPort } from '../../../lambdas/watchdog/ports';
import { fastRetry, useEmulator } from '../../emulator/testing';
import { givenTwoProfiles } from './appconfig-fixtures';
import { rejectionOf } from './fixtures';

const emulator = useEmulator();
let client: AppConfigClient;
let appConfig: AppConfigPort;

beforeEach(() => {
  client = new AppConfigClient({ ...emulator().clientConfig(), retryStrategy: fastRetry() });
  appConfig = createAppConfigAdapter(client);
});
afterEach(() => client.destroy());

describe('the AppConfig adapter', () => {
  it("lists the profile's deployments newest first, leaving other profiles' out", async () => {
    // Given features 1, limits 1, features 2 deployed in that order
    const { applicationId, environmentId, profiles, deploy } = await givenTwoProfiles(client);
    const [features, limits] = profiles as [string, string];
    await deploy(features, '1');
    await deploy(limits, '1');
    await deploy(features, '2');
    // Then
    expect(await appConfig.deployments(applicationId, environmentId, features)).toEqual([
      { deploymentNumber: 3, configurationProfileId: features, configurationVersion: '2', state: 'COMPLETE' },
      { deploymentNumber: 1, configurationProfileId: features, configurationVersion: '1', state: 'COMPLETE' },
    ]);
  });

  it('stops a deployment in progress and deploys a version again', async () => {
    const { applicationId, environmentId, profiles, deploy, instantId } = await givenTwoProfiles(client);
    const features = profiles[0]!;
    await deploy(features, '1');
    await deploy(features, '2', 'AppConfig.AllAtOnce'); // BAKING for 10 minutes
    await appConfig.stopDeployment(applicationId, environmentId, 2);
    const number = await appConfig.startDeployment({
      applicationId,
      environmentId,
      configurationProfileId: features,
      configurationVersion: '1',
      deploymentStrategyId: instantId,
      description: 'kill switch',
    });
    expect(number).toBe(3);
    expect((await appConfig.deployments(applicationId, environmentId, features)).map((d) => d.state)).toEqual(
      ['COMPLETE', 'ROLLED_BACK', 'COMPLETE'],
    );
    expect(emulator().appConfig.deployedVersion(applicationId, environmentId, features)).toBe('1');
  });

  it('maps a missing environment to not-found and a deployment already in progress to invalid', async () => {
    const { applicationId, environmentId, profiles, deploy } = await givenTwoProfiles(client);
    const missing = await rejectionOf(() => appConfig.deployments(applicationId, 'zzzzzzz', profiles[0]!));
    expect(missing).toBeInstanceOf(AwsCallError);
    expect(missing).toMatchObject({
      kind: 'not-found',
      operation: 'ListDeployments',
      code: 'ResourceNotFoundException',
    });
    await deploy(profiles[0]!, '2', 'AppConfig.AllAtOnce');
    const conflict = await rejectionOf(() =>
      appConfig.startDeployment({
        applicationId,
        environmentId,
        configurationProfileId: profiles[0]!,
        configurationVersion: '1',
        deploymentStrategyId: 'AppConfig.AllAtOnce',
        description: 'kill switch',
      }),
    );
    expect(conflict).toMatchObject({
      kind: 'invalid',
      operation: 'StartDeployment',
      code: 'ConflictException',
    });
  });

  it('maps throttling that outlasts the SDK retries to throttled (retryable)', async () => {
    const { applicationId, environmentId, profiles } = await givenTwoProfiles(client);
    emulator().faults.add({ service: 'appconfig', action: 'ListDeployments', throttle: 'always' });
    const error = await rejectionOf(() => appConfig.deployments(applicationId, environmentId, profiles[0]!));
    expect(error).toMatchObject({ kind: 'throttled', retryable: true });
  });
});
