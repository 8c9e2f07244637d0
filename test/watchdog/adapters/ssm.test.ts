import {
  GetParameterCommand,
  GetParameterHistoryCommand,
  type ParameterHistory,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { createParameterAdapter, type ParameterAdapter } from '../../../lambdas/watchdog/adapters';
import { AwsCallError } from '../../../lambdas/watchdog/ports';
import { type CommandRecord, describeBackends, recordCommands } from './backends';
import { rejectionOf } from './fixtures';

describeBackends('the parameter adapter (SSM)', (backend) => {
  const emulator = () => backend().emulator();
  let client: SSMClient;
  let parameters: ParameterAdapter;
  let sent: CommandRecord;

  beforeEach(() => {
    client = new SSMClient(backend().sdkConfig());
    parameters = createParameterAdapter(client);
    sent = recordCommands(client);
  });
  afterEach(() => client.destroy());

  /** The newest version of `name`, decrypted, as GetParameter answers. */
  const live = async (name: string) =>
    (await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter;

  /** Every version of `name` still kept, oldest first, as GetParameterHistory answers (all pages). */
  async function history(name: string): Promise<ParameterHistory[]> {
    const all: ParameterHistory[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(
        new GetParameterHistoryCommand({ Name: name, WithDecryption: true, NextToken: token }),
      );
      all.push(...(out.Parameters ?? []));
      token = out.NextToken;
    } while (token);
    return all;
  }

  /** Writes `values` as versions 1, 2, ... of `name`. */
  async function versions(
    name: string,
    values: string[],
    type: 'String' | 'SecureString' = 'String',
    keyIds: string[] = [],
  ) {
    for (const [i, value] of values.entries()) {
      await client.send(
        new PutParameterCommand({ Name: name, Value: value, Type: type, Overwrite: true, KeyId: keyIds[i] }),
      );
    }
  }

  async function failure(fn: () => Promise<unknown>): Promise<AwsCallError> {
    const error = await rejectionOf(fn);
    expect(error).toBeInstanceOf(AwsCallError);
    return error as AwsCallError;
  }

  describe('currentVersion', () => {
    it('reads the live version number', async () => {
      await versions('/shop/flags', ['a', 'b', 'c']);
      expect(await parameters.currentVersion('/shop/flags')).toBe(3);
    });

    it('maps a parameter that does not exist to not-found', async () => {
      const error = await failure(() => parameters.currentVersion('/shop/gone'));
      expect(error).toMatchObject({
        kind: 'not-found',
        operation: 'GetParameter',
        code: 'ParameterNotFound',
      });
    });
  });

  describe('restoreVersion', () => {
    it("writes an older version's value back as the newest version", async () => {
      // Given versions 1-3, the release having written 2 and 3
      await versions('/shop/flags', ['{"checkout":"v1"}', '{"checkout":"v2"}', '{"checkout":"v3"}']);

      // When version 1 is restored
      await parameters.restoreVersion('/shop/flags', 1);

      // Then version 4 holds version 1's value and type
      expect(await live('/shop/flags')).toMatchObject({
        Version: 4,
        Value: '{"checkout":"v1"}',
        Type: 'String',
      });
      expect(await parameters.currentVersion('/shop/flags')).toBe(4);
      expect(await parameters.matchesVersion('/shop/flags', 1)).toBe(true);
    });

    it('restores a SecureString with its value decrypted and its own KMS key', async () => {
      // Given a secret re-encrypted under another key by the release
      await versions('/shop/db-password', ['hunter2', 'correct horse'], 'SecureString', [
        'alias/shop-old',
        'alias/shop-new',
      ]);

      // When version 1 is restored
      await parameters.restoreVersion('/shop/db-password', 1);

      // Then the newest version holds the plaintext of version 1 under version 1's key
      expect((await history('/shop/db-password')).at(-1)).toMatchObject({
        Version: 3,
        Type: 'SecureString',
        Value: 'hunter2',
        KeyId: 'alias/shop-old',
      });
    });

    it('restores a version type too (a StringList back from a String)', async () => {
      await client.send(new PutParameterCommand({ Name: '/shop/hosts', Value: 'a,b', Type: 'StringList' }));
      await client.send(
        new PutParameterCommand({ Name: '/shop/hosts', Value: 'c', Type: 'String', Overwrite: true }),
      );
      await parameters.restoreVersion('/shop/hosts', 1);
      expect(await live('/shop/hosts')).toMatchObject({
        Version: 3,
        Type: 'StringList',
        Value: 'a,b',
      });
    });

    it('writes nothing when the newest version already holds that value (a repeated restore)', async () => {
      // Given version 1 restored once (as version 3)
      await versions('/shop/flags', ['a', 'b']);
      await parameters.restoreVersion('/shop/flags', 1);
      sent.clear();

      // When it is restored again
      await parameters.restoreVersion('/shop/flags', 1);

      // Then no version was added
      expect(sent.count('PutParameter')).toBe(0);
      expect((await history('/shop/flags')).map((v) => v.Version)).toEqual([1, 2, 3]);
    });

    it('finds versions on every page of the history (which holds the newest 100)', async () => {
      // Given 101 versions: version 1 has been dropped, 2-101 are kept
      await versions(
        '/shop/build',
        Array.from({ length: 101 }, (_, i) => `build-${i + 1}`),
      );
      sent.clear();

      // When version 99 (on the second page of history) is restored
      await parameters.restoreVersion('/shop/build', 99);

      // Then it was found by reading both pages
      expect(await live('/shop/build')).toMatchObject({ Version: 102, Value: 'build-99' });
      expect(sent.count('GetParameterHistory')).toBe(2);

      // And version 1, which Parameter Store dropped, is not-found, named but never its value
      const error = await failure(() => parameters.restoreVersion('/shop/build', 1));
      expect(error).toMatchObject({ kind: 'not-found', code: 'ParameterVersionNotFound', retryable: false });
      expect(error.message).toContain('version 1 of parameter /shop/build');
      expect(error.message).not.toContain('build-1');
    });

    backend.needs(
      ['faults'],
      'never puts a value in an error, even when Parameter Store quotes it',
      async () => {
        // Given a secret, and Parameter Store refusing the write with a message quoting the value
        await versions('/shop/api-key', ['s3cr3t-key', 'other'], 'SecureString');
        emulator().faults.add({
          service: 'ssm',
          action: 'PutParameter',
          error: {
            status: 400,
            code: 'ParameterPatternMismatchException',
            message:
              'Parameter value, s3cr3t-key, failed to satisfy constraint specified by Allowed Pattern: ^x$',
          },
        });

        // When version 1 is restored
        const error = await failure(() => parameters.restoreVersion('/shop/api-key', 1));

        // Then the error names the parameter and version, not the value
        expect(error).toMatchObject({ kind: 'invalid', code: 'ParameterPatternMismatchException' });
        expect(error.message).toContain('version 1 of /shop/api-key');
        expect(error.message).not.toContain('s3cr3t-key');
      },
    );

    backend.needs(
      ['faults', 'requestLog'],
      'maps throttling that outlasts the SDK retries to throttled',
      async () => {
        await versions('/shop/flags', ['a', 'b']);
        emulator().faults.add({ service: 'ssm', action: 'GetParameterHistory', throttle: 'always' });
        const error = await failure(() => parameters.restoreVersion('/shop/flags', 1));
        expect(error).toMatchObject({
          kind: 'throttled',
          operation: 'GetParameterHistory',
          code: 'ThrottlingException',
        });
        expect(emulator().requestLog.count({ action: 'GetParameterHistory' })).toBe(3);
      },
    );
  });

  describe('matchesVersion', () => {
    it('tells whether the live value is that version', async () => {
      await versions('/shop/flags', ['a', 'b', 'a']);
      expect(await parameters.matchesVersion('/shop/flags', 1)).toBe(true);
      expect(await parameters.matchesVersion('/shop/flags', 2)).toBe(false);
      expect(await parameters.matchesVersion('/shop/flags', 3)).toBe(true);
    });
  });
});
