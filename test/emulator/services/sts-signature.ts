/**
 * AWS Signature Version 4, checked the way an AWS front end checks it: from the Authorization
 * header or from a presigned query (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
 * `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`), over the canonical request built from
 * what arrived on the wire (every signed header included), against the secret of the access key.
 *
 * Written from the SigV4 specification; the tests check it against `@smithy/signature-v4`, the
 * signer the AWS SDK uses.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from '../core/aws-error';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far a request's time may be from the server's, either way (header auth; presign start). */
export const SKEW_MS = 15 * 60_000;
const MAX_EXPIRES_SECONDS = 604_800;

/** How a presigned request's lifetime is counted. */
export type PresignExpiry =
  /** From `X-Amz-Date` for `X-Amz-Expires` seconds, as the SigV4 specification says. */
  | 'x-amz-expires'
  /**
   * From `X-Amz-Date` for 15 minutes, whatever `X-Amz-Expires` says: what STS is reported to do
   * for a presigned GetCallerIdentity (aws/aws-sdk-go#2167).
   */
  | 'fifteen-minutes';

/** The request as it arrived. */
export interface WireRequest {
  readonly method: string;
  /** Still percent-encoded, without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The signature a request carries, and how. */
export interface Presented {
  readonly auth: 'header' | 'query';
  readonly accessKeyId: string;
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  readonly amzDate: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly expiresSeconds?: number;
  readonly securityToken?: string;
}

/** What the verifier needs of the caller's credentials. */
export interface SigningSecret {
  readonly secretAccessKey: string;
}

const incomplete = (message: string): AwsError => new AwsError('IncompleteSignature', message);
const mismatch = (message: string): AwsError =>
  new AwsError('SignatureDoesNotMatch', message, { status: 403 });

const SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** RFC 3986 encoding, as SigV4 wants it (`encodeURIComponent` plus `!'()*`). */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** `20260101T000000Z` → epoch ms; NaN when it is not that shape. */
export function parseAmzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Epoch ms → `20260101T000000Z`. */
export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function scope(credential: string): [string, string, string, string, string] {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    throw incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  return parts as [string, string, string, string, string];
}

/**
 * Reads the signature a request presents. Throws `MissingAuthenticationToken` (403) for an unsigned
 * request and `IncompleteSignature` (400) for a malformed one.
 */
export function presented(req: WireRequest): Presented {
  const authorization = header(req.headers, 'authorization');
  if (authorization !== undefined) {
    const [algorithm, ...rest] = authorization.trim().split(/\s+/);
    if (algorithm !== ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'`);
    const fields = new Map<string, string>();
    for (const part of rest.join(' ').split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !fields.get(k));
    if (missing.length > 0) {
      throw incomplete(
        `${missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' ')} Authorization=${authorization}`,
      );
    }
    const amzDate = header(req.headers, 'x-amz-date');
    const date = header(req.headers, 'date');
    const when = amzDate ?? (date === undefined ? undefined : formatAmzDate(Date.parse(date)));
    if (when === undefined) {
      throw incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    }
    const [accessKeyId, scopeDate, region, service, terminator] = scope(fields.get('Credential') as string);
    return {
      auth: 'header',
      accessKeyId,
      scopeDate,
      region,
      service,
      terminator,
      amzDate: when,
      signedHeaders: (fields.get('SignedHeaders') as string).split(';'),
      signature: fields.get('Signature') as string,
      securityToken: header(req.headers, 'x-amz-security-token'),
    };
  }
  const q = req.query;
  const names = [
    'X-Amz-Algorithm',
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
  ];
  if (!names.some((n) => q.has(n))) {
    throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', {
      status: 403,
    });
  }
  if (names.some((n) => !q.get(n))) {
    throw incomplete(
      `AWS query-string parameters must include ${names.map((n) => `'${n}'`).join(', ')}. Re-examine the query-string parameters.`,
    );
  }
  if (q.get('X-Amz-Algorithm') !== ALGORITHM) {
    throw incomplete(`Unsupported AWS 'algorithm': '${q.get('X-Amz-Algorithm')}'`);
  }
  const expires = q.get('X-Amz-Expires') as string;
  if (!/^\d+$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_EXPIRES_SECONDS) {
    throw incomplete(
      `X-Amz-Expires must be a number of seconds from 1 to ${MAX_EXPIRES_SECONDS}, got '${expires}'`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope(q.get('X-Amz-Credential') as string);
  return {
    auth: 'query',
    accessKeyId,
    scopeDate,
    region,
    service,
    terminator,
    amzDate: q.get('X-Amz-Date') as string,
    signedHeaders: (q.get('X-Amz-SignedHeaders') as string).split(';'),
    signature: q.get('X-Amz-Signature') as string,
    expiresSeconds: Number(expires),
    securityToken: q.get('X-Amz-Security-Token') ?? undefined,
  };
}

/** The canonical URI of a non-S3 service: the path as sent, normalized and URI-encoded once more. */
function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(query: URLSearchParams): string {
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of query) {
    if (k.toLowerCase() !== 'x-amz-signature') pairs.push([escapeUri(k), escapeUri(v)]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** `header:value` lines of the signed headers, values trimmed and inner whitespace folded. */
function canonicalHeaders(headers: IncomingHttpHeaders, signed: readonly string[]): string {
  return signed
    .map((name) => {
      const value = (header(headers, name) ?? '')
        .replace(/[\r\n]/g, ' ')
        .replace(/[ \t]+/g, ' ')
        .trim();
      return `${name}:${value}\n`;
    })
    .join('');
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The canonical request SigV4 signs, rebuilt from the request as it arrived. */
export function canonicalRequest(req: WireRequest, signedHeaders: readonly string[]): string {
  // Outside S3 the payload's hash is always that of the body received (a signed
  // x-amz-content-sha256 header is only one more signed header).
  const payloadHash = sha256Hex(req.body);
  return [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    canonicalQuery(req.query),
    canonicalHeaders(req.headers, signedHeaders),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/** The signature a request with this canonical request and scope must carry. */
export function expectedSignature(p: Presented, canonical: string, secret: SigningSecret): string {
  const credentialScope = `${p.scopeDate}/${p.region}/${p.service}/${p.terminator}`;
  const stringToSign = [ALGORITHM, p.amzDate, credentialScope, sha256Hex(canonical)].join('\n');
  const kDate = hmac(`AWS4${secret.secretAccessKey}`, p.scopeDate);
  const kSigning = hmac(hmac(hmac(kDate, p.region), p.service), p.terminator);
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

/**
 * Checks the scope, the time window and the signature. Throws `SignatureDoesNotMatch` (403) as
 * AWS words it: a wrong scope, a request outside its time, or a signature that does not match.
 */
export function verify(
  req: WireRequest,
  p: Presented,
  secret: SigningSecret,
  options: { readonly service: string; readonly now: number; readonly presignExpiry: PresignExpiry },
): void {
  if (p.service !== options.service) {
    throw mismatch(`Credential should be scoped to correct service: '${options.service}'. `);
  }
  if (p.terminator !== 'aws4_request') {
    throw mismatch(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${p.terminator}'. `,
    );
  }
  const signedAt = parseAmzDate(p.amzDate);
  if (Number.isNaN(signedAt)) {
    throw incomplete(
      `Date must be in ISO-8601 'basic format'. Got '${p.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  if (p.amzDate.slice(0, 8) !== p.scopeDate) {
    throw mismatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${p.scopeDate}' != '${p.amzDate.slice(0, 8)}', from '${p.auth === 'query' ? 'X-Amz-Date' : 'x-amz-date'}'.`,
    );
  }
  if (!p.signedHeaders.includes('host')) {
    throw mismatch(`'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
  }
  const now = formatAmzDate(options.now);
  if (signedAt > options.now + SKEW_MS) {
    throw mismatch(
      `Signature not yet current: ${p.amzDate} is still later than ${formatAmzDate(options.now + SKEW_MS)} (${now} + 15 min.)`,
    );
  }
  const lifetimeMs =
    p.auth === 'header' || options.presignExpiry === 'fifteen-minutes'
      ? SKEW_MS
      : (p.expiresSeconds as number) * 1000;
  if (signedAt < options.now - lifetimeMs) {
    const span = lifetimeMs === SKEW_MS ? '15 min.' : `${lifetimeMs / 1000} sec.`;
    throw mismatch(
      `Signature expired: ${p.amzDate} is now earlier than ${formatAmzDate(options.now - lifetimeMs)} (${now} - ${span})`,
    );
  }
  const want = Buffer.from(expectedSignature(p, canonicalRequest(req, p.signedHeaders), secret));
  const got = Buffer.from(p.signature.toLowerCase());
  if (want.length !== got.length || !timingSafeEqual(want, got)) throw mismatch(SIGNATURE_MESSAGE);
}
