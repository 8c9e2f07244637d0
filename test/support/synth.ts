/**
 * Fixture builders for construct tests: synthesize a construct in a fresh stack and look resources up
 * by type and construct path, on the synthesized (snake_case) JSON.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, DefaultTokenResolver, StringConcat, TerraformStack, Testing, Tokenization } from 'cdktf';
import type { IConstruct } from 'constructs';

/** The parsed JSON of a synthesized stack. */
export interface SynthesizedStack {
  readonly resource?: Record<string, Record<string, TerraformBlock>>;
  readonly data?: Record<string, Record<string, TerraformBlock>>;
  readonly output?: Record<string, TerraformBlock>;
  readonly variable?: Record<string, TerraformBlock>;
  readonly locals?: Record<string, unknown>;
}

/** One resource, data source or output block. */
export type TerraformBlock = Record<string, unknown>;

type Kind = 'resource' | 'data';

/** A fresh app and stack with an AWS provider, ready for a construct under test. */
export function newStack(id = 'test'): { app: App; stack: TerraformStack } {
  const app = Testing.app();
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  return { app, stack };
}

/** Synthesizes a stack (aspects and validations included, as `cdktf synth` does) and parses it. */
export function synthStack(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

/** Builds constructs in a fresh stack and returns the stack's synthesized JSON. */
export function synth(build: (stack: TerraformStack) => void): SynthesizedStack {
  const { stack } = newStack();
  build(stack);
  return synthStack(stack);
}

/** All resources (or data sources) of one type, as [logical id, block] pairs. */
export function blocksOfType(
  json: SynthesizedStack,
  type: string,
  kind: Kind = 'resource',
): [string, TerraformBlock][] {
  return Object.entries(json[kind]?.[type] ?? {});
}

/**
 * The logical ids cdktf gives a construct are its path below the stack joined with `_`, plus a hash;
 * this finds the one block whose path ends with `pathSuffix` (e.g. `Checkout/BlueTargetGroup`).
 */
function findBlock(
  json: SynthesizedStack,
  type: string,
  pathSuffix: string,
  kind: Kind,
): [string, TerraformBlock] {
  const escaped = pathSuffix.replace(/\//g, '_').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(^|_)${escaped}(_[0-9A-F]{8})?$`);
  const matches = blocksOfType(json, type, kind).filter(([id]) => pattern.test(id));
  if (matches.length !== 1) {
    const ids = blocksOfType(json, type, kind).map(([id]) => id);
    throw new Error(
      `expected one ${type} at '.../${pathSuffix}', found ${matches.length} among ${JSON.stringify(ids)}`,
    );
  }
  return matches[0];
}

/** The one block of `type` whose construct path ends with `pathSuffix`; fails the test otherwise. */
export function blockAt(
  json: SynthesizedStack,
  type: string,
  pathSuffix: string,
  kind: Kind = 'resource',
): TerraformBlock {
  return findBlock(json, type, pathSuffix, kind)[1];
}

/** The Terraform reference expression to an attribute of the block at `pathSuffix`. */
export function refTo(
  json: SynthesizedStack,
  type: string,
  pathSuffix: string,
  attribute: string,
  kind: Kind = 'resource',
): string {
  const [id] = findBlock(json, type, pathSuffix, kind);
  return kind === 'data' ? `\${data.${type}.${id}.${attribute}}` : `\${${type}.${id}.${attribute}}`;
}

/** Resolves tokens (attribute references) to the Terraform expressions they synthesize to. */
export function resolveIn(scope: IConstruct, value: unknown): unknown {
  return Tokenization.resolve(value, {
    scope: TerraformStack.of(scope),
    resolver: new DefaultTokenResolver(new StringConcat()),
  });
}

/**
 * A watchdog's configuration as synthesized: the store object must be `jsonencode` of the service's
 * local, and the local is returned as the JSON it is (Terraform references as `${...}` strings).
 */
export function watchdogConfigOf(
  json: SynthesizedStack,
  objectPathSuffix: string,
  service: string,
): Record<string, unknown> {
  const local = `switchback_watchdog_config_${service}`;
  expect(blockAt(json, 'aws_s3_object', objectPathSuffix).content).toBe(`\${jsonencode(local.${local})}`);
  const config = json.locals?.[local];
  expect(config).toEqual(expect.any(Object));
  return config as Record<string, unknown>;
}
