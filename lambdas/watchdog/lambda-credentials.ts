/**
 * The credential provider the watchdog's bundle uses in place of the SDK's default chain. Lambda
 * always hands a function its role's credentials in the environment, so the chain's other sources
 * (profiles, SSO, web identity with its STS client, instance metadata) are dead weight in the bundle:
 * about 90 KiB. The bundler aliases `@aws-sdk/credential-provider-node` to this module; tests that
 * run the unbundled runtime pass credentials explicitly or use the real chain.
 */

interface EnvironmentCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Same name and call shape as the SDK's: `defaultProvider(init)` gives a provider. */
export function defaultProvider(_init?: unknown): () => Promise<EnvironmentCredentials> {
  return async () => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error(
        'no AWS credentials: the watchdog reads its role credentials from the environment Lambda sets (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)',
      );
    }
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    const expiration = process.env.AWS_CREDENTIAL_EXPIRATION;
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiration ? { expiration: new Date(expiration) } : {}),
    };
  };
}
