import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import {
  ObjectLockMode,
  ReplicationStorageClass,
  StoreAccess,
  StoreEncryption,
  VersionedArtifactStore,
  type VersionedArtifactStoreProps,
} from '../../index';
import {
  blockAt,
  blocksOfType,
  refTo,
  resolveIn,
  synth,
  synthStack,
  newStack,
  type SynthesizedStack,
} from '../support/synth';
import { KMS_KEY_ARN, REPLICA_KMS_KEY_ARN } from './fixtures';

function synthStore(props: VersionedArtifactStoreProps = {}): {
  json: SynthesizedStack;
  store: VersionedArtifactStore;
} {
  let store: VersionedArtifactStore | undefined;
  const json = synth((stack) => {
    store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout', ...props });
  });
  return { json, store: store as VersionedArtifactStore };
}

const bucketId = (json: SynthesizedStack) => refTo(json, 'aws_s3_bucket', 'Store/Bucket', 'id');
const bucketArn = (json: SynthesizedStack) => refTo(json, 'aws_s3_bucket', 'Store/Bucket', 'arn');

function roleWithGrants(
  grant: (store: VersionedArtifactStore, role: IamRole) => void,
  props: VersionedArtifactStoreProps = {},
) {
  const { stack } = newStack();
  const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout', ...props });
  const role = new IamRole(stack, 'Deployer', { name: 'deployer', assumeRolePolicy: '{}' });
  grant(store, role);
  return { json: synthStack(stack), store, role, stack };
}

describe('VersionedArtifactStore defaults', () => {
  it('defines a private, versioned bucket with a generated name', () => {
    const { json } = synthStore();

    expect(blockAt(json, 'aws_s3_bucket', 'Store/Bucket')).toEqual(
      expect.objectContaining({ bucket_prefix: 'checkout-artifacts-', force_destroy: false }),
    );
    expect(blockAt(json, 'aws_s3_bucket', 'Store/Bucket')).not.toHaveProperty('object_lock_enabled');
    expect(blockAt(json, 'aws_s3_bucket_versioning', 'Store/Versioning')).toEqual(
      expect.objectContaining({ bucket: bucketId(json), versioning_configuration: { status: 'Enabled' } }),
    );
    expect(blockAt(json, 'aws_s3_bucket_public_access_block', 'Store/PublicAccessBlock')).toEqual(
      expect.objectContaining({
        bucket: bucketId(json),
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    );
    expect(blockAt(json, 'aws_s3_bucket_ownership_controls', 'Store/OwnershipControls')).toEqual(
      expect.objectContaining({ rule: { object_ownership: 'BucketOwnerEnforced' } }),
    );
  });

  it('encrypts with SSE-KMS under a defined key with rotation, using a bucket key', () => {
    const { json } = synthStore();

    const key = blockAt(json, 'aws_kms_key', 'Store/Key');
    expect(key).toEqual(expect.objectContaining({ enable_key_rotation: true, deletion_window_in_days: 30 }));
    // The key policy is written on the key (reviewable with the stack): the account administers it.
    const account = refTo(json, 'aws_caller_identity', 'Store/Account', 'account_id', 'data');
    const partition = refTo(json, 'aws_partition', 'Store/Partition', 'partition', 'data');
    expect(JSON.parse(key.policy as string).Statement).toEqual([
      {
        Sid: 'AccountAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ]);
    expect(
      blockAt(json, 'aws_s3_bucket_server_side_encryption_configuration', 'Store/Encryption').rule,
    ).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: 'aws:kms',
          kms_master_key_id: refTo(json, 'aws_kms_key', 'Store/Key', 'arn'),
        },
        bucket_key_enabled: true,
      },
    ]);
  });

  it('denies requests without TLS, or with TLS older than 1.2, on the bucket and its objects', () => {
    const { json } = synthStore();

    const policy = blockAt(json, 'aws_s3_bucket_policy', 'Store/Policy');
    expect(policy.policy).toBe(
      refTo(json, 'aws_iam_policy_document', 'Store/TlsOnlyPolicyDocument', 'json', 'data'),
    );
    expect(policy.depends_on).toEqual([expect.stringContaining('aws_s3_bucket_public_access_block.')]);
    const statements = blockAt(json, 'aws_iam_policy_document', 'Store/TlsOnlyPolicyDocument', 'data')
      .statement as Record<string, unknown>[];
    expect(statements).toEqual([
      expect.objectContaining({
        effect: 'Deny',
        actions: ['s3:*'],
        principals: [{ type: '*', identifiers: ['*'] }],
        resources: [bucketArn(json), `${bucketArn(json)}/*`],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      }),
      expect.objectContaining({
        effect: 'Deny',
        condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
      }),
    ]);
  });

  it('keeps the last 10 noncurrent versions, expires older ones after 90 days and aborts stale uploads', () => {
    const { json } = synthStore();

    const lifecycle = blockAt(json, 'aws_s3_bucket_lifecycle_configuration', 'Store/Lifecycle');
    expect(lifecycle.rule).toEqual([
      expect.objectContaining({
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrent_version_expiration: [{ newer_noncurrent_versions: 10, noncurrent_days: 90 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        expiration: [{ expired_object_delete_marker: true }],
      }),
    ]);
    expect(lifecycle.depends_on).toEqual([expect.stringContaining('aws_s3_bucket_versioning.')]);
  });

  it('defines no object lock, logging or replication unless asked', () => {
    const { json } = synthStore();

    expect(blocksOfType(json, 'aws_s3_bucket_object_lock_configuration')).toHaveLength(0);
    expect(blocksOfType(json, 'aws_s3_bucket_logging')).toHaveLength(0);
    expect(blocksOfType(json, 'aws_s3_bucket_replication_configuration')).toHaveLength(0);
    expect(blocksOfType(json, 'aws_iam_role')).toHaveLength(0);
  });

  it('exposes its key layout and what a watchdog needs: bucket name, ARN and key', () => {
    const { json, store } = synthStore();

    expect(store.keyPrefixes).toEqual({
      artifacts: 'artifacts/',
      manifests: 'manifests/',
      config: 'config/',
      audit: 'audit/',
    });
    expect(resolveIn(store, [store.bucketName, store.bucketArn, store.kmsKeyArn])).toEqual([
      refTo(json, 'aws_s3_bucket', 'Store/Bucket', 'bucket'),
      bucketArn(json),
      refTo(json, 'aws_kms_key', 'Store/Key', 'arn'),
    ]);
    expect(store.encryption).toBe(StoreEncryption.KMS);
  });
});

describe('VersionedArtifactStore options', () => {
  it('uses a given bucket name and KMS key without defining a key', () => {
    const { json, store } = synthStore({ bucketName: 'checkout-artifacts-prod', kmsKeyArn: KMS_KEY_ARN });

    expect(blockAt(json, 'aws_s3_bucket', 'Store/Bucket').bucket).toBe('checkout-artifacts-prod');
    expect(blocksOfType(json, 'aws_kms_key')).toHaveLength(0);
    expect(store.kmsKeyArn).toBe(KMS_KEY_ARN);
    const [rule] = blockAt(json, 'aws_s3_bucket_server_side_encryption_configuration', 'Store/Encryption')
      .rule as Record<string, unknown>[];
    expect(rule.apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: 'aws:kms',
      kms_master_key_id: KMS_KEY_ARN,
    });
  });

  it('uses SSE-S3 when asked, with no key', () => {
    const { json, store } = synthStore({ encryption: StoreEncryption.S3 });

    expect(blocksOfType(json, 'aws_kms_key')).toHaveLength(0);
    expect(store.kmsKeyArn).toBeUndefined();
    expect(
      blockAt(json, 'aws_s3_bucket_server_side_encryption_configuration', 'Store/Encryption').rule,
    ).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
  });

  it('sets the lifecycle from the retention props', () => {
    const { json } = synthStore({
      noncurrentVersionsToKeep: 3,
      noncurrentVersionRetentionDays: 14,
      abortIncompleteMultipartUploadDays: 2,
    });

    const [rule] = blockAt(json, 'aws_s3_bucket_lifecycle_configuration', 'Store/Lifecycle').rule as Record<
      string,
      unknown
    >[];
    expect(rule.noncurrent_version_expiration).toEqual([
      { newer_noncurrent_versions: 3, noncurrent_days: 14 },
    ]);
    expect(rule.abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 2 }]);
  });

  it('turns on object lock at bucket creation with a default retention', () => {
    const { json } = synthStore({ objectLock: { mode: ObjectLockMode.COMPLIANCE, retentionDays: 30 } });

    expect(blockAt(json, 'aws_s3_bucket', 'Store/Bucket').object_lock_enabled).toBe(true);
    const lock = blockAt(json, 'aws_s3_bucket_object_lock_configuration', 'Store/ObjectLock');
    expect(lock).toEqual(
      expect.objectContaining({
        bucket: bucketId(json),
        rule: { default_retention: { mode: 'COMPLIANCE', days: 30 } },
      }),
    );
    expect(lock.depends_on).toEqual([expect.stringContaining('aws_s3_bucket_versioning.')]);
  });

  it('logs access to another bucket under the service prefix', () => {
    const { json } = synthStore({ accessLogging: { targetBucket: 'org-access-logs' } });

    expect(blockAt(json, 'aws_s3_bucket_logging', 'Store/AccessLogging')).toEqual(
      expect.objectContaining({
        bucket: bucketId(json),
        target_bucket: 'org-access-logs',
        target_prefix: 'checkout/',
      }),
    );
  });

  it('replicates every version to another bucket with a role scoped to both buckets and keys', () => {
    const destination = 'arn:aws:s3:::checkout-artifacts-replica';
    const { json, store } = synthStore({
      replication: { destinationBucketArn: destination, destinationKmsKeyArn: REPLICA_KMS_KEY_ARN },
    });

    const replication = blockAt(json, 'aws_s3_bucket_replication_configuration', 'Store/Replication');
    expect(replication).toEqual(
      expect.objectContaining({
        bucket: bucketId(json),
        role: refTo(json, 'aws_iam_role', 'Store/ReplicationRole', 'arn'),
        rule: [
          expect.objectContaining({
            status: 'Enabled',
            delete_marker_replication: { status: 'Enabled' },
            destination: {
              bucket: destination,
              storage_class: 'STANDARD',
              encryption_configuration: { replica_kms_key_id: REPLICA_KMS_KEY_ARN },
            },
            source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
          }),
        ],
      }),
    );
    expect(replication.depends_on).toEqual([expect.stringContaining('aws_s3_bucket_versioning.')]);
    expect(store.replicationRole).toBeDefined();

    const trust = blockAt(json, 'aws_iam_policy_document', 'Store/ReplicationTrust', 'data')
      .statement as Record<string, unknown>[];
    expect(trust).toEqual([
      expect.objectContaining({ principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }] }),
    ]);
    const permissions = blockAt(json, 'aws_iam_policy_document', 'Store/ReplicationPermissions', 'data')
      .statement as Record<string, unknown>[];
    const keyArn = refTo(json, 'aws_kms_key', 'Store/Key', 'arn');
    expect(permissions).toEqual([
      expect.objectContaining({
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: [bucketArn(json)],
      }),
      expect.objectContaining({ resources: [`${bucketArn(json)}/*`] }),
      expect.objectContaining({
        actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        resources: [`${destination}/*`],
      }),
      expect.objectContaining({ actions: ['kms:Decrypt'], resources: [keyArn] }),
      expect.objectContaining({
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [REPLICA_KMS_KEY_ARN],
      }),
    ]);
    // Nothing in the replication role is granted on every resource.
    expect(permissions.flatMap((s) => s.resources as string[])).not.toContain('*');
  });

  it('replicates with a given role and defines none', () => {
    const roleArn = 'arn:aws:iam::123456789012:role/replicator';
    const { json } = synthStore({
      encryption: StoreEncryption.S3,
      replication: {
        destinationBucketArn: 'arn:aws:s3:::replica',
        roleArn,
        replicateDeleteMarkers: false,
        storageClass: ReplicationStorageClass.GLACIER_IR,
      },
    });

    expect(blocksOfType(json, 'aws_iam_role')).toHaveLength(0);
    const replication = blockAt(json, 'aws_s3_bucket_replication_configuration', 'Store/Replication');
    expect(replication.role).toBe(roleArn);
    expect((replication.rule as Record<string, unknown>[])[0]).toEqual(
      expect.objectContaining({
        delete_marker_replication: { status: 'Disabled' },
        destination: { bucket: 'arn:aws:s3:::replica', storage_class: 'GLACIER_IR' },
      }),
    );
    expect((replication.rule as Record<string, unknown>[])[0]).not.toHaveProperty(
      'source_selection_criteria',
    );
  });
});

describe('VersionedArtifactStore grants', () => {
  it('grants read on one prefix: objects under it, listing limited to it, and decrypt on the store key', () => {
    const { json } = roleWithGrants((store, role) => store.grantRead(role, 'manifests/'));

    const policy = blocksOfType(json, 'aws_iam_role_policy');
    expect(policy).toHaveLength(1);
    expect(policy[0][1]).toEqual(
      expect.objectContaining({
        role: refTo(json, 'aws_iam_role', 'Deployer', 'name'),
        name: expect.stringMatching(/^switchback-checkout-read-manifests-[0-9a-f]{6}$/),
      }),
    );
    const [[, document]] = blocksOfType(json, 'aws_iam_policy_document', 'data').filter(([id]) =>
      id.includes('read-manifests'),
    );
    expect(document.statement).toEqual([
      {
        sid: 'ReadObjects',
        effect: 'Allow',
        actions: ['s3:GetObject'],
        resources: [`${bucketArn(json)}/manifests/*`],
      },
      {
        sid: 'ListPrefix',
        effect: 'Allow',
        actions: ['s3:ListBucket'],
        resources: [bucketArn(json)],
        condition: [{ test: 'StringLike', variable: 's3:prefix', values: ['manifests/*'] }],
      },
      {
        sid: 'StoreKey',
        effect: 'Allow',
        actions: ['kms:Decrypt'],
        resources: [refTo(json, 'aws_kms_key', 'Store/Key', 'arn')],
      },
    ]);
  });

  it('grants write on a service sub-prefix with the KMS actions SSE-KMS uploads need', () => {
    const { store } = roleWithGrants(() => undefined);
    const statements = resolveIn(
      store,
      store.policyStatements(StoreAccess.WRITE, 'artifacts/checkout/'),
    ) as Record<string, unknown>[];

    expect(statements).toEqual([
      expect.objectContaining({
        actions: ['s3:PutObject'],
        resources: [expect.stringMatching(/\.arn}\/artifacts\/checkout\/\*$/)],
      }),
      expect.objectContaining({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'] }),
    ]);
  });

  it('grants reading versions with ListBucketVersions limited to the prefix, and no KMS statement under SSE-S3', () => {
    const { store } = roleWithGrants(() => undefined, { encryption: StoreEncryption.S3 });
    const statements = resolveIn(
      store,
      store.policyStatements(StoreAccess.READ_VERSIONS, 'audit/'),
    ) as Record<string, unknown>[];

    expect(statements).toEqual([
      expect.objectContaining({ actions: ['s3:GetObject', 's3:GetObjectVersion'] }),
      expect.objectContaining({
        actions: ['s3:ListBucket', 's3:ListBucketVersions'],
        condition: [{ test: 'StringLike', variable: 's3:prefix', values: ['audit/*'] }],
      }),
    ]);
  });

  it('returns the same policy when the same grant is asked for twice', () => {
    const { json } = roleWithGrants((store, role) => {
      const first = store.grantWrite(role, 'artifacts/');
      expect(store.grantWrite(role, 'artifacts/')).toBe(first);
      store.grantReadVersions(role, 'artifacts/');
    });

    expect(blocksOfType(json, 'aws_iam_role_policy')).toHaveLength(2);
  });

  it('keeps the grants of two stores with the same id on one role apart', () => {
    const { stack } = newStack();
    const role = new IamRole(stack, 'Deployer', { name: 'deployer', assumeRolePolicy: '{}' });
    for (const service of ['checkout', 'catalog']) {
      const scope = new Construct(stack, service);
      new VersionedArtifactStore(scope, 'Store', { serviceName: service }).grantRead(role, 'manifests/');
    }
    const json = synthStack(stack);

    const policies = blocksOfType(json, 'aws_iam_role_policy').map(([, policy]) => policy.name as string);
    expect(policies).toHaveLength(2);
    expect(new Set(policies).size).toBe(2);
  });

  it.each(['', '/artifacts/', 'artifacts', 'artifacts/*', 'a/b?/'])(
    'refuses to grant on the prefix %p',
    (prefix) => {
      const { stack } = newStack();
      const store = new VersionedArtifactStore(stack, 'Store');
      const role = new IamRole(stack, 'Role', { assumeRolePolicy: '{}' });

      expect(() => store.grantRead(role, prefix)).toThrow(
        /Store: invalid prop 'prefix': got .*a grant needs a key prefix ending with '\/'/,
      );
      expect(
        TerraformStack.of(role)
          .node.findAll()
          .some((c) => c.node.id.includes('read')),
      ).toBe(false);
    },
  );
});

describe('VersionedArtifactStore with cdktf matchers', () => {
  it('is found by the Testing matchers cdktf ships', () => {
    const { stack } = newStack();
    new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout', encryption: StoreEncryption.S3 });
    const synthesized = Testing.synth(stack);

    expect(synthesized).toHaveResourceWithProperties(S3BucketVersioningA, {
      versioning_configuration: { status: 'Enabled' },
    });
    expect(synthesized).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      restrict_public_buckets: true,
    });
    expect(synthesized).not.toHaveResource(KmsKey);
  });
});
