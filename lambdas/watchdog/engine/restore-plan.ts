/**
 * What restoring a recovery point creates: AWS Backup never restores over the original, so each type
 * gets a new resource named `<original>-r-<release>-<hash>` within its naming rules, the restore
 * metadata to send, and the cut-over the operator does. Pure; the sources for the metadata keys are
 * in restore-data.ts's header.
 */
import { createHash } from 'node:crypto';
import type { RestoreDataAnswer } from '../../../lib';
import type { RecoveryPointInfo } from '../ports';

type Plan = NonNullable<RestoreDataAnswer['plan']>;

export const SUPPORTED_TYPES = ['DynamoDB', 'RDS', 'Aurora', 'EFS', 'EBS', 'S3'] as const;
type RestoreType = 'DynamoDB' | 'RDS' | 'RDSCluster' | 'Aurora' | 'EFS' | 'EBS' | 'S3';

export function restoreTypeOf(
  point: Pick<RecoveryPointInfo, 'resourceType' | 'resourceArn'>,
): RestoreType | undefined {
  switch (point.resourceType) {
    case 'DynamoDB':
    case 'Aurora':
    case 'EFS':
    case 'EBS':
    case 'S3':
      return point.resourceType;
    case 'RDS':
      // A Multi-AZ DB cluster is backed up as RDS too, and restored as a cluster.
      return /:rds:[^:]*:[^:]*:cluster:/.test(point.resourceArn) ? 'RDSCluster' : 'RDS';
    default:
      return undefined;
  }
}

/** The name (or id) of the original resource, from its ARN. */
export function originalNameOf(resourceArn: string): string {
  const s3 = /^arn:[^:]+:s3:::([^/]+)/.exec(resourceArn);
  if (s3) return s3[1];
  const resource = resourceArn.split(':').slice(5).join(':');
  // `table/orders`, `db:orders-db`, `cluster:orders`, `file-system/fs-1`, `volume/vol-1`
  const parts = resource.split(/[:/]/);
  return (parts.length > 1 ? parts[1] : parts[0]) || resource || 'restored';
}

const shortHash = (...parts: (string | undefined)[]) =>
  createHash('sha256')
    .update(JSON.stringify(parts.map((p) => p ?? '')))
    .digest('hex')
    .slice(0, 6);

/** `<original>-r-<release>-<hash>` cut to `max`, the original cut first (the suffix names the restore). */
function joinName(original: string, release: string, hash: string, max: number, trim: (s: string) => string) {
  const suffix = ['r', release, hash].filter((p) => p !== '').join('-');
  const room = Math.max(0, max - suffix.length - 1);
  const head = trim(original.slice(0, room));
  return head ? `${head}-${suffix}` : suffix;
}

/** Lowercase letters, digits and single hyphens, none at either end. */
function hyphenated(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
const trimHyphens = (value: string) => value.replace(/-+$/g, '');

/**
 * The new resource's name for a restore of `resourceArn` in `releaseId`. Each type's rules:
 * DynamoDB table 3-255 of [a-zA-Z0-9_.-]; RDS instance and cluster identifiers 1-63 letters, digits
 * or hyphens, a letter first, no double or trailing hyphen (lowercase, as RDS stores them); S3 bucket
 * 3-63 lowercase letters, digits and hyphens, a letter or digit at each end; EFS creation token 1-64.
 */
export function restoredName(
  type: RestoreType,
  resourceArn: string,
  releaseId: string,
  seed: { readonly recoveryPointArn: string; readonly requestId?: string },
): string {
  const original = originalNameOf(resourceArn);
  const hash = shortHash(releaseId, seed.recoveryPointArn, seed.requestId);
  switch (type) {
    case 'DynamoDB': {
      const release = releaseId.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 24);
      return joinName(original.replace(/[^A-Za-z0-9_.-]+/g, '-'), release, hash, 255, (s) => s);
    }
    case 'RDS':
    case 'RDSCluster':
    case 'Aurora': {
      const release = trimHyphens(hyphenated(releaseId).slice(0, 16));
      const name = joinName(hyphenated(original), release, hash, 63, trimHyphens);
      // An identifier begins with a letter.
      return /^[a-z]/.test(name) ? name : `r${name}`.slice(0, 63).replace(/-+$/, '');
    }
    case 'S3': {
      const release = trimHyphens(hyphenated(releaseId).slice(0, 16));
      return joinName(hyphenated(original), release, hash, 63, trimHyphens);
    }
    case 'EFS':
    case 'EBS':
      return joinName(original, releaseId.slice(0, 24), hash, 64, (s) => s);
  }
}

/** The metadata with `overrides` set, replacing keys that differ only in case. */
function withKeys(
  metadata: Record<string, string>,
  overrides: Record<string, string>,
): Record<string, string> {
  const replaced = new Set(Object.keys(overrides).map((k) => k.toLowerCase()));
  return {
    ...Object.fromEntries(Object.entries(metadata).filter(([key]) => !replaced.has(key.toLowerCase()))),
    ...overrides,
  };
}

/** What restoring `point` creates, with the metadata to send and the operator's cut-over steps. Pure. */
export function planRestore(
  point: Pick<RecoveryPointInfo, 'recoveryPointArn' | 'resourceArn' | 'resourceType'>,
  metadata: Record<string, string>,
  releaseId: string,
  requestId?: string,
): Plan {
  const type = restoreTypeOf(point);
  if (!type) throw new Error(`restore-data does not restore ${point.resourceType} recovery points`);
  const original = originalNameOf(point.resourceArn);
  const name = restoredName(type, point.resourceArn, releaseId, {
    recoveryPointArn: point.recoveryPointArn,
    ...(requestId ? { requestId } : {}),
  });
  const base = {
    recoveryPointArn: point.recoveryPointArn,
    resourceArn: point.resourceArn,
    resourceType: point.resourceType,
  };
  const follow = 'wait for the restore job to complete (restore-data follows it and notifies)';
  switch (type) {
    case 'DynamoDB':
      return {
        ...base,
        creates: `DynamoDB table ${name} (a new table; ${original} is left as it is)`,
        metadata: withKeys(metadata, { targetTableName: name }),
        cutOver: [
          follow,
          `point the service at table ${name} (its configuration), or copy the items you need from ${name} back into ${original}`,
          `set on ${name} what a restore does not bring: auto scaling, TTL, streams, tags, alarms and IAM policies naming the table`,
          `delete ${name} when it is no longer needed (it is billed like any table)`,
        ],
      };
    case 'RDS':
      return {
        ...base,
        creates: `RDS DB instance ${name} (a new instance; ${original} is left as it is)`,
        metadata: withKeys(metadata, { DBInstanceIdentifier: name }),
        cutOver: [
          follow,
          `check ${name}'s security groups, subnet group and parameter group (a restore may use the defaults)`,
          `point the service's connection at ${name}'s endpoint, or rename ${original} away and ${name} to ${original} to keep the endpoint`,
          `delete the instance you no longer use`,
        ],
      };
    case 'RDSCluster':
    case 'Aurora':
      return {
        ...base,
        creates: `${type === 'Aurora' ? 'Aurora' : 'RDS'} DB cluster ${name} (a new cluster; ${original} is left as it is)`,
        metadata: withKeys(metadata, { DBClusterIdentifier: name }),
        cutOver: [
          follow,
          `add DB instances to cluster ${name}: AWS Backup restores the cluster without instances`,
          `point the service's connection at ${name}'s cluster endpoint, or rename the clusters to keep ${original}'s endpoint`,
          `delete the cluster you no longer use`,
        ],
      };
    case 'EFS':
      return {
        ...base,
        creates: `a new EFS file system (creation token ${name}) from ${original}; ${original} is left as it is`,
        metadata: withKeys(metadata, { newFileSystem: 'true', CreationToken: name }),
        cutOver: [
          follow,
          'create mount targets for the new file system in the service subnets',
          'mount it where the service expects its data; the restored files are under the aws-backup-restore_<time> directory AWS Backup makes off its root',
        ],
      };
    case 'EBS':
      return {
        ...base,
        creates: `a new EBS volume from ${original} (in the availability zone its metadata names); ${original} is left as it is`,
        metadata: { ...metadata },
        cutOver: [
          follow,
          `stop the service's writes, detach ${original} and attach the new volume in its place (same device name)`,
          `delete the volume you no longer use`,
        ],
      };
    case 'S3':
      return {
        ...base,
        creates: `S3 bucket ${name} (a new bucket; ${original} is left as it is)`,
        metadata: withKeys(metadata, { NewBucket: 'true', DestinationBucketName: name }),
        cutOver: [
          follow,
          `point the service at bucket ${name}, or copy the objects you need back into ${original} (only each object's latest version is restored)`,
          `set on ${name} what a restore does not bring: bucket policy, lifecycle, replication, notifications`,
        ],
      };
  }
}

// ---- Starting it --------------------------------------------------------------------------------
