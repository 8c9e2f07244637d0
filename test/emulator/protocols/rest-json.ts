import { AwsError } from '../core/aws-error';
import { Output, ParsedCall, Protocol, RawRequest, RestOutput, HttpResult } from '../core/types';
import { parseJsonObject, toWireJson } from './json-value';

/** Keys under which REST input that is not a JSON member reaches the operation. */
export const QUERY = '$query';
export const HEADERS = '$headers';
export const BODY = '$body';

/** One REST route: method plus a path template with `{label}` segments. */
export interface Route {
  readonly method: string;
  /** e.g. `/2015-03-31/functions/{FunctionName}/aliases/{Name}`. */
  readonly path: string;
  readonly action: string;
}

/** Matches `path` (percent-encoded) against a template; returns decoded labels or undefined. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return undefined;
  const labels: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const label = /^\{(\w+)\}$/.exec(want[i]);
    if (label) {
      if (got[i] === '') return undefined;
      try {
        labels[label[1]] = decodeURIComponent(got[i]);
      } catch {
        return undefined;
      }
    } else if (want[i] !== got[i]) {
      return undefined;
    }
  }
  return labels;
}

/** Options of a REST-JSON service. */
export interface RestJsonOptions {
  readonly routes: readonly Route[];
  /** Actions whose body is an opaque payload (Lambda Invoke) rather than a JSON document. */
  readonly rawBodyActions?: readonly string[];
  /** The error for a body that is not a JSON object. */
  readonly badJson: () => AwsError;
  /** The error for a method and path no route matches. */
  readonly noRoute: (req: RawRequest) => AwsError;
  /**
   * How Dates go on the wire: ISO strings (Lambda models its timestamps as strings) or epoch
   * seconds (restJson1's default for timestamp members, as in Backup). @default 'iso'
   */
  readonly dates?: 'iso' | 'epoch-seconds';
}

/**
 * The AWS REST-JSON protocol (Lambda, Backup): the action comes from method and path; input is path
 * labels and JSON body members merged into one params object, with the query string, headers and
 * raw body under `$query`, `$headers` and `$body`.
 */
export class RestJsonProtocol implements Protocol {
  constructor(private readonly options: RestJsonOptions) {}

  parse(req: RawRequest): ParsedCall {
    for (const route of this.options.routes) {
      if (route.method !== req.method) continue;
      const labels = matchPath(route.path, req.path);
      if (!labels) continue;
      let body: Record<string, unknown> = {};
      if (!this.options.rawBodyActions?.includes(route.action)) {
        try {
          body = parseJsonObject(req.body) ?? {};
        } catch {
          throw this.options.badJson();
        }
      }
      return {
        action: route.action,
        params: { ...body, ...labels, [QUERY]: req.query, [HEADERS]: req.headers, [BODY]: req.body },
      };
    }
    throw this.options.noRoute(req);
  }

  success(_action: string, output: Output, requestId: string): HttpResult {
    const init = output instanceof RestOutput ? output.init : { data: output };
    const headers: Record<string, string> = { 'x-amzn-requestid': requestId, ...init.headers };
    let body: Buffer | string = '';
    if (init.raw !== undefined) {
      body = init.raw;
      headers['content-type'] = init.contentType ?? 'application/octet-stream';
    } else if (init.data !== undefined) {
      body = JSON.stringify(toWireJson(init.data, this.options.dates ?? 'iso'));
      headers['content-type'] = 'application/json';
    }
    return { status: init.status ?? 200, headers, body };
  }

  error(err: AwsError, requestId: string): HttpResult {
    return {
      status: err.status,
      headers: {
        'content-type': 'application/json',
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': err.code,
        ...err.headers,
      },
      body: JSON.stringify({
        Type: err.side === 'Sender' ? 'User' : 'Service',
        message: err.message,
        ...err.fields,
      }),
    };
  }
}
