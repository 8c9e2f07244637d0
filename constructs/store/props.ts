/** What a VersionedArtifactStore is given: its name, encryption, retention, object lock, logging and replication. */

/** How objects in the store are encrypted at rest. */
export enum StoreEncryption {
  /** SSE-KMS, with an S3 bucket key. */
  KMS = 'kms',
  /** SSE-S3 (AES-256 under keys S3 manages). */
  S3 = 's3',
}

/** The access a grant gives to a key prefix of the store. */
export enum StoreAccess {
  /** Read the current objects under the prefix and list it. */
  READ = 'read',
  /** Write objects under the prefix. */
  WRITE = 'write',
  /** Read and list every version of the objects under the prefix. */
  READ_VERSIONS = 'readVersions',
}

/** How strictly object lock holds an object version for its retention period. */
export enum ObjectLockMode {
  /** Users with `s3:BypassGovernanceRetention` can still delete or shorten early. */
  GOVERNANCE = 'GOVERNANCE',
  /** Nobody can, not even the account root, until retention ends. */
  COMPLIANCE = 'COMPLIANCE',
}

/** The storage class replicas are written in. */
export enum ReplicationStorageClass {
  /** S3 Standard. */
  STANDARD = 'STANDARD',
  /** S3 Standard-Infrequent Access. */
  STANDARD_IA = 'STANDARD_IA',
  /** S3 One Zone-Infrequent Access. */
  ONEZONE_IA = 'ONEZONE_IA',
  /** S3 Intelligent-Tiering. */
  INTELLIGENT_TIERING = 'INTELLIGENT_TIERING',
  /** S3 Glacier Instant Retrieval. */
  GLACIER_IR = 'GLACIER_IR',
  /** S3 Glacier Flexible Retrieval. */
  GLACIER = 'GLACIER',
  /** S3 Glacier Deep Archive. */
  DEEP_ARCHIVE = 'DEEP_ARCHIVE',
}

/**
 * The store's key layout: the top-level prefix of each area, each ending with `/`. Use them to build
 * grant prefixes (`${store.keyPrefixes.artifacts}checkout/`).
 */
export interface StoreKeyPrefixes {
  /** Release artifacts, one object version per release: `artifacts/`. */
  readonly artifacts: string;
  /** Release manifests, the way back captured before each release: `manifests/`. */
  readonly manifests: string;
  /** The watchdog's configuration, written at deploy time: `config/`. */
  readonly config: string;
  /** One audit record per watchdog decision: `audit/`. */
  readonly audit: string;
}

/** Object lock: every object version is write-once for a retention period. */
export interface ObjectLockOptions {
  /**
   * `GOVERNANCE`: users with `s3:BypassGovernanceRetention` can still delete early.
   * `COMPLIANCE`: nobody can, not even the account root, until retention ends.
   */
  readonly mode: ObjectLockMode;
  /** The default retention in days. Give this or `retentionYears`. @default - none */
  readonly retentionDays?: number;
  /** The default retention in years. Give this or `retentionDays`. @default - none */
  readonly retentionYears?: number;
}

/** Server access logging to another bucket. */
export interface AccessLoggingOptions {
  /** The name of the bucket that receives the logs (it must allow the S3 logging service to write). */
  readonly targetBucket: string;
  /** The key prefix of the log objects. @default - '<serviceName>/' */
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
  /** The storage class of the replicas. @default ReplicationStorageClass.STANDARD */
  readonly storageClass?: ReplicationStorageClass;
  /** Whether delete markers are replicated too. @default true */
  readonly replicateDeleteMarkers?: boolean;
  /** An IAM role S3 assumes to replicate. @default - a role scoped to the two buckets and keys is defined */
  readonly roleArn?: string;
}

/**
 * What can be set on a {@link VersionedArtifactStore} beyond the service it belongs to: `SwitchbackService`
 * takes these as its `store` overrides; {@link VersionedArtifactStoreProps} adds `serviceName`.
 */
export interface VersionedArtifactStoreOptions {
  /**
   * The bucket's name: 3-63 lowercase letters, digits and hyphens (no dots, so TLS works on virtual
   * hosted-style URLs).
   * @default - Terraform generates a unique name starting with '<serviceName>-artifacts-'
   */
  readonly bucketName?: string;
  /**
   * Encryption at rest: `StoreEncryption.KMS` (SSE-KMS with an S3 bucket key) or `StoreEncryption.S3`
   * (SSE-S3).
   * @default StoreEncryption.KMS
   */
  readonly encryption?: StoreEncryption;
  /**
   * The KMS key for SSE-KMS.
   * @default - a key with yearly rotation is defined (when `encryption` is `StoreEncryption.KMS`)
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

/** Props of {@link VersionedArtifactStore}. */
export interface VersionedArtifactStoreProps extends VersionedArtifactStoreOptions {
  /**
   * The service name: lowercase letters, digits and hyphens, 1-40 characters. Prefixes the generated
   * bucket name.
   * @default - the construct id, lowercased, with other characters turned into hyphens
   */
  readonly serviceName?: string;
}
