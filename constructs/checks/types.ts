/**
 * The vocabulary of Switchback's policy checks: a rule is a small pure function over plain data (a
 * resource's synthesized, snake_case configuration and a read-only view of the other resources in
 * its stack) that returns a tri-state result. Nothing here imports cdktf.
 */

/**
 * How serious a finding is. `error` fails `app.synth()` (and `cdktf synth`), `warning` and `info` are
 * printed by `cdktf synth` and leave the synth alone.
 */
export type CheckSeverity = 'error' | 'warning' | 'info';

/** The severities from most to least serious. */
export const SEVERITIES: readonly CheckSeverity[] = ['error', 'warning', 'info'];

/**
 * What a rule concluded about one resource: it complies, it does not (with a short detail naming what
 * is wrong), or the rule does not apply to it (another kind of load balancer, a container image
 * function, a value only Terraform knows at apply time, …).
 */
export type CheckResult =
  | { readonly status: 'compliant' }
  | { readonly status: 'non-compliant'; readonly detail: string }
  | { readonly status: 'not-applicable' };

/** One Terraform resource or data source, as it is synthesized (snake_case keys, `${…}` expressions). */
export interface CheckedResource {
  /** `resource` for managed resources, `data` for data sources. */
  readonly kind: 'resource' | 'data';
  /** The Terraform type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** The logical name in the synthesized JSON, e.g. `checkout_Switchback_ArtifactStore_Bucket_C9A4CDC0`. */
  readonly name: string;
  /**
   * The Terraform address other blocks reference it by: `aws_s3_bucket.<name>` or
   * `data.aws_iam_policy_document.<name>`.
   */
  readonly address: string;
  /** The synthesized arguments, tokens resolved to Terraform expressions. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** A read-only view of the resources of one stack, for rules that look across resources. */
export interface StackResources {
  /**
   * The resources of one Terraform type in the stack; data sources are asked for as
   * `data.<type>` (e.g. `data.aws_iam_policy_document`).
   */
  ofType(type: string): readonly CheckedResource[];
  /** The region of the stack's default AWS provider, when it is a literal. */
  readonly defaultRegion?: string;
  /**
   * The regions of the stack's aliased AWS providers, by alias (`west` for `provider = aws.west`);
   * undefined for an alias whose region is not a literal.
   */
  readonly aliasRegions?: ReadonlyMap<string, string | undefined>;
}

/** A policy rule: metadata plus one pure function. */
export interface CheckRule {
  /** A stable id, `SWB-<SERVICE>-<n>`, used in messages and suppressions. */
  readonly id: string;
  /** How serious a non-compliant result is. */
  readonly severity: CheckSeverity;
  /** One line saying what is wrong when the rule fails, e.g. `S3 bucket does not block public access`. */
  readonly reason: string;
  /** Equivalent rules of other tools (Checkov `CKV_AWS_*`, `CKV2_AWS_*`, cdk-nag `AwsSolutions-*`). */
  readonly upstream: readonly string[];
  /** The types the rule judges (`data.<type>` for data sources). */
  readonly appliesTo: readonly string[];
  /** The other types the rule looks at through {@link StackResources.ofType}. */
  readonly reads: readonly string[];
  /** Judges one resource of a type in `appliesTo`. Pure: no I/O, no mutation. */
  readonly check: (resource: CheckedResource, stack: StackResources) => CheckResult;
}

/** The result of a compliant check. */
export const COMPLIANT: CheckResult = { status: 'compliant' };
/** The result of a rule that does not apply. */
export const NOT_APPLICABLE: CheckResult = { status: 'not-applicable' };

/** A non-compliant result with its detail. */
export function nonCompliant(detail: string): CheckResult {
  return { status: 'non-compliant', detail };
}
