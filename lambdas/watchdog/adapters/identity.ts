/**
 * The identity port over STS: checks a caller proof, a SigV4-presigned `sts:GetCallerIdentity` the
 * caller signed with its own credentials, bound to its request by the signed `x-switchback-request`
 * header. The watchdog never trusts the proof's URL: it accepts only its own STS endpoint's host,
 * builds the URL itself, and sends the header valued with the digest it computed of the request as
 * delivered. STS checks the signature: a tampered request (another digest), an expired proof or
 * credentials STS does not know are refused by STS, not by this code.
 *
 * Plain `fetch` on the presigned URL: the STS client would sign the request again with the watchdog's
 * own credentials, which is the one thing a proof must not be.
 */
import { CALLER_REQUEST_HEADER, DEFAULT_RELEASE_SAFETY, type CallerProof } from '../../../lib';
import { stsHostFor } from '../../../lib/caller-proof';
import { AwsCallError, type CallerIdentity, type IdentityPort } from '../ports';

const OPERATION = 'GetCallerIdentity';
const GLOBAL_STS_HOST = 'sts.amazonaws.com';

/**
 * The longest a presigned proof may be valid for, whatever its X-Amz-Expires says (STS allows up to
 * 7 days, and is reported to accept GetCallerIdentity for 15 minutes regardless): lib's limit.
 */
export const MAX_PROOF_EXPIRY_SECONDS = DEFAULT_RELEASE_SAFETY.callerProofMaxAgeSeconds;

/** Clock skew allowed for a proof dated ahead of the watchdog's clock. */
const SKEW_MS = 60_000;
/**
 * How long past its expiry a proof is still taken (the signer's clock a little behind). Checked here
 * because not every STS bounds a presigned request by its X-Amz-Expires (some are reported to accept
 * it for 15 minutes whatever it says, and moto checks nothing).
 */
const EXPIRY_GRACE_MS = 30_000;

/** What STS answers for a signature it refuses: never retried, the request is rejected. */
const DENIED_CODES = new Set([
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'AccessDenied',
  'AccessDeniedException',
  'AuthFailure',
  'RequestExpired',
  'UnrecognizedClientException',
  'TokenRefreshRequired',
]);

export interface IdentityAdapterOptions {
  /** The watchdog's own region: its STS endpoint is `sts.<region>.amazonaws.com`. */
  readonly region?: string;
  /**
   * A custom endpoint (the emulator, moto: AWS_ENDPOINT_URL or the runtime's configured endpoint):
   * then its host is the only one accepted, and its scheme is used.
   */
  readonly endpoint?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** The watchdog's clock (the expiry of a proof is judged by it). @default Date.now */
  readonly now?: () => number;
}

/** The hosts a proof may be signed for, and the scheme to reach them with. */
export function trustedStsHosts(options: Pick<IdentityAdapterOptions, 'region' | 'endpoint'>): {
  readonly hosts: string[];
  readonly scheme: 'https:' | 'http:';
} {
  if (options.endpoint) {
    const url = new URL(options.endpoint);
    return { hosts: [url.host.toLowerCase()], scheme: url.protocol === 'http:' ? 'http:' : 'https:' };
  }
  const region = options.region;
  if (!region) return { hosts: [GLOBAL_STS_HOST], scheme: 'https:' };
  const regional = stsHostFor(region);
  // The global endpoint is the aws partition's only.
  const hosts = regional.endsWith('.amazonaws.com') ? [regional, GLOBAL_STS_HOST] : [regional];
  return { hosts, scheme: 'https:' };
}

const invalid = (code: string, message: string) => new AwsCallError('invalid', OPERATION, code, message);

/** Checks the proof's shape before anything is sent: a GetCallerIdentity, bound, short-lived. */
function checkShape(proof: CallerProof, hosts: readonly string[], now: number): void {
  const host = proof.host.toLowerCase();
  if (!hosts.includes(host))
    throw invalid(
      'UntrustedHost',
      `the proof is signed for ${proof.host}; this watchdog accepts only its own STS endpoint (${hosts.join(' or ')})`,
    );
  if (/[#\s]/.test(proof.query) || proof.query.startsWith('?'))
    throw invalid('MalformedProof', 'the proof is not a query string');
  const params = new URLSearchParams(proof.query);
  const one = (name: string): string | undefined => {
    const values = params.getAll(name);
    if (values.length > 1) throw invalid('MalformedProof', `the proof names ${name} more than once`);
    return values[0];
  };
  if (one('Action') !== 'GetCallerIdentity')
    throw invalid('InvalidProof', 'the proof is not an sts:GetCallerIdentity request');
  if (one('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !one('X-Amz-Signature') || !one('X-Amz-Credential'))
    throw invalid('InvalidProof', 'the proof is not a SigV4-presigned request');
  const signed = (one('X-Amz-SignedHeaders') ?? '').toLowerCase().split(';');
  if (!signed.includes(CALLER_REQUEST_HEADER))
    throw invalid('UnboundProof', `the proof does not sign the ${CALLER_REQUEST_HEADER} header`);
  const expires = Number(one('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PROOF_EXPIRY_SECONDS)
    throw invalid(
      'InvalidProof',
      `the proof must expire within ${MAX_PROOF_EXPIRY_SECONDS} s (X-Amz-Expires ${one('X-Amz-Expires') ?? 'missing'})`,
    );
  const signedAt = parseAmzDate(one('X-Amz-Date'));
  if (signedAt === undefined) throw invalid('InvalidProof', 'the proof has no valid X-Amz-Date');
  if (signedAt > now + SKEW_MS) throw invalid('InvalidProof', 'the proof is signed in the future');
  if (signedAt + expires * 1000 + EXPIRY_GRACE_MS < now)
    throw new AwsCallError('access-denied', OPERATION, 'ExpiredProof', 'the caller proof has expired');
}

/** `20261121T120000Z` as epoch ms. */
function parseAmzDate(value: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) ? undefined : ms;
}

const decodeXml = (value: string) =>
  value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&');

function xmlField(body: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body);
  return match ? decodeXml(match[1].trim()) : undefined;
}

function jsonOf(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON answer's field, wherever STS nests it (`GetCallerIdentityResponse.GetCallerIdentityResult`). */
function jsonField(json: Record<string, unknown>, name: string): string | undefined {
  const response = json.GetCallerIdentityResponse as Record<string, unknown> | undefined;
  const result = (response?.GetCallerIdentityResult ?? json.GetCallerIdentityResult ?? json) as Record<
    string,
    unknown
  >;
  const value = result?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** What an answer says: the identity's fields, or an error's code and message. */
function fieldsOf(body: string): (name: string) => string | undefined {
  const json = body.trimStart().startsWith('{') ? jsonOf(body) : undefined;
  if (!json) return (name) => xmlField(body, name);
  return (name) => {
    if (name === 'Code' || name === 'Message') {
      const error = (json.Error ?? json) as Record<string, unknown>;
      const value = error[name] ?? error[name.toLowerCase()] ?? (name === 'Code' ? json.__type : undefined);
      return typeof value === 'string' ? value.replace(/^.*#/, '') : undefined;
    }
    return jsonField(json, name);
  };
}

/** The identity port over STS, reached with `fetch` at the watchdog's own STS endpoint. */
export function createIdentityAdapter(options: IdentityAdapterOptions = {}): IdentityPort {
  const { hosts, scheme } = trustedStsHosts(options);
  const send = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    async verify(proof, digest): Promise<CallerIdentity> {
      checkShape(proof, hosts, now());
      const url = `${scheme}//${proof.host.toLowerCase()}/?${proof.query}`;
      let status: number;
      let body: string;
      try {
        const response = await send(url, {
          method: 'GET',
          headers: { [CALLER_REQUEST_HEADER]: digest },
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
        status = response.status;
        body = await response.text();
      } catch (error) {
        // Read by name: the abort's DOMException may come from another realm than this module's Error.
        const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
        throw new AwsCallError(
          'transient',
          OPERATION,
          name === 'TimeoutError' || name === 'AbortError' ? 'TimeoutError' : 'NetworkError',
          `STS could not be reached at ${proof.host}: ${typeof message === 'string' ? message : String(error)}`,
        );
      }
      const field = fieldsOf(body);
      if (status === 200) {
        const arn = field('Arn');
        const account = field('Account');
        const userId = field('UserId');
        if (!arn || !account || !userId)
          throw new AwsCallError(
            'transient',
            OPERATION,
            'MalformedResponse',
            'STS answered without an identity',
          );
        return { arn, account, userId };
      }
      const code = field('Code') ?? `HTTP${status}`;
      const message = field('Message') ?? `STS answered HTTP ${status}`;
      if (status === 403 || (status === 400 && DENIED_CODES.has(code)) || DENIED_CODES.has(code))
        throw new AwsCallError('access-denied', OPERATION, code, message);
      if (status === 429 || /Throttl/.test(code))
        throw new AwsCallError('throttled', OPERATION, code, message);
      if (status >= 400 && status < 500) throw new AwsCallError('invalid', OPERATION, code, message);
      throw new AwsCallError('transient', OPERATION, code, message);
    },
  };
}
