/** Fixture builders for rule tests: resources as plain synthesized data, and a stack view over them. */
import type { IConstruct } from 'constructs';
import {
  CheckedResourceKind,
  type CheckedResource,
  type CheckResult,
  type ICheckRule,
} from '../../../constructs/checks';
import { ResourceIndex } from '../../../constructs/checks/evaluate';

/** A managed resource of `type` named `name`, with its synthesized (snake_case) arguments. */
export function resource(type: string, name: string, config: Record<string, unknown> = {}): CheckedResource {
  return { kind: CheckedResourceKind.RESOURCE, type, name, address: `${type}.${name}`, config };
}

/** A data source of `type` named `name`. */
export function dataSource(
  type: string,
  name: string,
  config: Record<string, unknown> = {},
): CheckedResource {
  return { kind: CheckedResourceKind.DATA, type, name, address: `data.${type}.${name}`, config };
}

/** The expression referencing an attribute of `target`, as cdktf synthesizes it. */
export function ref(target: CheckedResource, attribute: string): string {
  return `\${${target.address}.${attribute}}`;
}

/**
 * Runs `rule` on `target` within a stack of `target` and `others`, whose default AWS provider is in
 * `defaultRegion` and whose aliased ones (with a literal region) are in `aliasRegions` (alias → region).
 */
export function check(
  rule: ICheckRule,
  target: CheckedResource,
  others: CheckedResource[] = [],
  defaultRegion?: string,
  aliasRegions: Record<string, string> = {},
): CheckResult {
  return rule.check(target, new ResourceIndex([target, ...others], { defaultRegion, aliasRegions }));
}

/** The annotations cdktf will print for a construct, as `LEVEL message`. */
export function annotationsOf(construct: IConstruct): string[] {
  const levels: Record<string, string> = {
    '@cdktf/error': 'ERROR',
    '@cdktf/warn': 'WARN',
    '@cdktf/info': 'INFO',
  };
  return construct.node.metadata
    .filter((entry) => entry.type in levels)
    .map((entry) => `${levels[entry.type]} ${String(entry.data)}`);
}
