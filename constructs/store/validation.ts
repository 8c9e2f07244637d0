/** A VersionedArtifactStore's props, checked at synth (throwing on the first bad one, naming the prop). */
import { ARN_PATTERNS, BUCKET_NAME_PATTERN } from '../../lib';
import { checkServiceName } from '../internal/service-name';
import { isKnown, type PropValidator } from '../internal/validation';
import type { ArtifactStoreAttributes } from '../contracts';
import {
  ObjectLockMode,
  ReplicationStorageClass,
  StoreEncryption,
  type VersionedArtifactStoreProps,
} from './props';

/** A bucket ARN; the group is the bucket's name. */
export const BUCKET_ARN = ARN_PATTERNS.bucket;

const BUCKET_NAME_RULE =
  'must be 3-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit (dots are not allowed: they break TLS on virtual-hosted URLs).';
// The store's grants name this key in IAM statements, and IAM never matches a KMS permission against an
// alias ARN: a key ARN only.
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const KMS_KEY_RULE =
  'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias: IAM grants on the store name the key, and IAM never matches KMS permissions on an alias.';

/** Checks a store's props (throwing on the first bad one). */
export function validateStore(
  check: PropValidator,
  serviceName: string,
  encryption: StoreEncryption,
  props: VersionedArtifactStoreProps,
): void {
  checkServiceName(check, serviceName);
  check.matches('bucketName', props.bucketName, BUCKET_NAME_PATTERN, BUCKET_NAME_RULE);
  check.oneOf('encryption', props.encryption, Object.values(StoreEncryption));
  if (encryption === StoreEncryption.S3 && props.kmsKeyArn !== undefined) {
    check.conflict(
      'kmsKeyArn',
      "a KMS key only applies with encryption 'kms'; remove kmsKeyArn or set encryption to 'kms'.",
    );
  }
  check.matches('kmsKeyArn', props.kmsKeyArn, KMS_KEY_ARN, KMS_KEY_RULE);

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
    check.oneOf('objectLock.mode', mode, Object.values(ObjectLockMode));
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
    check.oneOf('replication.storageClass', replication.storageClass, Object.values(ReplicationStorageClass));
    if (encryption === StoreEncryption.KMS && replication.destinationKmsKeyArn === undefined) {
      check.conflict(
        'replication.destinationKmsKeyArn',
        'replicating SSE-KMS objects needs the KMS key to encrypt replicas with in the destination; set replication.destinationKmsKeyArn.',
      );
    }
    if (encryption === StoreEncryption.S3 && replication.destinationKmsKeyArn !== undefined) {
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

/** Checks the attributes of a store defined elsewhere (throwing on the first bad one). */
export function validateStoreAttributes(check: PropValidator, attrs: ArtifactStoreAttributes): void {
  check.required(attrs, ['serviceName', 'bucketName'], 'to use a store defined elsewhere');
  checkServiceName(check, attrs.serviceName);
  check.matches('bucketName', attrs.bucketName, BUCKET_NAME_PATTERN, BUCKET_NAME_RULE);
  check.matches('kmsKeyArn', attrs.kmsKeyArn, KMS_KEY_ARN, KMS_KEY_RULE);
}
