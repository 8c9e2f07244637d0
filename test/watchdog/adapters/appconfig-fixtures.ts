/** AppConfig setups for the adapter and kill-switch tests (through the SDK, against the emulator). */
import {
  type AppConfigClient,
  CreateApplicationCommand,
  CreateConfigurationProfileCommand,
  CreateDeploymentStrategyCommand,
  CreateEnvironmentCommand,
  CreateHostedConfigurationVersionCommand,
  StartDeploymentCommand,
} from '@aws-sdk/client-appconfig';

/** One application and environment; two hosted profiles of two versions each; an instant strategy. */
export async function givenTwoProfiles(sdk: AppConfigClient) {
  const app = await sdk.send(new CreateApplicationCommand({ Name: 'checkout' }));
  const env = await sdk.send(new CreateEnvironmentCommand({ ApplicationId: app.Id, Name: 'production' }));
  const profiles: string[] = [];
  for (const name of ['features', 'limits']) {
    const profile = await sdk.send(
      new CreateConfigurationProfileCommand({ ApplicationId: app.Id, Name: name, LocationUri: 'hosted' }),
    );
    for (const content of ['{"on":false}', '{"on":true}']) {
      await sdk.send(
        new CreateHostedConfigurationVersionCommand({
          ApplicationId: app.Id,
          ConfigurationProfileId: profile.Id,
          Content: Buffer.from(content),
          ContentType: 'application/json',
        }),
      );
    }
    profiles.push(profile.Id!);
  }
  const instant = await sdk.send(
    new CreateDeploymentStrategyCommand({
      Name: 'instant',
      DeploymentDurationInMinutes: 0,
      FinalBakeTimeInMinutes: 0,
      GrowthFactor: 100,
    }),
  );
  const deploy = (profileId: string, version: string, strategyId = instant.Id!) =>
    sdk.send(
      new StartDeploymentCommand({
        ApplicationId: app.Id,
        EnvironmentId: env.Id,
        ConfigurationProfileId: profileId,
        ConfigurationVersion: version,
        DeploymentStrategyId: strategyId,
      }),
    );
  return { applicationId: app.Id!, environmentId: env.Id!, profiles, instantId: instant.Id!, deploy };
}
