import {
  AppConfigClient,
  CreateApplicationCommand,
  CreateConfigurationProfileCommand,
  CreateDeploymentStrategyCommand,
  CreateEnvironmentCommand,
  CreateHostedConfigurationVersionCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
  StartDeploymentCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { errorOf, ManualClock, useEmulator } from './testing';

const clock = new ManualClock();
const emulator = useEmulator({ clock: clock.now });
let appConfig: AppConfigClient;

beforeEach(() => {
  appConfig = new AppConfigClient({ ...emulator().clientConfig(), maxAttempts: 1 });
});
afterEach(() => appConfig.destroy());

const MINUTE = 60_000;

/** An application with one environment, one hosted profile holding `versions` versions, and an instant strategy. */
async function givenAProfile(versions = 2) {
  const app = await appConfig.send(new CreateApplicationCommand({ Name: 'checkout' }));
  const env = await appConfig.send(
    new CreateEnvironmentCommand({ ApplicationId: app.Id, Name: 'production' }),
  );
  const profile = await appConfig.send(
    new CreateConfigurationProfileCommand({ ApplicationId: app.Id, Name: 'features', LocationUri: 'hosted' }),
  );
  for (let v = 1; v <= versions; v++) {
    await appConfig.send(
      new CreateHostedConfigurationVersionCommand({
        ApplicationId: app.Id,
        ConfigurationProfileId: profile.Id,
        Content: Buffer.from(JSON.stringify({ newCheckout: v > 1 })),
        ContentType: 'application/json',
      }),
    );
  }
  const instant = await appConfig.send(
    new CreateDeploymentStrategyCommand({
      Name: 'instant',
      DeploymentDurationInMinutes: 0,
      FinalBakeTimeInMinutes: 0,
      GrowthFactor: 100,
      GrowthType: 'LINEAR',
    }),
  );
  const ids = { ApplicationId: app.Id!, EnvironmentId: env.Id!, ConfigurationProfileId: profile.Id! };
  const deploy = (version: string, strategyId = instant.Id!) =>
    appConfig.send(
      new StartDeploymentCommand({ ...ids, ConfigurationVersion: version, DeploymentStrategyId: strategyId }),
    );
  return { ids, deploy, instantId: instant.Id! };
}

describe('AppConfig', () => {
  it('creates applications, environments, profiles and hosted versions with AppConfig-shaped ids', async () => {
    const { ids } = await givenAProfile(1);
    for (const id of Object.values(ids)) expect(id).toMatch(/^[a-z0-9]{7}$/);
    const second = await appConfig.send(
      new CreateHostedConfigurationVersionCommand({
        ApplicationId: ids.ApplicationId,
        ConfigurationProfileId: ids.ConfigurationProfileId,
        Content: Buffer.from('{"newCheckout":false}'),
        ContentType: 'application/json',
        LatestVersionNumber: 1,
      }),
    );
    expect(second).toMatchObject({ VersionNumber: 2, ContentType: 'application/json' });
    expect(emulator().appConfig.content(ids.ApplicationId, ids.ConfigurationProfileId, '2')).toBe(
      '{"newCheckout":false}',
    );
  });

  it('completes a deployment of an instant strategy at once and lists deployments newest first', async () => {
    const { ids, deploy } = await givenAProfile();
    expect(await deploy('1')).toMatchObject({
      DeploymentNumber: 1,
      State: 'COMPLETE',
      PercentageComplete: 100,
    });
    await deploy('2');
    const listed = await appConfig.send(
      new ListDeploymentsCommand({ ApplicationId: ids.ApplicationId, EnvironmentId: ids.EnvironmentId }),
    );
    expect(listed.Items?.map((d) => [d.DeploymentNumber, d.ConfigurationVersion, d.State])).toEqual([
      [2, '2', 'COMPLETE'],
      [1, '1', 'COMPLETE'],
    ]);
    expect(listed.Items?.[0]?.ConfigurationProfileId).toBe(ids.ConfigurationProfileId);
    expect(
      emulator().appConfig.deployedVersion(ids.ApplicationId, ids.EnvironmentId, ids.ConfigurationProfileId),
    ).toBe('2');
  });

  it('follows the emulator clock through the strategy: DEPLOYING, BAKING, COMPLETE (AllAtOnce bakes 10 minutes)', async () => {
    const { ids, deploy } = await givenAProfile();
    const gradual = await appConfig.send(
      new CreateDeploymentStrategyCommand({
        Name: 'gradual',
        DeploymentDurationInMinutes: 10,
        FinalBakeTimeInMinutes: 5,
        GrowthFactor: 10,
        GrowthType: 'LINEAR',
      }),
    );
    const started = await deploy('1', gradual.Id);
    const get = () =>
      appConfig.send(new GetDeploymentCommand({ ...pick(ids), DeploymentNumber: started.DeploymentNumber }));
    expect(await get()).toMatchObject({ State: 'DEPLOYING' });
    clock.advance(10 * MINUTE);
    expect(await get()).toMatchObject({ State: 'BAKING', PercentageComplete: 100 });
    clock.advance(5 * MINUTE);
    expect(await get()).toMatchObject({ State: 'COMPLETE' });

    const allAtOnce = await deploy('2', 'AppConfig.AllAtOnce');
    expect(allAtOnce.State).toBe('BAKING');
    clock.advance(10 * MINUTE);
    expect(emulator().appConfig.deployments(ids.ApplicationId, ids.EnvironmentId)[0]).toEqual({
      deploymentNumber: 2,
      configurationVersion: '2',
      state: 'COMPLETE',
    });
  });

  it('refuses a second deployment while one is in progress (ConflictException)', async () => {
    const { deploy } = await givenAProfile();
    await deploy('1', 'AppConfig.AllAtOnce');
    const error = await errorOf(() => deploy('2'));
    expect(error.name).toBe('ConflictException');
    expect(error.$metadata.httpStatusCode).toBe(409);
  });

  it('stops a deployment in progress (ROLLED_BACK): the version before it is served again', async () => {
    const { ids, deploy } = await givenAProfile();
    await deploy('1');
    const bad = await deploy('2', 'AppConfig.AllAtOnce');
    const stopped = await appConfig.send(
      new StopDeploymentCommand({ ...pick(ids), DeploymentNumber: bad.DeploymentNumber }),
    );
    expect(stopped).toMatchObject({ State: 'ROLLED_BACK', DeploymentNumber: 2 });
    expect(
      emulator().appConfig.deployedVersion(ids.ApplicationId, ids.EnvironmentId, ids.ConfigurationProfileId),
    ).toBe('1');
    // A completed deployment is not in progress: it cannot be stopped without AllowRevert.
    const error = await errorOf(() =>
      appConfig.send(new StopDeploymentCommand({ ...pick(ids), DeploymentNumber: 1 })),
    );
    expect(error.name).toBe('BadRequestException');
  });

  it('answers ResourceNotFoundException for an unknown environment, version or strategy', async () => {
    const { ids, deploy } = await givenAProfile();
    expect((await errorOf(() => deploy('9'))).name).toBe('ResourceNotFoundException');
    expect((await errorOf(() => deploy('1', 'nosuchs'))).name).toBe('ResourceNotFoundException');
    const error = await errorOf(() =>
      appConfig.send(
        new ListDeploymentsCommand({ ApplicationId: ids.ApplicationId, EnvironmentId: 'zzzzzzz' }),
      ),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });
});

function pick(ids: { ApplicationId: string; EnvironmentId: string }) {
  return { ApplicationId: ids.ApplicationId, EnvironmentId: ids.EnvironmentId };
}
