import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import {
  ARN_PATTERNS,
  BUCKET_NAME_PATTERN,
  SERVICE_NAME_PATTERN,
  STORE_KEY_PREFIXES,
  type StoreConfig,
} from '../lib';
import { accountKeyPolicy } from './internal/key-policy';
import { sanitizeName, shortHash } from './internal/names';
import { isKnown, PropValidator, SwitchbackValidationError } from './internal/validation';
import { inOwnFramework } from './internal/framework';

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

const BUCKET_PREFIX_MAX_LENGTH = 37;
const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9-]{1,61}[a-z0-9])$/;
const GRANT_PREFIX = /^(?:[A-Za-z0-9!_.'()-]+\/)+$/;

/**
 * An S3 bucket for release artifacts, release manifests, the watchdog's configuration and its audit
 * trail: versioned, encrypted (SSE-KMS by default), private (public access blocked, ACLs disabled),
 * TLS-only, with a lifecycle that keeps the last N noncurrent versions and aborts stale uploads.
 *
 * Keys are laid out under `artifacts/`, `manifests/`, `config/` and `audit/` ({@link keyPrefixes}).
 * Versioning is always on: rollbacks restore object versions, and object lock requires it.
 */
export class VersionedArtifactStore extends Construct {
  /** The bucket. */
  public readonly bucket: S3Bucket;
  /** The bucket's name (known after apply when generated). */
  public readonly bucketName: string;
  /** The bucket's ARN. */
  public readonly bucketArn: string;
  /** How objects are encrypted at rest. */
  public readonly encryption: StoreEncryption;
  /** The KMS key defined for the store, when `encryption` is 'kms' and no key was given. */
  public readonly kmsKey?: KmsKey;
  /** The ARN of the KMS key objects are encrypted with, when `encryption` is 'kms'. */
  public readonly kmsKeyArn?: string;
  /** The versioning configuration; resources that write versions should depend on it. */
  public readonly versioning: S3BucketVersioningA;
  /** The role S3 replicates with, when replication is on and no role was given. */
  public readonly replicationRole?: IamRole;
  /** The key layout of the store. */
  public readonly keyPrefixes = STORE_KEY_PREFIXES;
  /** The service name. */
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: VersionedArtifactStoreProps = {}) {
    super(inOwnFramework(scope, 'VersionedArtifactStore', id), id);
    const check = new PropValidator(this);
    this.serviceName = props.serviceName ?? sanitizeName(id, 40);
    this.encryption = props.encryption ?? 'kms';
    validate(check, this.serviceName, this.encryption, props);

    this.bucket = new S3Bucket(this, 'Bucket', {
      ...(props.bucketName !== undefined
        ? { bucket: props.bucketName }
        : {
            bucketPrefix: `${sanitizeName(this.serviceName, BUCKET_PREFIX_MAX_LENGTH - '-artifacts-'.length)}-artifacts-`,
          }),
      objectLockEnabled: props.objectLock ? true : undefined,
      forceDestroy: props.forceDestroy ?? false,
    });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;

    const publicAccessBlock = new S3BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'OwnershipControls', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });

    this.versioning = new S3BucketVersioningA(this, 'Versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });

    if (this.encryption === 'kms') {
      if (props.kmsKeyArn === undefined) {
        const account = new DataAwsCallerIdentity(this, 'Account');
        this.kmsKey = new KmsKey(this, 'Key', {
          description: `Encrypts the Switchback artifact store of ${this.serviceName}`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: accountKeyPolicy(new DataAwsPartition(this, 'Partition').partition, account.accountId),
        });
      }
      this.kmsKeyArn = props.kmsKeyArn ?? this.kmsKey?.arn;
    }
    new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
      bucket: this.bucket.id,
      rule: [
        this.encryption === 'kms'
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.kmsKeyArn },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
      ],
    });

    const tlsOnly = new DataAwsIamPolicyDocument(this, 'TlsOnlyPolicyDocument', {
      statement: [
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:*'],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
        {
          sid: 'DenyOutdatedTls',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:*'],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
        },
      ],
    });
    new S3BucketPolicy(this, 'Policy', {
      bucket: this.bucket.id,
      policy: tlsOnly.json,
      // S3 rejects a policy put while the public access block is still being applied.
      dependsOn: [publicAccessBlock],
    });

    new S3BucketLifecycleConfiguration(this, 'Lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'keep-recent-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [
            {
              newerNoncurrentVersions: props.noncurrentVersionsToKeep ?? 10,
              noncurrentDays: props.noncurrentVersionRetentionDays ?? 90,
            },
          ],
          abortIncompleteMultipartUpload: [
            { daysAfterInitiation: props.abortIncompleteMultipartUploadDays ?? 7 },
          ],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
      dependsOn: [this.versioning],
    });

    if (props.objectLock) {
      const { mode, retentionDays, retentionYears } = props.objectLock;
      new S3BucketObjectLockConfigurationA(this, 'ObjectLock', {
        bucket: this.bucket.id,
        rule: { defaultRetention: { mode, days: retentionDays, years: retentionYears } },
        dependsOn: [this.versioning],
      });
    }

    if (props.accessLogging) {
      new S3BucketLoggingA(this, 'AccessLogging', {
        bucket: this.bucket.id,
        targetBucket: props.accessLogging.targetBucket,
        targetPrefix: props.accessLogging.targetPrefix ?? `${this.serviceName}/`,
      });
    }

    if (props.replication) {
      this.replicationRole = this.defineReplication(props.replication);
    }
  }

  /** The store's section of the watchdog configuration. */
  public get storeConfig(): StoreConfig {
    return {
      bucket: this.bucketName,
      prefixes: { ...STORE_KEY_PREFIXES },
      ...(this.kmsKeyArn !== undefined ? { kmsKeyArn: this.kmsKeyArn } : {}),
    };
  }

  /**
   * The IAM statements that give `access` to the keys under `prefix` (which ends with `/`, e.g.
   * `manifests/` or `audit/checkout/`), including the KMS permissions SSE-KMS needs. Use them in your
   * own policy documents; {@link grant} attaches them to a role for you.
   */
  public policyStatements(access: StoreAccess, prefix: string): DataAwsIamPolicyDocumentStatement[] {
    this.validateGrantPrefix(prefix);
    const objects = `${this.bucketArn}/${prefix}*`;
    const listCondition = [{ test: 'StringLike', variable: 's3:prefix', values: [`${prefix}*`] }];
    const kms = (actions: string[]): DataAwsIamPolicyDocumentStatement[] =>
      this.kmsKeyArn !== undefined
        ? [{ sid: 'StoreKey', effect: 'Allow', actions, resources: [this.kmsKeyArn] }]
        : [];
    switch (access) {
      case 'read':
        return [
          { sid: 'ReadObjects', effect: 'Allow', actions: ['s3:GetObject'], resources: [objects] },
          {
            sid: 'ListPrefix',
            effect: 'Allow',
            actions: ['s3:ListBucket'],
            resources: [this.bucketArn],
            condition: listCondition,
          },
          ...kms(['kms:Decrypt']),
        ];
      case 'write':
        return [
          { sid: 'WriteObjects', effect: 'Allow', actions: ['s3:PutObject'], resources: [objects] },
          // Multipart uploads with SSE-KMS need Decrypt as well as GenerateDataKey.
          ...kms(['kms:GenerateDataKey', 'kms:Decrypt']),
        ];
      case 'readVersions':
        return [
          {
            sid: 'ReadObjectVersions',
            effect: 'Allow',
            actions: ['s3:GetObject', 's3:GetObjectVersion'],
            resources: [objects],
          },
          {
            sid: 'ListPrefixVersions',
            effect: 'Allow',
            actions: ['s3:ListBucket', 's3:ListBucketVersions'],
            resources: [this.bucketArn],
            condition: listCondition,
          },
          ...kms(['kms:Decrypt']),
        ];
    }
  }

  /**
   * Attaches an inline policy to `role` giving `access` to the keys under `prefix`. Granting the same
   * access to the same prefix twice returns the policy defined the first time.
   */
  public grant(role: IamRole, access: StoreAccess, prefix: string): IamRolePolicy {
    // The store's path hash keeps two stores' grants on one role apart; the rest keeps ids readable.
    const grantName = `${access}-${sanitizeName(prefix, 60)}-${shortHash([this.node.path], 6)}`;
    const id = `${this.node.id}-${grantName}`;
    const existing = role.node.tryFindChild(id);
    if (existing instanceof IamRolePolicy) return existing;
    const document = new DataAwsIamPolicyDocument(role, `${id}-document`, {
      statement: this.policyStatements(access, prefix),
    });
    return new IamRolePolicy(role, id, {
      role: role.name,
      name: `switchback-${sanitizeName(this.serviceName, 40)}-${grantName}`.slice(0, 128),
      policy: document.json,
    });
  }

  /** Lets `role` read the objects under `prefix`. */
  public grantRead(role: IamRole, prefix: string): IamRolePolicy {
    return this.grant(role, 'read', prefix);
  }

  /** Lets `role` write objects under `prefix`. */
  public grantWrite(role: IamRole, prefix: string): IamRolePolicy {
    return this.grant(role, 'write', prefix);
  }

  /** Lets `role` list and read every version of the objects under `prefix`. */
  public grantReadVersions(role: IamRole, prefix: string): IamRolePolicy {
    return this.grant(role, 'readVersions', prefix);
  }

  private validateGrantPrefix(prefix: string): void {
    if (!GRANT_PREFIX.test(prefix)) {
      throw new SwitchbackValidationError(
        this.node.path,
        'prefix',
        `got '${prefix}'; a grant needs a key prefix ending with '/', without wildcards or a leading '/', such as '${STORE_KEY_PREFIXES.manifests}' or '${STORE_KEY_PREFIXES.audit}checkout/'.`,
      );
    }
  }

  private defineReplication(replication: ReplicationOptions): IamRole | undefined {
    const kms = this.kmsKeyArn !== undefined;
    let role: IamRole | undefined;
    if (replication.roleArn === undefined) {
      const trust = new DataAwsIamPolicyDocument(this, 'ReplicationTrust', {
        statement: [
          {
            effect: 'Allow',
            actions: ['sts:AssumeRole'],
            principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }],
          },
        ],
      });
      role = new IamRole(this, 'ReplicationRole', {
        namePrefix: `${sanitizeName(this.serviceName, 20)}-replication-`,
        assumeRolePolicy: trust.json,
      });
      const permissions = new DataAwsIamPolicyDocument(this, 'ReplicationPermissions', {
        statement: [
          {
            sid: 'ReadReplicationConfiguration',
            effect: 'Allow',
            actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
            resources: [this.bucketArn],
          },
          {
            sid: 'ReadSourceVersions',
            effect: 'Allow',
            actions: [
              's3:GetObjectVersionForReplication',
              's3:GetObjectVersionAcl',
              's3:GetObjectVersionTagging',
            ],
            resources: [`${this.bucketArn}/*`],
          },
          {
            sid: 'WriteReplicas',
            effect: 'Allow',
            actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
            resources: [`${replication.destinationBucketArn}/*`],
          },
          ...(kms
            ? [
                {
                  sid: 'DecryptSource',
                  effect: 'Allow',
                  actions: ['kms:Decrypt'],
                  resources: [this.kmsKeyArn as string],
                },
                {
                  sid: 'EncryptReplicas',
                  effect: 'Allow',
                  actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
                  resources: [replication.destinationKmsKeyArn as string],
                },
              ]
            : []),
        ],
      });
      new IamRolePolicy(this, 'ReplicationRolePolicy', {
        role: role.name,
        name: 'replication',
        policy: permissions.json,
      });
    }

    new S3BucketReplicationConfigurationA(this, 'Replication', {
      bucket: this.bucket.id,
      role: replication.roleArn ?? (role as IamRole).arn,
      rule: [
        {
          id: 'replicate-all-versions',
          status: 'Enabled',
          filter: { prefix: '' },
          deleteMarkerReplication: {
            status: (replication.replicateDeleteMarkers ?? true) ? 'Enabled' : 'Disabled',
          },
          destination: {
            bucket: replication.destinationBucketArn,
            storageClass: replication.storageClass ?? 'STANDARD',
            ...(kms
              ? { encryptionConfiguration: { replicaKmsKeyId: replication.destinationKmsKeyArn as string } }
              : {}),
          },
          ...(kms ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } } } : {}),
        },
      ],
      // S3 rejects a replication configuration on a bucket whose versioning is not enabled yet.
      dependsOn: [this.versioning],
    });
    return role;
  }
}

function validate(
  check: PropValidator,
  serviceName: string,
  encryption: StoreEncryption,
  props: VersionedArtifactStoreProps,
): void {
  check.matches(
    'serviceName',
    serviceName,
    SERVICE_NAME_PATTERN,
    'must be 1-40 lowercase letters, digits or hyphens, starting and ending with a letter or digit.',
  );
  check.matches(
    'bucketName',
    props.bucketName,
    BUCKET_NAME_PATTERN,
    'must be 3-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit (dots are not allowed: they break TLS on virtual-hosted URLs).',
  );
  check.oneOf('encryption', props.encryption, ['kms', 's3']);
  if (encryption === 's3' && props.kmsKeyArn !== undefined) {
    check.conflict(
      'kmsKeyArn',
      "a KMS key only applies with encryption 'kms'; remove kmsKeyArn or set encryption to 'kms'.",
    );
  }
  check.matches('kmsKeyArn', props.kmsKeyArn, ARN_PATTERNS.kmsKey, 'must be a KMS key or alias ARN.');

  check.integerInRange('noncurrentVersionsToKeep', props.noncurrentVersionsToKeep, 1, 100);
  check.integerInRange(
    'noncurrentVersionRetentionDays',
    props.noncurrentVersionRetentionDays,
    1,
    36500,
    'days',
  );
  check.integerInRange(
    'abortIncompleteMultipartUploadDays',
    props.abortIncompleteMultipartUploadDays,
    1,
    36500,
    'days',
  );

  if (props.objectLock) {
    const { mode, retentionDays, retentionYears } = props.objectLock;
    check.oneOf('objectLock.mode', mode, ['GOVERNANCE', 'COMPLIANCE']);
    if ((retentionDays === undefined) === (retentionYears === undefined)) {
      check.conflict(
        'objectLock',
        'give exactly one of objectLock.retentionDays and objectLock.retentionYears as the default retention.',
      );
    }
    check.integerInRange('objectLock.retentionDays', retentionDays, 1, 36500);
    check.integerInRange('objectLock.retentionYears', retentionYears, 1, 100);
  }

  if (props.accessLogging) {
    check.matches(
      'accessLogging.targetBucket',
      props.accessLogging.targetBucket,
      BUCKET_NAME_PATTERN,
      'must be a bucket name.',
    );
    if (isKnown(props.bucketName) && props.accessLogging.targetBucket === props.bucketName) {
      check.conflict(
        'accessLogging.targetBucket',
        'a bucket must not log to itself (every log write would be logged again); choose another bucket.',
      );
    }
  }

  const replication = props.replication;
  if (replication) {
    check.matches(
      'replication.destinationBucketArn',
      replication.destinationBucketArn,
      BUCKET_ARN,
      "must be a bucket ARN such as 'arn:aws:s3:::my-replica-bucket'.",
    );
    const destinationName = BUCKET_ARN.exec(replication.destinationBucketArn)?.[1];
    if (isKnown(props.bucketName) && destinationName === props.bucketName) {
      check.conflict(
        'replication.destinationBucketArn',
        'a bucket cannot replicate to itself; give a bucket in another region or account.',
      );
    }
    if (encryption === 'kms' && replication.destinationKmsKeyArn === undefined) {
      check.conflict(
        'replication.destinationKmsKeyArn',
        'replicating SSE-KMS objects needs the KMS key to encrypt replicas with in the destination; set replication.destinationKmsKeyArn.',
      );
    }
    if (encryption === 's3' && replication.destinationKmsKeyArn !== undefined) {
      check.conflict(
        'replication.destinationKmsKeyArn',
        "only applies with encryption 'kms'; remove it or set encryption to 'kms'.",
      );
    }
    check.matches(
      'replication.destinationKmsKeyArn',
      replication.destinationKmsKeyArn,
      ARN_PATTERNS.kmsKey,
      'must be a KMS key ARN.',
    );
  }
}
