import type { IncomingHttpHeaders } from 'node:http';

/** The services the emulator speaks. */
export type ServiceName =
  'elbv2' | 'lambda' | 'ssm' | 's3' | 'cloudwatch' | 'sns' | 'backup' | 'appconfig' | 'sts';

/** All service names, in a stable order. */
export const SERVICE_NAMES: readonly ServiceName[] = [
  'elbv2',
  'lambda',
  'ssm',
  's3',
  'cloudwatch',
  'sns',
  'backup',
  'appconfig',
  'sts',
];

/** A request as the edge received it, body fully read. */
export interface RawRequest {
  readonly method: string;
  /** The path, still percent-encoded, without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The region from the SigV4 credential scope (`us-east-1` when unsigned). */
  readonly region: string;
}

/** A parsed call: which operation, with which input. */
export interface ParsedCall {
  readonly action: string;
  /** The operation input: body members, and for REST protocols path labels, query and headers. */
  readonly params: Record<string, unknown>;
}

/** An HTTP response ready to be written. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer | string;
}

/**
 * A REST operation's answer: status, headers and a body that the protocol serializes (`data`) or
 * sends as is (`raw`).
 */
export class RestOutput {
  constructor(
    readonly init: {
      readonly status?: number;
      readonly headers?: Record<string, string>;
      readonly data?: Record<string, unknown>;
      readonly raw?: Buffer | string;
      readonly contentType?: string;
    },
  ) {}
}

/** What an operation returns: a result structure (RPC protocols) or a REST answer. */
export type Output = Record<string, unknown> | RestOutput;

/** Parses requests and writes answers in one AWS wire protocol. */
export interface Protocol {
  /** Decodes the request into an action and its input; throws an AwsError when it cannot. */
  parse(req: RawRequest): ParsedCall;
  /** Encodes a successful answer. */
  success(action: string, output: Output, requestId: string): HttpResult;
  /** Encodes an error in the protocol's error shape. */
  error(err: import('./aws-error').AwsError, requestId: string, req: RawRequest): HttpResult;
}
