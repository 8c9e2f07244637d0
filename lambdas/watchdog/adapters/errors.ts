/**
 * Maps what the AWS SDK throws to the engine's `AwsCallError`, so the engine decides on a failure
 * kind (retry, give up, report) and never sees an SDK type.
 *
 * The SDK's own retry strategy stays on (3 attempts by default): an error that reaches these
 * functions has already outlasted it. The engine retries retryable kinds again within its time
 * budget, so adapters never loop themselves.
 */
import { AwsCallError, type FailureKind } from '../ports';

/** Codes AWS services use for throttling (the SDK's list, and each service's own). */
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
]);

/** Node.js socket errors and the SDK's timeout names: the request may not have reached AWS. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);

/** `ListenerNotFound`, `ParameterVersionNotFound`, `ResourceNotFoundException`, S3's `NoSuch*`... */
const NOT_FOUND = /NotFound|^NoSuch(Key|Version|Bucket)$/;

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
]);

/** The parts of an SDK (or Node.js) error this module reads; every one may be missing. */
interface ErrorFacts {
  /** The wire code (`ListenerNotFound`), the SDK's exception name, or a Node.js errno code. */
  readonly code: string;
  readonly names: readonly string[];
  readonly message: string;
  readonly status?: number;
  readonly throttling: boolean;
}

function field(error: object, key: string): unknown {
  return (error as Record<string, unknown>)[key];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function factsOf(error: unknown): ErrorFacts {
  if (typeof error !== 'object' || error === null) {
    return { code: 'Unknown', names: [], message: String(error), throttling: false };
  }
  // `Code` is the wire code (ELBv2 `ListenerNotFound`); `name` the SDK's class name
  // (`ListenerNotFoundException`); `code` a Node.js errno (`ECONNRESET`).
  const wire = text(field(error, 'Code'));
  const name = text(field(error, 'name'));
  const errno = text(field(error, 'code'));
  const metadata = field(error, '$metadata');
  const status =
    typeof metadata === 'object' && metadata !== null ? field(metadata, 'httpStatusCode') : undefined;
  const retryable = field(error, '$retryable');
  const throttling =
    typeof retryable === 'object' && retryable !== null && field(retryable, 'throttling') === true;
  // The SDK wraps what does not look like an Error to it (a socket error from another realm) as
  // `AWS SDK error wrapper for TimeoutError: socket hang up`: read the name back out of it.
  const rawMessage = text(field(error, 'message')) ?? 'no message';
  const wrapped = /^AWS SDK error wrapper for (\w+): (.*)$/s.exec(rawMessage);
  const wrappedName = wrapped?.[1];
  const names = [wire, name, errno, wrappedName].filter((n): n is string => n !== undefined && n !== 'Error');
  return {
    code: wire ?? errno ?? wrappedName ?? (name === 'Error' ? undefined : name) ?? 'Unknown',
    names,
    message: wrapped?.[2] ?? rawMessage,
    status: typeof status === 'number' ? status : undefined,
    throttling,
  };
}

function kindOf(facts: ErrorFacts): FailureKind {
  const { names, status } = facts;
  if (facts.throttling || status === 429 || names.some((n) => THROTTLING_CODES.has(n))) return 'throttled';
  if (names.some((n) => NOT_FOUND.test(n))) return 'not-found';
  if (names.some((n) => ACCESS_DENIED.has(n))) return 'access-denied';
  if ((status !== undefined && status >= 500) || names.some((n) => NETWORK_CODES.has(n))) return 'transient';
  if (/socket hang up/i.test(facts.message)) return 'transient';
  // HEAD answers carry no body, so the SDK only has the status to go on.
  if (status === 404) return 'not-found';
  if (status === 403) return 'access-denied';
  return 'invalid';
}

/**
 * Maps an SDK error (or a Node.js socket error, or anything thrown) to an `AwsCallError`,
 * keeping its code and message. An `AwsCallError` passes through unchanged.
 */
export function toAwsCallError(operation: string, error: unknown): AwsCallError {
  if (error instanceof AwsCallError) return error;
  const facts = factsOf(error);
  return new AwsCallError(kindOf(facts), operation, facts.code, facts.message);
}

/** Runs one AWS call, rethrowing its failure as an `AwsCallError` for `operation`. */
export async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toAwsCallError(operation, error);
  }
}

/** Whether `error` is an `AwsCallError` of one of `kinds`. */
export function isFailure(error: unknown, ...kinds: FailureKind[]): error is AwsCallError {
  return error instanceof AwsCallError && kinds.includes(error.kind);
}
