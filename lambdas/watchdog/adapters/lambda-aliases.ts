/**
 * The alias port over Lambda: reads an alias's version and weighted routing, and puts them back.
 */
import { GetAliasCommand, type LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import type { CapturedAlias } from '../../../lib';
import { type AliasPort, AwsCallError } from '../ports';
import { call } from './errors';

/** The alias port over a Lambda client. */
export function createAliasAdapter(client: LambdaClient): AliasPort {
  return {
    async describeAlias(functionName: string, aliasName: string): Promise<CapturedAlias> {
      const out = await call('GetAlias', () =>
        client.send(new GetAliasCommand({ FunctionName: functionName, Name: aliasName })),
      );
      if (!out.FunctionVersion) {
        throw new AwsCallError(
          'invalid',
          'GetAlias',
          'MalformedAlias',
          `alias ${aliasName} of function ${functionName} has no function version`,
        );
      }
      return {
        functionName,
        aliasName,
        functionVersion: out.FunctionVersion,
        additionalVersionWeights: { ...(out.RoutingConfig?.AdditionalVersionWeights ?? {}) },
      };
    },

    async restoreAlias(alias: CapturedAlias): Promise<void> {
      // An empty AdditionalVersionWeights removes weighted routing; leaving RoutingConfig out
      // would keep whatever routing the release set.
      await call('UpdateAlias', () =>
        client.send(
          new UpdateAliasCommand({
            FunctionName: alias.functionName,
            Name: alias.aliasName,
            FunctionVersion: alias.functionVersion,
            RoutingConfig: { AdditionalVersionWeights: { ...alias.additionalVersionWeights } },
          }),
        ),
      );
    },
  };
}
