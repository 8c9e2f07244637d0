/** What a VersionedArtifactStore is given: its name, encryption, retention, object lock, logging and replication. */
/** How objects in the store are encrypted at rest. */
export type StoreEncryption = 'kms' | 's3';

/** The access a grant gives to a key prefix of the store. */
export type StoreAccess = 'read' | 'write' | 'readVersions';

/** Object lock: every object version is write-once for a retention period. */
export interface ObjectLockOptions {
  /**
   * `GOVERNANCE`: users with `s3:BypassGovernanceRetention` can still delete early.
   * `COMPLIANCE`: nobody can, not even the account root, until retention ends.
   */
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** The default retention in days. Give this or `retentionYears`. @default - none */
  readonly retentionDays?: number;
  /** The default retention in years. Give this or `retentionDays`. @default - none */
  readonly retentionYears?: number;
}

/** Server access logging to another bucket. */
export interface AccessLoggingOptions {
  /** The name of the bucket that receives the logs (it must allow the S3 logging service to write). */
  readonly targetBucket: string;
  /** @default - '<serviceName>/' */
  readonly targetPrefix?: string;
}

/** Replication of every object version to a bucket in another region or account. */
export interface ReplicationOptions {
  /** The destination bucket's ARN (`arn:aws:s3:::<name>`); it must have versioning enabled. */
  readonly destinationBucketArn: string;
  /**
   * The KMS key replicas are encrypted with in the destination region. Required when the store uses
   * SSE-KMS. @default - none
   */
  readonly destinationKmsKeyArn?: string;
  /** @default 'STANDARD' */
  readonly storageClass?:
    | 'STANDARD'
    | 'STANDARD_IA'
    | 'ONEZONE_IA'
    | 'INTELLIGENT_TIERING'
    | 'GLACIER_IR'
    | 'GLACIER'
    | 'DEEP_ARCHIVE';
  /** Whether delete markers are replicated too. @default true */
  readonly replicateDeleteMarkers?: boolean;
  /** An IAM role S3 assumes to replicate. @default - a role scoped to the two buckets and keys is defined */
  readonly roleArn?: string;
}

/** Props of {@link VersionedArtifactStore}. */
export interface VersionedArtifactStoreProps {
  /**
   * The service name: lowercase letters, digits and hyphens. Prefixes the generated bucket name.
   * @default - the construct id, lowercased, with other characters turned into hyphens
   */
  readonly serviceName?: string;
  /**
   * The bucket's name: 3-63 lowercase letters, digits and hyphens (no dots, so TLS works on virtual
   * hosted-style URLs).
   * @default - Terraform generates a unique name starting with '<serviceName>-artifacts-'
   */
  readonly bucketName?: string;
  /**
   * Encryption at rest: `kms` (SSE-KMS with an S3 bucket key) or `s3` (SSE-S3).
   * @default 'kms'
   */
  readonly encryption?: StoreEncryption;
  /**
   * The KMS key for SSE-KMS.
   * @default - a key with yearly rotation is defined (when `encryption` is 'kms')
   */
  readonly kmsKeyArn?: string;
  /**
   * How many noncurrent versions of each object are always kept, 1-100. Rollbacks restore these.
   * @default 10
   */
  readonly noncurrentVersionsToKeep?: number;
  /**
   * Days a noncurrent version beyond the newest `noncurrentVersionsToKeep` is kept before expiring.
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: number;
  /** Days before an unfinished multipart upload is aborted and its parts deleted. @default 7 */
  readonly abortIncompleteMultipartUploadDays?: number;
  /** Write-once retention for every object version. @default - no object lock */
  readonly objectLock?: ObjectLockOptions;
  /** Server access logging. @default - no access logging */
  readonly accessLogging?: AccessLoggingOptions;
  /** Replication to another bucket (another region or account). @default - no replication */
  readonly replication?: ReplicationOptions;
  /**
   * Whether `terraform destroy` may delete a bucket that still holds objects.
   * @default false - the store holds the way back; keep it unless asked
   */
  readonly forceDestroy?: boolean;
}
