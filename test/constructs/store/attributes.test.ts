import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { TerraformVariable } from 'cdktf';
import {
  StoreAccess,
  VersionedArtifactStore,
  type ArtifactStoreAttributes,
  type IArtifactStore,
} from '../../../index';
import { blocksOfType, newStack, refTo, resolveIn, synthStack } from '../../support/synth';
import { expectValidationError } from '../../support/validation';
import { KMS_KEY_ARN } from '../fixtures';

const ATTRS: ArtifactStoreAttributes = { serviceName: 'checkout', bucketName: 'checkout-artifacts' };

function imported(attrs: Partial<ArtifactStoreAttributes> = {}): IArtifactStore {
  const { stack } = newStack();
  return VersionedArtifactStore.fromArtifactStoreAttributes(stack, 'Imported', { ...ATTRS, ...attrs });
}

describe('VersionedArtifactStore.fromArtifactStoreAttributes', () => {
  it("references the bucket by name, with an ARN in the provider's partition, and defines no resource", () => {
    const { stack } = newStack();
    const store = VersionedArtifactStore.fromArtifactStoreAttributes(stack, 'Imported', {
      ...ATTRS,
      kmsKeyArn: KMS_KEY_ARN,
    });
    const json = synthStack(stack);

    expect(store.node.path).toBe('test/Imported');
    expect(store.serviceName).toBe('checkout');
    expect(store.bucketName).toBe('checkout-artifacts');
    expect(store.kmsKeyArn).toBe(KMS_KEY_ARN);
    const partition = refTo(json, 'aws_partition', 'Imported/Partition', 'partition', 'data');
    expect(resolveIn(store, store.bucketArn)).toBe(`arn:${partition}:s3:::checkout-artifacts`);
    expect(json.resource ?? {}).toEqual({});
  });

  it('takes an SSE-S3 store (no key) and a bucket name only Terraform knows', () => {
    const { stack } = newStack();
    const bucket = new TerraformVariable(stack, 'bucket', { type: 'string' });
    const store = VersionedArtifactStore.fromArtifactStoreAttributes(stack, 'Imported', {
      serviceName: 'checkout',
      bucketName: bucket.stringValue,
    });

    expect(store.kmsKeyArn).toBeUndefined();
    expect(resolveIn(store, store.bucketArn)).toMatch(
      /^arn:\$\{data\.aws_partition\.[^}]+\}:s3:::\$\{var\.bucket\}$/,
    );
  });

  it.each<[string, Partial<ArtifactStoreAttributes>, string, RegExp]>([
    [
      'the service name has upper-case letters',
      { serviceName: 'Checkout' },
      'serviceName',
      /got 'Checkout'; must be 1-40 lowercase letters/,
    ],
    [
      'the bucket name has dots',
      { bucketName: 'checkout.artifacts' },
      'bucketName',
      /got 'checkout.artifacts'; must be 3-63 lowercase letters.*dots are not allowed/,
    ],
    ['the bucket name is too short', { bucketName: 'ab' }, 'bucketName', /must be 3-63 lowercase letters/],
    [
      'the KMS key is not an ARN',
      { kmsKeyArn: 'alias/checkout' },
      'kmsKeyArn',
      /got 'alias\/checkout'; must be a KMS key ARN/,
    ],
    [
      'the KMS key is an alias ARN',
      { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:alias/checkout' },
      'kmsKeyArn',
      /not an alias/,
    ],
    [
      'the bucket name is missing (JavaScript callers)',
      { bucketName: undefined },
      'bucketName',
      /is required to use a store defined elsewhere/,
    ],
  ])('fails when %s', (_case, attrs, prop, message) => {
    expectValidationError(() => imported(attrs), 'test/Imported', prop, message);
  });
});

describe('VersionedArtifactStore grant access', () => {
  it('fails on an access that is not a StoreAccess, naming the allowed values', () => {
    const { stack } = newStack();
    const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
    const role = new IamRole(stack, 'Role', { assumeRolePolicy: '{}' });

    expectValidationError(
      () => store.grant(role, 'admin' as StoreAccess, 'manifests/'),
      'test/Store',
      'access',
      /got 'admin'; must be one of 'read', 'write', 'readVersions'/,
    );
    expect(blocksOfType(synthStack(stack), 'aws_iam_role_policy')).toHaveLength(0);
  });
});
