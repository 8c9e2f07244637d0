/**
 * Two ports over the versioned artifact store (S3): the store as the watchdog's database (JSON
 * documents with compare-and-swap writes), and artifacts whose earlier versions can be made
 * current again.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  type ArtifactPort,
  AwsCallError,
  type StoredJson,
  type StorePort,
  type WriteCondition,
} from '../ports';
import { call, isFailure, toAwsCallError } from './errors';

type PutResult = { readonly etag: string; readonly versionId?: string };

/**
 * The write's condition did not hold: 412 PreconditionFailed, or 409 ConditionalRequestConflict
 * (a concurrent conditional write to the same key won the race).
 */
function isPreconditionFailure(error: AwsCallError, status: number | undefined): boolean {
  // By status as well as code: a 409 may come without the code (a proxy, an older SDK's parser).
  return (
    error.code === 'PreconditionFailed' ||
    error.code === 'ConditionalRequestConflict' ||
    status === 412 ||
    status === 409
  );
}

/** The SDK's `$metadata`: the HTTP status and how many attempts it made (1 when unknown). */
function metadataOf(error: unknown): { status?: number; attempts: number } {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown; attempts?: unknown } } | null)
    ?.$metadata;
  return {
    status: typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined,
    attempts: typeof metadata?.attempts === 'number' ? metadata.attempts : 1,
  };
}

/** `a/b c.json` -> `a/b%20c.json`: each path segment URL-encoded, slashes kept. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** The store port over an S3 client and the artifact store's bucket. */
export function createStoreAdapter(client: S3Client, bucket: string): StorePort {
  /** The current object, or undefined when there is none (or a delete marker is current). */
  const readCurrentText = async (
    key: string,
  ): Promise<{ text: string; etag: string; versionId?: string } | undefined> => {
    try {
      const out = await call('GetObject', () =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
      );
      const text = (await out.Body?.transformToString('utf-8')) ?? '';
      return { text, etag: out.ETag ?? '', versionId: out.VersionId };
    } catch (error) {
      if (isFailure(error, 'not-found') && error.code !== 'NoSuchBucket') return undefined;
      throw error;
    }
  };

  return {
    async getJson(key: string, versionId?: string): Promise<StoredJson | undefined> {
      let out;
      try {
        out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
      } catch (error) {
        const mapped = toAwsCallError('GetObject', error);
        // No object is an answer; a missing version, or a missing bucket, is an error.
        if (versionId === undefined && mapped.code === 'NoSuchKey') return undefined;
        throw mapped;
      }
      const text = await call('GetObject', async () => (await out.Body?.transformToString('utf-8')) ?? '');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new AwsCallError(
          'invalid',
          'GetObject',
          'InvalidJson',
          `s3://${bucket}/${key}${versionId ? ` (version ${versionId})` : ''} is not a JSON document`,
        );
      }
      return { body, etag: out.ETag ?? '', ...(out.VersionId !== undefined && { versionId: out.VersionId }) };
    },

    async deleteObject(key: string): Promise<void> {
      // In a versioned bucket this adds a delete marker: the key stops being listed, history stays.
      await call('DeleteObject', () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    },

    async putJson(
      key: string,
      body: unknown,
      condition?: WriteCondition,
    ): Promise<PutResult | 'precondition-failed'> {
      const text = JSON.stringify(body);
      try {
        const out = await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: text,
            ContentType: 'application/json',
            IfNoneMatch: condition && 'ifNoneMatch' in condition ? '*' : undefined,
            IfMatch: condition && 'ifMatch' in condition ? condition.ifMatch : undefined,
          }),
        );
        return { etag: out.ETag ?? '', ...(out.VersionId !== undefined && { versionId: out.VersionId }) };
      } catch (error) {
        const mapped = toAwsCallError('PutObject', error);
        const { status, attempts } = metadataOf(error);
        // If-Match on an object that has gone is a failed precondition too (S3 says NoSuchKey).
        const failed =
          condition !== undefined &&
          (isPreconditionFailure(mapped, status) || ('ifMatch' in condition && mapped.code === 'NoSuchKey'));
        if (!failed) throw mapped;
        if (attempts > 1) {
          // The SDK retried: an earlier attempt may have written the object and lost only its answer
          // (a dropped connection), so the retry failed on our own write. Read it back to tell.
          const current = await readCurrentText(key);
          if (current?.text === text) {
            return {
              etag: current.etag,
              ...(current.versionId !== undefined && { versionId: current.versionId }),
            };
          }
        }
        return 'precondition-failed';
      }
    },
  };
}

/** The artifact port, and whether an artifact's live content is a given version's. */
export interface ArtifactAdapter extends ArtifactPort {
  /**
   * Whether the current version of `key` is `versionId` or has its content (the same entity tag).
   * Throws `AwsCallError` kind `not-found` when `versionId` no longer exists.
   */
  matchesVersion(key: string, versionId: string): Promise<boolean>;
}

/** Object metadata naming the version a restore copied (S3 metadata keys are lowercase). */
const RESTORED_FROM = 'switchback-restored-from';

interface HeadResult {
  readonly versionId: string;
  readonly etag?: string;
  readonly restoredFrom?: string;
  readonly contentType?: string;
  readonly metadata: Record<string, string>;
}

/** The artifact port over an S3 client and the artifact store's bucket. */
export function createArtifactAdapter(client: S3Client, bucket: string): ArtifactAdapter {
  const head = async (key: string, versionId?: string): Promise<HeadResult> => {
    try {
      const out = await call('HeadObject', () =>
        client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })),
      );
      if (out.VersionId === undefined) {
        throw new AwsCallError(
          'invalid',
          'HeadObject',
          'BucketNotVersioned',
          `s3://${bucket}/${key} has no version id: the bucket must have versioning enabled`,
        );
      }
      return {
        versionId: out.VersionId,
        etag: out.ETag,
        restoredFrom: out.Metadata?.[RESTORED_FROM],
        contentType: out.ContentType,
        metadata: out.Metadata ?? {},
      };
    } catch (error) {
      if (!isFailure(error, 'not-found')) throw error;
      const what =
        versionId === undefined ? `s3://${bucket}/${key}` : `version ${versionId} of s3://${bucket}/${key}`;
      throw new AwsCallError('not-found', 'HeadObject', error.code, `${what} does not exist`);
    }
  };

  /** The current version's id and entity tag, or undefined when the key has no current version. */
  const current = async (key: string): Promise<HeadResult | undefined> => {
    try {
      return await head(key);
    } catch (error) {
      if (isFailure(error, 'not-found')) return undefined;
      throw error;
    }
  };

  /** Whether the current version is `versionId`, or has its content (the same entity tag). */
  // An ETag is a content hash only for unencrypted or SSE-S3 single-part uploads; under SSE-KMS (the
  // store's default) a copy gets a new one. So a restore marks its copy with the version it restored.
  const matchesVersion = async (key: string, versionId: string): Promise<boolean> => {
    const live = await current(key);
    return live !== undefined && (live.versionId === versionId || live.restoredFrom === versionId);
  };

  return {
    async currentVersionId(key: string): Promise<string> {
      return (await head(key)).versionId;
    },

    matchesVersion,

    async restoreVersion(key: string, versionId: string): Promise<void> {
      // Level-triggered: when the current version already has that content, another copy would
      // only push older versions towards expiry.
      if (await matchesVersion(key, versionId)) return;
      const source = await head(key, versionId);
      await call('CopyObject', () =>
        client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: key,
            CopySource: `${bucket}/${encodeKey(key)}?versionId=${encodeURIComponent(versionId)}`,
            // The source's content type and metadata, plus the version this copy restores.
            MetadataDirective: 'REPLACE',
            ...(source.contentType ? { ContentType: source.contentType } : {}),
            Metadata: { ...source.metadata, [RESTORED_FROM]: versionId },
          }),
        ),
      );
    },
  };
}
