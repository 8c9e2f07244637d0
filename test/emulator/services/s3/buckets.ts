import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AwsError } from '../../core/aws-error';
import { Operation, read, write } from '../../core/service';
import { RestOutput } from '../../core/types';
import { BODY, QUERY } from '../../protocols/rest-json';
import { Bucket, getBucket, ObjectVersion, OWNER, s3Errors, S3State } from './model';
import { deleteOne, headersOf } from './objects';
import { verifyChecksums } from './body';

const xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  removeNSPrefix: true,
  isArray: (name) => name === 'Object',
});

type XmlTree = Record<string, unknown>;

function parseXml(body: Buffer): XmlTree {
  const text = body.toString('utf8');
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw s3Errors.malformedXml();
  return xml.parse(text) as XmlTree;
}

function child(tree: unknown, name: string): unknown {
  return typeof tree === 'object' && tree !== null ? (tree as XmlTree)[name] : undefined;
}

function checkBucketName(name: string): void {
  const valid =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.endsWith('-s3alias');
  if (!valid)
    throw new AwsError('InvalidBucketName', 'The specified bucket is not valid.', {
      fields: { BucketName: name },
    });
}

function query(ctx: { input: Record<string, unknown> }): URLSearchParams {
  return ctx.input[QUERY] as URLSearchParams;
}

function maxKeys(q: URLSearchParams): number {
  const raw = q.get('max-keys');
  if (raw === null) return 1000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw s3Errors.invalidArgument(
      'Provided max-keys not an integer or within integer range',
      'max-keys',
      raw,
    );
  return Math.min(n, 1000);
}

/** `encoding-type=url` asks S3 to URL-encode keys and prefixes in listings. */
function encoder(q: URLSearchParams): (s: string) => string {
  const type = q.get('encoding-type');
  if (type !== null && type !== 'url')
    throw s3Errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
  return type === 'url' ? (s) => encodeURIComponent(s).replace(/%2F/g, '/') : (s) => s;
}

/** Keys (or common prefixes) of a listing, sorted, from the latest non-deleted versions. */
function listing(
  bucket: Bucket,
  prefix: string,
  delimiter: string | null,
): Array<{ key: string; prefix?: true; version?: ObjectVersion }> {
  const out = new Map<string, { key: string; prefix?: true; version?: ObjectVersion }>();
  for (const [key, versions] of bucket.objects) {
    const current = versions.at(-1);
    if (!current || current.IsDeleteMarker || !key.startsWith(prefix)) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const common = key.slice(0, cut + (delimiter as string).length);
      out.set(common, { key: common, prefix: true });
    } else {
      out.set(key, { key, version: current });
    }
  }
  return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function contentsEntry(v: ObjectVersion, enc: (s: string) => string): Record<string, unknown> {
  return {
    Key: enc(v.Key),
    LastModified: v.LastModified,
    ETag: v.ETag,
    ChecksumAlgorithm: v.Checksum?.algorithm.toUpperCase(),
    Size: v.Body.length,
    StorageClass: 'STANDARD',
  };
}

export const bucketOperations: Record<string, Operation<S3State>> = {
  ListBuckets: read((state) => ({
    ListAllMyBucketsResult: {
      Buckets: {
        Bucket: [...state.buckets.values()].map((b) => ({
          Name: b.Name,
          CreationDate: b.CreationDate,
          BucketRegion: b.Region,
        })),
      },
      Owner: OWNER,
    },
  })),

  CreateBucket: write((state, ctx) => {
    const name = ctx.params.reqStr('Bucket');
    checkBucketName(name);
    const body = ctx.input[BODY] as Buffer;
    const constraint =
      body.length > 0
        ? child(child(parseXml(body), 'CreateBucketConfiguration'), 'LocationConstraint')
        : undefined;
    const wanted = typeof constraint === 'string' && constraint !== '' ? constraint : undefined;
    if ((wanted ?? 'us-east-1') !== ctx.region) {
      throw new AwsError(
        'IllegalLocationConstraintException',
        `The ${wanted ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      );
    }
    if (state.buckets.has(name)) {
      if (ctx.region === 'us-east-1')
        return new RestOutput({ status: 200, headers: { location: `/${name}` } });
      throw new AwsError(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        {
          status: 409,
          fields: { BucketName: name },
        },
      );
    }
    state.buckets.set(name, {
      Name: name,
      CreationDate: new Date(ctx.runtime.now()),
      Region: ctx.region,
      Versioning: 'Unversioned',
      objects: new Map(),
    });
    return new RestOutput({ status: 200, headers: { location: `/${name}` } });
  }),

  HeadBucket: read((state, ctx) => {
    const bucket = getBucket(state, ctx.params.reqStr('Bucket'));
    return new RestOutput({ status: 200, headers: { 'x-amz-bucket-region': bucket.Region } });
  }),

  DeleteBucket: write((state, ctx) => {
    const bucket = getBucket(state, ctx.params.reqStr('Bucket'));
    if (bucket.objects.size > 0) {
      throw new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', {
        status: 409,
        fields: { BucketName: bucket.Name },
      });
    }
    state.buckets.delete(bucket.Name);
    return new RestOutput({ status: 204 });
  }),

  PutBucketVersioning: write((state, ctx) => {
    const bucket = getBucket(state, ctx.params.reqStr('Bucket'));
    const body = ctx.input[BODY] as Buffer;
    verifyChecksums(headersOf(ctx), body);
    const status = child(child(parseXml(body), 'VersioningConfiguration'), 'Status');
    if (status !== 'Enabled' && status !== 'Suspended') throw s3Errors.malformedXml();
    bucket.Versioning = status;
    return new RestOutput({ status: 200 });
  }),

  GetBucketVersioning: read((state, ctx) => {
    const bucket = getBucket(state, ctx.params.reqStr('Bucket'));
    return {
      VersioningConfiguration: bucket.Versioning === 'Unversioned' ? {} : { Status: bucket.Versioning },
    };
  }),

  ListObjectsV2: read((state, ctx) => {
    const bucket = getBucket(state, ctx.params.reqStr('Bucket'));
    const q = query(ctx);
    const enc = encoder(q);
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter');
    const max = maxKeys(q);
    const token = q.get('continuation-token');
    let after = q.get('start-after') ?? '';
    if (token !== null) {
      after = Buffer.from(token, 'base64url').toString('utf8');
      if (!after)
        throw s3Errors.invalidArgument(
          'The continuation token provided is incorrect',
          'continuation-token',
          token,
        );
    }
    const all = listing(bucket, prefix, delimiter).filter((e) => e.key > after);
    const page = all.slice(0, max);
    const truncated = all.length > page.length;
    return {
      ListBucketResult: {
        Name: bucket.Name,
        Prefix: enc(prefix),
        Delimiter: delimiter === null ? undefined : enc(delimiter),
        MaxKeys: max,
        KeyCount: page.length,
        IsTruncated: truncated,
        EncodingType: q.get('encoding-type') ?? undefined,
        ContinuationToken: token ?? undefined,
        NextContinuationToken: truncated
          ? Buffer.from(page[page.length - 1].key).toString('base64url')
          : undefined,
        StartAfter: q.get('start-after') === null ? undefined : enc(q.get('start-after') as string),
        Contents: page.filter((e) => e.version).map((e) => contentsEntry(e.version as ObjectVersion, enc)),
        CommonPrefixes: page.filter((e) => e.prefix).map((e) => ({ Prefix: enc(e.key) })),
      },
    };
  }),

  ListObjects: read((state, ctx) => {
    const bucket = getBucket(state, ctx.params.reqStr('Bucket'));
    const q = query(ctx);
    const enc = encoder(q);
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter');
    const marker = q.get('marker') ?? '';
    const max = maxKeys(q);
    const all = listing(bucket, prefix, delimiter).filter((e) => e.key > marker);
    const page = all.slice(0, max);
    const truncated = all.length > page.length;
    return {
      ListBucketResult: {
        Name: bucket.Name,
        Prefix: enc(prefix),
        Marker: enc(marker),
        Delimiter: delimiter === null ? undefined : enc(delimiter),
        MaxKeys: max,
        IsTruncated: truncated,
        EncodingType: q.get('encoding-type') ?? undefined,
        NextMarker: truncated && delimiter !== null ? enc(page[page.length - 1].key) : undefined,
        Contents: page
          .filter((e) => e.version)
          .map((e) => ({ ...contentsEntry(e.version as ObjectVersion, enc), Owner: OWNER })),
        CommonPrefixes: page.filter((e) => e.prefix).map((e) => ({ Prefix: enc(e.key) })),
      },
    };
  }),

  ListObjectVersions: read((state, ctx) => {
    const bucket = getBucket(state, ctx.params.reqStr('Bucket'));
    const q = query(ctx);
    const enc = encoder(q);
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter');
    const keyMarker = q.get('key-marker') ?? '';
    const versionMarker = q.get('version-id-marker');
    const max = maxKeys(q);
    type Entry = { key: string; prefix?: true; version?: ObjectVersion; isLatest?: boolean };
    const entries: Entry[] = [];
    const prefixes = new Set<string>();
    const keys = [...bucket.objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of keys) {
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const common = key.slice(0, cut + (delimiter as string).length);
        if (!prefixes.has(common)) entries.push({ key: common, prefix: true });
        prefixes.add(common);
        continue;
      }
      const versions = bucket.objects.get(key) as ObjectVersion[];
      for (let i = versions.length - 1; i >= 0; i--) {
        entries.push({ key, version: versions[i], isLatest: i === versions.length - 1 });
      }
    }
    let start = 0;
    if (keyMarker !== '') {
      const afterKey = entries.findIndex((e) => e.key > keyMarker);
      start = afterKey < 0 ? entries.length : afterKey;
      if (versionMarker !== null) {
        const at = entries.findIndex((e) => e.key === keyMarker && e.version?.VersionId === versionMarker);
        if (at >= 0) start = at + 1;
      }
    }
    const page = entries.slice(start, start + max);
    const truncated = start + page.length < entries.length;
    const last = page[page.length - 1];
    const versionEntry = (e: Entry): Record<string, unknown> => {
      const v = e.version as ObjectVersion;
      const base = {
        Key: enc(v.Key),
        VersionId: v.VersionId,
        IsLatest: e.isLatest,
        LastModified: v.LastModified,
      };
      return v.IsDeleteMarker
        ? { ...base, Owner: OWNER }
        : {
            ...base,
            ETag: v.ETag,
            Size: v.Body.length,
            StorageClass: 'STANDARD',
            Owner: OWNER,
            ChecksumAlgorithm: v.Checksum?.algorithm.toUpperCase(),
          };
    };
    return {
      ListVersionsResult: {
        Name: bucket.Name,
        Prefix: enc(prefix),
        KeyMarker: enc(keyMarker),
        VersionIdMarker: versionMarker ?? '',
        MaxKeys: max,
        Delimiter: delimiter === null ? undefined : enc(delimiter),
        EncodingType: q.get('encoding-type') ?? undefined,
        IsTruncated: truncated,
        NextKeyMarker: truncated && last ? enc(last.key) : undefined,
        NextVersionIdMarker: truncated && last?.version ? last.version.VersionId : undefined,
        Version: page.filter((e) => e.version && !e.version.IsDeleteMarker).map(versionEntry),
        DeleteMarker: page.filter((e) => e.version?.IsDeleteMarker).map(versionEntry),
        CommonPrefixes: page.filter((e) => e.prefix).map((e) => ({ Prefix: enc(e.key) })),
      },
    };
  }),

  DeleteObjects: write((state, ctx) => {
    const bucket = getBucket(state, ctx.params.reqStr('Bucket'));
    const body = ctx.input[BODY] as Buffer;
    verifyChecksums(headersOf(ctx), body);
    const del = child(parseXml(body), 'Delete');
    const objects = child(del, 'Object');
    if (!Array.isArray(objects) || objects.length === 0 || objects.length > 1000)
      throw s3Errors.malformedXml();
    const quiet = child(del, 'Quiet') === 'true';
    const deleted: Record<string, unknown>[] = [];
    for (const o of objects) {
      const key = child(o, 'Key');
      if (typeof key !== 'string') throw s3Errors.malformedXml();
      const versionId = child(o, 'VersionId');
      const h = deleteOne(
        bucket,
        key,
        typeof versionId === 'string' ? versionId : undefined,
        ctx.runtime.now(),
      );
      if (quiet) continue;
      deleted.push({
        Key: key,
        VersionId: typeof versionId === 'string' ? versionId : undefined,
        DeleteMarker: h['x-amz-delete-marker'] === 'true' ? true : undefined,
        DeleteMarkerVersionId:
          h['x-amz-delete-marker'] === 'true' && versionId === undefined ? h['x-amz-version-id'] : undefined,
      });
    }
    return { DeleteResult: { Deleted: deleted } };
  }),
};
