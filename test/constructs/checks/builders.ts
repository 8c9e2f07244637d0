/** Fixture builders for rule tests: resources as plain synthesized data, and a stack view over them. */
import {
  ResourceIndex,
  type CheckedResource,
  type CheckResult,
  type CheckRule,
} from '../../../constructs/checks';

/** A managed resource of `type` named `name`, with its synthesized (snake_case) arguments. */
export function resource(type: string, name: string, config: Record<string, unknown> = {}): CheckedResource {
  return { kind: 'resource', type, name, address: `${type}.${name}`, config };
}

/** A data source of `type` named `name`. */
export function dataSource(
  type: string,
  name: string,
  config: Record<string, unknown> = {},
): CheckedResource {
  return { kind: 'data', type, name, address: `data.${type}.${name}`, config };
}

/** The expression referencing an attribute of `target`, as cdktf synthesizes it. */
export function ref(target: CheckedResource, attribute: string): string {
  return `\${${target.address}.${attribute}}`;
}

/**
 * Runs `rule` on `target` within a stack of `target` and `others`, whose default AWS provider is in
 * `defaultRegion` and whose aliased ones are in `aliasRegions` (alias → region).
 */
export function check(
  rule: CheckRule,
  target: CheckedResource,
  others: CheckedResource[] = [],
  defaultRegion?: string,
  aliasRegions: Record<string, string | undefined> = {},
): CheckResult {
  return rule.check(
    target,
    new ResourceIndex([target, ...others], {
      defaultRegion,
      aliasRegions: new Map(Object.entries(aliasRegions)),
    }),
  );
}
