import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from '../../core/aws-error';
import { s3VersionId } from '../../core/ids';
import { CallContext, Operation, read, write } from '../../core/service';
import { RestOutput } from '../../core/types';
import { BODY, HEADERS } from '../../protocols/rest-json';
import { decodeAwsChunked, StoredChecksum, verifyChecksums } from './body';
import { Bucket, getBucket, latest, ObjectVersion, s3Errors, S3State } from './model';

const MAX_KEY_BYTES = 1024;

/** Request headers as single strings. */
export function headersOf(ctx: CallContext): Record<string, string | undefined> {
  const raw = ctx.input[HEADERS] as IncomingHttpHeaders;
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

export function bucketAndKey(ctx: CallContext): { bucket: string; key: string } {
  const key = ctx.params.reqStr('Key');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new AwsError('KeyTooLongError', 'Your key is too long', {
      fields: { MaxSizeAllowed: String(MAX_KEY_BYTES) },
    });
  }
  return { bucket: ctx.params.reqStr('Bucket'), key };
}

/** The headers S3 returns about an object on GET, HEAD and writes. */
function objectHeaders(bucket: Bucket, v: ObjectVersion, withChecksum: boolean): Record<string, string> {
  const h: Record<string, string> = {
    etag: v.ETag,
    'last-modified': v.LastModified.toUTCString(),
    'accept-ranges': 'bytes',
    'content-type': v.ContentType ?? 'binary/octet-stream',
    'x-amz-server-side-encryption': 'AES256',
  };
  if (bucket.Versioning !== 'Unversioned') h['x-amz-version-id'] = v.VersionId;
  if (v.CacheControl) h['cache-control'] = v.CacheControl;
  if (v.ContentDisposition) h['content-disposition'] = v.ContentDisposition;
  if (v.ContentEncoding) h['content-encoding'] = v.ContentEncoding;
  if (v.ContentLanguage) h['content-language'] = v.ContentLanguage;
  for (const [k, value] of Object.entries(v.Metadata)) h[`x-amz-meta-${k}`] = value;
  if (withChecksum && v.Checksum) h[`x-amz-checksum-${v.Checksum.algorithm}`] = v.Checksum.value;
  return h;
}

/** Adds a version under S3's versioning rules: a new id when Enabled, else replaces the `null` version. */
export function store(
  bucket: Bucket,
  key: string,
  make: (versionId: string) => ObjectVersion,
): ObjectVersion {
  const versions = bucket.objects.get(key) ?? [];
  const versionId = bucket.Versioning === 'Enabled' ? s3VersionId() : 'null';
  const kept = versionId === 'null' ? versions.filter((v) => v.VersionId !== 'null') : versions;
  const version = make(versionId);
  kept.push(version);
  bucket.objects.set(key, kept);
  return version;
}

function etagOf(data: Uint8Array): string {
  return `"${createHash('md5').update(data).digest('hex')}"`;
}

/** Conditional-write headers on PutObject/CopyObject: `If-None-Match: *` and `If-Match: <etag>`. */
function checkWriteConditions(
  h: Record<string, string | undefined>,
  current: ObjectVersion | undefined,
  key: string,
): void {
  const live = current && !current.IsDeleteMarker ? current : undefined;
  const noneMatch = h['if-none-match'];
  if (noneMatch !== undefined) {
    if (noneMatch.trim() !== '*') throw s3Errors.notImplemented('If-None-Match');
    if (live) throw s3Errors.preconditionFailed('If-None-Match');
  }
  const match = h['if-match'];
  if (match !== undefined) {
    if (!live) throw s3Errors.noSuchKey(key);
    if (!etagMatches(match, live.ETag)) throw s3Errors.preconditionFailed('If-Match');
  }
}

function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || `"${tag}"` === etag;
  });
}

/** Reads the body, decoding aws-chunked and verifying checksums (trailers included). */
function readBody(
  ctx: CallContext,
  h: Record<string, string | undefined>,
): { data: Buffer; checksum?: StoredChecksum } {
  const raw = ctx.input[BODY] as Buffer;
  const chunked =
    (h['content-encoding'] ?? '').includes('aws-chunked') ||
    (h['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
  if (!chunked) return { data: raw, checksum: verifyChecksums(h, raw) };
  const { data, trailers } = decodeAwsChunked(raw);
  const declared = h['x-amz-decoded-content-length'];
  if (declared !== undefined && Number(declared) !== data.length) {
    throw new AwsError(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
    );
  }
  return { data, checksum: verifyChecksums({ ...h, ...trailers }, data) };
}

function metadataFrom(h: Record<string, string | undefined>): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if (k.startsWith('x-amz-meta-') && v !== undefined) meta[k.slice(11)] = v;
  return meta;
}

function contentEncodingFrom(h: Record<string, string | undefined>): string | undefined {
  const enc = (h['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'aws-chunked');
  return enc.length > 0 ? enc.join(',') : undefined;
}

/** The version a GET/HEAD/Copy names: the latest, or `versionId`; errors as S3 words them. */
function findVersion(
  bucket: Bucket,
  key: string,
  versionId: string | undefined,
  method: string,
): ObjectVersion {
  const versions = bucket.objects.get(key) ?? [];
  if (versionId === undefined) {
    const current = versions.at(-1);
    if (!current) throw s3Errors.noSuchKey(key);
    if (current.IsDeleteMarker) {
      throw s3Errors.noSuchKey(key, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': current.VersionId });
    }
    return current;
  }
  const version = versions.find((v) => v.VersionId === versionId);
  if (!version) throw s3Errors.noSuchVersion(key, versionId);
  if (version.IsDeleteMarker) {
    throw new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
      status: 405,
      fields: { Method: method, ResourceType: 'DeleteMarker' },
      headers: {
        'x-amz-delete-marker': 'true',
        'x-amz-version-id': versionId,
        'last-modified': version.LastModified.toUTCString(),
      },
    });
  }
  return version;
}

/** GET/HEAD preconditions: 412 for If-Match / If-Unmodified-Since, 304 for If-None-Match / If-Modified-Since. */
function readPreconditions(
  h: Record<string, string | undefined>,
  v: ObjectVersion,
): 'not-modified' | undefined {
  const seconds = Math.floor(v.LastModified.getTime() / 1000);
  const dateHeader = (name: string): number | undefined => {
    const value = h[name];
    const t = value === undefined ? NaN : Date.parse(value);
    return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
  };
  const ifMatch = h['if-match'];
  if (ifMatch !== undefined && !etagMatches(ifMatch, v.ETag)) throw s3Errors.preconditionFailed('If-Match');
  const unmodifiedSince = dateHeader('if-unmodified-since');
  if (ifMatch === undefined && unmodifiedSince !== undefined && seconds > unmodifiedSince) {
    throw s3Errors.preconditionFailed('If-Unmodified-Since');
  }
  const ifNoneMatch = h['if-none-match'];
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, v.ETag)) return 'not-modified';
  const modifiedSince = dateHeader('if-modified-since');
  if (ifNoneMatch === undefined && modifiedSince !== undefined && seconds <= modifiedSince)
    return 'not-modified';
  return undefined;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → inclusive [start, end]; undefined when absent. */
function parseRange(header: string | undefined, size: number): [number, number] | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) {
    throw new AwsError('InvalidRange', 'The requested range is not satisfiable', {
      status: 416,
      fields: { RangeRequested: header, ActualObjectSize: String(size) },
    });
  }
  return [start, end];
}

function getOrHead(method: 'GET' | 'HEAD'): Operation<S3State> {
  return read((state, ctx) => {
    const { bucket: name, key } = bucketAndKey(ctx);
    const bucket = getBucket(state, name);
    const version = findVersion(bucket, key, ctx.params.str('VersionId'), method);
    const h = headersOf(ctx);
    const headers = objectHeaders(
      bucket,
      version,
      h['x-amz-checksum-mode'] === 'ENABLED' && h.range === undefined,
    );
    if (readPreconditions(h, version) === 'not-modified') {
      return new RestOutput({
        status: 304,
        headers: { etag: version.ETag, 'last-modified': headers['last-modified'] },
      });
    }
    const body = Buffer.from(version.Body);
    const range = parseRange(h.range, body.length);
    const slice = range ? body.subarray(range[0], range[1] + 1) : body;
    headers['content-length'] = String(slice.length);
    if (range) headers['content-range'] = `bytes ${range[0]}-${range[1]}/${body.length}`;
    return new RestOutput({ status: range ? 206 : 200, headers, raw: method === 'HEAD' ? '' : slice });
  });
}

/** `bucket/key?versionId=v`, URL-encoded or not, with or without a leading slash. */
function parseCopySource(raw: string): { bucket: string; key: string; versionId?: string } {
  const q = raw.indexOf('?');
  const pathPart = q < 0 ? raw : raw.slice(0, q);
  let path = pathPart;
  try {
    path = decodeURIComponent(pathPart);
  } catch {
    // An undecodable source is used as written.
  }
  path = path.replace(/^\//, '');
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw s3Errors.invalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      'x-amz-copy-source',
      raw,
    );
  }
  const versionId = q < 0 ? undefined : (new URLSearchParams(raw.slice(q + 1)).get('versionId') ?? undefined);
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1), versionId };
}

export const objectOperations: Record<string, Operation<S3State>> = {
  PutObject: write((state, ctx) => {
    const { bucket: name, key } = bucketAndKey(ctx);
    const bucket = getBucket(state, name);
    const h = headersOf(ctx);
    const { data, checksum } = readBody(ctx, h);
    checkWriteConditions(h, latest(bucket, key), key);
    const version = store(bucket, key, (VersionId) => ({
      Key: key,
      VersionId,
      IsDeleteMarker: false,
      Body: new Uint8Array(data),
      ETag: etagOf(data),
      LastModified: new Date(ctx.runtime.now()),
      ContentType: h['content-type'],
      CacheControl: h['cache-control'],
      ContentDisposition: h['content-disposition'],
      ContentEncoding: contentEncodingFrom(h),
      ContentLanguage: h['content-language'],
      Metadata: metadataFrom(h),
      Checksum: checksum,
    }));
    const headers: Record<string, string> = { etag: version.ETag, 'x-amz-server-side-encryption': 'AES256' };
    if (bucket.Versioning === 'Enabled') headers['x-amz-version-id'] = version.VersionId;
    if (checksum) headers[`x-amz-checksum-${checksum.algorithm}`] = checksum.value;
    return new RestOutput({ status: 200, headers });
  }),

  GetObject: getOrHead('GET'),
  HeadObject: getOrHead('HEAD'),

  CopyObject: write((state, ctx) => {
    const { bucket: name, key } = bucketAndKey(ctx);
    const h = headersOf(ctx);
    const source = parseCopySource(h['x-amz-copy-source'] ?? '');
    const srcBucket = getBucket(state, source.bucket);
    const bucket = getBucket(state, name);
    const src = findVersion(srcBucket, source.key, source.versionId, 'PUT');
    const directive = h['x-amz-metadata-directive'] ?? 'COPY';
    if (directive !== 'COPY' && directive !== 'REPLACE') {
      throw s3Errors.invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
    }
    if (
      source.bucket === name &&
      source.key === key &&
      source.versionId === undefined &&
      directive === 'COPY'
    ) {
      throw s3Errors.invalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    const srcMatch = h['x-amz-copy-source-if-match'];
    if (srcMatch !== undefined && !etagMatches(srcMatch, src.ETag))
      throw s3Errors.preconditionFailed('x-amz-copy-source-If-Match');
    const srcNoneMatch = h['x-amz-copy-source-if-none-match'];
    if (srcNoneMatch !== undefined && etagMatches(srcNoneMatch, src.ETag)) {
      throw s3Errors.preconditionFailed('x-amz-copy-source-If-None-Match');
    }
    checkWriteConditions(h, latest(bucket, key), key);
    const replace = directive === 'REPLACE';
    const version = store(bucket, key, (VersionId) => ({
      ...structuredClone(src),
      Key: key,
      VersionId,
      LastModified: new Date(ctx.runtime.now()),
      ContentType: replace ? h['content-type'] : src.ContentType,
      CacheControl: replace ? h['cache-control'] : src.CacheControl,
      ContentDisposition: replace ? h['content-disposition'] : src.ContentDisposition,
      ContentEncoding: replace ? contentEncodingFrom(h) : src.ContentEncoding,
      ContentLanguage: replace ? h['content-language'] : src.ContentLanguage,
      Metadata: replace ? metadataFrom(h) : { ...src.Metadata },
    }));
    const headers: Record<string, string> = { 'x-amz-server-side-encryption': 'AES256' };
    if (bucket.Versioning === 'Enabled') headers['x-amz-version-id'] = version.VersionId;
    if (srcBucket.Versioning !== 'Unversioned') headers['x-amz-copy-source-version-id'] = src.VersionId;
    const result: Record<string, unknown> = { ETag: version.ETag, LastModified: version.LastModified };
    if (version.Checksum)
      result[`Checksum${version.Checksum.algorithm.toUpperCase()}`] = version.Checksum.value;
    return new RestOutput({ status: 200, headers, data: { CopyObjectResult: result } });
  }),

  DeleteObject: write((state, ctx) => {
    const { bucket: name, key } = bucketAndKey(ctx);
    const bucket = getBucket(state, name);
    return new RestOutput({
      status: 204,
      headers: deleteOne(bucket, key, ctx.params.str('VersionId'), ctx.runtime.now()),
    });
  }),
};

/** Deletes a version, or writes a delete marker (versioned) / removes the object (unversioned). Returns S3's headers. */
export function deleteOne(
  bucket: Bucket,
  key: string,
  versionId: string | undefined,
  now: number,
): Record<string, string> {
  const versions = bucket.objects.get(key) ?? [];
  if (versionId !== undefined) {
    const victim = versions.find((v) => v.VersionId === versionId);
    const rest = versions.filter((v) => v !== victim);
    if (rest.length > 0) bucket.objects.set(key, rest);
    else bucket.objects.delete(key);
    const headers: Record<string, string> = { 'x-amz-version-id': versionId };
    if (victim?.IsDeleteMarker) headers['x-amz-delete-marker'] = 'true';
    return headers;
  }
  if (bucket.Versioning === 'Unversioned') {
    bucket.objects.delete(key);
    return {};
  }
  const marker = store(bucket, key, (VersionId) => ({
    Key: key,
    VersionId,
    IsDeleteMarker: true,
    Body: new Uint8Array(0),
    ETag: '',
    LastModified: new Date(now),
    Metadata: {},
  }));
  return { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.VersionId };
}
