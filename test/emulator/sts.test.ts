/**
 * STS GetCallerIdentity and its SigV4 check, against requests signed by `@smithy/signature-v4` (the
 * signer the AWS SDK uses, not ours): presigned queries (how a caller proof travels) and the
 * Authorization header (how an SDK client calls).
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { BackupClient, CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import type { Emulator } from './index';
import { ManualClock, NodeSha256, presignGetCallerIdentity, useEmulator } from './testing';

const clock = new ManualClock();
const emulator = useEmulator({ clock: clock.now });

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const DIGEST = createHash('sha256').update('{"action":"rollback","releaseId":"r-42"}').digest('hex');
const parser = new XMLParser();

function signer(credentials: Credentials): SignatureV4 {
  return new SignatureV4({ credentials, region: 'us-east-1', service: 'sts', sha256: NodeSha256 });
}

function host(emu: Emulator): string {
  return `${emu.host}:${emu.port}`;
}

/** A presigned GetCallerIdentity with the caller's request digest as a signed header. */
async function presign(
  emu: Emulator,
  options: {
    credentials?: Credentials;
    expiresIn?: number;
    signedAt?: number;
    service?: string;
  } = {},
): Promise<{ path: string; headers: Record<string, string> }> {
  const proof = await presignGetCallerIdentity(emu, {
    credentials: options.credentials,
    headers: { 'x-switchback-request': DIGEST },
    expiresInSeconds: options.expiresIn,
    signingDate: new Date(options.signedAt ?? clock.now()),
    service: options.service,
  });
  return { path: `/?${proof.query}`, headers: { host: proof.host, 'x-switchback-request': DIGEST } };
}

/** Sends a request as is (node:http lets the test set every header, Host included). */
function send(
  emu: Emulator,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; xml: Record<string, Record<string, Record<string, string>>> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: emu.host, port: emu.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, xml: parser.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const get = (emu: Emulator, signed: { path: string; headers: Record<string, string> }) =>
  send(emu, 'GET', signed.path, signed.headers);

function errorOf(xml: Record<string, Record<string, Record<string, string>>>): Record<string, string> {
  return xml.ErrorResponse.Error;
}

describe('GetCallerIdentity with a presigned query', () => {
  it('answers the identity of the emulator credentials, as STS words it', async () => {
    const answer = await get(emulator(), await presign(emulator()));
    expect(answer.status).toBe(200);
    expect(answer.xml.GetCallerIdentityResponse.GetCallerIdentityResult).toEqual({
      UserId: 'AIDAEMULATOR000000001',
      Account: 123456789012,
      Arn: 'arn:aws:iam::123456789012:user/emulator',
    });
    expect(emulator().sts.calls()).toEqual([
      expect.objectContaining({
        auth: 'query',
        accessKeyId: 'AKIAEMULATOR',
        arn: 'arn:aws:iam::123456789012:user/emulator',
        signedHeaders: { host: host(emulator()), 'x-switchback-request': DIGEST },
      }),
    ]);
    expect(emulator().requestLog.actions()).toEqual(['sts:GetCallerIdentity']);
  });

  it('refuses a request whose signed header was changed, with STS XML error', async () => {
    const signed = await presign(emulator());
    const other = createHash('sha256').update('{"action":"promote"}').digest('hex');
    const answer = await get(emulator(), {
      ...signed,
      headers: { ...signed.headers, 'x-switchback-request': other },
    });
    expect(answer.status).toBe(403);
    expect(errorOf(answer.xml)).toEqual({
      Type: 'Sender',
      Code: 'SignatureDoesNotMatch',
      Message: expect.stringContaining('The request signature we calculated does not match'),
    });
    expect(answer.xml.ErrorResponse.RequestId).toBeDefined();
  });

  it('refuses a request sent without a header it signed', async () => {
    const signed = await presign(emulator());
    const { 'x-switchback-request': _dropped, ...headers } = signed.headers;
    const answer = await get(emulator(), { ...signed, headers });
    expect([answer.status, errorOf(answer.xml).Code]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it.each([
    ['a longer expiry', (q: string) => q.replace('X-Amz-Expires=300', 'X-Amz-Expires=3000')],
    [
      'another action',
      (q: string) => q.replace('Action=GetCallerIdentity', 'Action=GetCallerIdentity&Extra=1'),
    ],
    [
      'a changed signature',
      (q: string) =>
        q.replace(/X-Amz-Signature=([0-9a-f])/, (_, c) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`),
    ],
  ])('refuses a query changed after signing: %s', async (_, tamper) => {
    const signed = await presign(emulator());
    const answer = await get(emulator(), { ...signed, path: tamper(signed.path) });
    expect([answer.status, errorOf(answer.xml).Code]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('accepts the query re-encoded in another order (the watchdog rebuilds the URL from the proof)', async () => {
    const signed = await presign(emulator());
    const pairs = [...new URLSearchParams(signed.path.slice(signed.path.indexOf('?') + 1))].reverse();
    const answer = await get(emulator(), { ...signed, path: `/?${new URLSearchParams(pairs).toString()}` });
    expect(answer.status).toBe(200);
  });

  it('accepts a presigned request until X-Amz-Expires has passed, then answers Signature expired', async () => {
    const signed = await presign(emulator(), { expiresIn: 300 });
    clock.advance(300_000);
    expect((await get(emulator(), signed)).status).toBe(200);
    clock.advance(1000);
    const answer = await get(emulator(), signed);
    expect([answer.status, errorOf(answer.xml).Code]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(errorOf(answer.xml).Message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 300 sec\.\)$/,
    );
  });

  it('counts 15 minutes whatever X-Amz-Expires says, in the mode that models STS reports', async () => {
    emulator().sts.setPresignExpiry('fifteen-minutes');
    const signed = await presign(emulator(), { expiresIn: 60 });
    clock.advance(14 * 60_000);
    expect((await get(emulator(), signed)).status).toBe(200);
    clock.advance(61_000);
    const answer = await get(emulator(), signed);
    expect(errorOf(answer.xml).Message).toMatch(/^Signature expired: .* - 15 min\.\)$/);
  });

  it('refuses a request signed more than 15 minutes in the future', async () => {
    const answer = await get(emulator(), await presign(emulator(), { signedAt: clock.now() + 16 * 60_000 }));
    expect([answer.status, errorOf(answer.xml).Code]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(errorOf(answer.xml).Message).toMatch(/^Signature not yet current: /);
  });

  it('answers InvalidClientTokenId for an access key STS does not know', async () => {
    const answer = await get(
      emulator(),
      await presign(emulator(), { credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' } }),
    );
    expect(answer.status).toBe(403);
    expect(errorOf(answer.xml)).toMatchObject({
      Code: 'InvalidClientTokenId',
      Message: 'The security token included in the request is invalid.',
    });
  });

  it('refuses a known access key signed with another secret', async () => {
    const answer = await get(
      emulator(),
      await presign(emulator(), { credentials: { accessKeyId: 'AKIAEMULATOR', secretAccessKey: 'guessed' } }),
    );
    expect([answer.status, errorOf(answer.xml).Code]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('refuses a signature scoped to another service', async () => {
    const answer = await get(emulator(), await presign(emulator(), { service: 'sqs' }));
    expect(errorOf(answer.xml)).toMatchObject({
      Code: 'SignatureDoesNotMatch',
      Message: expect.stringMatching(/^Credential should be scoped to correct service: 'sts'\.\s*$/),
    });
  });

  it('answers an identity a test adds: an assumed role with its session token', async () => {
    const role = emulator().sts.addIdentity({
      accessKeyId: 'ASIAOPERATOR',
      secretAccessKey: 'operator-secret',
      sessionToken: 'session-token-1',
      arn: 'arn:aws:sts::210987654321:assumed-role/oncall/alice',
    });
    expect(role).toMatchObject({
      account: '210987654321',
      userId: expect.stringMatching(/^AROA[A-Z2-7]{17}:alice$/),
    });
    const answer = await get(emulator(), await presign(emulator(), { credentials: role }));
    expect(answer.xml.GetCallerIdentityResponse.GetCallerIdentityResult).toEqual({
      UserId: role.userId,
      Account: 210987654321,
      Arn: 'arn:aws:sts::210987654321:assumed-role/oncall/alice',
    });
    const noToken = await get(
      emulator(),
      await presign(emulator(), {
        credentials: { accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey },
      }),
    );
    expect(errorOf(noToken.xml).Code).toBe('InvalidClientTokenId');
  });

  it('answers MissingAuthenticationToken to an unsigned request', async () => {
    const answer = await send(emulator(), 'GET', '/?Action=GetCallerIdentity&Version=2011-06-15', {
      host: host(emulator()),
    });
    expect([answer.status, errorOf(answer.xml).Code]).toEqual([403, 'MissingAuthenticationToken']);
  });

  it('forgets added identities on reset, but not its own', async () => {
    emulator().sts.addIdentity({
      accessKeyId: 'AKIAOTHER',
      secretAccessKey: 's',
      arn: 'arn:aws:iam::123456789012:user/o',
    });
    emulator().reset();
    expect(
      emulator()
        .sts.identities()
        .map((i) => i.accessKeyId),
    ).toEqual(['AKIAEMULATOR']);
  });
});

describe('GetCallerIdentity with the Authorization header', () => {
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';

  async function signedPost(emu: Emulator, signedAt = clock.now()): Promise<Record<string, string>> {
    const req = new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: emu.host,
      port: emu.port,
      path: '/',
      headers: {
        host: host(emu),
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-switchback-request': DIGEST,
      },
      body,
    });
    const signed = await signer(emu.clientConfig().credentials).sign(req, {
      signingDate: new Date(signedAt),
    });
    return signed.headers as Record<string, string>;
  }

  it('answers the identity for a request the SDK signer signed', async () => {
    const answer = await send(emulator(), 'POST', '/', await signedPost(emulator()), body);
    expect(answer.status).toBe(200);
    expect(answer.xml.GetCallerIdentityResponse.GetCallerIdentityResult).toMatchObject({
      Arn: 'arn:aws:iam::123456789012:user/emulator',
    });
    expect(emulator().sts.calls()[0]).toMatchObject({
      auth: 'header',
      signedHeaders: expect.objectContaining({ 'x-switchback-request': DIGEST }),
    });
  });

  it('refuses a changed body or signed header', async () => {
    const headers = await signedPost(emulator());
    const changed = await send(emulator(), 'POST', '/', headers, `${body}&X=1`);
    expect([changed.status, errorOf(changed.xml).Code]).toEqual([403, 'SignatureDoesNotMatch']);
    const other = await send(emulator(), 'POST', '/', { ...headers, 'x-switchback-request': 'x' }, body);
    expect([other.status, errorOf(other.xml).Code]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('refuses a request dated more than 15 minutes ago', async () => {
    const headers = await signedPost(emulator(), clock.now() - 16 * 60_000);
    const answer = await send(emulator(), 'POST', '/', headers, body);
    expect(errorOf(answer.xml).Message).toMatch(/^Signature expired: .* - 15 min\.\)$/);
  });
});

describe('the other services', () => {
  it('still take any credentials', async () => {
    const backup = new BackupClient({
      ...emulator().clientConfig(),
      credentials: { accessKeyId: 'anything', secretAccessKey: 'anything' },
      maxAttempts: 1,
    });
    const out = await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'any-credentials' }));
    backup.destroy();
    expect(out.BackupVaultName).toBe('any-credentials');
  });
});
