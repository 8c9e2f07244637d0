/**
 * Running rules over plain data: an index of a stack's resources by type, and the evaluation of a set
 * of rules over the resources they apply to. Pure; the Aspect feeds it from a cdktf stack.
 */
import {
  CheckedResourceKind,
  CheckStatus,
  type CheckedResource,
  type CheckResult,
  type ICheckRule,
  type IStackResources,
} from './types';

/** The key a resource is looked up by: its type, or `data.<type>` for a data source. */
export function typeKey(resource: Pick<CheckedResource, 'kind' | 'type'>): string {
  return resource.kind === CheckedResourceKind.DATA ? `data.${resource.type}` : resource.type;
}

/** Options of {@link ResourceIndex}. */
export interface ResourceIndexOptions {
  /** The region of the stack's default AWS provider, when it is a literal. */
  readonly defaultRegion?: string;
  /** The regions of the stack's aliased AWS providers, by alias (those whose region is a literal). */
  readonly aliasRegions?: { readonly [alias: string]: string };
  /**
   * The types that were loaded; asking for another is a rule that forgot to declare what it `reads`,
   * which would silently see no resources, so it throws instead.
   */
  readonly loadedTypes?: ReadonlySet<string>;
}

/** An {@link IStackResources} over a list of resources. */
export class ResourceIndex implements IStackResources {
  /** The region of the stack's default AWS provider, when it is a literal. */
  public readonly defaultRegion?: string;
  /** The regions of the stack's aliased AWS providers, by alias (those whose region is a literal). */
  public readonly aliasRegions: { [alias: string]: string };
  private readonly byType = new Map<string, CheckedResource[]>();
  private readonly loadedTypes?: ReadonlySet<string>;

  constructor(resources: readonly CheckedResource[], options: ResourceIndexOptions = {}) {
    this.defaultRegion = options.defaultRegion;
    this.aliasRegions = Object.freeze({ ...options.aliasRegions });
    this.loadedTypes = options.loadedTypes;
    for (const resource of resources) {
      const key = typeKey(resource);
      const list = this.byType.get(key) ?? [];
      list.push(resource);
      this.byType.set(key, list);
    }
  }

  /** The resources of one type (`data.<type>` for data sources). */
  ofType(type: string): CheckedResource[] {
    if (this.loadedTypes && !this.loadedTypes.has(type)) {
      throw new Error(
        `A Switchback check read resources of type '${type}' without listing it in its 'reads'; add it there.`,
      );
    }
    // A copy: a rule cannot change what the next rule sees.
    return [...(this.byType.get(type) ?? [])];
  }
}

/** The outcome of one rule on one resource that did not comply. */
export interface Violation {
  readonly rule: ICheckRule;
  readonly resource: CheckedResource;
  readonly detail: string;
}

/** The types a set of rules needs loaded: what they judge and what they read. */
export function typesNeeded(rules: readonly ICheckRule[]): Set<string> {
  return new Set(rules.flatMap((rule) => [...rule.appliesTo, ...(rule.reads ?? [])]));
}

const STATUSES: readonly string[] = Object.values(CheckStatus);

/** Runs `rules` on each of `targets` they apply to; returns the non-compliant results. */
export function evaluate(
  rules: readonly ICheckRule[],
  targets: readonly CheckedResource[],
  stack: IStackResources,
): Violation[] {
  const violations: Violation[] = [];
  for (const resource of targets) {
    const key = typeKey(resource);
    for (const rule of rules) {
      if (!rule.appliesTo.includes(key)) continue;
      const result = judge(rule, resource, stack);
      if (result.status === CheckStatus.NON_COMPLIANT) {
        violations.push({ rule, resource, detail: result.detail as string });
      }
    }
  }
  return violations;
}

/**
 * One rule on one resource. A rule that throws, or returns something other than a CheckResult (a
 * custom rule in JavaScript can), fails with its id and the resource's address.
 */
function judge(rule: ICheckRule, resource: CheckedResource, stack: IStackResources): CheckResult {
  let result: CheckResult;
  try {
    result = rule.check(resource, stack);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Switchback check '${rule.id}' failed on ${resource.address}: ${message}`, {
      cause: error,
    });
  }
  const { status, detail } = (result ?? {}) as Partial<CheckResult>;
  const valid =
    typeof status === 'string' &&
    STATUSES.includes(status) &&
    (status !== CheckStatus.NON_COMPLIANT || (typeof detail === 'string' && detail.trim() !== ''));
  if (!valid) {
    throw new Error(
      `Switchback check '${rule.id}' returned ${JSON.stringify(result)} for ${resource.address}; return CheckResult.compliant(), CheckResult.nonCompliant(detail) or CheckResult.notApplicable().`,
    );
  }
  return result;
}
