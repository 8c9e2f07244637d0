/**
 * The CLI's errors and exit codes. Every failure ends in a {@link CliError}: one message that says what
 * went wrong and what to do, and an exit code scripts can branch on.
 */

/** The documented exit codes (README, `switchback --help`). */
export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** The command ran, but the watchdog refused or failed (partial rollback, capture refused, nothing to acknowledge). */
  failed: 1,
  /** Bad usage: an unknown command or option, a missing or invalid argument. */
  usage: 2,
  /** The environment is not set up: no credentials, no region, no synthesized app, unknown service or function. */
  setup: 3,
  /** AWS answered with an error the operator must look at: access denied, throttling, an unreachable endpoint. */
  aws: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What an AWS SDK (or network) error means for an operator, as a {@link CliError}. */
export function describeAwsError(
  error: unknown,
  target: { functionName?: string; region?: string; profile?: string },
): CliError {
  if (error instanceof CliError) return error;
  const name = (error as { name?: string })?.name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string })?.code ?? '';
  const where = target.region ? ` in ${target.region}` : '';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    if (target.profile) {
      return new CliError(
        `no AWS credentials for the profile '${target.profile}' (${message}). Check it is in ~/.aws/config (or AWS_CONFIG_FILE), or run \`aws sso login --profile ${target.profile}\`.`,
        EXIT.setup,
      );
    }
    return new CliError(
      `no AWS credentials found (${message}). Set --profile or AWS_PROFILE, run \`aws sso login\`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
      EXIT.setup,
    );
  }
  if (/Region is missing/i.test(message)) {
    return new CliError(
      'no AWS region: pass --region, set AWS_REGION, or set a region on the profile.',
      EXIT.setup,
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new CliError(
      `the watchdog function ${target.functionName ?? ''} was not found${where} (${message}). Is it deployed, and is the region right (--region)?`,
      EXIT.setup,
    );
  }
  if (name === 'NoSuchBucket') {
    return new CliError(`the artifact store bucket was not found${where}: ${message}`, EXIT.setup);
  }
  if (
    /AccessDenied/i.test(name) ||
    name === 'UnrecognizedClientException' ||
    name === 'ExpiredTokenException'
  ) {
    return new CliError(
      `AWS refused the request (${name}: ${message}). The operator role needs lambda:InvokeFunction on the watchdog and s3:GetObject/ListBucket on its audit prefix.`,
      EXIT.aws,
    );
  }
  if (name === 'TooManyRequestsException' && target.functionName) {
    return new CliError(
      `the watchdog ${target.functionName} stayed busy (its one concurrency slot is in use, most likely by an automatic rollback). Check \`switchback status\` and \`switchback history\`, then try again.`,
      EXIT.aws,
    );
  }
  if (/Throttl|TooManyRequests/i.test(name)) {
    return new CliError(`AWS throttled the request (${name}): try again in a few seconds.`, EXIT.aws);
  }
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET'].includes(code) ||
    /ECONNREFUSED|ENOTFOUND/.test(message)
  ) {
    return new CliError(
      `cannot reach the AWS endpoint (${code || message}). Check AWS_ENDPOINT_URL and the network.`,
      EXIT.aws,
    );
  }
  return new CliError(`${name || 'Error'}: ${message}`, EXIT.aws);
}
