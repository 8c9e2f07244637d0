import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { STORE_KEY_PREFIXES } from '../lib';
import type { ArtifactStoreAttributes, IArtifactStore } from './contracts';
import { STORE_GRANT_PREFIX, storePrefixStatements } from './internal/store-access';
import { accountKeyPolicy } from './internal/key-policy';
import { sanitizeName, shortHash } from './internal/names';
import { defaultServiceName } from './internal/service-name';
import { PropValidator, SwitchbackValidationError } from './internal/validation';
import { inOwnFramework } from './internal/framework';
import {
  StoreAccess,
  StoreEncryption,
  type StoreKeyPrefixes,
  type VersionedArtifactStoreProps,
} from './store/props';
import { defineReplication } from './store/replication';
import { validateStore, validateStoreAttributes } from './store/validation';

// The props live in ./store/props; they stay importable from here.
export {
  ObjectLockMode,
  ReplicationStorageClass,
  StoreAccess,
  StoreEncryption,
  type AccessLoggingOptions,
  type ObjectLockOptions,
  type ReplicationOptions,
  type StoreKeyPrefixes,
  type VersionedArtifactStoreOptions,
  type VersionedArtifactStoreProps,
} from './store/props';

const BUCKET_PREFIX_MAX_LENGTH = 37;

/**
 * An S3 bucket for release artifacts, release manifests, the watchdog's configuration and its audit
 * trail: versioned, encrypted (SSE-KMS by default), private (public access blocked, ACLs disabled),
 * TLS-only, with a lifecycle that keeps the last N noncurrent versions and aborts stale uploads.
 *
 * Keys are laid out under `artifacts/`, `manifests/`, `config/` and `audit/` ({@link keyPrefixes}).
 * Versioning is always on: rollbacks restore object versions, and object lock requires it.
 */
export class VersionedArtifactStore extends Construct implements IArtifactStore {
  /**
   * A store defined elsewhere (another stack, another tool), by its bucket name, for a watchdog or a
   * listener's rollback hold to use. The attributes are checked now, like props. The bucket's ARN is
   * built with the partition of the stack's AWS provider (an `aws_partition` data source), so the
   * reference is right in GovCloud and China too; the bucket must be in the same partition.
   */
  public static fromArtifactStoreAttributes(
    scope: Construct,
    id: string,
    attrs: ArtifactStoreAttributes,
  ): IArtifactStore {
    return new ImportedArtifactStore(scope, id, attrs);
  }

  /** The bucket. */
  public readonly bucket: S3Bucket;
  /** The bucket's name (known after apply when generated). */
  public readonly bucketName: string;
  /** The bucket's ARN. */
  public readonly bucketArn: string;
  /** How objects are encrypted at rest. */
  public readonly encryption: StoreEncryption;
  /** The KMS key defined for the store, when `encryption` is `StoreEncryption.KMS` and no key was given. */
  public readonly kmsKey?: KmsKey;
  /** The ARN of the KMS key objects are encrypted with, when `encryption` is `StoreEncryption.KMS`. */
  public readonly kmsKeyArn?: string;
  /** The versioning configuration; resources that write versions should depend on it. */
  public readonly versioning: S3BucketVersioningA;
  /** The role S3 replicates with, when replication is on and no role was given. */
  public readonly replicationRole?: IamRole;
  /** The key layout of the store: the top-level prefix of each area. */
  public readonly keyPrefixes: StoreKeyPrefixes = { ...STORE_KEY_PREFIXES };
  /** The service name. */
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: VersionedArtifactStoreProps = {}) {
    super(inOwnFramework(scope, 'VersionedArtifactStore', id), id);
    const check = new PropValidator(this);
    this.serviceName = props.serviceName ?? defaultServiceName(id);
    this.encryption = props.encryption ?? StoreEncryption.KMS;
    validateStore(check, this.serviceName, this.encryption, props);

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

    if (this.encryption === StoreEncryption.KMS) {
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
        this.encryption === StoreEncryption.KMS
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
      this.replicationRole = defineReplication(
        {
          scope: this,
          serviceName: this.serviceName,
          bucketId: this.bucket.id,
          bucketArn: this.bucketArn,
          kmsKeyArn: this.kmsKeyArn,
          versioning: this.versioning,
        },
        props.replication,
      );
    }
  }

  /**
   * The IAM statements that give `access` to the keys under `prefix` (which ends with `/`, e.g.
   * `manifests/` or `audit/checkout/`), including the KMS permissions SSE-KMS needs. Use them in your
   * own policy documents; {@link grant} attaches them to a role for you.
   */
  public policyStatements(access: StoreAccess, prefix: string): DataAwsIamPolicyDocumentStatement[] {
    new PropValidator(this).oneOf('access', access, Object.values(StoreAccess));
    this.validateGrantPrefix(prefix);
    return storePrefixStatements(this, access, prefix);
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
    return this.grant(role, StoreAccess.READ, prefix);
  }

  /** Lets `role` write objects under `prefix`. */
  public grantWrite(role: IamRole, prefix: string): IamRolePolicy {
    return this.grant(role, StoreAccess.WRITE, prefix);
  }

  /** Lets `role` list and read every version of the objects under `prefix`. */
  public grantReadVersions(role: IamRole, prefix: string): IamRolePolicy {
    return this.grant(role, StoreAccess.READ_VERSIONS, prefix);
  }

  private validateGrantPrefix(prefix: string): void {
    if (!STORE_GRANT_PREFIX.test(prefix)) {
      throw new SwitchbackValidationError(
        this.node.path,
        'prefix',
        `got '${prefix}'; a grant needs a key prefix ending with '/', without wildcards or a leading '/', such as '${STORE_KEY_PREFIXES.manifests}' or '${STORE_KEY_PREFIXES.audit}checkout/'.`,
      );
    }
  }
}

/** A store defined elsewhere: its attributes, checked, and its bucket's ARN in the provider's partition. */
class ImportedArtifactStore extends Construct implements IArtifactStore {
  public readonly serviceName: string;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly kmsKeyArn?: string;

  constructor(scope: Construct, id: string, attrs: ArtifactStoreAttributes) {
    super(inOwnFramework(scope, 'VersionedArtifactStore', id), id);
    validateStoreAttributes(new PropValidator(this), attrs);
    this.serviceName = attrs.serviceName;
    this.bucketName = attrs.bucketName;
    this.kmsKeyArn = attrs.kmsKeyArn;
    const partition = new DataAwsPartition(this, 'Partition').partition;
    this.bucketArn = `arn:${partition}:s3:::${attrs.bucketName}`;
  }
}
