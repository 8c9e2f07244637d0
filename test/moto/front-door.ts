/**
 * A loopback HTTP front door for moto, for callers we do not configure ourselves (the watchdog
 * bundle in the drill, which reads only AWS_ENDPOINT_URL). It passes every request through to moto
 * unchanged and keeps a log of what it answered (operation, status, the SDK's attempt), as our
 * emulator's request log does, with one exception: CloudWatch calls in the AWS JSON 1.0 protocol.
 * moto takes a request's protocol from the botocore model pinned beside it (1.35.99), which knows
 * only Query for CloudWatch, so it refuses JSON calls (5.2.1: HTTP 500; 5.2.6: 404). The front door
 * re-sends each of those through the SDK's Query protocol (which AWS still serves) and answers in
 * JSON 1.0.
 */
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the front door answered. */
export interface FrontDoorLogEntry {
  /** 1, 2, 3... in arrival order. */
  readonly seq: number;
  readonly time: number;
  /** The operation (`ModifyListener`, `DescribeAlarms`, `PutObject` as `PUT`); `unknown` when not decodable. */
  readonly action: string;
  readonly status: number;
  /** The error code of an error answer, when it names one. */
  readonly errorCode?: string;
  /** The SDK's attempt number from its `amz-sdk-request` header, when sent. */
  readonly attempt?: number;
}

/** A running front door. */
export interface MotoFrontDoor {
  /** `http://127.0.0.1:<port>`: give it to clients as their endpoint. */
  readonly endpoint: string;
  /** What was answered so far, oldest first. */
  entries(): FrontDoorLogEntry[];
  stop(): Promise<void>;
}

const CLOUDWATCH_TARGET = 'GraniteServiceVersion20100801.';

/** Starts a front door on 127.0.0.1 (a free port) for the moto at `motoEndpoint`. */
export async function startMotoFrontDoor(motoEndpoint: string): Promise<MotoFrontDoor> {
  const upstream = new URL(motoEndpoint);
  const log: FrontDoorLogEntry[] = [];
  const client = new cloudwatch.CloudWatchClient({
    endpoint: motoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    protocol: AwsQueryProtocol,
    maxAttempts: 1,
  });
  const record = (entry: Omit<FrontDoorLogEntry, 'seq' | 'time'>) =>
    log.push({ seq: log.length + 1, time: Date.now(), ...entry });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = attemptOf(req);
      const target = header(req, 'x-amz-target');
      if (target?.startsWith(CLOUDWATCH_TARGET)) {
        const operation = target.slice(CLOUDWATCH_TARGET.length);
        void bridgeCloudWatch(client, operation, body).then(({ status, payload, errorCode }) => {
          record({ action: operation, status, attempt, ...(errorCode && { errorCode }) });
          res.writeHead(status, {
            'content-type': 'application/x-amz-json-1.0',
            ...(errorCode && { 'x-amzn-query-error': `${errorCode};Sender` }),
          });
          res.end(JSON.stringify(payload));
        });
        return;
      }
      passThrough(upstream, req, body, res, (status, errorCode) =>
        record({ action: actionOf(req, body), status, attempt, ...(errorCode && { errorCode }) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    entries: () => [...log],
    stop: () =>
      new Promise((resolve) => {
        client.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function attemptOf(req: IncomingMessage): number | undefined {
  const match = /attempt=(\d+)/.exec(header(req, 'amz-sdk-request') ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The operation of a Query (form `Action=`), JSON (`X-Amz-Target`) or REST call (its method). */
function actionOf(req: IncomingMessage, body: Buffer): string {
  const target = header(req, 'x-amz-target');
  if (target) return target.split('.').at(-1) ?? 'unknown';
  if ((header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    return new URLSearchParams(body.toString('utf8')).get('Action') ?? 'unknown';
  }
  return req.method ?? 'unknown';
}

/** Sends the request on to moto as it came, and its answer back as moto gave it. */
function passThrough(
  upstream: URL,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  done: (status: number, errorCode?: string) => void,
): void {
  const forward = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host },
    },
    (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const payload = Buffer.concat(chunks);
        const status = answer.statusCode ?? 502;
        res.writeHead(status, answer.headers);
        res.end(payload);
        done(status, status >= 400 ? errorCodeOf(payload.toString('utf8')) : undefined);
      });
    },
  );
  forward.on('error', (error) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`moto did not answer: ${error.message}`);
    done(502, 'BadGateway');
  });
  forward.end(body);
}

/** The error code of an XML (`<Code>`) or JSON (`__type`) error answer. */
function errorCodeOf(text: string): string | undefined {
  const xml = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  if (xml) return xml;
  try {
    const type = (JSON.parse(text) as { __type?: unknown }).__type;
    return typeof type === 'string' ? type.split('#').at(-1) : undefined;
  } catch {
    return undefined;
  }
}

type CommandClass = new (input: object) => Parameters<cloudwatch.CloudWatchClient['send']>[0];

/** Re-sends one CloudWatch JSON call through the Query protocol; the answer as JSON 1.0. */
async function bridgeCloudWatch(
  client: cloudwatch.CloudWatchClient,
  operation: string,
  body: Buffer,
): Promise<{ status: number; payload: unknown; errorCode?: string }> {
  const Command = (cloudwatch as unknown as Record<string, CommandClass | undefined>)[`${operation}Command`];
  if (!/^[A-Z][A-Za-z]+$/.test(operation) || typeof Command !== 'function') {
    return {
      status: 400,
      payload: { __type: 'UnknownOperationException', message: `unknown operation ${operation}` },
      errorCode: 'UnknownOperationException',
    };
  }
  try {
    const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as object) : {};
    const { $metadata: _metadata, ...output } = (await client.send(new Command(input))) as {
      $metadata: unknown;
    };
    return { status: 200, payload: toJson(output) };
  } catch (error) {
    const failure = error as {
      name?: string;
      message?: string;
      Code?: string;
      $metadata?: { httpStatusCode?: number };
    };
    const code = failure.Code ?? failure.name ?? 'InternalFailure';
    return {
      status: failure.$metadata?.httpStatusCode ?? 500,
      payload: { __type: code, message: failure.message ?? code },
      errorCode: code,
    };
  }
}

/** An SDK output as AWS JSON 1.0 writes it: timestamps as epoch seconds. */
function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toJson(v)]),
    );
  }
  return value;
}
