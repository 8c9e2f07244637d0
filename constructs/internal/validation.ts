/**
 * Synth-time validation of construct props. Every failure names the construct path, the prop, the value
 * received and what is allowed, so the fix is obvious from the message alone.
 */
import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';

/** A construct prop that failed validation at synth time. */
export class SwitchbackValidationError extends Error {
  constructor(
    readonly constructPath: string,
    readonly prop: string,
    readonly detail: string,
  ) {
    super(`${constructPath}: invalid prop '${prop}': ${detail}`);
    this.name = 'SwitchbackValidationError';
  }
}

/** Tells whether a value is known at synth time (not a Terraform reference resolved at apply). */
export function isKnown(value: unknown): boolean {
  return value !== undefined && !Token.isUnresolved(value);
}

/** Renders a received value for an error message. */
export function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** Collects the validation checks of one construct; each check throws on the first bad prop. */
export class PropValidator {
  constructor(private readonly scope: IConstruct) {}

  /** Throws for `prop`, with the received value and what is allowed. */
  fail(prop: string, value: unknown, allowed: string): never {
    throw new SwitchbackValidationError(this.scope.node.path, prop, `got ${show(value)}; ${allowed}`);
  }

  /**
   * Throws for the first of `props` that `value` lacks: a caller in JavaScript or another language can
   * leave out a field TypeScript requires. `why` ends "is required …", e.g. `to use a store defined elsewhere`.
   */
  required<T extends object>(value: T, props: readonly (keyof T & string)[], why: string): void {
    for (const prop of props) {
      const field = (value as Record<string, unknown>)[prop];
      if (field === undefined || field === null) this.conflict(prop, `is required ${why}; give ${prop}.`);
    }
  }

  /** Throws a validation error for `prop` with a free-form detail (conflicts, missing companions). */
  conflict(prop: string, detail: string): never {
    throw new SwitchbackValidationError(this.scope.node.path, prop, detail);
  }

  /** An integer within [min, max], when known; `undefined` passes. */
  integerInRange(prop: string, value: number | undefined, min: number, max: number, hint = ''): void {
    if (!isKnown(value)) return;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      this.fail(prop, value, `must be an integer from ${min} to ${max}${hint ? ` (${hint})` : ''}.`);
    }
  }

  /** A port number, when known. */
  port(prop: string, value: number | undefined): void {
    this.integerInRange(prop, value, 1, 65535);
  }

  /** A value that must be known at synth (not a Terraform reference), because `why`. */
  literal(prop: string, value: unknown, why: string): void {
    if (value !== undefined && Token.isUnresolved(value)) {
      this.conflict(prop, `must be known at synth, not a Terraform reference: ${why}.`);
    }
  }

  /** A string matching `pattern`, when known; `undefined` passes. */
  matches(prop: string, value: string | undefined, pattern: RegExp, allowed: string): void {
    if (!isKnown(value)) return;
    if (!pattern.test(value as string)) this.fail(prop, value, allowed);
  }

  /** One of the listed values; `undefined` passes. */
  oneOf<T extends string>(prop: string, value: T | undefined, allowedValues: readonly T[]): void {
    if (value === undefined || !isKnown(value)) return;
    if (!allowedValues.includes(value)) {
      this.fail(prop, value, `must be one of ${allowedValues.map((v) => `'${v}'`).join(', ')}.`);
    }
  }
}
