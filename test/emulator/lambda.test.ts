import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { errorOf, useEmulator } from './testing';

const emulator = useEmulator();
let lambda: LambdaClient;

beforeEach(() => {
  lambda = new LambdaClient({ ...emulator().clientConfig(), maxAttempts: 1 });
});
afterEach(() => lambda.destroy());

const ROLE = 'arn:aws:iam::123456789012:role/watchdog';
const zip = (text: string): Uint8Array => new TextEncoder().encode(text);
const create = (
  FunctionName = 'watchdog',
  extra: Partial<ConstructorParameters<typeof CreateFunctionCommand>[0]> = {},
) =>
  lambda.send(
    new CreateFunctionCommand({
      FunctionName,
      Role: ROLE,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: zip('v1') },
      ...extra,
    }),
  );
const decode = (payload: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(payload));

describe('functions and versions', () => {
  it('creates a function and reads its configuration', async () => {
    const created = await create('watchdog', { Timeout: 30, Environment: { Variables: { MODE: 'dry' } } });
    expect(created).toMatchObject({
      FunctionName: 'watchdog',
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:watchdog',
      Version: '$LATEST',
      Runtime: 'nodejs20.x',
      Timeout: 30,
      MemorySize: 128,
      State: 'Active',
      Environment: { Variables: { MODE: 'dry' } },
      CodeSize: 2,
    });
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'watchdog' }));
    expect(got.Configuration?.CodeSha256).toBe(created.CodeSha256);
    expect(got.Code?.RepositoryType).toBe('S3');
    const byArn = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: created.FunctionArn }),
    );
    expect(byArn.FunctionName).toBe('watchdog');
  });

  it('publishes versions only when $LATEST changed, and lists them', async () => {
    await create();
    const v1 = await lambda.send(
      new PublishVersionCommand({ FunctionName: 'watchdog', Description: 'first' }),
    );
    expect(v1).toMatchObject({
      Version: '1',
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:watchdog:1',
      Description: 'first',
    });
    const again = await lambda.send(new PublishVersionCommand({ FunctionName: 'watchdog' }));
    expect(again.Version).toBe('1');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'watchdog', ZipFile: zip('v2') }));
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'watchdog' }));
    expect(v2.Version).toBe('2');
    expect(v2.CodeSha256).not.toBe(v1.CodeSha256);
    const list = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'watchdog' }));
    expect(list.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
    const v1Config = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'watchdog', Qualifier: '1' }),
    );
    expect(v1Config.CodeSha256).toBe(v1.CodeSha256);
  });

  it('guards PublishVersion with CodeSha256 and RevisionId', async () => {
    const created = await create();
    const sha = await errorOf(() =>
      lambda.send(new PublishVersionCommand({ FunctionName: 'watchdog', CodeSha256: 'nope' })),
    );
    expect(sha.name).toBe('InvalidParameterValueException');
    const rev = await errorOf(() =>
      lambda.send(new PublishVersionCommand({ FunctionName: 'watchdog', RevisionId: 'stale' })),
    );
    expect(rev.name).toBe('PreconditionFailedException');
    expect(rev.$metadata.httpStatusCode).toBe(412);
    const ok = await lambda.send(
      new PublishVersionCommand({
        FunctionName: 'watchdog',
        RevisionId: created.RevisionId,
        CodeSha256: created.CodeSha256,
      }),
    );
    expect(ok.Version).toBe('1');
  });

  it('updates configuration and deletes functions', async () => {
    await create();
    const out = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'watchdog', MemorySize: 256 }),
    );
    expect(out).toMatchObject({ MemorySize: 256, Timeout: 3 });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'watchdog' }));
    expect(emulator().lambda.functionNames()).toEqual([]);
  });

  it('answers ResourceConflict, ResourceNotFound and validation errors', async () => {
    await create();
    const conflict = await errorOf(() => create());
    expect([conflict.name, conflict.$metadata.httpStatusCode, conflict.message]).toEqual([
      'ResourceConflictException',
      409,
      'Function already exist: watchdog',
    ]);
    const missing = await errorOf(() => lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })));
    expect([missing.name, missing.$metadata.httpStatusCode, missing.message]).toEqual([
      'ResourceNotFoundException',
      404,
      'Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope',
    ]);
    const noRole = await errorOf(() =>
      lambda.send(new CreateFunctionCommand({ FunctionName: 'x', Code: { ZipFile: zip('a') } } as never)),
    );
    expect([noRole.name, noRole.message]).toEqual([
      'ValidationException',
      "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null",
    ]);
    const noRuntime = await errorOf(() =>
      lambda.send(new CreateFunctionCommand({ FunctionName: 'x', Role: ROLE, Code: { ZipFile: zip('a') } })),
    );
    expect(noRuntime.name).toBe('InvalidParameterValueException');
    const badName = await errorOf(() => lambda.send(new GetFunctionCommand({ FunctionName: 'bad name!' })));
    expect(badName.name).toBe('ValidationException');
  });
});

describe('aliases', () => {
  async function twoVersions(): Promise<void> {
    await create();
    await lambda.send(new PublishVersionCommand({ FunctionName: 'watchdog' }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'watchdog', ZipFile: zip('v2') }));
    await lambda.send(new PublishVersionCommand({ FunctionName: 'watchdog' }));
  }

  it('creates, reads, updates with routing config, lists and deletes an alias', async () => {
    await twoVersions();
    const created = await lambda.send(
      new CreateAliasCommand({ FunctionName: 'watchdog', Name: 'live', FunctionVersion: '1' }),
    );
    expect(created).toMatchObject({
      AliasArn: 'arn:aws:lambda:us-east-1:123456789012:function:watchdog:live',
      Name: 'live',
      FunctionVersion: '1',
    });
    const weighted = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'watchdog',
        Name: 'live',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
        RevisionId: created.RevisionId,
      }),
    );
    expect(weighted).toMatchObject({
      FunctionVersion: '1',
      RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
    });
    const flipped = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'watchdog',
        Name: 'live',
        FunctionVersion: '2',
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    expect(flipped.FunctionVersion).toBe('2');
    expect(flipped.RoutingConfig).toBeUndefined();
    const got = await lambda.send(new GetAliasCommand({ FunctionName: 'watchdog', Name: 'live' }));
    expect(got.FunctionVersion).toBe('2');
    const list = await lambda.send(new ListAliasesCommand({ FunctionName: 'watchdog' }));
    expect(list.Aliases?.map((a) => a.Name)).toEqual(['live']);
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'watchdog', Name: 'live' }));
    expect(emulator().lambda.alias('watchdog', 'live')).toBeUndefined();
  });

  it('answers the alias errors AWS answers', async () => {
    await twoVersions();
    await lambda.send(
      new CreateAliasCommand({ FunctionName: 'watchdog', Name: 'live', FunctionVersion: '1' }),
    );
    const cases: Array<[() => Promise<unknown>, string, number]> = [
      [
        () =>
          lambda.send(
            new CreateAliasCommand({ FunctionName: 'watchdog', Name: 'live', FunctionVersion: '1' }),
          ),
        'ResourceConflictException',
        409,
      ],
      [
        () => lambda.send(new GetAliasCommand({ FunctionName: 'watchdog', Name: 'nope' })),
        'ResourceNotFoundException',
        404,
      ],
      [
        () =>
          lambda.send(new CreateAliasCommand({ FunctionName: 'watchdog', Name: 'x', FunctionVersion: '9' })),
        'ResourceNotFoundException',
        404,
      ],
      [
        () =>
          lambda.send(
            new UpdateAliasCommand({ FunctionName: 'watchdog', Name: 'live', RevisionId: 'stale' }),
          ),
        'PreconditionFailedException',
        412,
      ],
      [
        () =>
          lambda.send(
            new UpdateAliasCommand({
              FunctionName: 'watchdog',
              Name: 'live',
              RoutingConfig: { AdditionalVersionWeights: { '2': 0.5, $LATEST: 0.1 } },
            }),
          ),
        'InvalidParameterValueException',
        400,
      ],
      [
        () =>
          lambda.send(
            new UpdateAliasCommand({
              FunctionName: 'watchdog',
              Name: 'live',
              RoutingConfig: { AdditionalVersionWeights: { '2': 1.5 } },
            }),
          ),
        'ValidationException',
        400,
      ],
      [
        () =>
          lambda.send(
            new CreateAliasCommand({ FunctionName: 'watchdog', Name: '123', FunctionVersion: '1' }),
          ),
        'ValidationException',
        400,
      ],
    ];
    for (const [call, name, status] of cases) {
      const err = await errorOf(call);
      expect([err.name, err.$metadata.httpStatusCode]).toEqual([name, status]);
    }
  });
});

describe('Invoke', () => {
  it('runs the registered in-process handler and returns its result', async () => {
    await create();
    emulator().lambda.registerHandler('watchdog', async (event, context) => ({
      echo: event,
      version: context.functionVersion,
    }));
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'watchdog', Payload: JSON.stringify({ a: 1 }), LogType: 'Tail' }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toEqual({ echo: { a: 1 }, version: '$LATEST' });
    expect(Buffer.from(out.LogResult as string, 'base64').toString()).toContain('START RequestId');
  });

  it('reports a thrown error as FunctionError Unhandled with status 200', async () => {
    await create();
    emulator().lambda.registerHandler('watchdog', () => {
      throw new TypeError('boom');
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'watchdog' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
  });

  it('routes an alias to its version, with per-version handlers', async () => {
    await create();
    await lambda.send(new PublishVersionCommand({ FunctionName: 'watchdog' }));
    await lambda.send(
      new CreateAliasCommand({ FunctionName: 'watchdog', Name: 'live', FunctionVersion: '1' }),
    );
    emulator().lambda.registerHandler('watchdog', () => 'generic');
    emulator().lambda.registerHandler('watchdog:1', () => 'version one');
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'watchdog', Qualifier: 'live' }));
    expect(out.ExecutedVersion).toBe('1');
    expect(decode(out.Payload)).toBe('version one');
  });

  it('answers Event with 202, DryRun with 204, and refuses non-JSON payloads', async () => {
    await create();
    let calls = 0;
    emulator().lambda.registerHandler('watchdog', () => {
      calls++;
      return null;
    });
    expect(
      (await lambda.send(new InvokeCommand({ FunctionName: 'watchdog', InvocationType: 'Event' })))
        .StatusCode,
    ).toBe(202);
    expect(
      (await lambda.send(new InvokeCommand({ FunctionName: 'watchdog', InvocationType: 'DryRun' })))
        .StatusCode,
    ).toBe(204);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    const bad = await errorOf(() =>
      lambda.send(
        new InvokeCommand({ FunctionName: 'watchdog', Payload: new TextEncoder().encode('{oops') }),
      ),
    );
    expect(bad.name).toBe('InvalidRequestContentException');
  });

  it('fails the invocation visibly when no handler is registered', async () => {
    await create();
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'watchdog' }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'Runtime.HandlerNotFound' });
  });
});
