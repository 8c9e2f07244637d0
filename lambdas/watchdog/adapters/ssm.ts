/**
 * The parameter port over SSM Parameter Store: reads a parameter's live version, and writes an
 * earlier version's value back as the newest version.
 *
 * Values may be secrets: they are never logged, and never put in an error message (an SSM error
 * that quotes the value is replaced by one that does not).
 */
import {
  GetParameterCommand,
  GetParameterHistoryCommand,
  type ParameterHistory,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { AwsCallError, type ParameterPort } from '../ports';
import { call, toAwsCallError } from './errors';

/** GetParameterHistory's largest page. */
const HISTORY_PAGE_SIZE = 50;

/** Parameter Store keeps this many versions of a parameter; older ones are deleted. */
const KEPT_VERSIONS = 100;

/** The wanted version and the newest one, from the parameter's whole history. */
interface Versions {
  readonly wanted?: ParameterHistory;
  readonly newest?: ParameterHistory;
}

/** The same value, type, key and data type: writing `a` over `b` would change nothing. */
function sameContent(a: ParameterHistory, b: ParameterHistory): boolean {
  return (
    a.Value === b.Value &&
    a.Type === b.Type &&
    (a.Type !== 'SecureString' || a.KeyId === b.KeyId) &&
    (a.DataType ?? 'text') === (b.DataType ?? 'text')
  );
}

/** The parameter port, and whether a parameter's live value is a given version's. */
export interface ParameterAdapter extends ParameterPort {
  /**
   * Whether the newest version of `name` holds the value, type and key of `version` (it is that
   * version, or a restore of it). Throws `AwsCallError` kind `not-found` when `version` is gone.
   */
  matchesVersion(name: string, version: number): Promise<boolean>;
}

/** The parameter port over an SSM client. */
export function createParameterAdapter(client: SSMClient): ParameterAdapter {
  const versions = async (name: string, version: number): Promise<Versions> => {
    let wanted: ParameterHistory | undefined;
    let newest: ParameterHistory | undefined;
    let token: string | undefined;
    do {
      const out = await call('GetParameterHistory', () =>
        client.send(
          new GetParameterHistoryCommand({
            Name: name,
            WithDecryption: true,
            MaxResults: HISTORY_PAGE_SIZE,
            NextToken: token,
          }),
        ),
      );
      for (const p of out.Parameters ?? []) {
        if (p.Version === version) wanted = p;
        if (p.Version !== undefined && (newest?.Version === undefined || p.Version > newest.Version))
          newest = p;
      }
      token = out.NextToken;
    } while (token);
    return { wanted, newest };
  };

  const findVersion = async (
    name: string,
    version: number,
  ): Promise<{ wanted: ParameterHistory; newest: ParameterHistory }> => {
    const { wanted, newest } = await versions(name, version);
    if (!wanted || wanted.Value === undefined || !newest) {
      throw new AwsCallError(
        'not-found',
        'GetParameterHistory',
        'ParameterVersionNotFound',
        `version ${version} of parameter ${name} no longer exists (Parameter Store keeps the newest ${KEPT_VERSIONS} versions)`,
      );
    }
    return { wanted, newest };
  };

  const put = async (name: string, version: number, from: ParameterHistory, newest: ParameterHistory) => {
    const value = from.Value as string;
    try {
      await client.send(
        new PutParameterCommand({
          Name: name,
          Value: value,
          Type: from.Type,
          Overwrite: true,
          KeyId: from.Type === 'SecureString' ? from.KeyId : undefined,
          DataType: from.DataType,
          // An advanced parameter cannot go back to the standard tier, and the value may need it.
          Tier: from.Tier === 'Advanced' || newest.Tier === 'Advanced' ? 'Advanced' : undefined,
        }),
      );
    } catch (error) {
      const mapped = toAwsCallError('PutParameter', error);
      if (value === '' || !mapped.message.includes(value)) throw mapped;
      throw new AwsCallError(
        mapped.kind,
        mapped.operation,
        mapped.code,
        `Parameter Store refused the value of version ${version} of ${name} (its message is withheld because it quotes the value)`,
      );
    }
  };

  return {
    async currentVersion(name: string): Promise<number> {
      const out = await call('GetParameter', () => client.send(new GetParameterCommand({ Name: name })));
      const version = out.Parameter?.Version;
      if (version === undefined) {
        throw new AwsCallError(
          'invalid',
          'GetParameter',
          'MalformedParameter',
          `parameter ${name} has no version`,
        );
      }
      return version;
    },

    async matchesVersion(name: string, version: number): Promise<boolean> {
      const { wanted, newest } = await findVersion(name, version);
      return sameContent(wanted, newest);
    },

    async restoreVersion(name: string, version: number): Promise<void> {
      const { wanted, newest } = await findVersion(name, version);
      // Level-triggered: when the newest version already holds that value, another version would
      // only push older versions out of the history.
      if (sameContent(wanted, newest)) return;
      await put(name, version, wanted, newest);
    },

    async currentValue(name: string): Promise<string> {
      const out = await call('GetParameter', () =>
        client.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
      );
      return out.Parameter?.Value ?? '';
    },

    async putValue(name: string, value: string): Promise<number> {
      // The kill switch keeps the parameter's type (and key, tier): read the newest version first.
      const { newest } = await versions(name, -1);
      if (!newest) {
        throw new AwsCallError(
          'not-found',
          'GetParameterHistory',
          'ParameterNotFound',
          `parameter ${name} has no versions`,
        );
      }
      if (newest.Value === value && newest.Version !== undefined) return newest.Version;
      const out = await call('PutParameter', () =>
        client.send(
          new PutParameterCommand({
            Name: name,
            Value: value,
            Type: newest.Type,
            Overwrite: true,
            KeyId: newest.Type === 'SecureString' ? newest.KeyId : undefined,
            DataType: newest.DataType,
            Tier: newest.Tier === 'Advanced' ? 'Advanced' : undefined,
          }),
        ),
      );
      return out.Version ?? (newest.Version ?? 0) + 1;
    },
  };
}
