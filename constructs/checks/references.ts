/**
 * Reading synthesized values: Terraform expressions (`${aws_s3_bucket.x.id}`, `${var.y}`), nested
 * blocks (an object, or a list of objects) and references between resources.
 */
import type { CheckedResource, IStackResources } from './types';

/** Whether a value is (or contains) an expression only Terraform can evaluate. */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** Whether a value is unset (absent or null). */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null;
}

/** A nested block: cdktf synthesizes single blocks as an object and repeated ones as a list. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    return value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
  }
  return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
}

/** The first block of a nested block argument, if any. */
export function block(value: unknown): Record<string, unknown> | undefined {
  return blocks(value)[0];
}

/** A list argument as strings (a single string becomes a list of one). */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Whether a boolean argument is true, giving an expression the benefit of the doubt: a value only
 * Terraform knows is not reported (the rules judge what synth can see).
 */
export function isTrueOrUnknown(value: unknown): boolean {
  return value === true || value === 'true' || isExpression(value);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const referencePatterns = new Map<string, RegExp>();

/** Whether an expression references an attribute of `target` (`${aws_s3_bucket.x.id}`, `${replace(…x.arn…)}`). */
export function references(value: unknown, target: CheckedResource): boolean {
  if (typeof value !== 'string' || !value.includes('${')) return false;
  let pattern = referencePatterns.get(target.address);
  if (!pattern) {
    // Not preceded by a name character or a dot, so `aws_s3_bucket.x` never matches `data.aws_s3_bucket.x`
    // and `aws_s3_bucket.x.id` never matches `aws_s3_bucket.xy.id`.
    pattern = new RegExp(`(^|[^A-Za-z0-9_.-])${escapeRegExp(target.address)}(\\.|\\}|$)`);
    referencePatterns.set(target.address, pattern);
  }
  return pattern.test(value);
}

/**
 * Whether an argument (a bucket's `bucket`, a vault's `backup_vault_name`, …) points at `target`:
 * it references the target, or it is the same value as the target's own `nameArgument` (the same
 * literal name, or the same expression such as `${var.bucket_name}`).
 */
export function pointsAt(value: unknown, target: CheckedResource, nameArgument: string): boolean {
  if (references(value, target)) return true;
  const name = target.config[nameArgument];
  return typeof value === 'string' && typeof name === 'string' && value === name;
}

/** The resources of `type` whose `argument` points at `target` (see {@link pointsAt}). */
export function attachedTo(
  stack: IStackResources,
  type: string,
  argument: string,
  target: CheckedResource,
  nameArgument: string,
): readonly CheckedResource[] {
  return stack.ofType(type).filter((resource) => pointsAt(resource.config[argument], target, nameArgument));
}

/** The resource (of one of `types`) an expression references, if any. */
export function referencedResource(
  value: unknown,
  stack: IStackResources,
  types: readonly string[],
): CheckedResource | undefined {
  if (!isExpression(value)) return undefined;
  for (const type of types) {
    const found = stack.ofType(type).find((resource) => references(value, resource));
    if (found) return found;
  }
  return undefined;
}
