/**
 * How a copy of a synthesized stack is pointed at moto for `verify:terraform`. Everything the harness
 * changes is here, in two parts a reviewer can read at once:
 * - the provider block (endpoints, test credentials, no account lookups, path-style S3, one retry so
 *   an API moto lacks fails fast instead of being retried 25 times) and the state paths;
 * - MOTO_GAPS: the resources moto cannot create or read back as synthesized, each with the gap it
 *   works around. A gap drops the resource (nothing else may reference it), adjusts it (removes a
 *   field moto drops, or tells Terraform not to chase a read-back moto gets wrong), or puts a
 *   stand-in of another type in its place, under the same name, so every reference still resolves.
 */

import { pinnedMotoVersion } from '../../test/moto/server';

/** A synthesized stack, as parsed JSON. */
export type StackJson = Record<string, unknown> & {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, Record<string, unknown>[]>;
  terraform?: Record<string, unknown>;
};

/** Resources of one type that moto cannot create as synthesized, and what the harness does about it. */
export interface MotoGap {
  /** A resource type, or a data source type with `kind: 'data'`. */
  readonly type: string;
  /** @default 'resource' */
  readonly kind?: 'resource' | 'data';
  /** Which blocks of the type it concerns. @default every block */
  readonly applies?: (block: Record<string, unknown>, stack: StackJson) => boolean;
  /** What moto lacks (checked against the pinned moto). */
  readonly gap: string;
  /** The block as moto can apply it (a field moto drops, removed); it keeps its type and name. */
  readonly adjust?: (block: Record<string, unknown>) => Record<string, unknown>;
  /** A stand-in of another type, built from the original block; without one, the resource is dropped. */
  readonly standIn?: {
    readonly type: string;
    readonly block: (original: Record<string, unknown>) => Record<string, unknown>;
  };
}

const MOTO = `moto ${pinnedMotoVersion()}`;

const TRANSPORT_KEYS = ['aws:SecureTransport', 's3:TlsVersion'];
const TRANSPORT_GAP =
  `${MOTO} serves plain HTTP and enforces bucket policies, matching a condition on a key the request ` +
  'lacks (s3:TlsVersion NumericLessThan 1.2 denies every request), so TLS-only statements deny everything';

/** The reviewed list: every resource type the harness does not apply as synthesized. */
export const MOTO_GAPS: readonly MotoGap[] = [
  {
    type: 'aws_cloudwatch_composite_alarm',
    gap: `${MOTO} does not implement PutCompositeAlarm (HTTP 500)`,
    // A metric alarm of the same name and actions: the watchdog reads it with DescribeAlarms and the
    // harness sets its state with SetAlarmState, as it would the composite's.
    standIn: {
      type: 'aws_cloudwatch_metric_alarm',
      block: (original) => ({
        alarm_name: original.alarm_name,
        alarm_description:
          `stand-in for the composite alarm (moto has none): ${String(original.alarm_rule ?? '')}`.slice(
            0,
            1024,
          ),
        ...(original.alarm_actions !== undefined ? { alarm_actions: original.alarm_actions } : {}),
        ...(original.ok_actions !== undefined ? { ok_actions: original.ok_actions } : {}),
        namespace: 'Switchback/Verify',
        metric_name: 'CompositeStandIn',
        statistic: 'Maximum',
        period: 60,
        evaluation_periods: 1,
        threshold: 1,
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        treat_missing_data: 'notBreaching',
        ...(original.depends_on !== undefined ? { depends_on: original.depends_on } : {}),
      }),
    },
  },
  {
    type: 'aws_s3_bucket_lifecycle_configuration',
    gap: `${MOTO} drops NewerNoncurrentVersions from lifecycle rules, and the provider waits (3 min) for the rules it wrote to read back`,
    // Applied without newer_noncurrent_versions: the rest of each rule, as synthesized.
    adjust: (block) => ({
      ...block,
      rule: (block.rule as Record<string, unknown>[]).map((rule) => ({
        ...rule,
        ...(rule.noncurrent_version_expiration
          ? {
              noncurrent_version_expiration: (
                rule.noncurrent_version_expiration as Record<string, unknown>[]
              ).map(({ newer_noncurrent_versions: _dropped, ...rest }) => rest),
            }
          : {}),
      })),
    }),
  },
  {
    type: 'aws_s3_bucket',
    gap:
      `${MOTO} ignores the tags the provider sends with CreateBucket (CreateBucketConfiguration.Tags, ` +
      'tag on create), so the bucket reads back untagged and every plan would tag it again',
    // Created as synthesized (the tags are sent); Terraform is told not to chase their read-back.
    adjust: (block) => ignoringChanges(block, ['tags', 'tags_all']),
  },
  {
    type: 'aws_lambda_function',
    applies: (block) => block.logging_config !== undefined,
    gap:
      `${MOTO} does not keep a function's LoggingConfig (JSON log format, log group): GetFunction ` +
      'answers none, so every plan would set it again',
    // Created as synthesized (the logging config is sent); its read-back is not chased.
    adjust: (block) => ignoringChanges(block, ['logging_config']),
  },
  {
    type: 'aws_iam_role_policy_attachment',
    applies: (block) =>
      /:iam::aws:policy\/(service-role\/)?AWSBackupServiceRolePolicyFor/.test(String(block.policy_arn)),
    gap: `${MOTO} does not know AWS Backup's AWS managed policies (GetPolicy: NoSuchEntity)`,
  },
  {
    type: 'aws_s3_bucket_policy',
    applies: (block, stack) => {
      const document = policyDocumentOf(block, stack);
      return document !== undefined && onlyTransportDenies(document);
    },
    gap: TRANSPORT_GAP,
  },
  {
    type: 'aws_iam_policy_document',
    kind: 'data',
    applies: onlyTransportDenies,
    gap: TRANSPORT_GAP,
  },
  {
    type: 'aws_iam_policy_document',
    kind: 'data',
    applies: (block) => statements(block).some(deniesOnTransport) && !onlyTransportDenies(block),
    gap: TRANSPORT_GAP,
    // The policy without its transport denies; its other statements as synthesized.
    adjust: (block) => ({
      ...block,
      statement: statements(block).filter((statement) => !deniesOnTransport(statement)),
    }),
  },
  {
    type: 'aws_backup_vault_notifications',
    gap: `${MOTO} does not implement PutBackupVaultNotifications (HTTP 404)`,
  },
  {
    type: 'aws_backup_vault_policy',
    gap: `${MOTO} does not implement PutBackupVaultAccessPolicy (HTTP 404)`,
  },
  {
    type: 'aws_backup_selection',
    gap: `${MOTO} implements AWS Backup vaults, plans and vault lock only: no CreateBackupSelection`,
  },
  {
    type: 'aws_backup_restore_testing_plan',
    gap: `${MOTO} has no AWS Backup restore testing`,
  },
  {
    type: 'aws_backup_restore_testing_selection',
    gap: `${MOTO} has no AWS Backup restore testing`,
  },
];

/** `block` with `attributes` added to its `lifecycle.ignore_changes`. */
function ignoringChanges(block: Record<string, unknown>, attributes: string[]): Record<string, unknown> {
  const lifecycle = (block.lifecycle ?? {}) as Record<string, unknown>;
  const ignored = (lifecycle.ignore_changes ?? []) as string[] | 'all';
  if (ignored === 'all') return block;
  return {
    ...block,
    lifecycle: { ...lifecycle, ignore_changes: [...new Set([...ignored, ...attributes])] },
  };
}

function statements(block: Record<string, unknown>): Record<string, unknown>[] {
  return (block.statement ?? []) as Record<string, unknown>[];
}

/** A policy document with statements, every one of them a transport deny (an empty one is not). */
function onlyTransportDenies(block: Record<string, unknown>): boolean {
  const all = statements(block);
  return all.length > 0 && all.every(deniesOnTransport);
}

/** A Deny on how the request travelled (plain HTTP, TLS below 1.2). */
function deniesOnTransport(statement: Record<string, unknown>): boolean {
  return (
    statement.effect === 'Deny' &&
    ((statement.condition ?? []) as Record<string, unknown>[]).some((condition) =>
      TRANSPORT_KEYS.includes(String(condition.variable)),
    )
  );
}

/** The policy document data source a resource's `policy` interpolates, when it is one. */
function policyDocumentOf(
  block: Record<string, unknown>,
  stack: StackJson,
): Record<string, unknown> | undefined {
  const match = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(String(block.policy ?? ''));
  return match ? stack.data?.aws_iam_policy_document?.[match[1]] : undefined;
}

/** The services whose endpoints the provider is pointed at (the keys of its `endpoints` block). */
const SERVICES = [
  'acm',
  'backup',
  'cloudwatch',
  'ec2',
  'elbv2',
  'events',
  'iam',
  'kms',
  'lambda',
  'logs',
  's3',
  'sns',
  'sqs',
  'ssm',
  'sts',
] as const;

export interface MotoTarget {
  /** moto's endpoint. */
  readonly endpoint: string;
  /** Where Lambda calls go (the harness's stand-in for Lambda's runtime, forwarding the rest to moto). */
  readonly lambdaEndpoint: string;
  /** The repo root cdktf wrote into state paths (`<root>/terraform.<stack>.tfstate`). */
  readonly synthRoot: string;
  /** Where this run keeps state files instead. */
  readonly stateDir: string;
}

/** Credentials moto accepts (any); never real ones. */
export const MOTO_CREDENTIALS = { access_key: 'switchback-verify', secret_key: 'switchback-verify' } as const;

/** A copy of `stack` with its state paths moved to `stateDir` (for validate: nothing else changes). */
export function withStatePaths(stack: StackJson, synthRoot: string, stateDir: string): StackJson {
  const text = JSON.stringify(stack).split(`${synthRoot}/terraform.`).join(`${stateDir}/terraform.`);
  return JSON.parse(text) as StackJson;
}

/** What the harness changed in one stack, for its report. */
export interface PatchReport {
  readonly replaced: { readonly address: string; readonly by: string; readonly gap: string }[];
  readonly adjusted: { readonly address: string; readonly gap: string }[];
  readonly dropped: { readonly address: string; readonly gap: string }[];
}

/** A copy of `stack` that applies against moto; throws when a dropped resource is still referenced. */
export function forMoto(stack: StackJson, target: MotoTarget): { stack: StackJson; report: PatchReport } {
  let text = JSON.stringify(withStatePaths(stack, target.synthRoot, target.stateDir));
  const report: PatchReport = { replaced: [], adjusted: [], dropped: [] };
  const parsed = JSON.parse(text) as StackJson;
  for (const gap of MOTO_GAPS) {
    const kind = gap.kind ?? 'resource';
    for (const [name, block] of Object.entries(parsed[kind]?.[gap.type] ?? {})) {
      if (gap.applies && !gap.applies(block, parsed)) continue;
      const address = `${kind === 'data' ? 'data.' : ''}${gap.type}.${name}`;
      if (gap.standIn) report.replaced.push({ address, by: `${gap.standIn.type}.${name}`, gap: gap.gap });
      else if (gap.adjust) report.adjusted.push({ address, gap: gap.gap });
      else report.dropped.push({ address, gap: gap.gap });
    }
  }
  // References first (as text), then the blocks themselves.
  for (const { address, by } of report.replaced) {
    text = text.replace(new RegExp(`\\b${escape(address)}\\b`, 'g'), by);
  }
  const patched = JSON.parse(text) as StackJson;
  for (const gap of MOTO_GAPS) {
    const kind = gap.kind ?? 'resource';
    const blocks = patched[kind]?.[gap.type];
    if (!blocks || !patched[kind]) continue;
    for (const [name, block] of Object.entries(blocks)) {
      if (gap.applies && !gap.applies(block, patched)) continue;
      if (gap.adjust) {
        blocks[name] = gap.adjust(block);
        continue;
      }
      delete blocks[name];
      if (gap.standIn) {
        const resources = (patched.resource ??= {});
        (resources[gap.standIn.type] ??= {})[name] = gap.standIn.block(block);
      }
    }
    if (Object.keys(blocks).length === 0) delete (patched[kind] as Record<string, unknown>)[gap.type];
  }
  for (const { address } of report.dropped) dropReferences(patched, address);

  for (const providers of Object.values(patched.provider ?? {})) {
    for (const provider of providers) {
      provider.endpoints = [
        Object.fromEntries(
          SERVICES.map((service) => [
            service,
            service === 'lambda' ? target.lambdaEndpoint : target.endpoint,
          ]),
        ),
      ];
      Object.assign(provider, MOTO_CREDENTIALS, {
        skip_credentials_validation: true,
        skip_metadata_api_check: 'true',
        skip_requesting_account_id: true,
        skip_region_validation: true,
        s3_use_path_style: true,
        max_retries: 1,
      });
    }
  }
  return { stack: patched, report };
}

/** Removes `address` from every `depends_on`; fails when anything else still refers to it. */
function dropReferences(stack: StackJson, address: string): void {
  for (const kind of ['resource', 'data'] as const) {
    for (const blocks of Object.values(stack[kind] ?? {})) {
      for (const block of Object.values(blocks)) {
        if (Array.isArray(block.depends_on)) {
          block.depends_on = (block.depends_on as string[]).filter((entry) => entry !== address);
          if ((block.depends_on as string[]).length === 0) delete block.depends_on;
        }
      }
    }
  }
  const still = new RegExp(`\\b${escape(address)}\\b`).exec(JSON.stringify(stack));
  if (still) {
    throw new Error(
      `${address} is dropped for moto but is still referenced; give its gap a stand-in in MOTO_GAPS`,
    );
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
