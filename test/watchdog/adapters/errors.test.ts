import type { S3Client } from '@aws-sdk/client-s3';
import { call, createStoreAdapter, isFailure, toAwsCallError } from '../../../lambdas/watchdog/adapters';
import { AwsCallError } from '../../../lambdas/watchdog/ports';

/** An error shaped as the SDK throws them: a name, maybe a wire `Code`, `$metadata`, `$retryable`. */
function sdkError(name: string, fields: Record<string, unknown> = {}, status = 400): Error {
  return Object.assign(
    new Error(`${name} happened`),
    { name, $metadata: { httpStatusCode: status, attempts: 3 } },
    fields,
  );
}

/** A Node.js socket error as the HTTP handler rejects with it. */
function socketError(code: string, message: string, name = 'Error'): Error {
  return Object.assign(new Error(message), { code, name, $metadata: { attempts: 3 } });
}

describe('toAwsCallError', () => {
  it.each([
    ['ELBv2 Throttling', sdkError('Throttling', { Code: 'Throttling' }), 'throttled', 'Throttling'],
    ['SSM ThrottlingException', sdkError('ThrottlingException'), 'throttled', 'ThrottlingException'],
    [
      'Lambda TooManyRequestsException (429)',
      sdkError('TooManyRequestsException', {}, 429),
      'throttled',
      'TooManyRequestsException',
    ],
    ['EC2-style RequestLimitExceeded', sdkError('RequestLimitExceeded'), 'throttled', 'RequestLimitExceeded'],
    ['S3 SlowDown (503)', sdkError('SlowDown', { Code: 'SlowDown' }, 503), 'throttled', 'SlowDown'],
    [
      'an error the SDK marked as throttling',
      sdkError('Odd', { $retryable: { throttling: true } }),
      'throttled',
      'Odd',
    ],
    ['a 500', sdkError('InternalFailure', { Code: 'InternalFailure' }, 500), 'transient', 'InternalFailure'],
    ['a 503 without a body', sdkError('Unknown', {}, 503), 'transient', 'Unknown'],
    ['ECONNRESET', socketError('ECONNRESET', 'socket hang up', 'TimeoutError'), 'transient', 'ECONNRESET'],
    [
      'ECONNREFUSED',
      socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
      'transient',
      'ECONNREFUSED',
    ],
    ['a TimeoutError', sdkError('TimeoutError'), 'transient', 'TimeoutError'],
    [
      "the SDK's wrapper of a socket error from another realm",
      Object.assign(new Error('AWS SDK error wrapper for TimeoutError: socket hang up'), {
        $metadata: { attempts: 3 },
      }),
      'transient',
      'TimeoutError',
    ],
    [
      'ListenerNotFound',
      sdkError('ListenerNotFoundException', { Code: 'ListenerNotFound' }),
      'not-found',
      'ListenerNotFound',
    ],
    [
      'RuleNotFound',
      sdkError('RuleNotFoundException', { Code: 'RuleNotFound' }),
      'not-found',
      'RuleNotFound',
    ],
    [
      'TargetGroupNotFound',
      sdkError('TargetGroupNotFoundException', { Code: 'TargetGroupNotFound' }),
      'not-found',
      'TargetGroupNotFound',
    ],
    ['ParameterNotFound', sdkError('ParameterNotFound'), 'not-found', 'ParameterNotFound'],
    [
      'ParameterVersionNotFound',
      sdkError('ParameterVersionNotFound'),
      'not-found',
      'ParameterVersionNotFound',
    ],
    [
      'Lambda ResourceNotFoundException',
      sdkError('ResourceNotFoundException', {}, 404),
      'not-found',
      'ResourceNotFoundException',
    ],
    ['S3 NoSuchKey', sdkError('NoSuchKey', { Code: 'NoSuchKey' }, 404), 'not-found', 'NoSuchKey'],
    [
      'S3 NoSuchVersion',
      sdkError('NoSuchVersion', { Code: 'NoSuchVersion' }, 404),
      'not-found',
      'NoSuchVersion',
    ],
    ['S3 NoSuchBucket', sdkError('NoSuchBucket', { Code: 'NoSuchBucket' }, 404), 'not-found', 'NoSuchBucket'],
    ['a HEAD 404 without a body', sdkError('NotFound', {}, 404), 'not-found', 'NotFound'],
    [
      'AccessDenied',
      sdkError('AccessDenied', { Code: 'AccessDenied' }, 403),
      'access-denied',
      'AccessDenied',
    ],
    ['AccessDeniedException', sdkError('AccessDeniedException'), 'access-denied', 'AccessDeniedException'],
    ['UnauthorizedOperation', sdkError('UnauthorizedOperation'), 'access-denied', 'UnauthorizedOperation'],
    [
      'AuthorizationError',
      sdkError('AuthorizationError', { Code: 'AuthorizationError' }),
      'access-denied',
      'AuthorizationError',
    ],
    [
      'a ValidationError',
      sdkError('ValidationError', { Code: 'ValidationError' }),
      'invalid',
      'ValidationError',
    ],
    [
      'InvalidLoadBalancerAction',
      sdkError('InvalidLoadBalancerActionException', { Code: 'InvalidLoadBalancerAction' }),
      'invalid',
      'InvalidLoadBalancerAction',
    ],
  ] as const)('maps %s', (_, error, kind, code) => {
    const mapped = toAwsCallError('DoThing', error);
    expect(mapped).toBeInstanceOf(AwsCallError);
    expect(mapped).toMatchObject({ kind, code, operation: 'DoThing' });
    expect(mapped.retryable).toBe(kind === 'throttled' || kind === 'transient');
  });

  it("keeps the error's message", () => {
    const mapped = toAwsCallError(
      'ModifyListener',
      sdkError('ListenerNotFoundException', { Code: 'ListenerNotFound' }),
    );
    expect(mapped.message).toBe(
      'ModifyListener failed (ListenerNotFound): ListenerNotFoundException happened',
    );
  });

  it('passes an AwsCallError through unchanged', () => {
    const original = new AwsCallError('invalid', 'DescribeRules', 'UnsupportedAction', 'no');
    expect(toAwsCallError('Other', original)).toBe(original);
  });

  it('maps something that is not an error at all to invalid', () => {
    expect(toAwsCallError('X', 'boom')).toMatchObject({
      kind: 'invalid',
      code: 'Unknown',
      message: 'X failed (Unknown): boom',
    });
    expect(toAwsCallError('X', undefined)).toMatchObject({ kind: 'invalid', code: 'Unknown' });
  });
});

describe('call', () => {
  it('answers what the call answers', async () => {
    await expect(call('GetAlias', async () => 42)).resolves.toBe(42);
  });

  it('rethrows a failure as an AwsCallError for the operation', async () => {
    const error = await call('GetAlias', async () => {
      throw sdkError('ResourceNotFoundException', {}, 404);
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'not-found', operation: 'GetAlias' });
    expect(isFailure(error, 'not-found')).toBe(true);
    expect(isFailure(error, 'throttled', 'transient')).toBe(false);
    expect(isFailure(new Error('x'), 'invalid')).toBe(false);
  });
});

describe('the store adapter’s conditional writes', () => {
  /** An S3 client whose PutObject fails as given, once (so the SDK made one attempt). */
  const failingClient = (error: unknown) => ({ send: () => Promise.reject(error) }) as unknown as S3Client;

  it('recognises 409 ConditionalRequestConflict by its status when the error has no code', async () => {
    // A proxy or an older parser may hand back a bare 409: still a lost race, not an error.
    const bare409 = Object.assign(new Error('Conflict'), {
      name: 'Error',
      $metadata: { httpStatusCode: 409, attempts: 1 },
    });
    const store = createStoreAdapter(failingClient(bare409), 'shop-switchback-store');
    await expect(store.putJson('events/a.json', { a: 1 }, { ifNoneMatch: true })).resolves.toBe(
      'precondition-failed',
    );
  });

  it('still raises a 409 on an unconditional write', async () => {
    const bare409 = Object.assign(new Error('Conflict'), {
      name: 'Error',
      $metadata: { httpStatusCode: 409, attempts: 1 },
    });
    const store = createStoreAdapter(failingClient(bare409), 'shop-switchback-store');
    await expect(store.putJson('events/a.json', { a: 1 })).rejects.toBeInstanceOf(AwsCallError);
  });
});
