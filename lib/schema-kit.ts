/**
 * Small shared pieces for the contract schemas. Built on `zod/mini`, the tree-shakeable build of zod, so
 * the Lambda bundle carries only the validators it uses.
 */
import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';

// zod/mini ships without messages; English ones make errors readable for operators.
z.config(en());

/**
 * Options for building a contract schema.
 */
export interface SchemaOptions {
  /**
   * Tells whether a string is a value not known yet (for example a Terraform reference that is
   * resolved at apply time). Such values skip the format checks; everything else is still checked.
   * @default - every value must be concrete (the watchdog's view at run time)
   */
  readonly isUnresolved?: (value: string | number) => boolean;
}

const NEVER_UNRESOLVED = (): boolean => false;

/** A string that must match `pattern`, unless the options say it is not known yet. */
export function patternSchema(options: SchemaOptions, pattern: RegExp, message: string) {
  const isUnresolved = options.isUnresolved ?? NEVER_UNRESOLVED;
  return z.string().check(z.refine((value) => isUnresolved(value) || pattern.test(value), message));
}

/** A whole number within bounds, unless the options say it is not known yet; `why` explains the bounds. */
export function boundedIntSchema(options: SchemaOptions, min: number, max: number, why?: string) {
  const isUnresolved = options.isUnresolved ?? NEVER_UNRESOLVED;
  return z
    .number()
    .check(
      z.refine(
        (value) => isUnresolved(value) || (Number.isInteger(value) && value >= min && value <= max),
        `must be a whole number from ${min} to ${max}${why ? ` (${why})` : ''}`,
      ),
    );
}

/** An http(s) URL, unless the options say it is not known yet. */
export function httpUrlSchema(options: SchemaOptions) {
  const isUnresolved = options.isUnresolved ?? NEVER_UNRESOLVED;
  return z
    .string()
    .check(z.refine((value) => isUnresolved(value) || isHttpUrl(value), 'must be an http(s) URL'));
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** A target group's name as AWS accepts it: 1-32 letters, digits or hyphens. */
export const TARGET_GROUP_NAME_PATTERN = /^[A-Za-z0-9-]{1,32}$/;

/** The patterns of the ARNs the contracts carry, by kind. */
export const ARN_PATTERNS = {
  listener:
    /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+\/[0-9a-f]+$/,
  listenerRule:
    /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener-rule\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+\/[0-9a-f]+\/[0-9a-f]+$/,
  targetGroup:
    /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/,
  loadBalancer:
    /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/,
  kmsKey: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/,
  alarm: /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.{1,255}$/,
  snsTopic: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
  iamRole: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
  backupVault: /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_.-]{2,50}$/,
  /** What a CloudWatch alarm action may name: an SNS topic, a Lambda function, SSM OpsItems or Incident Manager. */
  alarmAction: /^arn:aws[a-z-]*:(sns|lambda|ssm|ssm-incidents):[a-z0-9-]*:\d{12}:.+$/,
  /** A bucket, with its name captured. */
  bucket: /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9-]{1,61}[a-z0-9])$/,
  /** An IAM or STS principal (role, user, assumed role). */
  principal: /^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+$/,
  /** An ACM certificate or an IAM server certificate. */
  certificate:
    /^arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+|iam::\d{12}:server-certificate\/.+)$/,
  /** A Lambda function, unqualified (no version or alias); the function's name captured. */
  lambdaFunction: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})$/,
  /** Any ARN, of any service (what AWS Backup may select). */
  any: /^arn:aws[a-z-]*:[a-z0-9-]+:.*$/,
} as const;

/** An AWS region name (`us-east-1`, `us-gov-west-1`, `us-isob-east-1`). */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/** The kinds of ARN the contracts know, for messages and checks. */
export type ArnKind = keyof typeof ARN_PATTERNS;

/** Builds the string schema for an ARN of one kind; unresolved values pass when the options say so. */
export function arnSchema(kind: ArnKind, options: SchemaOptions) {
  return patternSchema(options, ARN_PATTERNS[kind], `must be ${describeArnKind(kind)} ARN`);
}

/** A bucket name as S3 accepts it (the stricter, dot-free form, so TLS on virtual hosts always works). */
export const BUCKET_NAME_PATTERN = /^(?!xn--|sthree-|amzn-s3-demo-)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export function bucketNameSchema(options: SchemaOptions) {
  return patternSchema(
    options,
    BUCKET_NAME_PATTERN,
    'must be an S3 bucket name: 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
  );
}

function describeArnKind(kind: ArnKind): string {
  switch (kind) {
    case 'listener':
      return 'an ALB listener';
    case 'listenerRule':
      return 'an ALB listener rule';
    case 'targetGroup':
      return 'a target group';
    case 'loadBalancer':
      return 'an application load balancer';
    case 'kmsKey':
      return 'a KMS key';
    case 'alarm':
      return 'a CloudWatch alarm';
    case 'snsTopic':
      return 'an SNS topic';
    case 'iamRole':
      return 'an IAM role';
    case 'backupVault':
      return 'a backup vault';
    case 'alarmAction':
      return 'an alarm action (SNS topic, Lambda function, SSM or Incident Manager)';
    case 'bucket':
      return 'an S3 bucket';
    case 'principal':
      return 'an IAM or STS principal';
    case 'certificate':
      return 'an ACM or IAM server certificate';
    case 'lambdaFunction':
      return 'an unqualified Lambda function';
    case 'any':
      // "must be an ARN"
      return 'an';
  }
}

/** A contract document that failed validation; the message lists every problem with its path. */
export class ContractError extends Error {
  constructor(
    readonly contract: string,
    readonly issues: readonly string[],
  ) {
    super(`${contract} is invalid:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ContractError';
  }
}

/** Parses `input` with `schema`, or throws a {@link ContractError} naming each bad field. */
export function parseContract<T>(contract: string, schema: z.ZodMiniType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ContractError(
    contract,
    result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(document)';
      return `${path}: ${issue.message}`;
    }),
  );
}
