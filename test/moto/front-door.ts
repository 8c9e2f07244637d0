/**
 * A loopback HTTP front door for moto, for callers we do not configure ourselves (the watchdog
 * bundle in the drill, which reads only AWS_ENDPOINT_URL). It passes every request through to moto
 * unchanged, CloudWatch's AWS JSON 1.0 calls included (moto reads them with the botocore that
 * requirements/moto.txt pins), and keeps a log of what it answered (operation, status, error code,
 * the SDK's attempt), as our emulator's request log does.
 */
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

/** Starts a front door on 127.0.0.1 (a free port) for the moto at `motoEndpoint`. */
export async function startMotoFrontDoor(motoEndpoint: string): Promise<MotoFrontDoor> {
  const upstream = new URL(motoEndpoint);
  const log: FrontDoorLogEntry[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = attemptOf(req);
      passThrough(upstream, req, body, res, (status, errorCode) =>
        log.push({
          seq: log.length + 1,
          time: Date.now(),
          action: actionOf(req, body),
          status,
          attempt,
          ...(errorCode && { errorCode }),
        }),
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

/**
 * The operation of a call: an AWS JSON call's `X-Amz-Target` (`GraniteServiceVersion20100801.
 * DescribeAlarms`, what the pinned CloudWatch client sends), a Smithy RPC v2 CBOR call's path
 * (`/service/GraniteServiceVersion20100801/operation/DescribeAlarms`), a Query call's form `Action=`,
 * or a REST call's method.
 */
function actionOf(req: IncomingMessage, body: Buffer): string {
  const target = header(req, 'x-amz-target');
  if (target) return target.split('.').at(-1) ?? 'unknown';
  const rpcV2 = /^\/service\/[^/]+\/operation\/([^/?]+)/.exec(req.url ?? '');
  if (rpcV2) return rpcV2[1];
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
        done(status, status >= 400 ? errorCodeOf(answer, payload.toString('utf8')) : undefined);
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

/**
 * The error code of an error answer: the Query code a JSON answer names in `x-amzn-query-error`
 * (`ResourceNotFound;Sender`, CloudWatch's), else the body's XML `<Code>` or JSON `__type`.
 */
function errorCodeOf(answer: IncomingMessage, text: string): string | undefined {
  const queryError = header(answer, 'x-amzn-query-error')?.split(';')[0];
  if (queryError) return queryError;
  const xml = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  if (xml) return xml;
  try {
    const type = (JSON.parse(text) as { __type?: unknown }).__type;
    return typeof type === 'string' ? type.split('#').at(-1) : undefined;
  } catch {
    return undefined;
  }
}
