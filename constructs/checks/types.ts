/**
 * The vocabulary of Switchback's policy checks: a rule is a small pure function over plain data (a
 * resource's synthesized, snake_case configuration and a read-only view of the other resources in
 * its stack) that returns a tri-state result. Nothing here imports cdktf.
 */

/**
 * How serious a finding is. `ERROR` fails `app.synth()` (and `cdktf synth`), `WARNING` and `INFO` are
 * printed by `cdktf synth` and leave the synth alone.
 */
export enum CheckSeverity {
  /** Exposes data or grants broad access: fails the synth. */
  ERROR = 'error',
  /** Weakens resilience or least privilege: printed, the synth goes on. */
  WARNING = 'warning',
  /** Advice: printed, the synth goes on. */
  INFO = 'info',
}

/** What a rule concluded about one resource. */
export enum CheckStatus {
  /** The resource complies. */
  COMPLIANT = 'compliant',
  /** The resource does not comply; the result's `detail` says what is wrong. */
  NON_COMPLIANT = 'non-compliant',
  /**
   * The rule does not judge this resource: another kind of load balancer, a container image function,
   * a value only Terraform knows at apply time, …
   */
  NOT_APPLICABLE = 'not-applicable',
}

/**
 * What a rule concluded about one resource: it complies, it does not (with a short detail naming what
 * is wrong), or the rule does not apply to it. Made by the static factories.
 */
export class CheckResult {
  // Shared, not frozen: the jsii kernel tags each object it hands to another language.
  private static readonly COMPLIANT_RESULT = new CheckResult(CheckStatus.COMPLIANT);
  private static readonly NOT_APPLICABLE_RESULT = new CheckResult(CheckStatus.NOT_APPLICABLE);

  /** The resource complies. */
  public static compliant(): CheckResult {
    return CheckResult.COMPLIANT_RESULT;
  }

  /** The rule does not judge this resource (another kind of resource, a value only Terraform knows). */
  public static notApplicable(): CheckResult {
    return CheckResult.NOT_APPLICABLE_RESULT;
  }

  /**
   * The resource does not comply. `detail` says what is wrong in a few words, such as
   * `no kms_master_key_id`; it follows the rule's reason in the finding.
   */
  public static nonCompliant(detail: string): CheckResult {
    if (typeof detail !== 'string' || detail.trim() === '') {
      throw new Error(
        `CheckResult.nonCompliant(detail): got ${JSON.stringify(detail)}; say what is wrong, such as 'no kms_master_key_id'.`,
      );
    }
    return new CheckResult(CheckStatus.NON_COMPLIANT, detail);
  }

  /** Whether the resource complies, does not, or is not judged. */
  public readonly status: CheckStatus;
  /** What is wrong, for a non-compliant result. @default - none (compliant or not applicable) */
  public readonly detail?: string;

  private constructor(status: CheckStatus, detail?: string) {
    this.status = status;
    this.detail = detail;
  }
}

/** Whether a synthesized block is a managed resource or a data source. */
export enum CheckedResourceKind {
  /** A managed resource (`resource "aws_s3_bucket" …`). */
  RESOURCE = 'resource',
  /** A data source (`data "aws_iam_policy_document" …`). */
  DATA = 'data',
}

/** One Terraform resource or data source, as it is synthesized (snake_case keys, `${…}` expressions). */
export interface CheckedResource {
  /** A managed resource, or a data source. */
  readonly kind: CheckedResourceKind;
  /** The Terraform type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** The logical name in the synthesized JSON, e.g. `checkout_Switchback_ArtifactStore_Bucket_C9A4CDC0`. */
  readonly name: string;
  /**
   * The Terraform address other blocks reference it by: `aws_s3_bucket.<name>` or
   * `data.aws_iam_policy_document.<name>`.
   */
  readonly address: string;
  /**
   * The synthesized arguments by their Terraform (snake_case) names, tokens resolved to Terraform
   * expressions (`${aws_s3_bucket.x.id}`); a nested block is an object, or a list of objects. Read it;
   * never change it.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any shape, in every jsii language
  readonly config: { [key: string]: any };
}

/** A read-only view of the resources of one stack, for rules that look across resources. */
export interface IStackResources {
  /**
   * The region of the stack's default AWS provider, when it is a literal.
   * @default - not a literal, or no default AWS provider
   */
  readonly defaultRegion?: string;
  /**
   * The regions of the stack's aliased AWS providers, by alias (`west` for `provider = aws.west`). An
   * alias whose region is not a literal (a variable, a reference) is left out.
   */
  readonly aliasRegions: { [alias: string]: string };

  /**
   * The resources of one Terraform type in the stack; data sources are asked for as `data.<terraformType>`
   * (e.g. `data.aws_iam_policy_document`). A rule may ask only for the types of its `appliesTo` and
   * `reads`: those are the types loaded.
   */
  ofType(terraformType: string): CheckedResource[];
}

/**
 * A policy rule: its metadata, and one pure method that judges a resource. Built-in rules are in
 * `SwitchbackChecks.rules`; give your own as `customRules`, written as an object with a `check`
 * method or as a class that implements this interface.
 */
export interface ICheckRule {
  /**
   * A stable id used in messages and suppressions: `SWB-<SERVICE>-<n>` for the built-in rules; a
   * custom rule's id must not start with `SWB-` (`ACME-S3-1`, `TEAM-TAGS-1`).
   */
  readonly id: string;
  /** How serious a non-compliant result is. */
  readonly severity: CheckSeverity;
  /** One line saying what is wrong when the rule fails, e.g. `S3 bucket does not block public access`. */
  readonly reason: string;
  /** The Terraform types the rule judges (`data.<type>` for data sources), at least one. */
  readonly appliesTo: string[];
  /**
   * The other types the rule looks at through {@link IStackResources.ofType}.
   * @default - none
   */
  readonly reads?: string[];
  /**
   * Equivalent rules of other tools (Checkov `CKV_AWS_*`, `CKV2_AWS_*`, cdk-nag `AwsSolutions-*`).
   * @default - none
   */
  readonly upstream?: string[];

  /**
   * Judges one resource of a type in `appliesTo`, given the other resources of its stack. Pure: no I/O,
   * no mutation. Returns `CheckResult.compliant()`, `CheckResult.nonCompliant(detail)` or
   * `CheckResult.notApplicable()`.
   */
  check(resource: CheckedResource, stack: IStackResources): CheckResult;
}
