/**
 * Replication of every object version to a bucket in another region or account, with a role scoped to
 * the two buckets (and keys) unless one is given.
 */
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import type { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { Construct } from 'constructs';
import { sanitizeName } from '../internal/names';
import { serviceTrustPolicy } from '../internal/trust';
import { ReplicationStorageClass, type ReplicationOptions } from './props';

/** The source store, as replication needs it. */
export interface ReplicationSource {
  /** The VersionedArtifactStore: the replication's resources are defined here, ids unchanged. */
  readonly scope: Construct;
  readonly serviceName: string;
  readonly bucketId: string;
  readonly bucketArn: string;
  readonly kmsKeyArn?: string;
  readonly versioning: S3BucketVersioningA;
}

/** Replicates every object version as `replication` says; returns the role defined for it, if any. */
export function defineReplication(
  source: ReplicationSource,
  replication: ReplicationOptions,
): IamRole | undefined {
  const { scope } = source;
  const kms = source.kmsKeyArn !== undefined;
  let role: IamRole | undefined;
  if (replication.roleArn === undefined) {
    const trust = serviceTrustPolicy(scope, 'ReplicationTrust', 's3.amazonaws.com');
    role = new IamRole(scope, 'ReplicationRole', {
      namePrefix: `${sanitizeName(source.serviceName, 20)}-replication-`,
      assumeRolePolicy: trust.json,
    });
    const permissions = new DataAwsIamPolicyDocument(scope, 'ReplicationPermissions', {
      statement: [
        {
          sid: 'ReadReplicationConfiguration',
          effect: 'Allow',
          actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
          resources: [source.bucketArn],
        },
        {
          sid: 'ReadSourceVersions',
          effect: 'Allow',
          actions: [
            's3:GetObjectVersionForReplication',
            's3:GetObjectVersionAcl',
            's3:GetObjectVersionTagging',
          ],
          resources: [`${source.bucketArn}/*`],
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
                resources: [source.kmsKeyArn as string],
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
    new IamRolePolicy(scope, 'ReplicationRolePolicy', {
      role: role.name,
      name: 'replication',
      policy: permissions.json,
    });
  }

  new S3BucketReplicationConfigurationA(scope, 'Replication', {
    bucket: source.bucketId,
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
          storageClass: replication.storageClass ?? ReplicationStorageClass.STANDARD,
          ...(kms
            ? { encryptionConfiguration: { replicaKmsKeyId: replication.destinationKmsKeyArn as string } }
            : {}),
        },
        ...(kms ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } } } : {}),
      },
    ],
    // S3 rejects a replication configuration on a bucket whose versioning is not enabled yet.
    dependsOn: [source.versioning],
  });
  return role;
}
