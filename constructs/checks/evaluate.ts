/**
 * Running rules over plain data: an index of a stack's resources by type, and the evaluation of a set
 * of rules over the resources they apply to. Pure; the Aspect feeds it from a cdktf stack.
 */
import type { CheckedResource, CheckResult, CheckRule, StackResources } from './types';

/** The key a resource is looked up by: its type, or `data.<type>` for a data source. */
export function typeKey(resource: Pick<CheckedResource, 'kind' | 'type'>): string {
  return resource.kind === 'data' ? `data.${resource.type}` : resource.type;
}

/** Options of {@link ResourceIndex}. */
export interface ResourceIndexOptions {
  /** The region of the stack's default AWS provider, when it is a literal. */
  readonly defaultRegion?: string;
  /** The regions of the stack's aliased AWS providers, by alias (undefined when not a literal). */
  readonly aliasRegions?: ReadonlyMap<string, string | undefined>;
  /**
   * The types that were loaded; asking for another is a rule that forgot to declare what it `reads`,
   * which would silently see no resources, so it throws instead.
   */
  readonly loadedTypes?: ReadonlySet<string>;
}

/** A {@link StackResources} over a list of resources. */
export class ResourceIndex implements StackResources {
  /** The region of the stack's default AWS provider, when it is a literal. */
  public readonly defaultRegion?: string;
  /** The regions of the stack's aliased AWS providers, by alias (undefined when not a literal). */
  public readonly aliasRegions?: ReadonlyMap<string, string | undefined>;
  private readonly byType = new Map<string, CheckedResource[]>();
  private readonly loadedTypes?: ReadonlySet<string>;

  constructor(resources: readonly CheckedResource[], options: ResourceIndexOptions = {}) {
    this.defaultRegion = options.defaultRegion;
    this.aliasRegions = options.aliasRegions;
    this.loadedTypes = options.loadedTypes;
    for (const resource of resources) {
      const key = typeKey(resource);
      const list = this.byType.get(key) ?? [];
      list.push(resource);
      this.byType.set(key, list);
    }
  }

  /** The resources of one type (`data.<type>` for data sources). */
  ofType(type: string): readonly CheckedResource[] {
    if (this.loadedTypes && !this.loadedTypes.has(type)) {
      throw new Error(
        `A Switchback check read resources of type '${type}' without listing it in its 'reads'; add it there.`,
      );
    }
    return this.byType.get(type) ?? [];
  }
}

/** The outcome of one rule on one resource that did not comply. */
export interface Violation {
  readonly rule: CheckRule;
  readonly resource: CheckedResource;
  readonly detail: string;
}

/** The types a set of rules needs loaded: what they judge and what they read. */
export function typesNeeded(rules: readonly CheckRule[]): Set<string> {
  return new Set(rules.flatMap((rule) => [...rule.appliesTo, ...rule.reads]));
}

/** Runs `rules` on each of `targets` they apply to; returns the non-compliant results. */
export function evaluate(
  rules: readonly CheckRule[],
  targets: readonly CheckedResource[],
  stack: StackResources,
): Violation[] {
  const violations: Violation[] = [];
  for (const resource of targets) {
    const key = typeKey(resource);
    for (const rule of rules) {
      if (!rule.appliesTo.includes(key)) continue;
      const result: CheckResult = rule.check(resource, stack);
      if (result.status === 'non-compliant') violations.push({ rule, resource, detail: result.detail });
    }
  }
  return violations;
}
