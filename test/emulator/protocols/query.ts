import { AwsError } from '../core/aws-error';
import { Output, ParsedCall, Protocol, RawRequest, RestOutput, HttpResult } from '../core/types';
import { xmlContent, xmlDocument, escapeXml } from '../core/xml';

/** Segments that must never become object keys. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** The highest list index accepted (`X.member.1000`); bigger ones are refused, not allocated. */
const MAX_LIST_INDEX = 1000;

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Turns `A.member.2.B` into `['A', 1, 'B']`; list markers are `member` and `entry`. */
function toPath(key: string): Array<string | number> {
  const segments = key.split('.');
  const path: Array<string | number> = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const next = segments[i + 1];
    if ((seg === 'member' || seg === 'entry') && next !== undefined && /^\d+$/.test(next)) {
      const index = Number(next);
      if (index < 1 || index > MAX_LIST_INDEX) {
        throw new AwsError('ValidationError', `List index ${next} in parameter '${key}' is out of range`);
      }
      path.push(index - 1);
      i++;
    } else if (FORBIDDEN_KEYS.has(seg) || seg === '') {
      throw new AwsError('ValidationError', `Invalid parameter name '${key}'`);
    } else {
      path.push(seg);
    }
  }
  return path;
}

/**
 * Decodes an AWS Query body (`Action=X&Version=Y&A.member.1.B=v`) into nested structures:
 * non-flattened lists become arrays, maps become arrays of entries, leaves stay strings.
 */
export function parseQueryParams(form: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    const path = toPath(key);
    let container: Tree | unknown[] = root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      const wantArray = typeof path[i + 1] === 'number';
      const get = (): unknown =>
        Array.isArray(container) ? container[seg as number] : container[seg as string];
      const set = (v: unknown): void => {
        if (Array.isArray(container)) container[seg as number] = v;
        else container[seg as string] = v;
      };
      if (Array.isArray(container) !== (typeof seg === 'number')) {
        throw new AwsError('ValidationError', `Parameter '${key}' mixes list and structure members`);
      }
      if (last) {
        if (get() === undefined || typeof get() === 'string') set(value);
        continue;
      }
      let child = get();
      if (wantArray ? !Array.isArray(child) : !isTree(child)) {
        child = wantArray ? [] : {};
        set(child);
      }
      container = child as Tree | unknown[];
    }
  }
  return root;
}

/** The AWS Query protocol (ELBv2, SNS): form-encoded requests, XML answers and errors. */
export class QueryProtocol implements Protocol {
  constructor(private readonly options: { readonly version: string; readonly xmlNamespace: string }) {}

  parse(req: RawRequest): ParsedCall {
    const form = new URLSearchParams(req.query);
    const contentType = String(req.headers['content-type'] ?? '');
    if (req.method === 'POST' && (contentType === '' || contentType.includes('x-www-form-urlencoded'))) {
      for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) form.append(k, v);
    } else if (req.method !== 'GET' && req.method !== 'POST') {
      throw new AwsError('InvalidAction', `The HTTP method ${req.method} is not valid for this web service.`);
    }
    const action = form.get('Action');
    if (!action)
      throw new AwsError('MissingAction', 'Could not find operation to perform (no Action parameter).');
    const version = form.get('Version');
    if (version !== null && version !== this.options.version) {
      throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
    }
    return { action, params: parseQueryParams(form) };
  }

  success(action: string, output: Output, requestId: string): HttpResult {
    const data = output instanceof RestOutput ? (output.init.data ?? {}) : output;
    const result = `<${action}Result>${xmlContent(data, 'member')}</${action}Result>`;
    const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body: xmlDocument(`${action}Response`, this.options.xmlNamespace, result + metadata),
    };
  }

  error(err: AwsError, requestId: string): HttpResult {
    let inner = `<Type>${err.side}</Type><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>`;
    for (const [k, v] of Object.entries(err.fields)) inner += `<${k}>${escapeXml(v)}</${k}>`;
    const body = xmlDocument(
      'ErrorResponse',
      this.options.xmlNamespace,
      `<Error>${inner}</Error><RequestId>${requestId}</RequestId>`,
    );
    return {
      status: err.status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, ...err.headers },
      body,
    };
  }
}
