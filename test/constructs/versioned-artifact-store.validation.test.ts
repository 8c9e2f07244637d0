import {
  ObjectLockMode,
  ReplicationStorageClass,
  StoreEncryption,
  VersionedArtifactStore,
  type VersionedArtifactStoreProps,
} from '../../index';
import { expectValidationError } from '../support/validation';
import { newStack } from '../support/synth';
import { KMS_KEY_ARN, REPLICA_KMS_KEY_ARN } from './fixtures';

function define(props: VersionedArtifactStoreProps): void {
  const { stack } = newStack();
  new VersionedArtifactStore(stack, 'Store', props);
}

const REPLICA = 'arn:aws:s3:::checkout-replica';

// One row per rule: the props that break it, the prop the error must name, a stable message fragment.
const cases: [string, VersionedArtifactStoreProps, string, RegExp][] = [
  [
    'the bucket name has upper-case letters',
    { bucketName: 'Checkout-Artifacts' },
    'bucketName',
    /got 'Checkout-Artifacts'; must be 3-63 lowercase letters/,
  ],
  ['the bucket name is too short', { bucketName: 'ab' }, 'bucketName', /must be 3-63 lowercase letters/],
  [
    'the bucket name is too long',
    { bucketName: 'a'.repeat(64) },
    'bucketName',
    /must be 3-63 lowercase letters/,
  ],
  ['the bucket name has dots', { bucketName: 'checkout.artifacts' }, 'bucketName', /dots are not allowed/],
  [
    'the bucket name uses a reserved prefix',
    { bucketName: 'xn--checkout' },
    'bucketName',
    /must be 3-63 lowercase letters/,
  ],
  [
    'the service name is invalid',
    { serviceName: '-checkout' },
    'serviceName',
    /must be 1-40 lowercase letters/,
  ],
  [
    'the encryption is unknown',
    { encryption: 'des' as StoreEncryption },
    'encryption',
    /got 'des'; must be one of 'kms', 's3'/,
  ],
  [
    'a KMS key is given with SSE-S3',
    { encryption: StoreEncryption.S3, kmsKeyArn: KMS_KEY_ARN },
    'kmsKeyArn',
    /only applies with encryption 'kms'/,
  ],
  ['the KMS key ARN is malformed', { kmsKeyArn: 'alias/mine' }, 'kmsKeyArn', /must be a KMS key ARN/],
  [
    'the KMS key is an alias ARN, which IAM grants cannot name',
    { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:alias/artifacts' },
    'kmsKeyArn',
    /not an alias: IAM grants on the store name the key/,
  ],
  [
    'fewer than 1 noncurrent version is kept',
    { noncurrentVersionsToKeep: 0 },
    'noncurrentVersionsToKeep',
    /got 0; must be an integer from 1 to 100/,
  ],
  [
    'more than 100 noncurrent versions are kept',
    { noncurrentVersionsToKeep: 101 },
    'noncurrentVersionsToKeep',
    /from 1 to 100/,
  ],
  [
    'noncurrent versions are retained less than a day',
    { noncurrentVersionRetentionDays: 0 },
    'noncurrentVersionRetentionDays',
    /got 0; must be an integer from 1 to 36500/,
  ],
  [
    'stale uploads are aborted after 0 days',
    { abortIncompleteMultipartUploadDays: 0 },
    'abortIncompleteMultipartUploadDays',
    /from 1 to 36500/,
  ],
  [
    'object lock has no default retention',
    { objectLock: { mode: ObjectLockMode.GOVERNANCE } },
    'objectLock',
    /give exactly one of objectLock.retentionDays and objectLock.retentionYears/,
  ],
  [
    'object lock has both retention units',
    { objectLock: { mode: ObjectLockMode.GOVERNANCE, retentionDays: 1, retentionYears: 1 } },
    'objectLock',
    /exactly one of/,
  ],
  [
    'object lock retention is below 1 day',
    { objectLock: { mode: ObjectLockMode.COMPLIANCE, retentionDays: 0 } },
    'objectLock.retentionDays',
    /got 0; must be an integer from 1/,
  ],
  [
    'object lock retention is below 1 year',
    { objectLock: { mode: ObjectLockMode.COMPLIANCE, retentionYears: 0 } },
    'objectLock.retentionYears',
    /from 1 to 100/,
  ],
  [
    'the object lock mode is unknown',
    { objectLock: { mode: 'STRICT' as ObjectLockMode, retentionDays: 1 } },
    'objectLock.mode',
    /got 'STRICT'; must be one of 'GOVERNANCE', 'COMPLIANCE'/,
  ],
  [
    'the replica storage class is unknown',
    {
      encryption: StoreEncryption.S3,
      replication: { destinationBucketArn: REPLICA, storageClass: 'COLD' as ReplicationStorageClass },
    },
    'replication.storageClass',
    /got 'COLD'; must be one of 'STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'/,
  ],
  [
    'the store logs to itself',
    { bucketName: 'checkout-artifacts', accessLogging: { targetBucket: 'checkout-artifacts' } },
    'accessLogging.targetBucket',
    /must not log to itself/,
  ],
  [
    'the log bucket name is invalid',
    { accessLogging: { targetBucket: 'Logs' } },
    'accessLogging.targetBucket',
    /must be a bucket name/,
  ],
  [
    'the replica bucket ARN is malformed',
    { encryption: StoreEncryption.S3, replication: { destinationBucketArn: 'checkout-replica' } },
    'replication.destinationBucketArn',
    /must be a bucket ARN/,
  ],
  [
    'the store replicates to itself',
    {
      encryption: StoreEncryption.S3,
      bucketName: 'checkout-replica',
      replication: { destinationBucketArn: REPLICA },
    },
    'replication.destinationBucketArn',
    /cannot replicate to itself/,
  ],
  [
    'SSE-KMS objects are replicated without a replica key',
    { replication: { destinationBucketArn: REPLICA } },
    'replication.destinationKmsKeyArn',
    /needs the KMS key to encrypt replicas with/,
  ],
  [
    'a replica key is given with SSE-S3',
    {
      encryption: StoreEncryption.S3,
      replication: { destinationBucketArn: REPLICA, destinationKmsKeyArn: REPLICA_KMS_KEY_ARN },
    },
    'replication.destinationKmsKeyArn',
    /only applies with encryption 'kms'/,
  ],
];

describe('VersionedArtifactStore validation', () => {
  it.each(cases)('fails at synth when %s', (_rule, props, prop, message) => {
    expectValidationError(() => define(props), 'test/Store', prop, message);
  });

  it('accepts every boundary value', () => {
    expect(() =>
      define({
        bucketName: 'a1b',
        noncurrentVersionsToKeep: 100,
        noncurrentVersionRetentionDays: 1,
        abortIncompleteMultipartUploadDays: 1,
        objectLock: { mode: ObjectLockMode.GOVERNANCE, retentionYears: 100 },
      }),
    ).not.toThrow();
  });
});
