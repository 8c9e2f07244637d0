import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { createAliasAdapter } from '../../../lambdas/watchdog/adapters';
import type { AliasPort } from '../../../lambdas/watchdog/ports';
import { describeBackends } from './backends';
import { rejectionOf } from './fixtures';

describeBackends('the alias adapter (Lambda)', (backend) => {
  const emulator = () => backend().emulator();
  let client: LambdaClient;
  let aliases: AliasPort;

  beforeEach(async () => {
    client = new LambdaClient(backend().sdkConfig());
    aliases = createAliasAdapter(client);
    // Versions 1 and 2 of `checkout`, and a `live` alias on 1
    await client.send(
      new CreateFunctionCommand({
        FunctionName: 'checkout',
        Role: await backend().lambdaRole('checkout'),
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: new TextEncoder().encode('v1') },
      }),
    );
    await client.send(new PublishVersionCommand({ FunctionName: 'checkout' }));
    await client.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'checkout', ZipFile: new TextEncoder().encode('v2') }),
    );
    await client.send(new PublishVersionCommand({ FunctionName: 'checkout' }));
    await client.send(
      new CreateAliasCommand({ FunctionName: 'checkout', Name: 'live', FunctionVersion: '1' }),
    );
  });
  afterEach(() => client.destroy());

  describe('describeAlias', () => {
    it('captures the version and the weighted routing of an alias in canary', async () => {
      // Given live on 1 sending 10% to 2
      await client.send(
        new UpdateAliasCommand({
          FunctionName: 'checkout',
          Name: 'live',
          RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
        }),
      );

      // When it is described
      const alias = await aliases.describeAlias('checkout', 'live');

      // Then
      expect(alias).toStrictEqual({
        functionName: 'checkout',
        aliasName: 'live',
        functionVersion: '1',
        additionalVersionWeights: { '2': 0.1 },
      });
    });

    it('captures no weights for an alias without routing', async () => {
      expect((await aliases.describeAlias('checkout', 'live')).additionalVersionWeights).toStrictEqual({});
    });

    it('maps an alias that does not exist to not-found', async () => {
      const error = await rejectionOf(() => aliases.describeAlias('checkout', 'gone'));
      expect(error).toMatchObject({
        kind: 'not-found',
        operation: 'GetAlias',
        code: 'ResourceNotFoundException',
      });
    });
  });

  describe('restoreAlias', () => {
    it('puts the alias back on its version and clears the routing the release added', async () => {
      // Given live moved to 2 with 50% still on 1
      await client.send(
        new UpdateAliasCommand({
          FunctionName: 'checkout',
          Name: 'live',
          FunctionVersion: '2',
          RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } },
        }),
      );

      // When it is restored to the captured alias (version 1, no routing)
      await aliases.restoreAlias({
        functionName: 'checkout',
        aliasName: 'live',
        functionVersion: '1',
        additionalVersionWeights: {},
      });

      // Then the alias serves version 1 only
      const live = await client.send(new GetAliasCommand({ FunctionName: 'checkout', Name: 'live' }));
      expect(live.FunctionVersion).toBe('1');
      expect(live.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
      expect(await aliases.describeAlias('checkout', 'live')).toStrictEqual({
        functionName: 'checkout',
        aliasName: 'live',
        functionVersion: '1',
        additionalVersionWeights: {},
      });
    });

    it('restores captured weighted routing', async () => {
      const canary = {
        functionName: 'checkout',
        aliasName: 'live',
        functionVersion: '1',
        additionalVersionWeights: { '2': 0.25 },
      };
      await aliases.restoreAlias(canary);
      expect(await aliases.describeAlias('checkout', 'live')).toStrictEqual(canary);
    });

    backend.needs(
      ['faults', 'requestLog'],
      'maps throttling that outlasts the SDK retries to throttled',
      async () => {
        emulator().faults.add({ service: 'lambda', action: 'UpdateAlias', throttle: 'always' });
        const error = await rejectionOf(() =>
          aliases.restoreAlias({
            functionName: 'checkout',
            aliasName: 'live',
            functionVersion: '1',
            additionalVersionWeights: {},
          }),
        );
        expect(error).toMatchObject({
          kind: 'throttled',
          operation: 'UpdateAlias',
          code: 'TooManyRequestsException',
          retryable: true,
        });
        expect(
          emulator()
            .requestLog.entries({ action: 'UpdateAlias' })
            .map((e) => e.status),
        ).toEqual([429, 429, 429]);
      },
    );

    it('maps a version that does not exist to not-found', async () => {
      const error = await rejectionOf(() =>
        aliases.restoreAlias({
          functionName: 'checkout',
          aliasName: 'live',
          functionVersion: '9',
          additionalVersionWeights: {},
        }),
      );
      expect(error).toMatchObject({ kind: 'not-found', operation: 'UpdateAlias' });
    });
  });
});
