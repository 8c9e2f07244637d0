/**
 * Support for property-based construct fuzzing: arbitraries that mix valid, boundary and invalid
 * values with Terraform tokens, turning token placeholders into real TerraformVariables once a stack
 * exists, and a check that every reference in a synthesized stack points at something it defines.
 */
import { TerraformVariable, type TerraformStack } from 'cdktf';
import fc from 'fast-check';
import type { SynthesizedStack } from '../support/synth';

/** Stand-ins for tokens: arbitraries run before the stack exists, so variables are made later. */
const STRING_TOKEN = '<<token:string>>';
const LIST_TOKEN = '<<token:list>>';
/** Never generated otherwise: the integer arbitraries below give integers and a few named specials. */
const NUMBER_TOKEN = 0.123456789;

/** A TerraformVariable's string: known only at apply. */
export const stringToken: fc.Arbitrary<string> = fc.constant(STRING_TOKEN);
/** A TerraformVariable's list of strings. */
export const listToken: fc.Arbitrary<string[]> = fc.constant([LIST_TOKEN]);

/**
 * How props values are drawn. The valid generator gives valid values and tokens only (so some props
 * synthesize); the mixed one adds boundary and invalid values and random strings.
 */
export interface Gen {
  /** One of `valid`, or a token; mixed: also one of `invalid` or a random string. */
  text(valid: readonly string[], invalid?: readonly string[]): fc.Arbitrary<string>;
  /** One of `valid`; mixed: also one of `invalid` (a value outside the prop's type, as from JavaScript). */
  choice<T>(valid: readonly T[], invalid?: readonly unknown[]): fc.Arbitrary<T>;
  /** An integer in `[min, max]`, or a token; mixed: also the bounds, just outside, and non-integers. */
  integer(min: number, max: number): fc.Arbitrary<number>;
  /** Up to `maxLength` items, or a token list. */
  list<T>(item: fc.Arbitrary<T>, maxLength?: number): fc.Arbitrary<T[]>;
}

function tokenList<T>(): fc.Arbitrary<T[]> {
  return listToken as unknown as fc.Arbitrary<T[]>;
}

/** Valid values and tokens only. */
export const validGen: Gen = {
  text: (valid) =>
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: stringToken }),
  choice: (valid) => fc.constantFrom(...valid),
  integer: (min, max) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min, max }) },
      { weight: 1, arbitrary: fc.constant(NUMBER_TOKEN) },
    ),
  list: <T>(item: fc.Arbitrary<T>, maxLength = 3) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.array(item, { maxLength }) },
      { weight: 1, arbitrary: tokenList<T>() },
    ),
};

/** Valid, boundary and invalid values, random strings and tokens. */
export const mixedGen: Gen = {
  text: (valid, invalid = []) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...valid) },
      {
        weight: invalid.length > 0 ? 2 : 0,
        arbitrary: fc.constantFrom(...(invalid.length > 0 ? invalid : valid)),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 24 }) },
      { weight: 1, arbitrary: stringToken },
    ),
  choice: <T>(valid: readonly T[], invalid: readonly unknown[] = []) =>
    fc.constantFrom(...valid, ...(invalid as T[])),
  integer: (min, max) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min, max }) },
      { weight: 3, arbitrary: fc.constantFrom(min, max, min - 1, max + 1) },
      { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31) },
      { weight: 1, arbitrary: fc.constant(NUMBER_TOKEN) },
    ),
  list: <T>(item: fc.Arbitrary<T>, maxLength = 3) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.array(item, { maxLength }) },
      { weight: 1, arbitrary: tokenList<T>() },
    ),
};

/**
 * Props in three equal parts: few valid props (the `required` ones and up to two more, so cross-prop
 * rules rarely refuse them), any number of valid props, and props from the mixed generator.
 */
export function propsOf<T extends object>(
  build: (gen: Gen) => fc.Arbitrary<T>,
  required: readonly string[],
): fc.Arbitrary<T> {
  const few = build(validGen).chain((props) => {
    const optional = Object.keys(props).filter((key) => !required.includes(key));
    // fast-check refuses a maxLength above the array's length (shrinking can make it shorter).
    return fc
      .subarray(optional, { maxLength: Math.min(2, optional.length) })
      .map(
        (kept) =>
          Object.fromEntries(
            Object.entries(props).filter(([key]) => required.includes(key) || kept.includes(key)),
          ) as T,
      );
  });
  return fc.oneof(few, build(validGen), build(mixedGen));
}

/**
 * Replaces the token stand-ins in generated props by TerraformVariables of `stack` (a new variable
 * each, as an application's distinct inputs would be).
 */
export function materialize<T>(stack: TerraformStack, props: T): T {
  let variables = 0;
  const variable = (type: string) => new TerraformVariable(stack, `FuzzInput${++variables}`, { type });
  const walk = (value: unknown): unknown => {
    if (value === STRING_TOKEN) return variable('string').stringValue;
    if (value === NUMBER_TOKEN) return variable('number').numberValue;
    if (Array.isArray(value)) {
      if (value.length === 1 && value[0] === LIST_TOKEN) return variable('list(string)').listValue;
      return value.map(walk);
    }
    // Constructs passed in props (a store, a listener) are kept as they are.
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return walk(props) as T;
}

/**
 * Every Terraform reference in the stack (`${aws_x.name.attr}`, `${data.aws_x.name.attr}`,
 * `${var.name}`, `${local.name}`) that points at nothing the stack defines, and every token left
 * unresolved in the output.
 */
export function danglingReferences(json: SynthesizedStack & { locals?: Record<string, unknown> }): string[] {
  const problems: string[] = [];
  const text = JSON.stringify(json);
  if (text.includes('${TfToken[')) problems.push('an unresolved token is left in the output');
  for (const expression of text.matchAll(/\$\{((?:[^{}]|\{[^{}]*\})*)\}/g)) {
    const body = expression[1];
    for (const ref of body.matchAll(/(?<![\w.])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/g)) {
      const [, data, type, name] = ref;
      const defined = data ? json.data?.[type]?.[name] : json.resource?.[type]?.[name];
      if (defined === undefined) problems.push(`${data ?? ''}${type}.${name} in \${${body}}`);
    }
    for (const ref of body.matchAll(/(?<![\w.])(var|local)\.([A-Za-z0-9_-]+)/g)) {
      const [, kind, name] = ref;
      const defined = kind === 'var' ? json.variable?.[name] : json.locals?.[name];
      if (defined === undefined) problems.push(`${kind}.${name} in \${${body}}`);
    }
  }
  return [...new Set(problems)];
}
