/**
 * The AppConfig port over the AppConfig client: what an environment has deployed of a configuration
 * profile, stopping a deployment, and deploying a captured version again (a kill switch).
 */
import {
  type AppConfigClient,
  ListDeploymentsCommand,
  StartDeploymentCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { type AppConfigDeployment, type AppConfigPort, AwsCallError } from '../ports';
import { call } from './errors';

/**
 * ListDeployments answers newest first (by deployment number, descending), 50 a page at most. The
 * newest page is enough: a kill switch needs the in-progress deployment and the last completed one,
 * and AppConfig runs one deployment at a time per environment.
 */
const PAGE_SIZE = 50;

/** The AppConfig port over an AppConfig client. */
export function createAppConfigAdapter(client: AppConfigClient): AppConfigPort {
  return {
    async deployments(applicationId, environmentId, configurationProfileId): Promise<AppConfigDeployment[]> {
      const out = await call('ListDeployments', () =>
        client.send(
          new ListDeploymentsCommand({
            ApplicationId: applicationId,
            EnvironmentId: environmentId,
            MaxResults: PAGE_SIZE,
          }),
        ),
      );
      const deployments = (out.Items ?? []).flatMap((item): AppConfigDeployment[] =>
        item.DeploymentNumber !== undefined &&
        item.ConfigurationProfileId === configurationProfileId &&
        item.ConfigurationVersion !== undefined &&
        item.State !== undefined
          ? [
              {
                deploymentNumber: item.DeploymentNumber,
                configurationProfileId: item.ConfigurationProfileId,
                configurationVersion: item.ConfigurationVersion,
                state: item.State,
              },
            ]
          : [],
      );
      // Sorted here as well: the port promises newest first whatever order a page comes in.
      return deployments.sort((a, b) => b.deploymentNumber - a.deploymentNumber);
    },

    async stopDeployment(applicationId, environmentId, deploymentNumber): Promise<void> {
      await call('StopDeployment', () =>
        client.send(
          new StopDeploymentCommand({
            ApplicationId: applicationId,
            EnvironmentId: environmentId,
            DeploymentNumber: deploymentNumber,
          }),
        ),
      );
    },

    async startDeployment(input): Promise<number> {
      const out = await call('StartDeployment', () =>
        client.send(
          new StartDeploymentCommand({
            ApplicationId: input.applicationId,
            EnvironmentId: input.environmentId,
            ConfigurationProfileId: input.configurationProfileId,
            ConfigurationVersion: input.configurationVersion,
            DeploymentStrategyId: input.deploymentStrategyId,
            Description: input.description,
          }),
        ),
      );
      if (out.DeploymentNumber === undefined) {
        throw new AwsCallError(
          'invalid',
          'StartDeployment',
          'MalformedDeployment',
          `the deployment of version ${input.configurationVersion} to environment ${input.environmentId} has no deployment number`,
        );
      }
      return out.DeploymentNumber;
    },
  };
}
