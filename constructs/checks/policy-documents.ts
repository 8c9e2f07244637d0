/**
 * IAM policy statements in one shape, whether they come from a `data "aws_iam_policy_document"`
 * (snake_case blocks) or from a literal JSON policy string (`JSON.stringify` of a document, whose
 * values may reference other resources).
 */
import { blocks, isExpression, referencedResource, strings } from './references';
import type { CheckedResource, IStackResources } from './types';

/** One condition of a statement: `{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }`. */
export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

/** One statement of a policy document. */
export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  /** `Action` (or `NotAction` when `notAction` is true). */
  readonly actions: readonly string[];
  readonly notAction: boolean;
  /** `Resource` (or `NotResource` when `notResource` is true). */
  readonly resources: readonly string[];
  readonly notResource: boolean;
  /** Whether the statement names principals: a resource-based policy's statement (bucket, key, queue, trust). */
  readonly hasPrincipals: boolean;
  readonly conditions: readonly PolicyCondition[];
}

/** The statements of a `data "aws_iam_policy_document"`. */
export function statementsOfPolicyDocument(document: CheckedResource): PolicyStatement[] {
  return blocks(document.config.statement).map((statement) => {
    const notActions = strings(statement.not_actions);
    const notResources = strings(statement.not_resources);
    return {
      effect: statement.effect === 'Deny' ? 'Deny' : 'Allow',
      actions: notActions.length > 0 ? notActions : strings(statement.actions),
      notAction: notActions.length > 0,
      resources: notResources.length > 0 ? notResources : strings(statement.resources),
      notResource: notResources.length > 0,
      hasPrincipals: blocks(statement.principals).length > 0 || blocks(statement.not_principals).length > 0,
      conditions: blocks(statement.condition).map((condition) => ({
        test: String(condition.test),
        variable: String(condition.variable),
        values: strings(condition.values),
      })),
    };
  });
}

/** The statements of a literal JSON policy, or undefined when the text is not a JSON policy. */
export function statementsOfPolicyJson(text: string): PolicyStatement[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const raw = (parsed as { Statement?: unknown }).Statement;
  return blocks(raw).map((statement) => {
    const notAction = statement.NotAction !== undefined;
    const notResource = statement.NotResource !== undefined;
    const conditions: PolicyCondition[] = [];
    for (const [test, variables] of Object.entries(block(statement.Condition))) {
      for (const [variable, values] of Object.entries(block(variables))) {
        conditions.push({ test, variable, values: strings(values).concat(booleans(values)) });
      }
    }
    return {
      effect: statement.Effect === 'Deny' ? 'Deny' : 'Allow',
      actions: strings(notAction ? statement.NotAction : statement.Action),
      notAction,
      resources: strings(notResource ? statement.NotResource : statement.Resource),
      notResource,
      hasPrincipals: statement.Principal !== undefined || statement.NotPrincipal !== undefined,
      conditions,
    };
  });
}

/**
 * What a policy argument holds: a literal JSON document (whose values may contain Terraform
 * expressions such as `"Resource": "${aws_s3_bucket.x.arn}"`: Terraform fills them in, the document's
 * shape is known at synth), or an expression only Terraform can render (a whole-value
 * `${jsonencode(…)}`, a reference to a policy document's `json`).
 */
export type PolicyText =
  | { readonly kind: 'json'; readonly statements: PolicyStatement[] }
  | { readonly kind: 'expression'; readonly expression: string };

/**
 * Reads a policy argument: JSON first, with any `${…}` inside a value read as a plain string (that is
 * what `JSON.stringify({ Resource: bucket.arn })` synthesizes to); an expression only when the text is
 * not JSON. Undefined for anything else (not a string, a non-JSON literal).
 */
export function parsePolicyText(value: unknown): PolicyText | undefined {
  if (typeof value !== 'string') return undefined;
  const statements = statementsOfPolicyJson(value);
  if (statements !== undefined) return { kind: 'json', statements };
  return isExpression(value) ? { kind: 'expression', expression: value } : undefined;
}

/**
 * The statements of a policy argument (`policy` of a bucket policy, a role policy, …): the literal
 * JSON's (references inside its values included), or the referenced policy document's. Undefined when
 * only Terraform can tell (a `jsonencode(…)` or another expression).
 */
export function statementsOfPolicy(value: unknown, stack: IStackResources): PolicyStatement[] | undefined {
  const text = parsePolicyText(value);
  if (text === undefined) return undefined;
  if (text.kind === 'json') return text.statements;
  const document = referencedResource(text.expression, stack, ['data.aws_iam_policy_document']);
  return document ? statementsOfPolicyDocument(document) : undefined;
}

function block(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

// JSON conditions may hold booleans (`"aws:SecureTransport": false`); compare them as strings.
function booleans(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((item): item is boolean => typeof item === 'boolean').map(String);
}
