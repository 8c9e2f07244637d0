import { AwsError } from '../../core/aws-error';
import { StoredChecksum } from './body';

/** One version of an object (or a delete marker). */
export interface ObjectVersion {
  Key: string;
  /** Opaque; the string `null` for objects written while versioning was off or suspended. */
  VersionId: string;
  IsDeleteMarker: boolean;
  Body: Uint8Array;
  /** Quoted MD5 hex, like S3. */
  ETag: string;
  LastModified: Date;
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  /** `x-amz-meta-*` headers, lowercased, without the prefix. */
  Metadata: Record<string, string>;
  Checksum?: StoredChecksum;
}

export type VersioningStatus = 'Unversioned' | 'Enabled' | 'Suspended';

export interface Bucket {
  Name: string;
  CreationDate: Date;
  Region: string;
  Versioning: VersioningStatus;
  /** Versions oldest first, by key. */
  objects: Map<string, ObjectVersion[]>;
}

export interface S3State {
  buckets: Map<string, Bucket>;
}

export const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'emulator',
};

export const s3Errors = {
  noSuchBucket: (bucket: string) =>
    new AwsError('NoSuchBucket', 'The specified bucket does not exist', {
      status: 404,
      fields: { BucketName: bucket },
    }),
  noSuchKey: (key: string, headers?: Record<string, string>) =>
    new AwsError('NoSuchKey', 'The specified key does not exist.', {
      status: 404,
      fields: { Key: key },
      headers,
    }),
  noSuchVersion: (key: string, versionId: string) =>
    new AwsError('NoSuchVersion', 'The specified version does not exist.', {
      status: 404,
      fields: { Key: key, VersionId: versionId },
    }),
  preconditionFailed: (condition: string) =>
    new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      status: 412,
      fields: { Condition: condition },
    }),
  notImplemented: (what: string) =>
    new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', {
      status: 501,
      fields: { Header: what },
    }),
  malformedXml: () =>
    new AwsError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    ),
  invalidRequest: (message: string) => new AwsError('InvalidRequest', message),
  invalidArgument: (message: string, name: string, value: string) =>
    new AwsError('InvalidArgument', message, { fields: { ArgumentName: name, ArgumentValue: value } }),
};

export function getBucket(state: S3State, name: string): Bucket {
  const bucket = state.buckets.get(name);
  if (!bucket) throw s3Errors.noSuchBucket(name);
  return bucket;
}

/** The current version of a key (possibly a delete marker), or undefined. */
export function latest(bucket: Bucket, key: string): ObjectVersion | undefined {
  return bucket.objects.get(key)?.at(-1);
}
