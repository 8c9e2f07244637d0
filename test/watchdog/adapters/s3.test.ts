import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  type ArtifactAdapter,
  createArtifactAdapter,
  createStoreAdapter,
} from '../../../lambdas/watchdog/adapters';
import { AwsCallError, type StorePort } from '../../../lambdas/watchdog/ports';
import { type CommandRecord, describeBackends, recordCommands } from './backends';
import { rejectionOf } from './fixtures';

const BUCKET = 'shop-switchback-store';

describeBackends('the store and artifact adapters (S3)', (backend) => {
  const emulator = () => backend().emulator();
  let client: S3Client;
  let store: StorePort;
  let artifacts: ArtifactAdapter;
  let sent: CommandRecord;

  beforeEach(async () => {
    client = new S3Client(backend().s3Config());
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await client.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    store = createStoreAdapter(client, BUCKET);
    artifacts = createArtifactAdapter(client, BUCKET);
    sent = recordCommands(client);
  });
  afterEach(() => client.destroy());

  const put = (key: string, body: string) =>
    client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

  /** The versions of `key` as ListObjectVersions answers, newest first (delete markers left out). */
  const versions = async (key: string) =>
    (
      (await client.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: key }))).Versions ?? []
    ).filter((v) => v.Key === key);

  /** The current content of `key` (GetObject). */
  const text = async (key: string) =>
    (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString('utf-8');

  async function failure(fn: () => Promise<unknown>): Promise<AwsCallError> {
    const error = await rejectionOf(fn);
    expect(error).toBeInstanceOf(AwsCallError);
    return error as AwsCallError;
  }

  describe('store: getJson', () => {
    it('reads a document with its entity tag and version id', async () => {
      const written = await put('releases/r1.json', '{"releaseId":"r1"}');
      expect(await store.getJson('releases/r1.json')).toStrictEqual({
        body: { releaseId: 'r1' },
        etag: written.ETag,
        versionId: written.VersionId,
      });
    });

    it('reads an earlier version by its id', async () => {
      const first = await put('config.json', '{"n":1}');
      await put('config.json', '{"n":2}');
      expect(await store.getJson('config.json', first.VersionId)).toMatchObject({
        body: { n: 1 },
        versionId: first.VersionId,
      });
    });

    it('answers undefined for a key with no object, or a deleted one', async () => {
      expect(await store.getJson('locks/shop.json')).toBeUndefined();
      await put('locks/shop.json', '{}');
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'locks/shop.json' }));
      expect(await store.getJson('locks/shop.json')).toBeUndefined();
    });

    it('fails not-found for a version that does not exist (a manifest version must not silently vanish)', async () => {
      await put('config.json', '{}');
      const error = await failure(() => store.getJson('config.json', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
      expect(error).toMatchObject({ kind: 'not-found', operation: 'GetObject', code: 'NoSuchVersion' });
    });

    it('fails invalid for an object that is not JSON, without quoting it', async () => {
      await put('config.json', 'password=hunter2');
      const error = await failure(() => store.getJson('config.json'));
      expect(error).toMatchObject({ kind: 'invalid', code: 'InvalidJson' });
      expect(error.message).not.toContain('hunter2');
    });

    it('fails not-found when the bucket does not exist', async () => {
      const error = await failure(() => createStoreAdapter(client, 'no-such-bucket-here').getJson('x.json'));
      expect(error).toMatchObject({ kind: 'not-found', code: 'NoSuchBucket' });
    });
  });

  describe('store: putJson', () => {
    it('writes a JSON document and answers its entity tag and version id', async () => {
      const written = await store.putJson('audit/1.json', { outcome: 'rolled-back' });
      expect(written).toStrictEqual({ etag: expect.stringMatching(/^".+"$/), versionId: expect.any(String) });
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'audit/1.json' }));
      expect(head).toMatchObject({
        ContentType: 'application/json',
        ETag: (written as { etag: string }).etag,
        VersionId: (written as { versionId: string }).versionId,
      });
      expect(await text('audit/1.json')).toBe('{"outcome":"rolled-back"}');
    });

    it('creates with If-None-Match, and answers precondition-failed when the key exists', async () => {
      // Given an idempotency record written once
      const first = await store.putJson('events/alarm-1.json', { by: 'a' }, { ifNoneMatch: true });
      expect(first).not.toBe('precondition-failed');

      // When a duplicate delivery writes it again
      const second = await store.putJson('events/alarm-1.json', { by: 'b' }, { ifNoneMatch: true });

      // Then the second write loses, and the first stays
      expect(second).toBe('precondition-failed');
      expect(await versions('events/alarm-1.json')).toHaveLength(1);
      expect(await text('events/alarm-1.json')).toBe('{"by":"a"}');
    });

    it('lets exactly one of two concurrent creates of the same key win', async () => {
      // When two deliveries of one alarm race to write its idempotency record
      const outcomes = await Promise.all([
        store.putJson('events/alarm-9.json', { by: 'a' }, { ifNoneMatch: true }),
        store.putJson('events/alarm-9.json', { by: 'b' }, { ifNoneMatch: true }),
      ]);

      // Then one wrote it and the other lost, and only the winner's body is there
      const lost = outcomes.filter((o) => o === 'precondition-failed');
      expect(lost).toHaveLength(1);
      expect(await versions('events/alarm-9.json')).toHaveLength(1);
      expect([`{"by":"a"}`, `{"by":"b"}`]).toContain(await text('events/alarm-9.json'));
    });

    backend.needs(
      ['faults'],
      'answers precondition-failed when S3 answers 409 ConditionalRequestConflict (a concurrent conditional write won)',
      async () => {
        emulator().faults.add({
          service: 's3',
          action: 'PutObject',
          error: {
            status: 409,
            code: 'ConditionalRequestConflict',
            message: 'A conflicting conditional operation is currently in progress against this resource.',
          },
        });
        expect(await store.putJson('events/alarm-4.json', { by: 'me' }, { ifNoneMatch: true })).toBe(
          'precondition-failed',
        );
      },
    );

    it('swaps with If-Match on the current entity tag, writing a new version', async () => {
      const first = await store.putJson('locks/shop.json', { holder: 'a' });
      const { etag } = first as { etag: string };
      const swapped = await store.putJson('locks/shop.json', { holder: 'b' }, { ifMatch: etag });
      expect(swapped).toMatchObject({ versionId: expect.any(String) });
      expect(await versions('locks/shop.json')).toHaveLength(2);
      expect(await text('locks/shop.json')).toBe('{"holder":"b"}');
    });

    it('answers precondition-failed for If-Match on a stale entity tag', async () => {
      const first = (await store.putJson('locks/shop.json', { holder: 'a' })) as { etag: string };
      await store.putJson('locks/shop.json', { holder: 'b' });
      expect(await store.putJson('locks/shop.json', { holder: 'c' }, { ifMatch: first.etag })).toBe(
        'precondition-failed',
      );
      expect(await text('locks/shop.json')).toBe('{"holder":"b"}');
    });

    it('answers precondition-failed for If-Match on a key that has since been deleted', async () => {
      const first = (await store.putJson('locks/shop.json', { holder: 'a' })) as { etag: string };
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'locks/shop.json' }));
      expect(await store.putJson('locks/shop.json', { holder: 'b' }, { ifMatch: first.etag })).toBe(
        'precondition-failed',
      );
    });

    backend.needs(
      ['faults', 'requestLog'],
      'tells its own write from a rival when the SDK retried after a connection dropped on a write that happened',
      async () => {
        // Given the first attempt's connection drops after S3 stored the object, so the SDK's retry gets 412
        emulator().faults.add({ service: 's3', action: 'PutObject', dropConnection: 'after', nth: 1 });

        // When an idempotency record is created
        const written = await store.putJson('events/alarm-2.json', { by: 'me' }, { ifNoneMatch: true });

        // Then the write is recognised as ours (its own body is there), not reported as a duplicate
        expect(
          emulator()
            .requestLog.entries({ action: 'PutObject' })
            .map((e) => e.status),
        ).toEqual([0, 412]);
        expect(written).toStrictEqual({
          etag: expect.any(String),
          versionId: emulator().s3.versions(BUCKET, 'events/alarm-2.json')[0].versionId,
        });
      },
    );

    backend.needs(
      ['faults'],
      'still reports a rival write after a retry as precondition-failed',
      async () => {
        await store.putJson('events/alarm-3.json', { by: 'rival' });
        emulator().faults.add({
          service: 's3',
          action: 'PutObject',
          error: { status: 503, code: 'ServiceUnavailable' },
          nth: 2,
        });
        expect(await store.putJson('events/alarm-3.json', { by: 'me' }, { ifNoneMatch: true })).toBe(
          'precondition-failed',
        );
      },
    );

    backend.needs(
      ['faults', 'requestLog'],
      'maps SlowDown that outlasts the SDK retries to throttled',
      async () => {
        emulator().faults.add({ service: 's3', action: 'PutObject', throttle: 'always' });
        const error = await failure(() => store.putJson('audit/2.json', {}));
        expect(error).toMatchObject({
          kind: 'throttled',
          operation: 'PutObject',
          code: 'SlowDown',
          retryable: true,
        });
        expect(
          emulator()
            .requestLog.entries({ action: 'PutObject' })
            .map((e) => e.status),
        ).toEqual([503, 503, 503]);
      },
    );

    backend.needs(['faults'], 'maps a 500 to transient', async () => {
      emulator().faults.add({ service: 's3', action: 'GetObject', error: { status: 500 } });
      const error = await failure(() => store.getJson('audit/2.json'));
      expect(error).toMatchObject({ kind: 'transient', code: 'InternalError' });
    });
  });

  describe('artifacts', () => {
    const KEY = 'artifacts/checkout app/bundle+1.zip';

    it('reads the current version id', async () => {
      await put(KEY, 'v1');
      const second = await put(KEY, 'v2');
      expect(await artifacts.currentVersionId(KEY)).toBe(second.VersionId);
    });

    it('makes an earlier version current again as a new version with its content', async () => {
      // Given v1, then the release's v2 (and the copy source header recorded as sent)
      const copySources: string[] = [];
      client.middlewareStack.add(
        (next) => async (args) => {
          const source = (args.request as { headers?: Record<string, string> }).headers?.[
            'x-amz-copy-source'
          ];
          if (source !== undefined) copySources.push(source);
          return next(args);
        },
        { step: 'finalizeRequest', name: 'recordCopySource' },
      );
      const v1 = await put(KEY, 'bundle v1');
      const v2 = await put(KEY, 'bundle v2');

      // When v1 is restored
      await artifacts.restoreVersion(KEY, v1.VersionId as string);

      // Then a third version is current, with v1's content, and v1 and v2 are still there
      const current = await artifacts.currentVersionId(KEY);
      expect([v1.VersionId, v2.VersionId]).not.toContain(current);
      expect(await text(KEY)).toBe('bundle v1');
      expect((await versions(KEY)).map((v) => v.VersionId)).toEqual([current, v2.VersionId, v1.VersionId]);
      expect(copySources).toEqual([
        `${BUCKET}/artifacts/checkout%20app/bundle%2B1.zip?versionId=${v1.VersionId}`,
      ]);
      expect(await artifacts.matchesVersion(KEY, v1.VersionId as string)).toBe(true);
    });

    it('copies nothing when the current version already has that content (a repeated restore)', async () => {
      const v1 = await put(KEY, 'bundle v1');
      await put(KEY, 'bundle v2');
      await artifacts.restoreVersion(KEY, v1.VersionId as string);
      await artifacts.restoreVersion(KEY, v1.VersionId as string);
      expect(sent.count('CopyObject')).toBe(1);
      expect(await versions(KEY)).toHaveLength(3);
    });

    it('restores an artifact the release deleted', async () => {
      const v1 = await put(KEY, 'bundle v1');
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY }));
      await artifacts.restoreVersion(KEY, v1.VersionId as string);
      expect(await text(KEY)).toBe('bundle v1');
    });

    it('fails not-found, naming key and version, for a version that no longer exists', async () => {
      await put(KEY, 'bundle v1');
      const gone = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      const error = await failure(() => artifacts.restoreVersion(KEY, gone));
      expect(error).toMatchObject({ kind: 'not-found', retryable: false });
      expect(error.message).toContain(`version ${gone} of s3://${BUCKET}/${KEY}`);
      expect(sent.count('CopyObject')).toBe(0);
    });

    it('fails not-found for a key with no current version', async () => {
      const error = await failure(() => artifacts.currentVersionId('artifacts/none.zip'));
      expect(error).toMatchObject({ kind: 'not-found', operation: 'HeadObject' });
    });

    it('fails invalid when the bucket is not versioned', async () => {
      await client.send(new CreateBucketCommand({ Bucket: 'unversioned-bucket' }));
      await client.send(new PutObjectCommand({ Bucket: 'unversioned-bucket', Key: 'a.zip', Body: 'x' }));
      const error = await failure(() =>
        createArtifactAdapter(client, 'unversioned-bucket').currentVersionId('a.zip'),
      );
      expect(error).toMatchObject({ kind: 'invalid', code: 'BucketNotVersioned' });
    });
  });
});
