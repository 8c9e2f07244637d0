/**
 * Lambda's runtime, played by the harness. moto stores functions but cannot run their code without
 * Docker, so the Terraform provider's Lambda endpoint is this proxy: an Invoke of a Switchback
 * watchdog runs the real bundle (built by the harness into its work folder) in a fresh Node process,
 * configured only by the environment Terraform gave the function (read back from moto) and pointed
 * at moto; every other Lambda call is forwarded to moto unchanged. So `aws_lambda_invocation`'s
 * capture really happens, in the order Terraform runs it.
 *
 * moto has no StartBackupJob either, so the watchdog's Backup endpoint is this proxy too: it checks
 * the request against what Terraform created in moto (the vault exists, the role exists, the
 * resource is an ARN, an idempotency token is set) and answers with a job id, recording the request
 * and its release tag. Nothing is backed up; what a real job does is for a real account (README,
 * "Verify on a real account").
 *
 * And the watchdog's STS, for caller proofs: moto cannot route a query-presigned GetCallerIdentity
 * (no Authorization header, no body) nor check its signature, so the watchdog's STS endpoint is our
 * emulator's STS (test/emulator/services/sts.ts), which verifies SigV4 signatures and knows one
 * identity: the harness's credentials. A proof that does not verify is refused as STS refuses it.
 */
import { BackupClient, DescribeBackupVaultCommand } from '@aws-sdk/client-backup';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator } from '../../test/emulator';
import { roleExists } from '../../test/moto/fixtures';
import { WatchdogFunction } from '../../test/drill/watchdog-function';

/** One invocation the runtime ran. */
export interface RuntimeInvocation {
  readonly functionName: string;
  readonly event: unknown;
  readonly ok: boolean;
  readonly result: unknown;
}

/** One StartBackupJob the stand-in accepted. */
export interface BackupJobRequest {
  readonly backupJobId: string;
  readonly region: string;
  readonly vaultName: string;
  readonly roleArn: string;
  readonly resourceArn: string;
  readonly releaseTag: string | undefined;
}

export interface LambdaRuntime {
  readonly endpoint: string;
  /** Every watchdog invocation, in order. */
  readonly invocations: RuntimeInvocation[];
  /** Every backup job a watchdog started, in order. */
  readonly backupJobs: BackupJobRequest[];
  /** The watchdog's STS (for caller proofs) and the one identity it knows. */
  readonly sts: {
    readonly endpoint: string;
    /** Sign caller proofs with these... */
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    /** ...and STS answers with this ARN. */
    readonly callerArn: string;
  };
  /** Invokes a watchdog function as an operator or an alarm would (synchronously). */
  invoke(functionName: string, region: string, event: unknown): Promise<RuntimeInvocation>;
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations/;
/** StartBackupJob (REST-JSON: `PUT /backup-jobs`). */
const START_BACKUP_JOB_PATH = /^\/backup-jobs\/?$/;

function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });
}

/** The region of a SigV4-signed request (`Credential=<key>/<date>/<region>/<service>/aws4_request`). */
function regionOf(message: IncomingMessage): string {
  return (
    /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(message.headers.authorization ?? ''))?.[1] ?? 'us-east-1'
  );
}

/** Starts the runtime on loopback, in front of moto at `motoEndpoint`, running the bundle at `bundlePath`. */
export async function startLambdaRuntime(motoEndpoint: string, bundlePath: string): Promise<LambdaRuntime> {
  const invocations: RuntimeInvocation[] = [];
  const backupJobs: BackupJobRequest[] = [];
  let endpoint = '';
  const credentials = { accessKeyId: 'switchback-verify', secretAccessKey: 'switchback-verify' };
  const sts = await startEmulator();
  const caller = sts.sts.addIdentity({
    ...credentials,
    arn: `arn:aws:iam::${sts.accountId}:user/switchback-verify`,
  });

  /** The function's environment when it is a Switchback watchdog (moto knows the function). */
  async function watchdogEnvironment(functionName: string, region: string) {
    const lambda = new LambdaClient({ region, endpoint: motoEndpoint, credentials });
    try {
      const configuration = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: functionName }),
      );
      const environment = configuration.Environment?.Variables ?? {};
      if (!environment.SWITCHBACK_CONFIG_KEY) return undefined;
      return {
        environment,
        name: configuration.FunctionName ?? functionName,
        timeout: configuration.Timeout ?? 90,
      };
    } catch {
      return undefined; // not a function moto knows: moto answers the Invoke itself
    } finally {
      lambda.destroy();
    }
  }

  async function runWatchdog(
    functionName: string,
    region: string,
    event: unknown,
  ): Promise<RuntimeInvocation> {
    const configuration = await watchdogEnvironment(functionName, region);
    if (!configuration)
      throw new Error(`${functionName} is not a Switchback watchdog known to moto in ${region}`);
    const watchdog = await WatchdogFunction.start({
      bundlePath,
      environment: {
        ...configuration.environment,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_ENDPOINT_URL: motoEndpoint,
        AWS_ENDPOINT_URL_BACKUP: endpoint,
        AWS_ENDPOINT_URL_STS: sts.endpoint,
        AWS_LAMBDA_FUNCTION_NAME: configuration.name,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        SWITCHBACK_LOG_LEVEL: process.env.SWITCHBACK_VERIFY_LOG_LEVEL ?? 'WARN',
      },
      timeoutMs: configuration.timeout * 1000,
    });
    let record: RuntimeInvocation;
    try {
      record = {
        functionName,
        event,
        ok: true,
        result: await watchdog.invoke(event, `verify-${invocations.length + 1}`),
      };
    } catch (error) {
      const result = { errorType: (error as Error).name, errorMessage: (error as Error).message };
      record = { functionName, event, ok: false, result };
    } finally {
      await watchdog.stop();
    }
    invocations.push(record);
    return record;
  }

  /** StartBackupJob, judged against moto's vaults and roles; a job id, or AWS's error for a bad request. */
  async function startBackupJob(
    region: string,
    body: Buffer,
  ): Promise<{ status: number; answer: Record<string, unknown> }> {
    const input = JSON.parse(body.toString() || '{}') as Record<string, unknown>;
    const fail = (type: string, message: string) => ({
      status: type === 'ResourceNotFoundException' ? 404 : 400,
      answer: { __type: type, Message: message, message },
    });
    const vaultName = String(input.BackupVaultName ?? '');
    const roleArn = String(input.IamRoleArn ?? '');
    const resourceArn = String(input.ResourceArn ?? '');
    const tags = (input.RecoveryPointTags ?? {}) as Record<string, string>;
    if (!/^arn:aws[\w-]*:/.test(resourceArn))
      return fail('InvalidParameterValueException', `ResourceArn ${resourceArn} is not an ARN`);
    if (!input.IdempotencyToken) return fail('InvalidParameterValueException', 'IdempotencyToken is missing');
    const backup = new BackupClient({ region, endpoint: motoEndpoint, credentials });
    try {
      try {
        await backup.send(new DescribeBackupVaultCommand({ BackupVaultName: vaultName }));
      } catch {
        return fail('ResourceNotFoundException', `Backup vault ${vaultName} does not exist in ${region}`);
      }
      const roleName = /:role\/(?:.*\/)?([^/]+)$/.exec(roleArn)?.[1];
      if (!roleName || !(await roleExists(motoEndpoint, roleName)))
        return fail('InvalidParameterValueException', `IamRoleArn ${roleArn} is not a role that exists`);
    } finally {
      backup.destroy();
    }
    const backupJobId = randomUUID();
    backupJobs.push({
      backupJobId,
      region,
      vaultName,
      roleArn,
      resourceArn,
      releaseTag: tags['switchback:release'],
    });
    return { status: 200, answer: { BackupJobId: backupJobId, CreationDate: Date.now() / 1000 } };
  }

  function forward(incoming: IncomingMessage, body: Buffer, outgoing: ServerResponse): void {
    const target = new URL(incoming.url ?? '/', motoEndpoint);
    const request = httpRequest(
      target,
      { method: incoming.method, headers: { ...incoming.headers, host: target.host } },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    request.on('error', (error) => {
      outgoing.writeHead(502);
      outgoing.end(String(error));
    });
    request.end(body);
  }

  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const invoke = incoming.method === 'POST' ? INVOKE_PATH.exec(incoming.url ?? '') : null;
      const functionName = invoke ? decodeURIComponent(invoke[1]) : undefined;
      const region = regionOf(incoming);
      if (incoming.method === 'PUT' && START_BACKUP_JOB_PATH.test(incoming.url ?? '')) {
        const { status, answer } = await startBackupJob(region, body);
        outgoing.writeHead(status, {
          'content-type': 'application/json',
          ...(status === 200 ? {} : { 'x-amzn-errortype': String(answer.__type) }),
        });
        outgoing.end(JSON.stringify(answer));
        return;
      }
      if (!functionName || !(await watchdogEnvironment(functionName, region))) {
        forward(incoming, body, outgoing);
        return;
      }
      const record = await runWatchdog(functionName, region, JSON.parse(body.toString() || 'null'));
      outgoing.writeHead(200, {
        'content-type': 'application/json',
        'x-amz-executed-version': '$LATEST',
        ...(record.ok ? {} : { 'x-amz-function-error': 'Unhandled' }),
      });
      outgoing.end(JSON.stringify(record.result ?? null));
    })().catch((error: unknown) => {
      outgoing.writeHead(500, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ message: `lambda runtime: ${(error as Error).message}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    invocations,
    backupJobs,
    sts: { endpoint: sts.endpoint, credentials, callerArn: caller.arn },
    invoke: runWatchdog,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sts.stop();
    },
  };
}
