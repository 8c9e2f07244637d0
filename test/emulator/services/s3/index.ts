import { AwsError, nullMemberMessage } from '../../core/aws-error';
import { ValidationErrors } from '../../core/params';
import { ServiceDefinition } from '../../core/service';
import { ParsedCall, RawRequest } from '../../core/types';
import { BODY, HEADERS, QUERY } from '../../protocols/rest-json';
import { RestXmlProtocol } from '../../protocols/rest-xml';
import { bucketFromHost } from '../../router';
import { bucketOperations } from './buckets';
import { Bucket, ObjectVersion, s3Errors, S3State, VersioningStatus } from './model';
import { objectOperations } from './objects';

/** Sub-resources the emulator does not implement; asking for them answers NotImplemented. */
const UNSUPPORTED = [
  'acl',
  'policy',
  'tagging',
  'cors',
  'lifecycle',
  'website',
  'uploads',
  'uploadId',
  'encryption',
  'replication',
  'object-lock',
  'retention',
  'legal-hold',
  'notification',
  'logging',
  'accelerate',
  'requestPayment',
  'ownershipControls',
  'publicAccessBlock',
  'inventory',
  'metrics',
  'analytics',
  'intelligent-tiering',
  'attributes',
  'restore',
  'select',
  'torrent',
  'partNumber',
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AwsError('InvalidURI', "Couldn't parse the specified URI.", { fields: { URI: segment } });
  }
}

/** Picks the S3 operation from method, bucket, key and sub-resource (path-style or `<bucket>.localhost`). */
function routeS3(req: RawRequest): ParsedCall {
  const hostBucket = bucketFromHost(req.headers.host);
  const path = req.path.replace(/^\//, '');
  const slash = path.indexOf('/');
  const bucket = hostBucket ?? decode(slash < 0 ? path : path.slice(0, slash));
  const rawKey = hostBucket ? path : slash < 0 ? '' : path.slice(slash + 1);
  const key = decode(rawKey);
  const q = req.query;
  const unsupported = UNSUPPORTED.find((name) => q.has(name));
  const params = {
    Bucket: bucket,
    Key: key || undefined,
    VersionId: q.get('versionId') ?? undefined,
    [QUERY]: q,
    [HEADERS]: req.headers,
    [BODY]: req.body,
  };
  const call = (action: string): ParsedCall => ({ action, params });
  if (unsupported) throw s3Errors.notImplemented(`?${unsupported}`);
  const m = req.method;
  if (bucket === '') {
    if (m === 'GET') return call('ListBuckets');
  } else if (key === '') {
    if (m === 'PUT') return call(q.has('versioning') ? 'PutBucketVersioning' : 'CreateBucket');
    if (m === 'GET' && q.has('versioning')) return call('GetBucketVersioning');
    if (m === 'GET' && q.has('versions')) return call('ListObjectVersions');
    if (m === 'GET') return call(q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects');
    if (m === 'HEAD') return call('HeadBucket');
    if (m === 'DELETE') return call('DeleteBucket');
    if (m === 'POST' && q.has('delete')) return call('DeleteObjects');
  } else {
    if (m === 'PUT') return call(req.headers['x-amz-copy-source'] !== undefined ? 'CopyObject' : 'PutObject');
    if (m === 'GET') return call('GetObject');
    if (m === 'HEAD') return call('HeadObject');
    if (m === 'DELETE') return call('DeleteObject');
  }
  throw new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    status: 405,
    fields: { Method: m, ResourceType: key ? 'OBJECT' : bucket ? 'BUCKET' : 'SERVICE' },
  });
}

const validation: ValidationErrors = {
  missing: (member) => new AwsError('InvalidRequest', nullMemberMessage(member)),
  invalid: (message) => new AwsError('InvalidArgument', message),
};

/** S3: AWS REST-XML, path-style (or `<bucket>.localhost` virtual hosts). */
export const s3Service: ServiceDefinition<S3State> = {
  name: 's3',
  protocol: new RestXmlProtocol({ xmlNamespace: 'http://s3.amazonaws.com/doc/2006-03-01/', route: routeS3 }),
  errors: validation,
  throttlingError: () => new AwsError('SlowDown', 'Please reduce your request rate.', { status: 503 }),
  internalErrorCode: 'InternalError',
  unknownAction: (action) => s3Errors.notImplemented(action),
  createState: () => ({ buckets: new Map() }),
  operations: { ...bucketOperations, ...objectOperations },
};

/** An object version as the inspector shows it. */
export interface ObjectVersionView {
  readonly key: string;
  readonly versionId: string;
  readonly isDeleteMarker: boolean;
  readonly isLatest: boolean;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** In-process access to S3 for tests and drills. Everything returned is a copy. */
export class S3Inspector {
  constructor(private readonly state: () => S3State) {}

  buckets(): Array<{ name: string; region: string; versioning: VersioningStatus }> {
    return [...this.state().buckets.values()].map((b) => ({
      name: b.Name,
      region: b.Region,
      versioning: b.Versioning,
    }));
  }

  /** Current keys of a bucket (delete-marked keys excluded), sorted. */
  keys(bucket: string): string[] {
    const b = this.bucket(bucket);
    return [...b.objects.entries()]
      .filter(([, v]) => v.at(-1)?.IsDeleteMarker === false)
      .map(([k]) => k)
      .sort();
  }

  /** Every version of a key, newest first, delete markers included. */
  versions(bucket: string, key: string): ObjectVersionView[] {
    const versions = this.bucket(bucket).objects.get(key) ?? [];
    return versions.map((v, i) => view(v, i === versions.length - 1)).reverse();
  }

  /** An object's bytes (the latest, or one version); undefined when absent or delete-marked. */
  body(bucket: string, key: string, versionId?: string): Buffer | undefined {
    const versions = this.bucket(bucket).objects.get(key) ?? [];
    const v = versionId === undefined ? versions.at(-1) : versions.find((x) => x.VersionId === versionId);
    return v && !v.IsDeleteMarker ? Buffer.from(v.Body) : undefined;
  }

  /** An object's body as UTF-8 text. */
  text(bucket: string, key: string, versionId?: string): string | undefined {
    return this.body(bucket, key, versionId)?.toString('utf8');
  }

  private bucket(name: string): Bucket {
    const b = this.state().buckets.get(name);
    if (!b) throw new Error(`No bucket ${name} in the emulator`);
    return b;
  }
}

function view(v: ObjectVersion, isLatest: boolean): ObjectVersionView {
  return {
    key: v.Key,
    versionId: v.VersionId,
    isDeleteMarker: v.IsDeleteMarker,
    isLatest,
    etag: v.ETag,
    size: v.Body.length,
    lastModified: new Date(v.LastModified),
    contentType: v.ContentType,
    metadata: { ...v.Metadata },
  };
}
