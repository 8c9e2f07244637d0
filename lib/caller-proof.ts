/**
 * Signs a caller proof: a SigV4 query-presigned `sts:GetCallerIdentity` request, made with the
 * caller's own credentials, whose signed headers bind it to one manual request (the
 * `x-switchback-request` header carries the SHA-256 of {@link canonicalCallerRequest}). The watchdog
 * sends it to its own STS endpoint with the digest it computes from what it received; STS checks the
 * signature and answers with the caller's ARN. Nobody but the holder of the credentials can sign one,
 * and a proof signed for one request does not verify with another.
 *
 * Imported directly by the CLI and the group coordinator (never through lib's index): it needs
 * `node:crypto` and nothing else, so no AWS SDK in lib.
 */
import { createHash, createHmac } from 'node:crypto';
import {
  CALLER_REQUEST_HEADER,
  DEFAULT_RELEASE_SAFETY,
  canonicalCallerRequest,
  type CallerProof,
} from './release-safety';

/** The credentials a caller proof is signed with (the shape the AWS SDK resolves). */
export interface ProofCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for temporary credentials (an assumed role, SSO): sent as `X-Amz-Security-Token`. */
  readonly sessionToken?: string;
}

export interface PresignCallerProofInput {
  readonly credentials: ProofCredentials;
  /** The SigV4 signing region: the region of the watchdog's STS endpoint. */
  readonly region: string;
  /** The STS endpoint's host (`sts.<region>.amazonaws.com`, or a custom endpoint's `host:port`). */
  readonly host: string;
  /** The request the proof is for, exactly as it is sent (a `callerProof` field in it is ignored). */
  readonly request: Record<string, unknown>;
  /** @default - the current time */
  readonly now?: Date;
  /** How long the proof is good for. @default 120 (at most 300, what the watchdog accepts) */
  readonly expiresSeconds?: number;
}

/** The default life of a caller proof: long enough for Lambda's retries, short enough to be useless later. */
export const DEFAULT_CALLER_PROOF_EXPIRES_SECONDS = 120;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 'sts';
const STS_API_VERSION = '2011-06-15';
/** SHA-256 of the empty body: a GET has none (what every SigV4 implementation signs for it). */
const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The SHA-256 (hex) of a request's canonical text: the value of the signed `x-switchback-request`. */
export function callerRequestDigest(request: Record<string, unknown>): string {
  return sha256Hex(canonicalCallerRequest(request));
}

/**
 * A caller proof for `request`: the presigned GetCallerIdentity query and the host it was signed for.
 * Pure (no I/O); throws on an expiry out of bounds or missing credentials.
 */
export function presignCallerProof(input: PresignCallerProofInput): CallerProof {
  const { credentials, region, host } = input;
  const expires = input.expiresSeconds ?? DEFAULT_CALLER_PROOF_EXPIRES_SECONDS;
  const maxAge = DEFAULT_RELEASE_SAFETY.callerProofMaxAgeSeconds;
  if (!Number.isInteger(expires) || expires < 1 || expires > maxAge) {
    throw new RangeError(
      `a caller proof's expiry must be a whole number of seconds from 1 to ${maxAge} (got ${expires}): the watchdog accepts no older proof`,
    );
  }
  if (!credentials.accessKeyId || !credentials.secretAccessKey) {
    throw new TypeError('a caller proof needs credentials with an access key id and a secret access key');
  }
  if (!region) throw new TypeError("a caller proof needs the signing region (the watchdog's region)");
  if (!host || /[/\s]/.test(host)) {
    throw new TypeError(
      `a caller proof needs the STS host name, without scheme or path (got ${JSON.stringify(host)})`,
    );
  }

  const now = input.now ?? new Date();
  const longDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, ''); // 20260101T000000Z
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${region}/${SERVICE}/aws4_request`;
  const headers: Record<string, string> = {
    host: host.toLowerCase(),
    [CALLER_REQUEST_HEADER]: callerRequestDigest(input.request),
  };
  const signedHeaders = Object.keys(headers).sort().join(';');

  const query: Record<string, string> = {
    Action: 'GetCallerIdentity',
    Version: STS_API_VERSION,
    'X-Amz-Algorithm': ALGORITHM,
    'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': longDate,
    'X-Amz-Expires': String(expires),
    'X-Amz-SignedHeaders': signedHeaders,
    ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
  };
  const canonicalQuery = canonicalQueryString(query);
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    Object.keys(headers)
      .sort()
      .map((name) => `${name}:${headers[name].trim()}\n`)
      .join(''),
    signedHeaders,
    EMPTY_PAYLOAD_HASH,
  ].join('\n');
  const stringToSign = [ALGORITHM, longDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = [shortDate, region, SERVICE, 'aws4_request'].reduce<Buffer>(
    (key, part) => hmac(key, part),
    Buffer.from(`AWS4${credentials.secretAccessKey}`, 'utf8'),
  );
  const signature = hmac(signingKey, stringToSign).toString('hex');
  return { query: `${canonicalQuery}&X-Amz-Signature=${signature}`, host: headers.host };
}

/**
 * The host of the STS endpoint a watchdog in `region` checks proofs at: the custom endpoint's
 * `host[:port]` when one is set (an emulator, moto), else the regional STS endpoint of the region's
 * partition.
 */
export function stsHostFor(region: string, endpoint?: string): string {
  if (endpoint) {
    try {
      return new URL(endpoint).host;
    } catch {
      throw new TypeError(`the AWS endpoint ${JSON.stringify(endpoint)} is not a URL`);
    }
  }
  if (region.startsWith('cn-')) return `sts.${region}.amazonaws.com.cn`;
  if (region.startsWith('us-iso-')) return `sts.${region}.c2s.ic.gov`;
  if (region.startsWith('us-isob-')) return `sts.${region}.sc2s.sgov.gov`;
  return `sts.${region}.amazonaws.com`;
}

/** SigV4's canonical query: keys and values RFC 3986-encoded, sorted by encoded key. */
function canonicalQueryString(query: Record<string, string>): string {
  return Object.keys(query)
    .map((key) => [rfc3986(key), rfc3986(query[key])] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}
