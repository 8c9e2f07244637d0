/**
 * The coordinator's own adapters without a network: a Lambda client per member region, Lambda's
 * answers mapped as the watchdog's smoke-check adapter maps them, and caller proofs signed for the STS
 * endpoint of each member's region (or the custom endpoint) with the coordinator's credentials.
 */
import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { presignCallerProof } from '../../lib/caller-proof';
import { createMemberAdapter, createProofAdapter } from '../../lambdas/group/adapters';
import { AwsCallError } from '../../lambdas/watchdog/ports';

const EU_MEMBER = 'arn:aws:lambda:eu-west-1:123456789012:function:switchback-api-watchdog';
const KEYS = { accessKeyId: 'AKIACOORDINATOR0001', secretAccessKey: 'secret', sessionToken: 'token' };
const NOW = Date.parse('2026-11-21T12:00:00.000Z');

/** A Lambda client that answers `out` and remembers which region's client sent what. */
function fakeLambda(out: Record<string, unknown> | Error) {
  const sent: { region: string | undefined; input: InvokeCommand['input'] }[] = [];
  const clientFor = (region: string | undefined) =>
    ({
      send: async (command: InvokeCommand) => {
        sent.push({ region, input: command.input });
        if (out instanceof Error) throw out;
        return out;
      },
    }) as unknown as LambdaClient;
  return { sent, clientFor };
}

describe('the member adapter', () => {
  it("invokes the member's watchdog synchronously through its region's client and parses the answer", async () => {
    const lambda = fakeLambda({
      Payload: new TextEncoder().encode('{"status":"ok","kind":"rollback","result":{}}'),
    });

    const answer = await createMemberAdapter(lambda.clientFor).invoke(EU_MEMBER, { action: 'rollback' });

    expect(answer).toEqual({ result: { status: 'ok', kind: 'rollback', result: {} } });
    expect(lambda.sent).toEqual([
      {
        region: 'eu-west-1',
        input: expect.objectContaining({ FunctionName: EU_MEMBER, InvocationType: 'RequestResponse' }),
      },
    ]);
    expect(JSON.parse(new TextDecoder().decode(lambda.sent[0].input.Payload as Uint8Array))).toEqual({
      action: 'rollback',
    });
  });

  it('passes a function error on with its payload', async () => {
    const lambda = fakeLambda({
      FunctionError: 'Unhandled',
      Payload: new TextEncoder().encode('{"errorType":"LockBusyError","errorMessage":"busy"}'),
    });

    await expect(createMemberAdapter(lambda.clientFor).invoke(EU_MEMBER, {})).resolves.toEqual({
      functionError: 'Unhandled',
      result: { errorType: 'LockBusyError', errorMessage: 'busy' },
    });
  });

  it("maps Lambda's refusal to a domain error", async () => {
    const refusal = Object.assign(new Error('Rate exceeded'), {
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 429 },
    });
    const lambda = fakeLambda(refusal);

    const error = await createMemberAdapter(lambda.clientFor)
      .invoke(EU_MEMBER, {})
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({ kind: 'throttled', operation: 'Invoke' });
  });
});

describe('the proof adapter', () => {
  const request = {
    action: 'rollback',
    reason: 'group shop: orders rolled back (d1)',
    requestedBy: 'group:shop',
  };

  it("signs for the STS endpoint of the member's region, with the coordinator's credentials", async () => {
    const proofs = createProofAdapter({ credentials: async () => KEYS, now: () => NOW });

    const proof = await proofs.sign(request, EU_MEMBER);

    expect(proof).toEqual(
      presignCallerProof({
        credentials: KEYS,
        region: 'eu-west-1',
        host: 'sts.eu-west-1.amazonaws.com',
        request,
        now: new Date(NOW),
      }),
    );
    const query = new URLSearchParams(proof.query);
    expect(query.get('X-Amz-Credential')).toBe('AKIACOORDINATOR0001/20261121/eu-west-1/sts/aws4_request');
    expect(query.get('X-Amz-Security-Token')).toBe('token');
  });

  it('refuses to sign for what is not a function ARN', async () => {
    const proofs = createProofAdapter({ credentials: async () => KEYS });

    await expect(proofs.sign(request, 'switchback-api-watchdog')).rejects.toThrow(
      /not a Lambda function ARN/,
    );
  });

  it('signs for the custom endpoint when there is one (the emulator, moto)', async () => {
    const proofs = createProofAdapter({
      credentials: async () => KEYS,
      endpoint: 'http://127.0.0.1:4566',
      now: () => NOW,
    });

    await expect(proofs.sign(request, EU_MEMBER)).resolves.toEqual(
      expect.objectContaining({ host: '127.0.0.1:4566' }),
    );
  });
});
