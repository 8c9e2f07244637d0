import { AwsError, constraintMessage } from '../../core/aws-error';
import { Params } from '../../core/params';
import { checkArn } from './arns';
import { notFound, validationError } from './errors';
import { ElbAction, ElbState, RuleCondition, WeightedTargetGroup } from './model';

const ACTION_TYPES = [
  'forward',
  'authenticate-oidc',
  'authenticate-cognito',
  'redirect',
  'fixed-response',
] as const;
const TERMINAL = new Set(['forward', 'redirect', 'fixed-response']);
const CONTENT_TYPES = [
  'text/plain',
  'text/css',
  'text/html',
  'application/javascript',
  'application/json',
] as const;

function invalidAction(message: string): AwsError {
  return new AwsError('InvalidLoadBalancerAction', message);
}

function readForward(p: Params, state: ElbState): Pick<ElbAction, 'TargetGroupArn' | 'ForwardConfig'> {
  const single = p.str('TargetGroupArn');
  const config = p.obj('ForwardConfig');
  const groups: WeightedTargetGroup[] = [];
  for (const g of config?.list('TargetGroups') ?? []) {
    const weight = g.int('Weight') ?? 1;
    if (weight < 0 || weight > 999) {
      throw validationError(
        constraintMessage(String(weight), g.path('Weight'), 'Member must have value between 0 and 999'),
      );
    }
    groups.push({ TargetGroupArn: checkArn('targetGroup', g.reqStr('TargetGroupArn')), Weight: weight });
  }
  if (single !== undefined) checkArn('targetGroup', single);
  if (single === undefined && groups.length === 0) {
    throw validationError('A target group ARN must be specified for a forward action');
  }
  if (single !== undefined && groups.length > 0) {
    if (groups.length !== 1 || groups[0].TargetGroupArn !== single) {
      throw invalidAction(
        'You cannot specify a target group ARN and a forward config with different target groups',
      );
    }
  }
  if (groups.length > 5) throw validationError('A forward action can have at most 5 target groups');
  const arns = groups.map((g) => g.TargetGroupArn);
  const duplicate = arns.find((arn, i) => arns.indexOf(arn) !== i);
  if (duplicate) throw validationError(`Target group '${duplicate}' cannot be specified more than once`);
  const weighted = groups.length > 0 ? groups : [{ TargetGroupArn: single as string, Weight: 1 }];
  for (const g of weighted) {
    if (!state.targetGroups.has(g.TargetGroupArn)) throw notFound.targetGroup(g.TargetGroupArn);
  }
  const stickiness = config?.obj('TargetGroupStickinessConfig');
  const enabled = stickiness?.bool('Enabled') ?? false;
  const duration = stickiness?.int('DurationSeconds');
  if (enabled && (duration === undefined || duration < 1 || duration > 604800)) {
    throw validationError('Stickiness duration must be between 1 and 604800 seconds');
  }
  return {
    TargetGroupArn: weighted.length === 1 ? weighted[0].TargetGroupArn : undefined,
    ForwardConfig: {
      TargetGroups: weighted,
      TargetGroupStickinessConfig: enabled
        ? { Enabled: true, DurationSeconds: duration }
        : { Enabled: false },
    },
  };
}

function readRedirect(p: Params): ElbAction['RedirectConfig'] {
  const c = p.obj('RedirectConfig');
  if (!c) throw validationError('A redirect configuration must be specified for a redirect action');
  return {
    Protocol: c.str('Protocol') ?? '#{protocol}',
    Port: c.str('Port') ?? '#{port}',
    Host: c.str('Host') ?? '#{host}',
    Path: c.str('Path') ?? '/#{path}',
    Query: c.str('Query') ?? '#{query}',
    StatusCode: c.reqEnum('StatusCode', ['HTTP_301', 'HTTP_302']),
  };
}

function readFixedResponse(p: Params): ElbAction['FixedResponseConfig'] {
  const c = p.obj('FixedResponseConfig');
  if (!c)
    throw validationError('A fixed-response configuration must be specified for a fixed-response action');
  const status = c.reqStr('StatusCode');
  if (!/^[245]\d\d$/.test(status)) {
    throw validationError(
      constraintMessage(
        status,
        c.path('StatusCode'),
        'Member must satisfy regular expression pattern: ^(2|4|5)\\d\\d$',
      ),
    );
  }
  const body = c.str('MessageBody');
  if (body !== undefined && body.length > 1024) {
    throw validationError(
      constraintMessage('...', c.path('MessageBody'), 'Member must have length less than or equal to 1024'),
    );
  }
  return { StatusCode: status, ContentType: c.enumStr('ContentType', CONTENT_TYPES), MessageBody: body };
}

function plainObject(p: Params, name: string): Record<string, unknown> | undefined {
  const value = p.raw(name);
  return typeof value === 'object' && value !== null
    ? structuredClone(value as Record<string, unknown>)
    : undefined;
}

/** Reads, validates and normalizes listener default actions or rule actions. */
export function readActions(list: Params[], state: ElbState): ElbAction[] {
  if (list.length === 0) throw validationError('At least one action must be specified');
  const actions = list.map((p): ElbAction => {
    const type = p.reqEnum('Type', ACTION_TYPES);
    const order = p.int('Order');
    if (order !== undefined && (order < 1 || order > 50000)) {
      throw validationError(
        constraintMessage(String(order), p.path('Order'), 'Member must have value between 1 and 50000'),
      );
    }
    const action: ElbAction = { Type: type, Order: order };
    if (type === 'forward') Object.assign(action, readForward(p, state));
    if (type === 'redirect') action.RedirectConfig = readRedirect(p);
    if (type === 'fixed-response') action.FixedResponseConfig = readFixedResponse(p);
    if (type === 'authenticate-oidc')
      action.AuthenticateOidcConfig = plainObject(p, 'AuthenticateOidcConfig');
    if (type === 'authenticate-cognito')
      action.AuthenticateCognitoConfig = plainObject(p, 'AuthenticateCognitoConfig');
    return action;
  });
  if (list.length > 1 && actions.some((a) => a.Order === undefined)) {
    throw invalidAction(
      'An action order must be specified for each action when there is more than one action',
    );
  }
  const orders = actions.map((a) => a.Order);
  if (new Set(orders).size !== orders.length) throw invalidAction('Action orders must be unique');
  actions.sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  const terminal = actions.filter((a) => TERMINAL.has(a.Type));
  if (terminal.length !== 1 || !TERMINAL.has(actions[actions.length - 1].Type)) {
    throw invalidAction(
      'The last action must be one of forward, redirect or fixed-response, and it must be the only such action',
    );
  }
  return actions;
}

/** Target groups an action list sends traffic to. */
export function targetGroupsOf(actions: readonly ElbAction[]): string[] {
  return actions.flatMap((a) => a.ForwardConfig?.TargetGroups.map((g) => g.TargetGroupArn) ?? []);
}

const CONDITION_FIELDS = [
  'http-header',
  'http-request-method',
  'host-header',
  'path-pattern',
  'query-string',
  'source-ip',
] as const;

function nonEmpty(values: string[] | undefined, field: string): string[] {
  if (!values || values.length === 0)
    throw validationError(`A '${field}' condition must have at least one value`);
  for (const v of values) {
    if (v.length > 128)
      throw validationError(`A '${field}' condition value cannot be longer than 128 characters`);
  }
  return values;
}

/** Reads, validates and normalizes rule conditions (`Values` mirrored into the typed config). */
export function readConditions(list: Params[]): RuleCondition[] {
  if (list.length === 0) throw validationError('A rule must have at least one condition');
  return list.map((p): RuleCondition => {
    const field = p.reqEnum('Field', CONDITION_FIELDS);
    const values = p.strList('Values');
    const fromConfig = (name: string): string[] | undefined => p.obj(name)?.strList('Values');
    switch (field) {
      case 'host-header': {
        const v = nonEmpty(fromConfig('HostHeaderConfig') ?? values, field);
        return { Field: field, Values: values, HostHeaderConfig: { Values: v } };
      }
      case 'path-pattern': {
        const v = nonEmpty(fromConfig('PathPatternConfig') ?? values, field);
        return { Field: field, Values: values, PathPatternConfig: { Values: v } };
      }
      case 'http-request-method':
        return {
          Field: field,
          HttpRequestMethodConfig: { Values: nonEmpty(fromConfig('HttpRequestMethodConfig'), field) },
        };
      case 'source-ip':
        return { Field: field, SourceIpConfig: { Values: nonEmpty(fromConfig('SourceIpConfig'), field) } };
      case 'http-header': {
        const c = p.obj('HttpHeaderConfig');
        if (!c) throw validationError("An 'http-header' condition needs an HttpHeaderConfig");
        return {
          Field: field,
          HttpHeaderConfig: {
            HttpHeaderName: c.reqStr('HttpHeaderName'),
            Values: nonEmpty(c.strList('Values'), field),
          },
        };
      }
      case 'query-string': {
        const pairs = p.obj('QueryStringConfig')?.list('Values') ?? [];
        if (pairs.length === 0)
          throw validationError("A 'query-string' condition must have at least one value");
        return {
          Field: field,
          QueryStringConfig: {
            Values: pairs.map((kv) => ({ Key: kv.str('Key'), Value: kv.reqStr('Value') })),
          },
        };
      }
    }
    throw validationError(`Unsupported condition field '${field}'`);
  });
}
