/**
 * The IAM statements that give access to a prefix of an artifact store, for any `IArtifactStore` (one
 * defined here or imported): `VersionedArtifactStore.policyStatements` and the watchdog's own
 * permissions both use them, so a grant means one thing.
 */
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { IArtifactStore } from '../contracts';
import { StoreAccess } from '../store/props';

/** A key prefix the store grants on: folders ending with `/`, no wildcards, no leading `/`. */
export const STORE_GRANT_PREFIX = /^(?:[A-Za-z0-9!_.'()-]+\/)+$/;

/** The statements giving `access` to the keys under `prefix` (which ends with `/`), with SSE-KMS's permissions. */
export function storePrefixStatements(
  store: IArtifactStore,
  access: StoreAccess,
  prefix: string,
): DataAwsIamPolicyDocumentStatement[] {
  const objects = `${store.bucketArn}/${prefix}*`;
  const listCondition = [{ test: 'StringLike', variable: 's3:prefix', values: [`${prefix}*`] }];
  const kms = (actions: string[]): DataAwsIamPolicyDocumentStatement[] =>
    store.kmsKeyArn !== undefined
      ? [{ sid: 'StoreKey', effect: 'Allow', actions, resources: [store.kmsKeyArn] }]
      : [];
  switch (access) {
    case StoreAccess.READ:
      return [
        { sid: 'ReadObjects', effect: 'Allow', actions: ['s3:GetObject'], resources: [objects] },
        {
          sid: 'ListPrefix',
          effect: 'Allow',
          actions: ['s3:ListBucket'],
          resources: [store.bucketArn],
          condition: listCondition,
        },
        ...kms(['kms:Decrypt']),
      ];
    case StoreAccess.WRITE:
      return [
        { sid: 'WriteObjects', effect: 'Allow', actions: ['s3:PutObject'], resources: [objects] },
        // Multipart uploads with SSE-KMS need Decrypt as well as GenerateDataKey.
        ...kms(['kms:GenerateDataKey', 'kms:Decrypt']),
      ];
    case StoreAccess.READ_VERSIONS:
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
          resources: [store.bucketArn],
          condition: listCondition,
        },
        ...kms(['kms:Decrypt']),
      ];
  }
}
