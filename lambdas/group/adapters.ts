/**
 * The coordinator's own adapters: members' watchdogs over Lambda (a client per member region) and
 * caller proofs signed with the coordinator's credentials. The store and the topic use the
 * watchdog's S3 and SNS adapters.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { presignCallerProof, stsHostFor, type ProofCredentials } from '../../lib/caller-proof';
import { call } from '../watchdog/adapters/errors';
import { regionOfFunctionArn } from '../watchdog/adapters/group';
import type { MemberPort, ProofPort } from './ports';

/** Members' watchdogs, invoked synchronously through the Lambda client of each one's region. */
export function createMemberAdapter(clientFor: (region: string | undefined) => LambdaClient): MemberPort {
  return {
    async invoke(functionArn, payload, options = {}) {
      const out = await call('Invoke', () =>
        clientFor(regionOfFunctionArn(functionArn)).send(
          new InvokeCommand({
            FunctionName: functionArn,
            InvocationType: 'RequestResponse',
            Payload: new TextEncoder().encode(JSON.stringify(payload)),
          }),
          options.signal ? { abortSignal: options.signal } : {},
        ),
      );
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
      return { ...(out.FunctionError ? { functionError: out.FunctionError } : {}), result: parseJson(text) };
    },
  };
}

export interface ProofAdapterOptions {
  /** The coordinator's credentials (its Lambda role's, as its SDK clients resolve them). */
  credentials(): Promise<ProofCredentials>;
  /** A custom AWS endpoint (the emulator, moto): its host is the STS host the members check at. */
  readonly endpoint?: string;
  /** @default Date.now */
  now?(): number;
}

/** Signs caller proofs for the STS endpoint of each member watchdog's region. */
export function createProofAdapter(options: ProofAdapterOptions): ProofPort {
  return {
    async sign(request, functionArn) {
      const region = regionOfFunctionArn(functionArn);
      if (!region)
        throw new TypeError(`not a Lambda function ARN: ${JSON.stringify(functionArn.slice(0, 200))}`);
      const { accessKeyId, secretAccessKey, sessionToken } = await options.credentials();
      return presignCallerProof({
        credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
        region,
        host: stsHostFor(region, options.endpoint),
        request,
        now: new Date(options.now?.() ?? Date.now()),
      });
    },
  };
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
