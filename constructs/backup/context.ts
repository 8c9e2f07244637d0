import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import type { Construct } from 'constructs';

/** What the parts of a backup schedule share: its scope and names, its region, and account lookups. */
export interface BackupContext {
  /** The BackupSchedule: every part defines its resources here, so their ids stay where they were. */
  readonly scope: Construct;
  readonly serviceName: string;
  /** Spread into every regional resource: `region` when given, else nothing (the provider's region). */
  readonly regional: { readonly region?: string };
  /** The partition's name (`aws`, `aws-cn`…). */
  partition(): string;
  /** The account id of the caller. */
  accountId(): string;
}

/** The context of the BackupSchedule `scope`; `region` is the region prop, not the provider's. */
export function backupContext(
  scope: Construct,
  serviceName: string,
  region: string | undefined,
): BackupContext {
  // Defined on first use only: a schedule given a role and a topic needs neither.
  let partition: DataAwsPartition | undefined;
  let account: DataAwsCallerIdentity | undefined;
  return {
    scope,
    serviceName,
    regional: region !== undefined ? { region } : {},
    partition: () => (partition ??= new DataAwsPartition(scope, 'Partition')).partition,
    accountId: () => (account ??= new DataAwsCallerIdentity(scope, 'Account')).accountId,
  };
}
