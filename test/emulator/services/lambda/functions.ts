import { createHash, randomUUID } from 'node:crypto';
import { AwsError, constraintMessage } from '../../core/aws-error';
import { ACCOUNT_ID } from '../../core/ids';
import { Params } from '../../core/params';
import { Operation, paginate, read, write } from '../../core/service';
import { RestOutput } from '../../core/types';
import { QUERY } from '../../protocols/rest-json';
import {
  checkRevision,
  configFor,
  FunctionConfiguration,
  functionArn,
  getFunction,
  invalidValue,
  LambdaFunction,
  LambdaState,
  lastModified,
  parseName,
  publicConfig,
  publish,
  RUNTIMES,
  validation,
} from './model';

function readCode(p: Params): { CodeSha256: string; CodeSize: number; PackageType: 'Zip' | 'Image' } {
  const zip = p.str('ZipFile');
  if (zip !== undefined) {
    const bytes = Buffer.from(zip, 'base64');
    return {
      CodeSha256: createHash('sha256').update(bytes).digest('base64'),
      CodeSize: bytes.length,
      PackageType: 'Zip',
    };
  }
  const bucket = p.str('S3Bucket');
  const key = p.str('S3Key');
  if (bucket !== undefined && key !== undefined) {
    const ref = `s3://${bucket}/${key}?${p.str('S3ObjectVersion') ?? ''}`;
    return {
      CodeSha256: createHash('sha256').update(ref).digest('base64'),
      CodeSize: ref.length,
      PackageType: 'Zip',
    };
  }
  const image = p.str('ImageUri');
  if (image !== undefined) {
    return {
      CodeSha256: createHash('sha256').update(image).digest('hex'),
      CodeSize: 0,
      PackageType: 'Image',
    };
  }
  throw invalidValue('Please provide a source for function code.');
}

/** Timeout, memory, environment and the rest of the mutable configuration. */
function applyConfiguration(p: Params, config: FunctionConfiguration): void {
  const timeout = p.int('Timeout');
  if (timeout !== undefined) {
    if (timeout < 1 || timeout > 900) {
      throw validation.invalid(
        constraintMessage(String(timeout), 'timeout', 'Member must have value less than or equal to 900'),
      );
    }
    config.Timeout = timeout;
  }
  const memory = p.int('MemorySize');
  if (memory !== undefined) {
    if (memory < 128 || memory > 10240) {
      throw validation.invalid(
        constraintMessage(String(memory), 'memorySize', 'Member must have value between 128 and 10240'),
      );
    }
    config.MemorySize = memory;
  }
  const runtime = p.enumStr('Runtime', RUNTIMES);
  if (runtime !== undefined) config.Runtime = runtime;
  const handler = p.str('Handler');
  if (handler !== undefined) config.Handler = handler;
  const description = p.str('Description');
  if (description !== undefined) config.Description = description;
  const role = p.str('Role');
  if (role !== undefined) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-/]+$/.test(role)) {
      throw validation.invalid(
        constraintMessage(
          role,
          'role',
          'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+',
        ),
      );
    }
    config.Role = role;
  }
  const env = p.obj('Environment')?.strMap('Variables');
  if (env !== undefined) config.Environment = { Variables: env };
}

/** Functions, code, configuration and versions. */
export const functionOperations: Record<string, Operation<LambdaState>> = {
  CreateFunction: write((state, { params: p, region, runtime }) => {
    const name = parseName(p.reqStr('FunctionName')).name;
    p.reqStr('Role');
    const code = p.obj('Code');
    if (!code) throw validation.missing('code');
    const source = readCode(code);
    if (source.PackageType === 'Zip' && (!p.has('Runtime') || !p.has('Handler'))) {
      throw invalidValue(
        'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
      );
    }
    if (state.functions.has(name)) {
      throw new AwsError('ResourceConflictException', `Function already exist: ${name}`, { status: 409 });
    }
    const latest: FunctionConfiguration = {
      FunctionName: name,
      FunctionArn: functionArn(region, name),
      Role: '',
      CodeSize: source.CodeSize,
      Description: '',
      Timeout: 3,
      MemorySize: 128,
      LastModified: lastModified(runtime),
      CodeSha256: source.CodeSha256,
      Version: '$LATEST',
      RevisionId: randomUUID(),
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: source.PackageType,
      Architectures: p.strList('Architectures') ?? ['x86_64'],
      TracingConfig: { Mode: p.obj('TracingConfig')?.str('Mode') ?? 'PassThrough' },
      EphemeralStorage: { Size: p.obj('EphemeralStorage')?.int('Size') ?? 512 },
    };
    applyConfiguration(p, latest);
    const fn: LambdaFunction = { latest, versions: [], aliases: new Map(), nextVersion: 1 };
    state.functions.set(name, fn);
    if (p.bool('Publish')) publish(fn, runtime, region);
    return new RestOutput({ status: 201, data: { ...publicConfig(latest) } });
  }),

  GetFunction: read((state, ctx) => {
    const { fn, qualifier } = getFunction(state, ctx);
    const config = configFor(fn, qualifier, ctx.region);
    return {
      Configuration: publicConfig(config),
      Code: {
        RepositoryType: 'S3',
        Location: `https://awslambda-${ctx.region}-tasks.s3.${ctx.region}.amazonaws.com/snapshots/${ACCOUNT_ID}/${fn.latest.FunctionName}`,
      },
    };
  }),

  GetFunctionConfiguration: read((state, ctx) => {
    const { fn, qualifier } = getFunction(state, ctx);
    return { ...publicConfig(configFor(fn, qualifier, ctx.region)) };
  }),

  ListFunctions: read((state, { params: p }) => {
    const all = [...state.functions.values()].map((fn) => publicConfig(fn.latest));
    const { page, next } = paginate(all, p.str('Marker'), 50, () => invalidValue('Invalid Marker'));
    return { Functions: page, NextMarker: next };
  }),

  DeleteFunction: write((state, ctx) => {
    const { fn, qualifier } = getFunction(state, ctx);
    if (qualifier === undefined) {
      state.functions.delete(fn.latest.FunctionName);
    } else {
      configFor(fn, qualifier, ctx.region);
      fn.versions = fn.versions.filter((v) => v.Version !== qualifier);
    }
    return new RestOutput({ status: 204 });
  }),

  UpdateFunctionCode: write((state, ctx) => {
    const { fn } = getFunction(state, ctx);
    checkRevision(ctx.params, fn.latest.RevisionId);
    const source = readCode(ctx.params);
    Object.assign(fn.latest, {
      CodeSha256: source.CodeSha256,
      CodeSize: source.CodeSize,
      LastModified: lastModified(ctx.runtime),
      RevisionId: randomUUID(),
    });
    if (ctx.params.bool('Publish')) return { ...publicConfig(publish(fn, ctx.runtime, ctx.region)) };
    return { ...publicConfig(fn.latest) };
  }),

  UpdateFunctionConfiguration: write((state, ctx) => {
    const { fn } = getFunction(state, ctx);
    checkRevision(ctx.params, fn.latest.RevisionId);
    const next = structuredClone(fn.latest);
    applyConfiguration(ctx.params, next);
    fn.latest = { ...next, LastModified: lastModified(ctx.runtime), RevisionId: randomUUID() };
    return { ...publicConfig(fn.latest) };
  }),

  PublishVersion: write((state, ctx) => {
    const { fn } = getFunction(state, ctx);
    const p = ctx.params;
    checkRevision(p, fn.latest.RevisionId);
    const sha = p.str('CodeSha256');
    if (sha !== undefined && sha !== fn.latest.CodeSha256) {
      throw invalidValue(
        `CodeSHA256 (${sha}) is different from current CodeSHA256 in $LATEST (${fn.latest.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    const version = publish(fn, ctx.runtime, ctx.region, p.str('Description'));
    return new RestOutput({ status: 201, data: { ...publicConfig(version) } });
  }),

  ListVersionsByFunction: read((state, ctx) => {
    const { fn } = getFunction(state, ctx);
    const all = [fn.latest, ...fn.versions].map(publicConfig);
    const marker = (ctx.input[QUERY] as URLSearchParams).get('Marker') ?? undefined;
    const { page, next } = paginate(all, marker, 50, () => invalidValue('Invalid Marker'));
    return { Versions: page, NextMarker: next };
  }),
};
