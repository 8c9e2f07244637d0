/**
 * What the emulator knows of restoring each resource type: the metadata
 * GetRecoveryPointRestoreMetadata answers, the keys StartRestoreJob needs (read without regard to
 * case, as AWS Backup reads them), and the ARN of the resource a restore makes.
 */
import { createHash } from 'node:crypto';
import { ACCOUNT_ID, hex } from '../core/ids';
import { invalidValue, RecoveryPoint, regionOf } from './backup-model';

/** Hex that stays the same for the same seed, so derived metadata does not change between calls. */
export function stableHex(seed: string, n: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, n);
}

/** Restore metadata, read as AWS Backup reads it: keys are not case-sensitive. */
export class Metadata {
  private readonly byKey: Map<string, string>;

  constructor(
    readonly raw: Readonly<Record<string, string>>,
    private readonly resourceType: string,
  ) {
    this.byKey = new Map(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), v]));
  }

  get(key: string): string | undefined {
    return this.byKey.get(key.toLowerCase());
  }

  req(key: string): string {
    const value = this.get(key);
    if (value === undefined || value === '') {
      throw invalidValue(`Restore metadata of a ${this.resourceType} recovery point must include ${key}`);
    }
    return value;
  }

  bool(key: string): boolean | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
    throw invalidValue(`Restore metadata ${key} must be true or false, not '${value}'`);
  }
}

/** What a restore makes. */
export interface RestoreTarget {
  readonly arn: string;
  /** False when the restore writes into an existing resource (EFS into a directory, S3 into a bucket). */
  readonly creates: boolean;
  /** What AWS says when the new resource's name is taken. */
  readonly clash: string;
}

/** What the emulator knows of restoring one resource type. */
export interface RestoreKind {
  /** What GetRecoveryPointRestoreMetadata answers. */
  defaults(point: RecoveryPoint, region: string): Record<string, string>;
  /** Checks the metadata of StartRestoreJob; the resource the restore makes. */
  target(meta: Metadata, point: RecoveryPoint, region: string): RestoreTarget;
  /** The resource a restore test makes (AWS names it `awsbackup-restore-test-...`). */
  testResource(region: string): string;
}

function rdsIdentifier(meta: Metadata, key: string): string {
  const id = meta.req(key);
  if (!/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(id) || id.endsWith('-') || id.includes('--')) {
    throw invalidValue(
      `Invalid ${key} '${id}': 1 to 63 letters, digits or hyphens, starting with a letter, with no two consecutive hyphens and not ending with one`,
    );
  }
  // RDS keeps identifiers in lowercase.
  return id.toLowerCase();
}

function securityGroups(point: RecoveryPoint): string {
  return JSON.stringify([`sg-${stableHex(point.ResourceArn, 17)}`]);
}

const testName = (): string => `awsbackup-restore-test-${hex(8)}`;

export const KINDS: Readonly<Record<string, RestoreKind>> = {
  DynamoDB: {
    defaults: (point) => ({ targetTableName: point.ResourceName, encryptionType: 'Default' }),
    target(meta, _point, region) {
      const name = meta.req('targetTableName');
      if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(name)) {
        throw invalidValue(
          `Invalid targetTableName '${name}': a DynamoDB table name is 3 to 255 letters, digits, '_', '-' or '.'`,
        );
      }
      const encryption = meta.get('encryptionType') ?? 'Default';
      if (!['default', 'kms'].includes(encryption.toLowerCase())) {
        throw invalidValue(`Invalid encryptionType '${encryption}': Default or KMS`);
      }
      if (encryption.toLowerCase() === 'kms') meta.req('kmsMasterKeyArn');
      return {
        arn: `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${name}`,
        creates: true,
        clash: `Table already exists: ${name}`,
      };
    },
    testResource: (region) => `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${testName()}`,
  },
  RDS: {
    defaults: (point, region) => ({
      DBInstanceIdentifier: point.ResourceName,
      DBInstanceClass: 'db.t3.medium',
      Engine: 'postgres',
      Port: '5432',
      MultiAZ: 'false',
      AvailabilityZone: `${region}a`,
      DBSubnetGroupName: 'default',
      VpcSecurityGroupIds: securityGroups(point),
      StorageType: 'gp3',
      PubliclyAccessible: 'false',
      CopyTagsToSnapshot: 'true',
    }),
    target(meta, _point, region) {
      const id = rdsIdentifier(meta, 'DBInstanceIdentifier');
      return {
        arn: `arn:aws:rds:${region}:${ACCOUNT_ID}:db:${id}`,
        creates: true,
        clash: `DB instance already exists: ${id}`,
      };
    },
    testResource: (region) => `arn:aws:rds:${region}:${ACCOUNT_ID}:db:${testName()}`,
  },
  Aurora: {
    defaults: (point, region) => ({
      DBClusterIdentifier: point.ResourceName,
      Engine: 'aurora-postgresql',
      EngineVersion: '16.4',
      Port: '5432',
      DBSubnetGroupName: 'default',
      VpcSecurityGroupIds: securityGroups(point),
      AvailabilityZones: JSON.stringify([`${region}a`, `${region}b`, `${region}c`]),
      CopyTagsToSnapshot: 'true',
    }),
    target(meta, _point, region) {
      const id = rdsIdentifier(meta, 'DBClusterIdentifier');
      return {
        arn: `arn:aws:rds:${region}:${ACCOUNT_ID}:cluster:${id}`,
        creates: true,
        clash: `DB cluster already exists: ${id}`,
      };
    },
    testResource: (region) => `arn:aws:rds:${region}:${ACCOUNT_ID}:cluster:${testName()}`,
  },
  EFS: {
    defaults: (point, region) => ({
      'file-system-id': point.ResourceName,
      Encrypted: 'true',
      KmsKeyId: `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${stableHex(point.ResourceArn, 32)}`,
      PerformanceMode: 'generalPurpose',
      newFileSystem: 'false',
      CreationToken: `awsbackup-${stableHex(point.RecoveryPointArn, 12)}`,
    }),
    target(meta, point, region) {
      meta.req('file-system-id');
      if (meta.bool('newFileSystem') !== true) {
        // Restored into a directory of the original file system.
        return { arn: point.ResourceArn, creates: false, clash: '' };
      }
      const token = meta.req('CreationToken');
      if (token.length > 64) throw invalidValue('CreationToken must be 1 to 64 characters');
      return {
        arn: `arn:aws:elasticfilesystem:${region}:${ACCOUNT_ID}:file-system/fs-${hex(17)}`,
        creates: true,
        clash: '',
      };
    },
    testResource: (region) => `arn:aws:elasticfilesystem:${region}:${ACCOUNT_ID}:file-system/fs-${hex(17)}`,
  },
  EBS: {
    defaults: (point, region) => ({
      volumeId: point.ResourceName,
      availabilityZone: `${region}a`,
      volumeSize: '8',
      volumeType: 'gp3',
      encrypted: 'true',
      iops: '3000',
      throughput: '125',
    }),
    target(meta, _point, region) {
      meta.req('availabilityZone');
      return { arn: `arn:aws:ec2:${region}:${ACCOUNT_ID}:volume/vol-${hex(17)}`, creates: true, clash: '' };
    },
    testResource: (region) => `arn:aws:ec2:${region}:${ACCOUNT_ID}:volume/vol-${hex(17)}`,
  },
  EC2: {
    defaults: (point) => ({
      InstanceType: 't3.micro',
      SubnetId: `subnet-${stableHex(point.ResourceArn, 17)}`,
      SecurityGroupIds: securityGroups(point),
      RequireIMDSv2: 'true',
    }),
    target: (_meta, _point, region) => ({
      arn: `arn:aws:ec2:${region}:${ACCOUNT_ID}:instance/i-${hex(17)}`,
      creates: true,
      clash: '',
    }),
    testResource: (region) => `arn:aws:ec2:${region}:${ACCOUNT_ID}:instance/i-${hex(17)}`,
  },
  S3: {
    defaults: (point) => ({
      DestinationBucketName: point.ResourceName,
      NewBucket: 'false',
      Encrypted: 'false',
      EncryptionType: 'SSE-S3',
    }),
    target(meta, point) {
      if (meta.bool('NewBucket') !== true) {
        const bucket = meta.get('DestinationBucketName') ?? point.ResourceName;
        return { arn: `arn:aws:s3:::${bucket}`, creates: false, clash: '' };
      }
      const bucket = meta.req('DestinationBucketName');
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
        throw invalidValue(
          `Invalid DestinationBucketName '${bucket}': 3 to 63 lowercase letters, digits, '.' or '-'`,
        );
      }
      return { arn: `arn:aws:s3:::${bucket}`, creates: true, clash: `Bucket already exists: ${bucket}` };
    },
    testResource: () => `arn:aws:s3:::${testName()}`,
  },
};

/** The metadata a restore of the point starts from (GetRecoveryPointRestoreMetadata). */
export function restoreMetadataOf(point: RecoveryPoint): Record<string, string> {
  if (point.RestoreMetadata) return point.RestoreMetadata;
  const region = regionOf(point.BackupVaultArn);
  return KINDS[point.ResourceType]?.defaults(point, region) ?? {};
}
