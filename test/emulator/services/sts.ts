/**
 * STS: GetCallerIdentity, answered only for a request whose SigV4 signature checks out against a
 * known access key (header auth or a presigned query), as STS does. The rest of the emulator does
 * not check signatures.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../core/aws-error';
import { ACCOUNT_ID } from '../core/ids';
import { ValidationErrors } from '../core/params';
import { Operation, read, ServiceDefinition } from '../core/service';
import { ParsedCall, RawRequest } from '../core/types';
import { QueryProtocol } from '../protocols/query';
import { PresignExpiry, presented, verify } from './sts-signature';

export type { PresignExpiry } from './sts-signature';

/** Where the request as it arrived reaches the operation (it needs headers, path and query). */
const REQUEST = '$request';

/** A principal STS knows: the credentials it signs with and who it is. */
export interface StsIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** For temporary credentials: the `X-Amz-Security-Token` the request must carry. */
  readonly sessionToken?: string;
  /** `arn:aws:iam::<account>:user/<name>`, `arn:aws:sts::<account>:assumed-role/<role>/<session>`... */
  readonly arn: string;
  readonly account: string;
  /** `AIDA...` for a user, `AROA...:<session>` for an assumed role. */
  readonly userId: string;
}

/** What `emu.sts.addIdentity` takes: the account comes from the ARN; a user id is made up if absent. */
export interface StsIdentityInput {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly arn: string;
  /** @default - `AIDA` + 17 characters for a user, `AROA...:<session>` for an assumed role */
  readonly userId?: string;
}

/** One GetCallerIdentity the emulator checked. */
export interface StsCall {
  /** The emulator's clock. */
  readonly time: number;
  readonly auth: 'header' | 'query' | 'none';
  readonly accessKeyId?: string;
  /** Who STS answered, when the signature checked out. */
  readonly arn?: string;
  /** The signed headers and their values as they arrived (`x-switchback-request` among them). */
  readonly signedHeaders: Readonly<Record<string, string>>;
  /** The error code answered; undefined when the identity was answered. */
  readonly errorCode?: string;
}

export interface StsState {
  /** By access key id. */
  identities: Map<string, StsIdentity>;
  presignExpiry: PresignExpiry;
  calls: StsCall[];
}

/** The credentials `emu.clientConfig()` gives every client (and the drill gives the watchdog). */
export const EMULATOR_IDENTITY: StsIdentity = {
  accessKeyId: 'AKIAEMULATOR',
  secretAccessKey: 'emulator-secret',
  arn: `arn:aws:iam::${ACCOUNT_ID}:user/emulator`,
  account: ACCOUNT_ID,
  userId: 'AIDAEMULATOR000000001',
};

/** Upper-case letters and digits that stay the same for the same seed. */
function stableId(seed: string, n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...createHash('sha256').update(seed).digest()]
    .slice(0, n)
    .map((b) => alphabet[b % alphabet.length])
    .join('');
}

/** An identity from what a test gives: the account from the ARN, a user id in AWS's shape. */
export function identityOf(input: StsIdentityInput): StsIdentity {
  const m = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(.+)$/.exec(input.arn);
  if (!m) throw new Error(`Not an IAM or STS principal ARN: ${input.arn}`);
  const [, , account, resource] = m;
  const role = /^assumed-role\/[^/]+\/(.+)$/.exec(resource);
  const userId =
    input.userId ??
    (resource === 'root'
      ? account
      : role
        ? `AROA${stableId(input.arn.replace(/\/[^/]+$/, ''), 17)}:${role[1]}`
        : `AIDA${stableId(input.arn, 17)}`);
  return {
    accessKeyId: input.accessKeyId,
    secretAccessKey: input.secretAccessKey,
    sessionToken: input.sessionToken,
    arn: input.arn,
    account,
    userId,
  };
}

/** The Query protocol, with the raw request handed to the operation for the signature check. */
class StsProtocol extends QueryProtocol {
  override parse(req: RawRequest): ParsedCall {
    const call = super.parse(req);
    return { action: call.action, params: { ...call.params, [REQUEST]: req } };
  }
}

const invalidToken = (): AwsError =>
  new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', {
    status: 403,
  });

/** The identity that signed `req`, or the error STS answers. */
function authenticate(state: StsState, req: RawRequest, now: number): StsIdentity {
  const record = (call: Omit<StsCall, 'time'>) => state.calls.push({ time: now, ...call });
  let signed: ReturnType<typeof presented>;
  try {
    signed = presented(req);
  } catch (e) {
    record({
      auth: 'none',
      signedHeaders: {},
      errorCode: e instanceof AwsError ? e.code : 'InternalFailure',
    });
    throw e;
  }
  const signedHeaders = Object.fromEntries(
    signed.signedHeaders.map((name) => [name, String(req.headers[name] ?? '')]),
  );
  const base = { auth: signed.auth, accessKeyId: signed.accessKeyId, signedHeaders };
  const identity = state.identities.get(signed.accessKeyId);
  try {
    if (!identity || identity.sessionToken !== signed.securityToken) throw invalidToken();
    verify(req, signed, identity, { service: 'sts', now, presignExpiry: state.presignExpiry });
  } catch (e) {
    record({ ...base, errorCode: e instanceof AwsError ? e.code : 'InternalFailure' });
    throw e;
  }
  record({ ...base, arn: identity.arn });
  return identity;
}

const operations: Record<string, Operation<StsState>> = {
  GetCallerIdentity: read((state, { input, runtime }) => {
    const identity = authenticate(state, input[REQUEST] as RawRequest, runtime.now());
    return { UserId: identity.userId, Account: identity.account, Arn: identity.arn };
  }),
};

const validation: ValidationErrors = {
  missing: (member) =>
    new AwsError(
      'ValidationError',
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    ),
  invalid: (message) => new AwsError('ValidationError', message),
};

export function createStsState(): StsState {
  return {
    identities: new Map([[EMULATOR_IDENTITY.accessKeyId, EMULATOR_IDENTITY]]),
    presignExpiry: 'x-amz-expires',
    calls: [],
  };
}

/** STS: AWS Query protocol, version 2011-06-15 (XML answers and errors). */
export const stsService: ServiceDefinition<StsState> = {
  name: 'sts',
  protocol: new StsProtocol({
    version: '2011-06-15',
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  }),
  errors: validation,
  throttlingError: () => new AwsError('Throttling', 'Rate exceeded', { status: 400 }),
  internalErrorCode: 'InternalFailure',
  unknownAction: (action) =>
    new AwsError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`),
  createState: createStsState,
  operations,
};

/** In-process access to STS for tests and drills: the credentials it knows and what it checked. */
export class StsInspector {
  constructor(private readonly state: () => StsState) {}

  /**
   * Makes STS know a principal (a CLI operator, a group coordinator's role). Its signatures are
   * then verified with `secretAccessKey`. `reset()` forgets every identity but the emulator's own.
   */
  addIdentity(input: StsIdentityInput): StsIdentity {
    const identity = identityOf(input);
    this.state().identities.set(identity.accessKeyId, identity);
    return { ...identity };
  }

  removeIdentity(accessKeyId: string): void {
    this.state().identities.delete(accessKeyId);
  }

  identities(): StsIdentity[] {
    return [...this.state().identities.values()].map((i) => ({ ...i }));
  }

  /**
   * How long a presigned request lives: `'x-amz-expires'` (default, the SigV4 specification) or
   * `'fifteen-minutes'` (what STS is reported to do whatever `X-Amz-Expires` says), so a caller that
   * must bound a proof's age itself can be tested against either.
   */
  setPresignExpiry(mode: PresignExpiry): void {
    this.state().presignExpiry = mode;
  }

  /** Every GetCallerIdentity checked, oldest first. */
  calls(): StsCall[] {
    return structuredClone(this.state().calls);
  }
}
