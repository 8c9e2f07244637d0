/** Shared by the Lambda rules: what points at a function. */
import { pointsAt, references } from '../references';
import type { CheckedResource } from '../types';

/**
 * Whether a `function_name` argument (of an event invoke config, a permission, …) names `fn`: a
 * reference to it, or its literal name (or the same expression) in `function_name`.
 */
export function namesFunction(value: unknown, fn: CheckedResource): boolean {
  return references(value, fn) || pointsAt(value, fn, 'function_name');
}
