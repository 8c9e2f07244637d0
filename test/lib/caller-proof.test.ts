/**
 * The caller-proof signer: a SigV4 query presign of sts:GetCallerIdentity, bound to one request by the
 * signed `x-switchback-request` header. Checked against an implementation we did not write (the AWS
 * SDK's own signer, @smithy/signature-v4): for the same inputs it must produce the same URL.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import { CALLER_REQUEST_HEADER, canonicalCallerRequest } from '../../lib';
import {
  DEFAULT_CALLER_PROOF_EXPIRES_SECONDS,
  callerRequestDigest,
  presignCallerProof,
  stsHostFor,
  type ProofCredentials,
} from '../../lib/caller-proof';

const NOW = new Date('2026-01-02T03:04:05.678Z');
const KEYS: ProofCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const REQUEST = {
  action: 'rollback',
  reason: '5xx after release 42 (p99 > 2s)',
  requestedBy: 'alice@laptop',
  dryRun: false,
  requestId: '0b6b4c1e-2f6e-4d7e-9d59-3c1f0a1b2c3d',
};

/** node:crypto behind the Hash interface the SDK's signer takes. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);
class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** The same proof, presigned by the AWS SDK's signer. */
async function smithyPresign(
  credentials: ProofCredentials,
  region: string,
  host: string,
  request: Record<string, unknown>,
  expiresIn: number,
) {
  const signer = new SignatureV4({
    credentials,
    region,
    service: 'sts',
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: {
        host,
        [CALLER_REQUEST_HEADER]: createHash('sha256').update(canonicalCallerRequest(request)).digest('hex'),
      },
    },
    { signingDate: NOW, expiresIn },
  );
  return new URLSearchParams(signed.query as Record<string, string>);
}

function params(query: string): URLSearchParams {
  return new URLSearchParams(query);
}

describe('presignCallerProof', () => {
  it('signs the same URL as the AWS SDK signer for long-term credentials', async () => {
    const host = 'sts.eu-west-1.amazonaws.com';

    const proof = presignCallerProof({
      credentials: KEYS,
      region: 'eu-west-1',
      host,
      request: REQUEST,
      now: NOW,
    });
    const expected = await smithyPresign(
      KEYS,
      'eu-west-1',
      host,
      REQUEST,
      DEFAULT_CALLER_PROOF_EXPIRES_SECONDS,
    );

    expect(proof.host).toBe(host);
    expect(Object.fromEntries(params(proof.query))).toEqual(Object.fromEntries(expected));
    expect(params(proof.query).get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs the same URL as the AWS SDK signer for session credentials (the token is signed in the query)', async () => {
    const session = { ...KEYS, accessKeyId: 'ASIAEXAMPLE', sessionToken: 'IQoJb3JpZ2luX2VjE+/token==' };
    const host = '127.0.0.1:4566';

    const proof = presignCallerProof({
      credentials: session,
      region: 'us-east-1',
      host,
      request: REQUEST,
      now: NOW,
      expiresSeconds: 300,
    });
    const expected = await smithyPresign(session, 'us-east-1', host, REQUEST, 300);

    expect(Object.fromEntries(params(proof.query))).toEqual(Object.fromEntries(expected));
    expect(params(proof.query).get('X-Amz-Security-Token')).toBe(session.sessionToken);
  });

  it('names the action, the scope, the expiry and the signed headers, nothing else', () => {
    const proof = presignCallerProof({
      credentials: KEYS,
      region: 'us-east-1',
      host: 'sts.us-east-1.amazonaws.com',
      request: REQUEST,
      now: NOW,
    });

    expect([...params(proof.query).keys()].sort()).toEqual([
      'Action',
      'Version',
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Expires',
      'X-Amz-Signature',
      'X-Amz-SignedHeaders',
    ]);
    expect(params(proof.query).get('Action')).toBe('GetCallerIdentity');
    expect(params(proof.query).get('X-Amz-Credential')).toBe(
      'AKIDEXAMPLE/20260102/us-east-1/sts/aws4_request',
    );
    expect(params(proof.query).get('X-Amz-Date')).toBe('20260102T030405Z');
    expect(params(proof.query).get('X-Amz-Expires')).toBe('120');
    expect(params(proof.query).get('X-Amz-SignedHeaders')).toBe('host;x-switchback-request');
  });

  it('binds the proof to the request: another request, or the same one reordered, gives another or the same signature', () => {
    const sign = (request: Record<string, unknown>) =>
      params(
        presignCallerProof({
          credentials: KEYS,
          region: 'us-east-1',
          host: 'sts.us-east-1.amazonaws.com',
          request,
          now: NOW,
        }).query,
      ).get('X-Amz-Signature');
    const reordered = Object.fromEntries(Object.entries(REQUEST).reverse());

    expect(sign({ ...REQUEST, reason: 'something else' })).not.toBe(sign(REQUEST));
    expect(sign(reordered)).toBe(sign(REQUEST));
    // The proof itself is not part of what it signs.
    expect(sign({ ...REQUEST, callerProof: { query: 'x', host: 'y' } })).toBe(sign(REQUEST));
  });

  it('digests the canonical request as the watchdog does', () => {
    expect(callerRequestDigest(REQUEST)).toBe(
      createHash('sha256').update(canonicalCallerRequest(REQUEST)).digest('hex'),
    );
  });

  it.each([0, 301, 1.5])('fails when the expiry is %p seconds (1 to 300 allowed)', (expiresSeconds) => {
    expect(() =>
      presignCallerProof({
        credentials: KEYS,
        region: 'us-east-1',
        host: 'sts.us-east-1.amazonaws.com',
        request: REQUEST,
        expiresSeconds,
      }),
    ).toThrow(/expiry must be a whole number of seconds from 1 to 300/);
  });

  it('fails without credentials, region or a bare host', () => {
    const base = {
      credentials: KEYS,
      region: 'us-east-1',
      host: 'sts.us-east-1.amazonaws.com',
      request: REQUEST,
    };
    expect(() =>
      presignCallerProof({ ...base, credentials: { accessKeyId: '', secretAccessKey: 'x' } }),
    ).toThrow(/needs credentials/);
    expect(() => presignCallerProof({ ...base, region: '' })).toThrow(/signing region/);
    expect(() => presignCallerProof({ ...base, host: 'https://sts.amazonaws.com/' })).toThrow(
      /without scheme or path/,
    );
  });
});

describe('stsHostFor', () => {
  it.each([
    ['us-east-1', undefined, 'sts.us-east-1.amazonaws.com'],
    ['eu-central-1', undefined, 'sts.eu-central-1.amazonaws.com'],
    ['cn-north-1', undefined, 'sts.cn-north-1.amazonaws.com.cn'],
    ['us-east-1', 'http://127.0.0.1:4566', '127.0.0.1:4566'],
    ['us-east-1', 'https://sts.internal.example/', 'sts.internal.example'],
  ])('is the STS host of %s (endpoint %p): %s', (region, endpoint, host) => {
    expect(stsHostFor(region, endpoint)).toBe(host);
  });

  it('fails on an endpoint that is not a URL', () => {
    expect(() => stsHostFor('us-east-1', 'not a url')).toThrow(/is not a URL/);
  });
});
