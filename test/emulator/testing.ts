/**
 * Test fixtures shared by the emulator's own tests (and usable by adapter tests): one emulator per
 * test file, reset between tests, and SDK retry settings that keep retries fast.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { HttpRequest } from '@smithy/core/protocols';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { SignatureV4 } from '@smithy/signature-v4';
import { Emulator, startEmulator } from './index';

// The pinned SDK warns once per process about Node 20; the warning is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * The SDK's standard retry strategy (same error classification, same retry quota) with a 1 ms
 * backoff, so retried throttles and 5xx answers do not slow tests down.
 */
export function fastRetry(maxAttempts = 3): ConfiguredRetryStrategy {
  return new ConfiguredRetryStrategy(maxAttempts, 1);
}

/** Starts an emulator before the file's tests, resets it before each, stops it after all. */
export function useEmulator(options: Parameters<typeof startEmulator>[0] = {}): () => Emulator {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(options);
  });
  beforeEach(() => emulator?.reset());
  afterAll(async () => {
    await emulator?.stop();
  });
  return () => {
    if (!emulator) throw new Error('The emulator is not started (use inside a test)');
    return emulator;
  };
}

/** A clock tests move by hand (for stale-read windows and token buckets). */
export class ManualClock {
  private t = Date.UTC(2026, 0, 1);
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Runs `fn` and returns the error it throws (fails the test when it does not throw). */
export async function errorOf(
  fn: () => Promise<unknown>,
): Promise<Error & { $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await fn();
  } catch (e) {
    return e as Error & { $metadata: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

type Bytes = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: Bytes): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data);
}

/** SHA-256 (and HMAC-SHA256 with a secret) from node:crypto, in the shape `@smithy/signature-v4` takes. */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: Bytes) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: Bytes): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** What {@link presignGetCallerIdentity} signs with. */
export interface PresignOptions {
  /** @default - the emulator's own credentials (`clientConfig().credentials`) */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Headers signed with the request, which the sender must then send (`x-switchback-request`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default 300 */
  readonly expiresInSeconds?: number;
  /** @default - `new Date()`: with a `ManualClock`, pass `new Date(clock.now())` */
  readonly signingDate?: Date;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** The credential scope's service (tests of a wrong scope). @default 'sts' */
  readonly service?: string;
}

/**
 * A presigned STS GetCallerIdentity for the emulator, signed by `@smithy/signature-v4` (the AWS SDK's
 * signer): the query string (without `?`) and the host it was signed for, as a caller proof carries
 * them. Send it as `GET http://<host>/?<query>` with `host` and every header of `options.headers`.
 */
export async function presignGetCallerIdentity(
  emu: Emulator,
  options: PresignOptions = {},
): Promise<{ readonly query: string; readonly host: string }> {
  const host = `${emu.host.includes(':') ? `[${emu.host}]` : emu.host}:${emu.port}`;
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'http:',
    hostname: emu.host,
    port: emu.port,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host, ...options.headers },
  });
  const signer = new SignatureV4({
    credentials: options.credentials ?? emu.clientConfig().credentials,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'sts',
    sha256: NodeSha256,
  });
  const signed = await signer.presign(request, {
    expiresIn: options.expiresInSeconds ?? 300,
    signingDate: options.signingDate ?? new Date(),
  });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return { query, host };
}
