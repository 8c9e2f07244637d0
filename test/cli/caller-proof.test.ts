/**
 * Who asked: every manual action the CLI sends carries a caller proof — a presigned
 * sts:GetCallerIdentity signed with the operator's own credentials, for the watchdog's STS endpoint,
 * bound to the exact request — and the watchdog records the caller STS confirms. Against the real
 * watchdog runtime on the emulator, whose STS verifies SigV4 presigned signatures.
 *
 * moto (the peer emulator) cannot play STS here: moto_server routes a request by its Authorization
 * header, so a presigned (query-signed) GET falls through to S3, and it checks no signature; the
 * signer itself is cross-checked against the AWS SDK's own in test/lib/caller-proof.test.ts.
 */
import { callerRequestDigest } from '../../lib/caller-proof';
import { CALLER_REQUEST_HEADER } from '../../lib';
import { runCli } from '../../cli/program';
import { PROVEN_ACTIONS } from '../../cli/watchdog-gateway';
import { MANUAL_ACTION_KINDS } from '../../lambdas/watchdog/events';
import { useEmulator } from '../emulator/testing';
import type { World } from '../watchdog/harness';
import { FUNCTION, deployedWorld, sink } from './harness';

const emulator = useEmulator();

const ACCOUNT = '123456789012';
const ALICE = {
  accessKeyId: 'AKIAALICE00000000001',
  secretAccessKey: 'alice-secret',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
};
const ONCALL = {
  accessKeyId: 'ASIAONCALL0000000001',
  secretAccessKey: 'oncall-secret',
  sessionToken: 'FwoGZXIvYXdzEOncallSessionToken==',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/OnCall/bob`,
};

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

async function run(
  world: World,
  argv: string[],
  credentials: Credentials = ALICE,
  clientConfig: Record<string, unknown> = {},
) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli([...argv, '--function', FUNCTION], {
    stdout,
    stderr,
    env: { AWS_ENDPOINT_URL: world.emulator.endpoint, AWS_REGION: 'us-east-1', USER: 'alice' },
    clientConfig: {
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
      },
      ...clientConfig,
    },
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A world with release r1 captured and live on green; every event the watchdog receives is kept. */
async function releasedToGreen() {
  const emu = emulator();
  emu.sts.addIdentity(ALICE);
  emu.sts.addIdentity(ONCALL);
  const world = await deployedWorld(emu, { listeners: 1 });
  world.setAlarm('checkout-5xx', 'OK');
  const received: Record<string, unknown>[] = [];
  emu.lambda.registerHandler(FUNCTION, (event) => {
    received.push(structuredClone(event) as Record<string, unknown>);
    return world.invoke(event);
  });
  expect((await run(world, ['capture', '--release', 'r1'])).code).toBe(0);
  await world.shiftToGreen();
  return { world, received };
}

const rollbacks = async (world: World) =>
  (await world.auditRecords()).filter((r) => r.trigger.kind === 'rollback' && !r.trigger.dryRun);

describe('the CLI proves who asked', () => {
  it('signs a manual rollback for the watchdog’s STS, bound to the request sent; the audit names the verified caller', async () => {
    const { world, received } = await releasedToGreen();

    const result = await run(world, ['rollback', '--reason', 'errors after r1']);

    expect(result.code).toBe(0);
    const sent = received.find((event) => event.action === 'rollback') as Record<string, unknown>;
    const proof = sent.callerProof as { query: string; host: string };
    const query = new URLSearchParams(proof.query);
    expect(proof.host).toBe(new URL(world.emulator.endpoint).host);
    expect(query.get('Action')).toBe('GetCallerIdentity');
    expect(query.get('X-Amz-Credential')).toMatch(
      /^AKIAALICE00000000001\/\d{8}\/us-east-1\/sts\/aws4_request$/,
    );
    expect(query.get('X-Amz-SignedHeaders')).toBe(`host;${CALLER_REQUEST_HEADER}`);
    expect(Number(query.get('X-Amz-Expires'))).toBeLessThanOrEqual(300);
    // STS saw the proof query-signed, with the digest of the request as the watchdog received it.
    const [call] = world.emulator.sts.calls().filter((c) => c.auth === 'query');
    expect(call).toEqual(expect.objectContaining({ arn: ALICE.arn, accessKeyId: ALICE.accessKeyId }));
    expect(call.errorCode).toBeUndefined();
    expect(call.signedHeaders[CALLER_REQUEST_HEADER]).toBe(callerRequestDigest(sent));
    const [record] = await rollbacks(world);
    expect(record.trigger).toEqual(
      expect.objectContaining({
        requestedBy: expect.stringMatching(/^alice@/),
        caller: expect.objectContaining({ arn: ALICE.arn, account: ACCOUNT, verified: true }),
      }),
    );
  });

  it('signs with session credentials: the token goes in the signed query and STS answers the assumed role', async () => {
    const { world, received } = await releasedToGreen();

    const result = await run(world, ['rollback', '--reason', 'errors', '--requested-by', 'bob'], ONCALL);

    expect(result.code).toBe(0);
    const sent = received.find((event) => event.action === 'rollback') as { callerProof: { query: string } };
    expect(new URLSearchParams(sent.callerProof.query).get('X-Amz-Security-Token')).toBe(ONCALL.sessionToken);
    const [record] = await rollbacks(world);
    expect(record.trigger.caller).toEqual(expect.objectContaining({ arn: ONCALL.arn, verified: true }));
    const history = await run(world, ['history']);
    expect(history.stdout).toMatch(
      /manual by bob \(assumed-role\/OnCall\/bob, verified\)\s+r1\s+rolled-back/,
    );
    expect(history.stdout).toContain(`caller        by bob (${ONCALL.arn}, verified)`);
  });

  it('knows the watchdog’s manual actions: the ones it proves are the ones the watchdog checks', () => {
    expect([...PROVEN_ACTIONS].sort()).toEqual([...MANUAL_ACTION_KINDS].sort());
  });

  it('proves every manual action, and nothing else: capture carries no proof', async () => {
    const { world, received } = await releasedToGreen();
    expect((await run(world, ['rollback', '--reason', 'errors'])).code).toBe(0);

    const acked = await run(world, ['promote', '--ack', '--reason', 'fixed upstream']);

    expect(acked.code).toBe(0);
    const byAction = Object.fromEntries(received.map((event) => [event.action, 'callerProof' in event]));
    expect(byAction).toEqual({ capture: false, rollback: true, acknowledge: true });
    const records = await world.auditRecords();
    expect(records.find((r) => r.trigger.kind === 'acknowledge')?.trigger.caller).toEqual(
      expect.objectContaining({ arn: ALICE.arn, verified: true }),
    );
  });

  it('is refused for credentials STS does not know: nothing is rolled back (exit 1)', async () => {
    const { world } = await releasedToGreen();

    const result = await run(world, ['rollback', '--reason', 'errors'], {
      accessKeyId: 'AKIAMALLORY000000001',
      secretAccessKey: 'guessed',
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'the watchdog rejected the request: the caller proof of the rollback request was refused',
    );
    expect(await rollbacks(world)).toHaveLength(0);
    expect(await world.weights()).toEqual([[0, 100]]);
  });

  it('dates the proof by the SDK’s clock: one signed an hour behind STS is expired, and refused', async () => {
    const { world, received } = await releasedToGreen();

    // The SDK corrects its clock from any answer's Date header: with --service named, the invoke is
    // the first call, so the proof is signed with the offset as configured.
    const result = await run(world, ['rollback', '--reason', 'errors', '--service', 'checkout'], ALICE, {
      systemClockOffset: -3_600_000,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the caller proof of the rollback request was refused');
    const sent = received.find((event) => event.action === 'rollback') as { callerProof: { query: string } };
    const signedAt = new URLSearchParams(sent.callerProof.query).get('X-Amz-Date') as string;
    const iso = signedAt.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
    expect(Date.now() - Date.parse(iso)).toBeGreaterThan(3_500_000);
    expect(await rollbacks(world)).toHaveLength(0);
  });

  it('is refused when the request was changed after it was signed: the proof binds the payload', async () => {
    const { world } = await releasedToGreen();
    // Something between the CLI and the watchdog changes who is said to have asked.
    world.emulator.lambda.registerHandler(FUNCTION, (event) =>
      world.invoke({ ...(event as Record<string, unknown>), requestedBy: 'someone-else' }),
    );

    const result = await run(world, ['rollback', '--reason', 'errors']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the caller proof of the rollback request was refused: .*signature/i);
    expect(await rollbacks(world)).toHaveLength(0);
    expect(world.emulator.sts.calls().at(-1)?.errorCode).toBe('SignatureDoesNotMatch');
  });
});
