import { AwsError } from '../core/aws-error';
import { Output, ParsedCall, Protocol, RawRequest, RestOutput, HttpResult } from '../core/types';
import { parseJsonObject, toWireJson } from './json-value';

/** Options of an AWS JSON 1.0 / 1.1 service. */
export interface JsonRpcOptions {
  /** The `X-Amz-Target` prefix (`AmazonSSM`, `GraniteServiceVersion20100801`). */
  readonly targetPrefix: string;
  readonly jsonVersion: '1.0' | '1.1';
  /**
   * `awsQueryCompatible` services (CloudWatch) also send the Query error code in the
   * `x-amzn-query-error: <Code>;<Sender|Receiver>` header, which the SDK reads first.
   */
  readonly queryCompatible: boolean;
}

/** The AWS JSON RPC protocol: `POST /`, `X-Amz-Target: <Prefix>.<Action>`, JSON in and out. */
export class JsonRpcProtocol implements Protocol {
  constructor(private readonly options: JsonRpcOptions) {}

  private get contentType(): string {
    return `application/x-amz-json-${this.options.jsonVersion}`;
  }

  parse(req: RawRequest): ParsedCall {
    const target = String(req.headers['x-amz-target'] ?? '');
    const dot = target.lastIndexOf('.');
    if (req.method !== 'POST' || dot < 0 || target.slice(0, dot) !== this.options.targetPrefix) {
      throw new AwsError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
    }
    let params: Record<string, unknown>;
    try {
      params = parseJsonObject(req.body) ?? {};
    } catch {
      throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
    }
    return { action: target.slice(dot + 1), params };
  }

  success(_action: string, output: Output, requestId: string): HttpResult {
    const data = output instanceof RestOutput ? (output.init.data ?? {}) : output;
    return {
      status: 200,
      headers: { 'content-type': this.contentType, 'x-amzn-requestid': requestId },
      body: JSON.stringify(toWireJson(data)),
    };
  }

  error(err: AwsError, requestId: string): HttpResult {
    const headers: Record<string, string> = {
      'content-type': this.contentType,
      'x-amzn-requestid': requestId,
      ...err.headers,
    };
    if (this.options.queryCompatible) headers['x-amzn-query-error'] = `${err.code};${err.side}`;
    return {
      status: err.status,
      headers,
      body: JSON.stringify({ __type: err.code, message: err.message, ...err.fields }),
    };
  }
}
