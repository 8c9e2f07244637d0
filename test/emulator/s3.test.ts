import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { errorOf, useEmulator } from './testing';

const emulator = useEmulator();
let s3: S3Client;

beforeEach(() => {
  s3 = new S3Client({ ...emulator().s3ClientConfig(), maxAttempts: 1 });
});
afterEach(() => s3.destroy());

async function versionedBucket(Bucket = 'artifacts'): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
}

const text = async (out: { Body?: { transformToString(): Promise<string> } }): Promise<string | undefined> =>
  out.Body?.transformToString();

describe('buckets', () => {
  it('creates, heads, lists, versions and deletes buckets', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'one' }));
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'one' }))).BucketRegion).toBe('us-east-1');
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['one']);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'one' }))).Status).toBeUndefined();
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: 'one', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'one' }))).Status).toBe('Enabled');
    await s3.send(new DeleteBucketCommand({ Bucket: 'one' }));
    const gone = await errorOf(() => s3.send(new HeadBucketCommand({ Bucket: 'one' })));
    expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(['NotFound', 404]);
  });

  it('answers NoSuchBucket, InvalidBucketName, BucketNotEmpty and IllegalLocationConstraint', async () => {
    const missing = await errorOf(() => s3.send(new GetObjectCommand({ Bucket: 'nope', Key: 'k' })));
    expect([missing.name, missing.message, missing.$metadata.httpStatusCode]).toEqual([
      'NoSuchBucket',
      'The specified bucket does not exist',
      404,
    ]);
    expect((await errorOf(() => s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })))).name).toBe(
      'InvalidBucketName',
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'full' }));
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'k', Body: 'x' }));
    expect((await errorOf(() => s3.send(new DeleteBucketCommand({ Bucket: 'full' })))).name).toBe(
      'BucketNotEmpty',
    );
    const eu = new S3Client({ ...emulator().s3ClientConfig('eu-west-1'), maxAttempts: 1 });
    const location = await errorOf(() =>
      eu.send(
        new CreateBucketCommand({
          Bucket: 'eu-bucket',
          CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
        }),
      ),
    );
    expect(location.name).toBe('IllegalLocationConstraintException');
    await eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket' })); // the SDK adds LocationConstraint: eu-west-1
    expect(
      emulator()
        .s3.buckets()
        .find((b) => b.name === 'eu-bucket')?.region,
    ).toBe('eu-west-1');
    expect(
      (
        await errorOf(() =>
          eu.send(
            new CreateBucketCommand({
              Bucket: 'eu-bucket',
              CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
            }),
          ),
        )
      ).name,
    ).toBe('BucketAlreadyOwnedByYou');
    eu.destroy();
  });
});

describe('objects in a versioned bucket', () => {
  it('puts and gets objects by version id, with ETag, metadata and checksum', async () => {
    await versionedBucket();
    const v1 = await s3.send(
      new PutObjectCommand({
        Bucket: 'artifacts',
        Key: 'app/release.json',
        Body: '{"v":1}',
        ContentType: 'application/json',
        Metadata: { build: '41' },
      }),
    );
    const v2 = await s3.send(
      new PutObjectCommand({ Bucket: 'artifacts', Key: 'app/release.json', Body: '{"v":2}' }),
    );
    expect(v1.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(v1.VersionId).not.toBe(v2.VersionId);
    expect(v1.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const latest = await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'app/release.json' }));
    expect(await text(latest)).toBe('{"v":2}');
    expect(latest.VersionId).toBe(v2.VersionId);
    const old = await s3.send(
      new GetObjectCommand({ Bucket: 'artifacts', Key: 'app/release.json', VersionId: v1.VersionId }),
    );
    expect(old).toMatchObject({
      ContentType: 'application/json',
      Metadata: { build: '41' },
      ETag: v1.ETag,
      ContentLength: 7,
    });
    expect(old.ChecksumCRC32).toBeDefined();
    expect(await text(old)).toBe('{"v":1}');
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'artifacts', Key: 'app/release.json', VersionId: v1.VersionId }),
    );
    expect(head).toMatchObject({ ContentLength: 7, ETag: v1.ETag, VersionId: v1.VersionId });
  });

  it('answers NoSuchKey, NoSuchVersion and NotFound (HEAD)', async () => {
    await versionedBucket();
    const key = await errorOf(() => s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'missing' })));
    expect([key.name, key.message, key.$metadata.httpStatusCode]).toEqual([
      'NoSuchKey',
      'The specified key does not exist.',
      404,
    ]);
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'k', Body: 'x' }));
    const version = await errorOf(() =>
      s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'k', VersionId: 'nope' })),
    );
    expect([version.name, version.$metadata.httpStatusCode]).toEqual(['NoSuchVersion', 404]);
    const head = await errorOf(() => s3.send(new HeadObjectCommand({ Bucket: 'artifacts', Key: 'missing' })));
    expect([head.name, head.$metadata.httpStatusCode]).toEqual(['NotFound', 404]);
  });

  it('writes delete markers, lists versions newest first, and restores by copying an old version', async () => {
    await versionedBucket();
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'a.txt', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'a.txt', Body: 'two' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'artifacts', Key: 'a.txt' }));
    expect(del.DeleteMarker).toBe(true);
    const afterDelete = await errorOf(() =>
      s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'a.txt' })),
    );
    expect(afterDelete.name).toBe('NoSuchKey');
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'artifacts', Prefix: 'a' }));
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest, v.Size])).toEqual([
      [v2.VersionId, false, 3],
      [v1.VersionId, false, 3],
    ]);
    expect(versions.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([[del.VersionId, true]]);
    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: 'artifacts',
        Key: 'a.txt',
        CopySource: `artifacts/a.txt?versionId=${v1.VersionId}`,
      }),
    );
    expect(copy.CopySourceVersionId).toBe(v1.VersionId);
    expect(copy.CopyObjectResult?.ETag).toBe(v1.ETag);
    expect(await text(await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'a.txt' })))).toBe(
      'one',
    );
    expect(
      emulator()
        .s3.versions('artifacts', 'a.txt')
        .map((v) => v.isDeleteMarker),
    ).toEqual([false, true, false, false]);
  });

  it('pages ListObjectVersions with key and version markers', async () => {
    await versionedBucket();
    for (const body of ['1', '2', '3'])
      await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'k', Body: body }));
    const first = await s3.send(new ListObjectVersionsCommand({ Bucket: 'artifacts', MaxKeys: 2 }));
    expect(first.IsTruncated).toBe(true);
    const second = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: 'artifacts',
        MaxKeys: 2,
        KeyMarker: first.NextKeyMarker,
        VersionIdMarker: first.NextVersionIdMarker,
      }),
    );
    expect(second.IsTruncated).toBe(false);
    const all = [...(first.Versions ?? []), ...(second.Versions ?? [])].map((v) => v.VersionId);
    expect(all).toEqual(
      emulator()
        .s3.versions('artifacts', 'k')
        .map((v) => v.versionId),
    );
  });

  it('deletes one version permanently and several objects at once', async () => {
    await versionedBucket();
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'x', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'x', Body: '2' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'artifacts', Key: 'x', VersionId: v1.VersionId }));
    expect(emulator().s3.versions('artifacts', 'x')).toHaveLength(1);
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'y', Body: '1' }));
    const out = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'artifacts', Delete: { Objects: [{ Key: 'x' }, { Key: 'y' }] } }),
    );
    expect(out.Deleted?.map((d) => [d.Key, d.DeleteMarker])).toEqual([
      ['x', true],
      ['y', true],
    ]);
    expect(emulator().s3.keys('artifacts')).toEqual([]);
  });
});

describe('more S3 errors', () => {
  it('answers MethodNotAllowed for a delete-marker version, InvalidRange and KeyTooLongError', async () => {
    await versionedBucket();
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'm', Body: 'abc' }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: 'artifacts', Key: 'm' }));
    const onMarker = await errorOf(() =>
      s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'm', VersionId: marker.VersionId })),
    );
    expect([onMarker.name, onMarker.$metadata.httpStatusCode]).toEqual(['MethodNotAllowed', 405]);
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'r', Body: 'abc' }));
    const range = await errorOf(() =>
      s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'r', Range: 'bytes=10-20' })),
    );
    expect([range.name, range.$metadata.httpStatusCode]).toEqual(['InvalidRange', 416]);
    const long = await errorOf(() =>
      s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'k'.repeat(1025), Body: 'x' })),
    );
    expect(long.name).toBe('KeyTooLongError');
  });
});

describe('objects in an unversioned bucket', () => {
  it('uses the null version id and overwrites in place', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'a' }));
    expect(put.VersionId).toBeUndefined();
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'b' }));
    expect(
      emulator()
        .s3.versions('plain', 'k')
        .map((v) => v.versionId),
    ).toEqual(['null']);
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: 'plain', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'c' }));
    const nullVersion = await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'k', VersionId: 'null' }));
    expect(await text(nullVersion)).toBe('b');
  });
});

describe('conditional writes and reads', () => {
  it('If-None-Match: * creates once, then answers 412 PreconditionFailed', async () => {
    await versionedBucket();
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'lock', Body: 'me', IfNoneMatch: '*' }));
    const err = await errorOf(() =>
      s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'lock', Body: 'you', IfNoneMatch: '*' })),
    );
    expect([err.name, err.$metadata.httpStatusCode, err.message]).toEqual([
      'PreconditionFailed',
      412,
      'At least one of the pre-conditions you specified did not hold',
    ]);
    expect(emulator().s3.text('artifacts', 'lock')).toBe('me');
  });

  it('If-Match writes only over the expected ETag', async () => {
    await versionedBucket();
    const first = await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'state', Body: '1' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'artifacts', Key: 'state', Body: '2', IfMatch: first.ETag }),
    );
    const stale = await errorOf(() =>
      s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'state', Body: '3', IfMatch: first.ETag })),
    );
    expect(stale.name).toBe('PreconditionFailed');
    const none = await errorOf(() =>
      s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'nothing', Body: '3', IfMatch: first.ETag })),
    );
    expect(none.name).toBe('NoSuchKey');
  });

  it('honours If-Match on GET and answers a byte range', async () => {
    await versionedBucket();
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'r', Body: 'abcdef' }));
    const mismatch = await errorOf(() =>
      s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'r', IfMatch: '"nope"' })),
    );
    expect(mismatch.name).toBe('PreconditionFailed');
    const range = await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'r', Range: 'bytes=1-3' }));
    expect([await text(range), range.ContentRange]).toEqual(['bcd', 'bytes 1-3/6']);
  });
});

describe('copy and list', () => {
  it('copies with REPLACE metadata and refuses a copy onto itself without changes', async () => {
    await versionedBucket();
    await s3.send(
      new PutObjectCommand({ Bucket: 'artifacts', Key: 'src', Body: 'data', Metadata: { a: '1' } }),
    );
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'artifacts',
        Key: 'dst',
        CopySource: 'artifacts/src',
        MetadataDirective: 'REPLACE',
        Metadata: { b: '2' },
      }),
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'artifacts', Key: 'dst' }))).Metadata).toEqual({
      b: '2',
    });
    const self = await errorOf(() =>
      s3.send(new CopyObjectCommand({ Bucket: 'artifacts', Key: 'src', CopySource: 'artifacts/src' })),
    );
    expect(self.name).toBe('InvalidRequest');
    const missing = await errorOf(() =>
      s3.send(new CopyObjectCommand({ Bucket: 'artifacts', Key: 'dst', CopySource: 'artifacts/nope' })),
    );
    expect(missing.name).toBe('NoSuchKey');
  });

  it('lists keys with prefix, delimiter and continuation tokens', async () => {
    await versionedBucket();
    for (const key of ['a/1', 'a/2', 'a/b/3', 'c'])
      await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: key, Body: key }));
    const page1 = await s3.send(new ListObjectsV2Command({ Bucket: 'artifacts', MaxKeys: 2 }));
    expect(page1.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2']);
    const page2 = await s3.send(
      new ListObjectsV2Command({
        Bucket: 'artifacts',
        MaxKeys: 2,
        ContinuationToken: page1.NextContinuationToken,
      }),
    );
    expect(page2.Contents?.map((c) => c.Key)).toEqual(['a/b/3', 'c']);
    expect(page2.IsTruncated).toBe(false);
    const grouped = await s3.send(
      new ListObjectsV2Command({ Bucket: 'artifacts', Prefix: 'a/', Delimiter: '/' }),
    );
    expect(grouped.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2']);
    expect(grouped.CommonPrefixes).toEqual([{ Prefix: 'a/b/' }]);
    expect(grouped.KeyCount).toBe(3);
  });

  it('handles keys with spaces and unicode', async () => {
    await versionedBucket();
    const Key = 'releases/v 1.0/été+notes.txt';
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key, Body: 'ok' }));
    expect(await text(await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key })))).toBe('ok');
    expect(
      (await s3.send(new ListObjectsV2Command({ Bucket: 'artifacts' }))).Contents?.map((c) => c.Key),
    ).toEqual([Key]);
  });
});

describe('request bodies', () => {
  it('decodes aws-chunked streaming uploads with trailing checksums', async () => {
    await versionedBucket();
    const Body = Readable.from([Buffer.from('hello '), Buffer.from('streaming world')]);
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'stream', Body, ContentLength: 21 }));
    expect(emulator().s3.text('artifacts', 'stream')).toBe('hello streaming world');
    const chunked = emulator().requestLog.entries({ action: 'PutObject' });
    expect(chunked.at(-1)?.status).toBe(200);
  });

  it('refuses a body whose checksum does not match (BadDigest)', async () => {
    await versionedBucket();
    const err = await errorOf(() =>
      s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'k', Body: 'x', ChecksumCRC32: 'AAAAAA==' })),
    );
    expect(err.name).toBe('BadDigest');
  });
});
