/**
 * The CLI's ways into AWS. Actions that change something invoke the watchdog through the Lambda API
 * (so a manual action takes the same code path, IAM gate and audit as an automatic one). Reads go
 * around it — the store, and read-only ELBv2 and CloudWatch calls — because the watchdog has one
 * concurrency slot, and an operator polling status in an incident must never take it from the
 * alarm's delivery. The store's bucket comes from the watchdog's own environment, so naming the
 * function is enough.
 *
 * Who asked: every manual action (rollback, acknowledge, pause, resume, promote, restore-data) carries
 * a caller proof, a `sts:GetCallerIdentity` request presigned with the same credentials the Lambda
 * client calls with, for the STS endpoint of the watchdog's region (or the custom endpoint), bound to
 * the exact payload sent. The watchdog has STS check it and records the ARN STS answers with, so the
 * audit's caller is who signed, not what `--requested-by` claims. Nothing else is needed from the
 * operator: no extra permission (GetCallerIdentity needs none), no extra call from here.
 */
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { auditKeyPrefix, parseAuditRecord, serviceOfWatchdogConfigKey, type AuditRecord } from '../lib';
import { presignCallerProof, stsHostFor } from '../lib/caller-proof';
import { CliError, EXIT, describeAwsError } from './errors';

/**
 * The watchdog's manual actions: their requests carry a caller proof (and no other request may: the
 * watchdog's schemas are strict). The watchdog's own list is `MANUAL_ACTION_KINDS` of its events; the
 * CLI may not import it (it enters the watchdog's code through its status only), so a test keeps the
 * two equal.
 */
export const PROVEN_ACTIONS: readonly string[] = [
  'rollback',
  'acknowledge',
  'pause',
  'resume',
  'promote',
  'restore-data',
  'freeze',
  'unfreeze',
];

/** Where and as whom to call AWS. */
export interface AwsSettings {
  readonly region?: string;
  readonly profile?: string;
  /** `AWS_ENDPOINT_URL`, e.g. the local emulator. */
  readonly endpoint?: string;
  /** Extra client configuration (tests pass static credentials). */
  readonly clientConfig?: Record<string, unknown>;
}

/** A successful watchdog answer. */
export interface WatchdogAnswer {
  readonly kind: string;
  readonly result: unknown;
}

export class WatchdogGateway {
  private readonly lambda: LambdaClient;
  private readonly s3: S3Client;
  private environment?: Promise<Record<string, string>>;
  /** Client configuration shared by every client (region, profile, endpoint). */
  readonly clientConfig: Record<string, unknown>;

  constructor(
    readonly functionName: string,
    private readonly settings: AwsSettings,
  ) {
    const common = {
      ...(settings.region ? { region: settings.region } : {}),
      ...(settings.profile ? { profile: settings.profile } : {}),
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      maxAttempts: 3,
      ...settings.clientConfig,
    };
    this.clientConfig = common;
    // Lambda answers 429 while the watchdog's one slot is busy: give a running rollback time to end.
    this.lambda = new LambdaClient({ ...common, maxAttempts: 6 });
    this.s3 = new S3Client({
      ...common,
      // Emulators and other custom endpoints serve buckets by path, not by host name.
      forcePathStyle: settings.endpoint !== undefined,
      // A standalone watchdog's store lives in the service's region, not the watchdog's.
      followRegionRedirects: true,
    });
  }

  /**
   * Invokes the watchdog synchronously with one of its actions; a manual action goes with a caller
   * proof of the exact payload sent.
   */
  async invoke(payload: Record<string, unknown>): Promise<WatchdogAnswer> {
    const request = PROVEN_ACTIONS.includes(String(payload.action))
      ? { ...payload, callerProof: await this.callerProof(payload) }
      : payload;
    const out = await this.call(() =>
      this.lambda.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(request)),
        }),
      ),
    );
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : 'null';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new CliError(
        `the watchdog answered with something that is not JSON: ${text.slice(0, 200)}`,
        EXIT.failed,
      );
    }
    if (out.FunctionError) {
      const { errorType, errorMessage } = (body ?? {}) as { errorType?: string; errorMessage?: string };
      throw new CliError(
        `the watchdog failed: ${errorType ?? out.FunctionError}: ${errorMessage ?? text.slice(0, 500)}`,
        EXIT.failed,
      );
    }
    const answer = body as { status?: string; reason?: string; kind?: string; result?: unknown } | null;
    if (answer?.status === 'rejected') {
      throw new CliError(
        `the watchdog rejected the request: ${answer.reason ?? 'no reason given'}`,
        EXIT.failed,
      );
    }
    if (answer?.status !== 'ok' || typeof answer.kind !== 'string') {
      throw new CliError(`the watchdog answered in an unknown shape: ${text.slice(0, 200)}`, EXIT.failed);
    }
    return { kind: answer.kind, result: answer.result };
  }

  /**
   * A caller proof of `payload`: signed with the credentials the Lambda client resolves (profile, SSO,
   * role: whatever the operator invokes with), for the STS host of the watchdog's region.
   */
  async callerProof(payload: Record<string, unknown>) {
    return this.call(async () => {
      const [credentials, region] = await Promise.all([
        this.lambda.config.credentials(),
        this.lambda.config.region(),
      ]);
      return presignCallerProof({
        credentials,
        region,
        host: stsHostFor(region, this.settings.endpoint),
        // What is sent, as JSON carries it (a field set to undefined is not sent, so not signed).
        request: JSON.parse(JSON.stringify(payload)) as Record<string, unknown>,
        // The time the SDK signs with: the clock, corrected for the skew AWS reported (or a test's
        // emulator clock, through the `systemClockOffset` client setting).
        now: new Date(Date.now() + (this.lambda.config.systemClockOffset ?? 0)),
      });
    });
  }

  /** The watchdog function's environment variables (its store bucket and configuration key). */
  functionEnvironment(): Promise<Record<string, string>> {
    this.environment ??= this.call(() =>
      this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: this.functionName })),
    ).then((out) => out.Environment?.Variables ?? {});
    return this.environment;
  }

  /** The service the watchdog protects, from its configuration key. */
  async serviceName(): Promise<string> {
    const key = (await this.functionEnvironment()).SWITCHBACK_CONFIG_KEY ?? '';
    const service = serviceOfWatchdogConfigKey(key);
    if (!service) {
      throw new CliError(
        `${this.functionName} is not a Switchback watchdog (its SWITCHBACK_CONFIG_KEY is ${JSON.stringify(key)}).`,
        EXIT.setup,
      );
    }
    return service;
  }

  /** The store's bucket, from the watchdog's environment. */
  async bucket(): Promise<string> {
    const bucket = (await this.functionEnvironment()).SWITCHBACK_CONFIG_BUCKET;
    if (!bucket) {
      throw new CliError(
        `${this.functionName} has no SWITCHBACK_CONFIG_BUCKET: is it a Switchback watchdog?`,
        EXIT.setup,
      );
    }
    return bucket;
  }

  /** A JSON object of the store, or undefined when there is none yet. */
  async readJson(key: string): Promise<unknown> {
    return (await this.readStored(key))?.body;
  }

  /** A JSON document of the store with its entity tag, or undefined when there is none yet. */
  async readStored(
    key: string,
    versionId?: string,
  ): Promise<{ body: unknown; etag: string; versionId?: string } | undefined> {
    const bucket = await this.bucket();
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      );
      const body: unknown = JSON.parse((await object.Body?.transformToString()) ?? 'null');
      return { body, etag: object.ETag ?? '', ...(object.VersionId ? { versionId: object.VersionId } : {}) };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      if (error instanceof SyntaxError)
        throw new CliError(`s3://${bucket}/${key} is not JSON: ${error.message}`, EXIT.failed);
      throw this.describe(error);
    }
  }

  /** Calls AWS, turning an SDK error into a {@link CliError} that says what to do. */
  async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw this.describe(error);
    }
  }

  /** What an SDK error means for the operator of this watchdog. */
  describe(error: unknown): CliError {
    const { region, profile } = this.settings;
    return describeAwsError(error, { functionName: this.functionName, region, profile });
  }

  /**
   * The newest audit records of a service, newest first; with `since` (ISO 8601), only records
   * decided from then on are listed (keys sort by time), so a status read stays one short listing.
   */
  async auditRecords(
    service: string,
    limit: number,
    options: { readonly since?: string } = {},
  ): Promise<{ records: AuditRecord[]; unreadable: string[] }> {
    const bucket = (await this.functionEnvironment()).SWITCHBACK_CONFIG_BUCKET;
    if (!bucket) {
      throw new CliError(
        `${this.functionName} has no SWITCHBACK_CONFIG_BUCKET: is it a Switchback watchdog?`,
        EXIT.setup,
      );
    }
    const prefix = `${auditKeyPrefix(service)}decisions/`;
    // The key of a decision starts with its time (see decisionRecordKey).
    const startAfter = options.since ? `${prefix}${options.since.replace(/[:.]/g, '-')}` : undefined;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(() =>
        this.s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ContinuationToken: token,
            ...(startAfter ? { StartAfter: startAfter } : {}),
          }),
        ),
      );
      keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    // Keys sort by decision time.
    const newest = keys.sort().reverse().slice(0, limit);
    const unreadable: string[] = [];
    const records = await mapLimited(newest, 8, async (key) => {
      const object = await this.call(() => this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
      try {
        return [parseAuditRecord(JSON.parse((await object.Body?.transformToString()) ?? ''))];
      } catch (error) {
        unreadable.push(`${key}: ${(error as Error).message.split('\n')[0]}`);
        return [];
      }
    });
    return { records: records.flat(), unreadable };
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await fn(items[index]);
      }
    }),
  );
  return out;
}
