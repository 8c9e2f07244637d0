/**
 * The identity adapter checks caller proofs at the watchdog's own STS endpoint. The proofs here are
 * made by an implementation we did not write, the AWS SDK's own SigV4 signer (@smithy/signature-v4),
 * and by the CLI's signer (lib/caller-proof): a presigned GetCallerIdentity bound to the request by
 * the signed `x-switchback-request` header.
 *
 * Against the emulator, whose STS checks the signature, the signed header's value and the expiry as
 * STS does. Not against moto: moto_server 5.2 picks the service of a request from its Authorization
 * header, its form body or its path, and a query-presigned GET has none of them, so moto answers it
 * from S3 (ListBuckets) and never reaches its STS (which would not check the signature anyway). The
 * last block pins that down, and that the adapter takes such an answer for no identity.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/core/serde';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALLER_REQUEST_HEADER, canonicalCallerRequest, type CallerProof } from '../../../lib';
import { callerRequestDigest, presignCallerProof } from '../../../lib/caller-proof';
import {
  createIdentityAdapter,
  MAX_PROOF_EXPIRY_SECONDS,
  trustedStsHosts,
} from '../../../lambdas/watchdog/adapters';
import { AwsCallError } from '../../../lambdas/watchdog/ports';
import { useEmulator } from '../../emulator/testing';
import { startMoto, type MotoServer } from '../../moto/server';
import { rejectionOf } from './fixtures';

const ACCOUNT = '123456789012';
const REQUEST = {
  action: 'restore-data',
  releaseId: 'r42',
  recoveryPointArn: `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:rp-1`,
  requestedBy: 'alice@laptop',
  reason: 'orders corrupted by r42',
  requestId: '0b6b4c1e-2f6e-4d7e-9d59-3c1f0a1b2c3d',
};
const DIGEST = callerRequestDigest(REQUEST);

interface Signer {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const rfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A caller proof presigned by the AWS SDK's own SigV4 signer, for `host` (`host[:port]`). */
async function sdkProof(
  credentials: Signer,
  host: string,
  options: {
    digest?: string;
    expiresIn?: number;
    signingDate?: Date;
    region?: string;
    signHeader?: boolean;
  } = {},
): Promise<CallerProof> {
  const signer = new SignatureV4({
    credentials,
    region: options.region ?? 'us-east-1',
    service: 'sts',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  const [hostname, port] = host.split(':');
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: hostname as string,
      ...(port ? { port: Number(port) } : {}),
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: {
        host,
        ...(options.signHeader === false ? {} : { [CALLER_REQUEST_HEADER]: options.digest ?? DIGEST }),
      },
    },
    {
      expiresIn: options.expiresIn ?? 120,
      ...(options.signingDate ? { signingDate: options.signingDate } : {}),
    },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(String(value))}`)
    .join('&');
  return { query, host };
}

async function failure(fn: () => Promise<unknown>): Promise<AwsCallError> {
  const error = await rejectionOf(fn);
  expect(error).toBeInstanceOf(AwsCallError);
  return error as AwsCallError;
}

describe('the identity adapter against STS (emulator: it checks SigV4 as STS does)', () => {
  let now = Date.parse('2026-11-21T12:00:00.000Z');
  const emulator = useEmulator({ clock: () => now });
  const OPERATOR = {
    accessKeyId: 'AKIAOPERATOR0000001',
    secretAccessKey: 'operator-secret-key',
    arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  };
  const host = () => new URL(emulator().endpoint).host;
  // The watchdog's clock is the emulator's (the drill runs them on one clock).
  const identity = () => createIdentityAdapter({ endpoint: emulator().endpoint, now: () => now });
  const signedNow = () => ({ signingDate: new Date(now) });

  beforeEach(() => {
    now = Date.parse('2026-11-21T12:00:00.000Z');
    emulator().sts.addIdentity(OPERATOR);
  });

  it('verifies a proof the AWS SDK’s signer made, and answers who signed it', async () => {
    const proof = await sdkProof(OPERATOR, host(), signedNow());

    await expect(identity().verify(proof, DIGEST)).resolves.toEqual({
      arn: OPERATOR.arn,
      account: ACCOUNT,
      userId: expect.stringMatching(/^AIDA/),
    });
    // STS got the request at its own host, with the digest the watchdog computed in the signed header
    expect(emulator().sts.calls()).toEqual([
      expect.objectContaining({
        auth: 'query',
        arn: OPERATOR.arn,
        signedHeaders: expect.objectContaining({ [CALLER_REQUEST_HEADER]: DIGEST, host: host() }),
      }),
    ]);
  });

  it('verifies a proof made by the CLI’s signer (lib/caller-proof)', async () => {
    const proof = presignCallerProof({
      credentials: OPERATOR,
      region: 'us-east-1',
      host: host(),
      request: REQUEST,
      now: new Date(now),
    });
    await expect(identity().verify(proof, DIGEST)).resolves.toMatchObject({ arn: OPERATOR.arn });
  });

  it('answers an assumed role’s session for temporary credentials', async () => {
    const role = emulator().sts.addIdentity({
      accessKeyId: 'ASIAONCALL000000001',
      secretAccessKey: 'session-secret',
      sessionToken: 'session-token-value',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice`,
    });
    const proof = await sdkProof(role, host(), signedNow());
    await expect(identity().verify(proof, DIGEST)).resolves.toMatchObject({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice`,
      userId: expect.stringMatching(/:alice$/),
    });
  });

  it('is refused for another request: the digest the watchdog sends is not the one signed', async () => {
    const proof = await sdkProof(OPERATOR, host(), signedNow());
    const tampered = callerRequestDigest({
      ...REQUEST,
      recoveryPointArn: `${REQUEST.recoveryPointArn}-other`,
    });
    const error = await failure(() => identity().verify(proof, tampered));
    expect(error).toMatchObject({
      kind: 'access-denied',
      operation: 'GetCallerIdentity',
      code: 'SignatureDoesNotMatch',
      retryable: false,
    });
  });

  it('is refused for credentials STS does not know', async () => {
    const proof = await sdkProof(
      { accessKeyId: 'AKIAUNKNOWN00000001', secretAccessKey: 'x' },
      host(),
      signedNow(),
    );
    const error = await failure(() => identity().verify(proof, DIGEST));
    expect(error).toMatchObject({ kind: 'access-denied', code: 'InvalidClientTokenId' });
  });

  it('is refused when expired: by STS, and by the watchdog where STS keeps it longer', async () => {
    const proof = await sdkProof(OPERATOR, host(), { ...signedNow(), expiresIn: 60 });
    now += 2 * 60_000;

    // STS refuses it (the watchdog's own check allows a little clock skew: told here its clock is behind)
    const behind = createIdentityAdapter({ endpoint: emulator().endpoint, now: () => now - 90_000 });
    await expect(failure(() => behind.verify(proof, DIGEST))).resolves.toMatchObject({
      kind: 'access-denied',
    });

    // And an STS that keeps presigned requests for 15 minutes whatever they say does not let it through
    emulator().sts.setPresignExpiry('fifteen-minutes');
    await expect(failure(() => identity().verify(proof, DIGEST))).resolves.toMatchObject({
      kind: 'access-denied',
      code: 'ExpiredProof',
    });
    expect(emulator().sts.calls()).toHaveLength(1);
  });

  it('maps STS’s server errors to transient', async () => {
    emulator().faults.add({ service: 'sts', action: 'GetCallerIdentity', error: {} });
    const proof = await sdkProof(OPERATOR, host(), signedNow());
    await expect(failure(() => identity().verify(proof, DIGEST))).resolves.toMatchObject({
      kind: 'transient',
      retryable: true,
    });
  });
});

describe('the identity adapter refuses what is not a proof for it, sending nothing', () => {
  const NOW = Date.parse('2026-11-21T12:00:00.000Z');
  const keys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const at = { signingDate: new Date(NOW) };
  const send = jest.fn<Promise<Response>, Parameters<typeof fetch>>();
  const identity = (region = 'eu-west-1') =>
    createIdentityAdapter({ region, fetch: send as unknown as typeof fetch, now: () => NOW });

  beforeEach(() => send.mockReset());

  const cases: [string, () => Promise<CallerProof>, string, RegExp][] = [
    [
      'a proof for another STS host',
      () => sdkProof(keys, 'sts.attacker.example', at),
      'UntrustedHost',
      /accepts only its own STS endpoint \(sts\.eu-west-1\.amazonaws\.com or sts\.amazonaws\.com\)/,
    ],
    [
      'a proof for another region’s STS',
      () => sdkProof(keys, 'sts.us-east-1.amazonaws.com', at),
      'UntrustedHost',
      /sts\.us-east-1\.amazonaws\.com/,
    ],
    [
      'another action',
      async () => {
        const proof = await sdkProof(keys, 'sts.eu-west-1.amazonaws.com', at);
        return { ...proof, query: proof.query.replace('GetCallerIdentity', 'AssumeRole') };
      },
      'InvalidProof',
      /not an sts:GetCallerIdentity/,
    ],
    [
      'an action named twice',
      async () => {
        const proof = await sdkProof(keys, 'sts.eu-west-1.amazonaws.com', at);
        return { ...proof, query: `${proof.query}&Action=AssumeRole` };
      },
      'MalformedProof',
      /Action more than once/,
    ],
    [
      'a proof that does not sign the request header',
      () => sdkProof(keys, 'sts.eu-west-1.amazonaws.com', { ...at, signHeader: false }),
      'UnboundProof',
      /does not sign the x-switchback-request header/,
    ],
    [
      'a proof valid for longer than the watchdog takes',
      () => sdkProof(keys, 'sts.eu-west-1.amazonaws.com', { ...at, expiresIn: 3600 }),
      'InvalidProof',
      new RegExp(`within ${MAX_PROOF_EXPIRY_SECONDS} s`),
    ],
    [
      'a proof dated in the future',
      () => sdkProof(keys, 'sts.eu-west-1.amazonaws.com', { signingDate: new Date(NOW + 3_600_000) }),
      'InvalidProof',
      /signed in the future/,
    ],
    [
      'an unsigned query',
      async () => ({
        query: 'Action=GetCallerIdentity&Version=2011-06-15',
        host: 'sts.eu-west-1.amazonaws.com',
      }),
      'InvalidProof',
      /not a SigV4-presigned request/,
    ],
  ];

  it.each(cases)('%s', async (_name, proof, code, message) => {
    const error = await failure(async () => identity().verify(await proof(), DIGEST));
    expect(error).toMatchObject({ kind: 'invalid', operation: 'GetCallerIdentity', code });
    expect(error.detail).toMatch(message);
    expect(send).not.toHaveBeenCalled();
  });

  it('refuses an expired proof itself', async () => {
    const proof = await sdkProof(keys, 'sts.eu-west-1.amazonaws.com', {
      signingDate: new Date(NOW - 10 * 60_000),
      expiresIn: 300,
    });
    const error = await failure(() => identity().verify(proof, DIGEST));
    expect(error).toMatchObject({ kind: 'access-denied', code: 'ExpiredProof' });
    expect(send).not.toHaveBeenCalled();
  });

  it('sends the proof to its own regional endpoint over HTTPS, with the digest it computed', async () => {
    send.mockResolvedValue(
      new Response(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice&amp;co</Arn><UserId>AROAEXAMPLE:alice</UserId>` +
          `<Account>${ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
        { status: 200, headers: { 'content-type': 'text/xml' } },
      ),
    );
    const proof = await sdkProof(keys, 'sts.eu-west-1.amazonaws.com', at);

    await expect(identity().verify(proof, DIGEST)).resolves.toEqual({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice&co`,
      userId: 'AROAEXAMPLE:alice',
      account: ACCOUNT,
    });
    const [url, init] = send.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(`https://sts.eu-west-1.amazonaws.com/?${proof.query}`);
    expect(init).toMatchObject({ method: 'GET', headers: { [CALLER_REQUEST_HEADER]: DIGEST } });
    // The digest is of the request as delivered (canonical form, the proof left out)
    expect(DIGEST).toBe(callerRequestDigest({ ...REQUEST, callerProof: proof }));
    expect(canonicalCallerRequest({ ...REQUEST, callerProof: proof })).not.toContain('callerProof');
  });

  it('accepts the global endpoint too, and reads a JSON answer', async () => {
    send.mockResolvedValue(
      Response.json({
        GetCallerIdentityResponse: {
          GetCallerIdentityResult: {
            Arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
            UserId: 'AIDABOB',
            Account: ACCOUNT,
          },
        },
      }),
    );
    const proof = await sdkProof(keys, 'sts.amazonaws.com', at);
    await expect(identity().verify(proof, DIGEST)).resolves.toEqual({
      arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
      userId: 'AIDABOB',
      account: ACCOUNT,
    });
  });

  const xmlError = (code: string, message = 'no') =>
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error></ErrorResponse>`;
  it.each([
    [
      'SignatureDoesNotMatch',
      403,
      xmlError('SignatureDoesNotMatch'),
      'access-denied',
      'SignatureDoesNotMatch',
    ],
    ['InvalidClientTokenId', 403, xmlError('InvalidClientTokenId'), 'access-denied', 'InvalidClientTokenId'],
    ['ExpiredToken', 400, xmlError('ExpiredToken'), 'access-denied', 'ExpiredToken'],
    ['HTTP403', 403, '', 'access-denied', 'HTTP403'],
    ['InvalidAction', 400, xmlError('InvalidAction'), 'invalid', 'InvalidAction'],
    ['Throttling', 400, xmlError('Throttling', 'Rate exceeded'), 'throttled', 'Throttling'],
    ['InternalFailure', 500, xmlError('InternalFailure'), 'transient', 'InternalFailure'],
    ['HTTP503', 503, 'Service Unavailable', 'transient', 'HTTP503'],
    ['MalformedResponse', 200, '<GetCallerIdentityResponse/>', 'transient', 'MalformedResponse'],
  ])('maps an answer %s (HTTP %i) to its failure kind', async (_label, status, body, kind, code) => {
    send.mockResolvedValue(new Response(body, { status }));
    const proof = await sdkProof(keys, 'sts.eu-west-1.amazonaws.com', at);
    await expect(failure(() => identity().verify(proof, DIGEST))).resolves.toMatchObject({ kind, code });
  });
});

describe('the identity adapter when STS cannot be reached', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  async function listening(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('maps an endpoint that does not answer in time to transient', async () => {
    const endpoint = await listening(() => undefined); // never answers
    const identity = createIdentityAdapter({ endpoint, timeoutMs: 100 });
    const proof = await sdkProof(
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's' },
      new URL(endpoint).host,
    );
    await expect(failure(() => identity.verify(proof, DIGEST))).resolves.toMatchObject({
      kind: 'transient',
      code: 'TimeoutError',
    });
  });

  it('maps a refused connection to transient', async () => {
    const endpoint = await listening(() => undefined);
    const closed = servers.pop() as Server;
    await new Promise((resolve) => closed.close(resolve));
    const identity = createIdentityAdapter({ endpoint });
    const proof = await sdkProof(
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's' },
      new URL(endpoint).host,
    );
    await expect(failure(() => identity.verify(proof, DIGEST))).resolves.toMatchObject({
      kind: 'transient',
      code: 'NetworkError',
    });
  });
});

describe('the identity adapter against moto (a presigned GET does not reach its STS)', () => {
  let moto: MotoServer | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  }, 30_000);
  afterAll(() => moto?.stop());

  it('takes the answer moto gives (S3’s bucket list) for no identity', async () => {
    const endpoint = (moto as MotoServer).endpoint;
    const identity = createIdentityAdapter({ endpoint });
    const proof = presignCallerProof({
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      region: 'us-east-1',
      host: new URL(endpoint).host,
      request: REQUEST,
    });
    await expect(failure(() => identity.verify(proof, DIGEST))).resolves.toMatchObject({
      kind: 'transient',
      code: 'MalformedResponse',
    });
  });
});

describe('trustedStsHosts', () => {
  it('is the region’s endpoint and the global one, the custom endpoint alone when one is set', () => {
    expect(trustedStsHosts({ region: 'eu-west-1' })).toEqual({
      hosts: ['sts.eu-west-1.amazonaws.com', 'sts.amazonaws.com'],
      scheme: 'https:',
    });
    expect(trustedStsHosts({ region: 'cn-north-1' })).toEqual({
      hosts: ['sts.cn-north-1.amazonaws.com.cn'],
      scheme: 'https:',
    });
    expect(trustedStsHosts({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' })).toEqual({
      hosts: ['127.0.0.1:4566'],
      scheme: 'http:',
    });
  });
});
