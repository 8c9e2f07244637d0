import { randomUUID } from 'node:crypto';
import { AwsError, constraintMessage } from '../../core/aws-error';
import { Params } from '../../core/params';
import { Operation, paginate, read, write } from '../../core/service';
import { RestOutput } from '../../core/types';
import { QUERY } from '../../protocols/rest-json';
import {
  AliasConfiguration,
  checkRevision,
  functionArn,
  getFunction,
  invalidValue,
  LambdaFunction,
  LambdaState,
  notFound,
  validation,
} from './model';

/** A routing config: at most one additional published version, weighted 0.0-1.0, never $LATEST. */
function readRoutingConfig(
  p: Params,
  fn: LambdaFunction,
  primary: string,
  region: string,
): AliasConfiguration['RoutingConfig'] {
  const weights = p.obj('RoutingConfig')?.numMap('AdditionalVersionWeights');
  if (weights === undefined) return undefined;
  const entries = Object.entries(weights);
  if (entries.length === 0) return undefined;
  if (entries.length > 1)
    throw invalidValue('Number of items in AdditionalVersionWeights cannot be greater than 1');
  const [version, weight] = entries[0];
  if (weight < 0 || weight > 1) {
    throw validation.invalid(
      constraintMessage(
        String(weight),
        'routingConfig.additionalVersionWeights',
        'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]',
      ),
    );
  }
  if (primary === '$LATEST' || version === '$LATEST') {
    throw invalidValue('$LATEST is not supported for an alias pointing to more than 1 version');
  }
  if (version === primary) {
    throw invalidValue(
      `Alias can not point to the same version for primary and additional version: ${version}`,
    );
  }
  if (!fn.versions.some((v) => v.Version === version)) {
    throw notFound(`Function not found: ${functionArn(region, fn.latest.FunctionName, version)}`);
  }
  return { AdditionalVersionWeights: { [version]: weight } };
}

function checkVersionExists(fn: LambdaFunction, version: string, region: string): void {
  if (version !== '$LATEST' && !fn.versions.some((v) => v.Version === version)) {
    throw notFound(`Function not found: ${functionArn(region, fn.latest.FunctionName, version)}`);
  }
}

function getAlias(fn: LambdaFunction, name: string, region: string): AliasConfiguration {
  const alias = fn.aliases.get(name);
  if (!alias) throw notFound(`Cannot find alias arn: ${functionArn(region, fn.latest.FunctionName, name)}`);
  return alias;
}

/** Aliases and their weighted routing. */
export const aliasOperations: Record<string, Operation<LambdaState>> = {
  CreateAlias: write((state, ctx) => {
    const { fn } = getFunction(state, ctx);
    const p = ctx.params;
    const name = p.reqStr('Name');
    if (!/^(?!^[0-9]+$)([a-zA-Z0-9-_]{1,128})$/.test(name)) {
      throw validation.invalid(
        constraintMessage(
          name,
          'name',
          'Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)',
        ),
      );
    }
    const version = p.reqStr('FunctionVersion');
    checkVersionExists(fn, version, ctx.region);
    if (fn.aliases.has(name)) {
      throw new AwsError(
        'ResourceConflictException',
        `Alias already exists: ${functionArn(ctx.region, fn.latest.FunctionName, name)}`,
        { status: 409 },
      );
    }
    const alias: AliasConfiguration = {
      AliasArn: functionArn(ctx.region, fn.latest.FunctionName, name),
      Name: name,
      FunctionVersion: version,
      Description: p.str('Description') ?? '',
      RoutingConfig: readRoutingConfig(p, fn, version, ctx.region),
      RevisionId: randomUUID(),
    };
    fn.aliases.set(name, alias);
    return new RestOutput({ status: 201, data: { ...structuredClone(alias) } });
  }),

  GetAlias: read((state, ctx) => {
    const { fn } = getFunction(state, ctx);
    return { ...structuredClone(getAlias(fn, ctx.params.reqStr('Name'), ctx.region)) };
  }),

  UpdateAlias: write((state, ctx) => {
    const { fn } = getFunction(state, ctx);
    const p = ctx.params;
    const current = getAlias(fn, p.reqStr('Name'), ctx.region);
    checkRevision(p, current.RevisionId);
    const version = p.str('FunctionVersion') ?? current.FunctionVersion;
    checkVersionExists(fn, version, ctx.region);
    const routing = p.obj('RoutingConfig')
      ? readRoutingConfig(p, fn, version, ctx.region)
      : current.RoutingConfig;
    if (routing && Object.keys(routing.AdditionalVersionWeights).includes(version)) {
      throw invalidValue(
        `Alias can not point to the same version for primary and additional version: ${version}`,
      );
    }
    const next: AliasConfiguration = {
      ...current,
      FunctionVersion: version,
      Description: p.str('Description') ?? current.Description,
      RoutingConfig: routing,
      RevisionId: randomUUID(),
    };
    fn.aliases.set(next.Name, next);
    return { ...structuredClone(next) };
  }),

  DeleteAlias: write((state, ctx) => {
    const { fn } = getFunction(state, ctx);
    fn.aliases.delete(ctx.params.reqStr('Name'));
    return new RestOutput({ status: 204 });
  }),

  ListAliases: read((state, ctx) => {
    const { fn } = getFunction(state, ctx);
    const query = ctx.input[QUERY] as URLSearchParams;
    const version = query.get('FunctionVersion');
    const all = [...fn.aliases.values()].filter((a) => version === null || a.FunctionVersion === version);
    const { page, next } = paginate(structuredClone(all), query.get('Marker') ?? undefined, 50, () =>
      invalidValue('Invalid Marker'),
    );
    return { Aliases: page, NextMarker: next };
  }),
};
