import { randomUUID } from 'node:crypto';
import { AwsError, constraintMessage, nullMemberMessage } from '../../core/aws-error';
import { ACCOUNT_ID } from '../../core/ids';
import { Params, ValidationErrors } from '../../core/params';
import { CallContext, Runtime } from '../../core/service';
import { QUERY } from '../../protocols/rest-json';

/** A function version's configuration, in the shape GetFunctionConfiguration returns. */
export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime?: string;
  Role: string;
  Handler?: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  Environment?: { Variables: Record<string, string> };
  RevisionId: string;
  State: 'Active';
  LastUpdateStatus: 'Successful';
  PackageType: 'Zip' | 'Image';
  Architectures: string[];
  TracingConfig: { Mode: string };
  EphemeralStorage: { Size: number };
}

export interface AliasConfiguration {
  AliasArn: string;
  Name: string;
  FunctionVersion: string;
  Description: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
  RevisionId: string;
}

/** A published version remembers which revision of $LATEST it was made from. */
export type PublishedVersion = FunctionConfiguration & { publishedFromRevision: string };

export interface LambdaFunction {
  latest: FunctionConfiguration;
  /** Published versions, oldest first. */
  versions: PublishedVersion[];
  aliases: Map<string, AliasConfiguration>;
  nextVersion: number;
}

export interface LambdaState {
  functions: Map<string, LambdaFunction>;
}

export const RUNTIMES = [
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'java11',
  'java17',
  'java21',
  'dotnet8',
  'ruby3.2',
  'ruby3.3',
  'provided.al2',
  'provided.al2023',
] as const;

export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

const FUNCTION_NAME =
  /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?([a-zA-Z0-9-_]{1,64})(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;

/** Lambda's Coral front end answers constraint violations with ValidationException. */
export const validation: ValidationErrors = {
  missing: (member) => new AwsError('ValidationException', nullMemberMessage(member)),
  invalid: (message) => new AwsError('ValidationException', message),
};

export const invalidValue = (message: string): AwsError =>
  new AwsError('InvalidParameterValueException', message);
export const notFound = (message: string): AwsError =>
  new AwsError('ResourceNotFoundException', message, { status: 404 });

export function functionArn(region: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}

/** Lambda's LastModified format: `2026-01-01T00:00:00.000+0000`. */
export function lastModified(runtime: Runtime): string {
  return new Date(runtime.now()).toISOString().replace('Z', '+0000');
}

/** Splits a name, name:qualifier, or (partial) ARN. */
export function parseName(raw: string): { name: string; qualifier?: string } {
  const m = FUNCTION_NAME.exec(raw);
  if (!m) {
    throw validation.invalid(
      constraintMessage(
        raw,
        'functionName',
        'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?',
      ),
    );
  }
  return { name: m[2], qualifier: m[4] };
}

/** The function a call names, and its qualifier (from `?Qualifier=` or `name:qualifier`). */
export function getFunction(
  state: LambdaState,
  ctx: CallContext,
): { fn: LambdaFunction; qualifier?: string } {
  const { name, qualifier } = parseName(ctx.params.reqStr('FunctionName'));
  const fn = state.functions.get(name);
  const query = ctx.input[QUERY] as URLSearchParams;
  const q = query.get('Qualifier') ?? qualifier;
  if (!fn) throw notFound(`Function not found: ${functionArn(ctx.region, name, q ?? undefined)}`);
  return { fn, qualifier: q ?? undefined };
}

/** The configuration a qualifier (version, alias, `$LATEST`) names. */
export function configFor(
  fn: LambdaFunction,
  qualifier: string | undefined,
  region: string,
): FunctionConfiguration {
  if (qualifier === undefined || qualifier === '$LATEST') return fn.latest;
  const alias = fn.aliases.get(qualifier);
  const version = alias ? alias.FunctionVersion : qualifier;
  if (version === '$LATEST') return fn.latest;
  const config = fn.versions.find((v) => v.Version === version);
  if (!config)
    throw notFound(`Function not found: ${functionArn(region, fn.latest.FunctionName, qualifier)}`);
  return config;
}

/** The wire shape of a configuration (internal bookkeeping dropped). */
export function publicConfig(config: FunctionConfiguration): FunctionConfiguration {
  const out: FunctionConfiguration & { publishedFromRevision?: string } = structuredClone(config);
  delete out.publishedFromRevision;
  return out;
}

/** PreconditionFailed (412) when a given RevisionId is not the current one. */
export function checkRevision(p: Params, current: string): void {
  const given = p.str('RevisionId');
  if (given !== undefined && given !== current) {
    throw new AwsError(
      'PreconditionFailedException',
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      { status: 412 },
    );
  }
}

/** Publishes $LATEST as a new version, unless nothing changed since the last one (as Lambda does). */
export function publish(
  fn: LambdaFunction,
  runtime: Runtime,
  region: string,
  description?: string,
): FunctionConfiguration {
  const last = fn.versions.at(-1);
  if (last && last.publishedFromRevision === fn.latest.RevisionId) return last;
  const version = String(fn.nextVersion++);
  const config: PublishedVersion = {
    ...structuredClone(fn.latest),
    FunctionArn: functionArn(region, fn.latest.FunctionName, version),
    Version: version,
    Description: description ?? fn.latest.Description,
    LastModified: lastModified(runtime),
    RevisionId: randomUUID(),
    publishedFromRevision: fn.latest.RevisionId,
  };
  fn.versions.push(config);
  return config;
}
