import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
} from '@aws-sdk/client-ssm';
import { errorOf, useEmulator } from './testing';

const emulator = useEmulator();
let ssm: SSMClient;

beforeEach(() => {
  ssm = new SSMClient({ ...emulator().clientConfig(), maxAttempts: 1 });
});
afterEach(() => ssm.destroy());

const put = (
  Name: string,
  Value: string,
  extra: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {},
) => ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', ...extra }));

describe('parameters and versions', () => {
  it('puts, overwrites and reads parameters with versions, ARN and timestamps', async () => {
    expect(await put('/app/release', 'v1')).toMatchObject({ Version: 1, Tier: 'Standard' });
    expect(await put('/app/release', 'v2', { Overwrite: true })).toMatchObject({ Version: 2 });
    const latest = await ssm.send(new GetParameterCommand({ Name: '/app/release' }));
    expect(latest.Parameter).toMatchObject({
      Name: '/app/release',
      Type: 'String',
      Value: 'v2',
      Version: 2,
      DataType: 'text',
      ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/release',
    });
    expect(latest.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    const v1 = await ssm.send(new GetParameterCommand({ Name: '/app/release:1' }));
    expect(v1.Parameter).toMatchObject({ Value: 'v1', Version: 1, Selector: ':1' });
  });

  it('refuses to overwrite without Overwrite (ParameterAlreadyExists)', async () => {
    await put('/p', 'a');
    const err = await errorOf(() => put('/p', 'b'));
    expect(err.name).toBe('ParameterAlreadyExists');
    expect(err.message).toBe(
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  });

  it('answers ParameterNotFound and ParameterVersionNotFound', async () => {
    expect((await errorOf(() => ssm.send(new GetParameterCommand({ Name: '/missing' })))).name).toBe(
      'ParameterNotFound',
    );
    await put('/p', 'a');
    const err = await errorOf(() => ssm.send(new GetParameterCommand({ Name: '/p:9' })));
    expect(err.name).toBe('ParameterVersionNotFound');
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('validates names, types and values with ValidationException', async () => {
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => put('a/b', 'x'), 'Parameter name must be a fully qualified name.'],
      [() => put('/aws/x', 'x'), 'Parameter name: can'],
      [
        () => ssm.send(new PutParameterCommand({ Name: '/no-type', Value: 'x' })),
        'A parameter type is required when you create a parameter.',
      ],
      [
        () => put('/big', 'x'.repeat(4097)),
        'Standard tier parameters support a maximum parameter value of 4096 characters',
      ],
      [() => ssm.send(new GetParameterCommand({} as never)), "Value null at 'name'"],
    ];
    for (const [call, message] of cases) {
      const err = await errorOf(call);
      expect(err.name).toBe('ValidationException');
      expect(err.message).toContain(message);
    }
    const deep = await errorOf(() => put(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, 'x'));
    expect(deep.name).toBe('HierarchyLevelLimitExceededException');
    const pattern = await errorOf(() => put('/pat', 'abc', { AllowedPattern: '^\\d+$' }));
    expect(pattern.name).toBe('ParameterPatternMismatchException');
  });

  it('keeps SecureString values opaque unless WithDecryption', async () => {
    await put('/secret', 's3cr3t', { Type: 'SecureString' });
    const hidden = await ssm.send(new GetParameterCommand({ Name: '/secret' }));
    const shown = await ssm.send(new GetParameterCommand({ Name: '/secret', WithDecryption: true }));
    expect(hidden.Parameter?.Value).not.toBe('s3cr3t');
    expect(shown.Parameter?.Value).toBe('s3cr3t');
  });

  it('reads several parameters and a path', async () => {
    await put('/svc/a', '1');
    await put('/svc/b', '2');
    await put('/svc/deep/c', '3');
    const many = await ssm.send(new GetParametersCommand({ Names: ['/svc/a', '/nope'] }));
    expect(many.Parameters?.map((p) => p.Value)).toEqual(['1']);
    expect(many.InvalidParameters).toEqual(['/nope']);
    const shallow = await ssm.send(new GetParametersByPathCommand({ Path: '/svc' }));
    expect(shallow.Parameters?.map((p) => p.Name)).toEqual(['/svc/a', '/svc/b']);
    const deep = await ssm.send(new GetParametersByPathCommand({ Path: '/svc', Recursive: true }));
    expect(deep.Parameters?.map((p) => p.Name)).toEqual(['/svc/a', '/svc/b', '/svc/deep/c']);
  });

  it('deletes a parameter', async () => {
    await put('/gone', 'x');
    await ssm.send(new DeleteParameterCommand({ Name: '/gone' }));
    expect((await errorOf(() => ssm.send(new DeleteParameterCommand({ Name: '/gone' })))).name).toBe(
      'ParameterNotFound',
    );
  });
});

describe('history and labels', () => {
  it('returns every version oldest first, paged by MaxResults/NextToken', async () => {
    for (const v of ['a', 'b', 'c']) await put('/h', v, { Overwrite: true });
    const first = await ssm.send(new GetParameterHistoryCommand({ Name: '/h', MaxResults: 2 }));
    expect(first.Parameters?.map((p) => [p.Version, p.Value])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    const rest = await ssm.send(
      new GetParameterHistoryCommand({ Name: '/h', MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(rest.Parameters?.map((p) => p.Version)).toEqual([3]);
    expect(rest.NextToken).toBeUndefined();
    expect(first.Parameters?.[0]).toMatchObject({
      Labels: [],
      Tier: 'Standard',
      Policies: [],
      LastModifiedUser: expect.stringContaining(':user/'),
    });
  });

  it('labels versions, moves a label between versions, and reads by label', async () => {
    await put('/l', 'one');
    await put('/l', 'two', { Overwrite: true });
    const labeled = await ssm.send(
      new LabelParameterVersionCommand({
        Name: '/l',
        ParameterVersion: 1,
        Labels: ['stable', 'aws-bad', '1x'],
      }),
    );
    expect(labeled).toMatchObject({ ParameterVersion: 1, InvalidLabels: ['aws-bad', '1x'] });
    expect((await ssm.send(new GetParameterCommand({ Name: '/l:stable' }))).Parameter?.Value).toBe('one');
    await ssm.send(new LabelParameterVersionCommand({ Name: '/l', Labels: ['stable'] }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/l:stable' }))).Parameter?.Value).toBe('two');
    expect(
      emulator()
        .ssm.history('/l')
        .map((v) => v.Labels),
    ).toEqual([[], ['stable']]);
    const removed = await ssm.send(
      new UnlabelParameterVersionCommand({ Name: '/l', ParameterVersion: 2, Labels: ['stable', 'other'] }),
    );
    expect(removed).toMatchObject({ RemovedLabels: ['stable'], InvalidLabels: ['other'] });
  });

  it('caps labels per version (ParameterVersionLabelLimitExceeded) and finds missing versions', async () => {
    await put('/cap', 'x');
    const ten = Array.from({ length: 10 }, (_, i) => `l${i}`);
    await ssm.send(new LabelParameterVersionCommand({ Name: '/cap', Labels: ten }));
    const err = await errorOf(() =>
      ssm.send(new LabelParameterVersionCommand({ Name: '/cap', Labels: ['eleventh'] })),
    );
    expect(err.name).toBe('ParameterVersionLabelLimitExceeded');
    const missing = await errorOf(() =>
      ssm.send(new LabelParameterVersionCommand({ Name: '/cap', ParameterVersion: 5, Labels: ['x'] })),
    );
    expect(missing.name).toBe('ParameterVersionNotFound');
  });

  it('drops the oldest unlabeled version past 100, and refuses when it is labeled', async () => {
    await put('/many', 'v1');
    await ssm.send(
      new LabelParameterVersionCommand({ Name: '/many', ParameterVersion: 1, Labels: ['pinned'] }),
    );
    for (let i = 2; i <= 100; i++) await put('/many', `v${i}`, { Overwrite: true });
    const err = await errorOf(() => put('/many', 'v101', { Overwrite: true }));
    expect(err.name).toBe('ParameterMaxVersionLimitExceeded');
    await ssm.send(
      new UnlabelParameterVersionCommand({ Name: '/many', ParameterVersion: 1, Labels: ['pinned'] }),
    );
    expect(await put('/many', 'v101', { Overwrite: true })).toMatchObject({ Version: 101 });
    expect(emulator().ssm.history('/many')[0].Version).toBe(2);
  });
});
