/**
 * The policy checks as a cdktf Aspect: it reads a stack's synthesized resources, runs the rules and
 * reports each non-compliant resource as an Annotation on its construct, so findings show in
 * `cdktf synth` and an error finding fails the synth. Per-resource suppressions with a reason.
 */
import {
  AnnotationMetadataEntryType,
  Annotations,
  Aspects,
  DefaultTokenResolver,
  StringConcat,
  TerraformDataSource,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Tokenization,
  type IAspect,
} from 'cdktf';
import type { IConstruct } from 'constructs';
import { inOwnFramework } from '../internal/framework';
import { SwitchbackValidationError } from '../internal/validation';
import { evaluate, ResourceIndex, typeKey, typesNeeded } from './evaluate';
import { isExpression } from './references';
import { CHECK_RULES } from './rules';
import { SEVERITIES, type CheckedResource, type CheckRule, type CheckSeverity } from './types';

/** A rule switched off for one construct and everything below it, and why. */
export interface CheckSuppression {
  /** The rule id, e.g. `SWB-LAMBDA-1`. */
  readonly id: string;
  /** Why the finding does not apply here (at least 10 characters); it is printed with the finding. */
  readonly reason: string;
}

/** Options of {@link SwitchbackChecks}. */
export interface SwitchbackChecksOptions {
  /**
   * The ids of the rules to run.
   * @default every rule
   */
  readonly rules?: readonly string[];
  /**
   * Rules below this severity are not run.
   * @default 'info' (every rule)
   */
  readonly minimumSeverity?: CheckSeverity;
}

/** One non-compliant resource, as reported. */
export interface CheckFinding {
  readonly ruleId: string;
  /** The rule's severity (a suppressed finding is annotated as info whatever its severity). */
  readonly severity: CheckSeverity;
  readonly reason: string;
  readonly detail: string;
  /** The construct path of the resource, e.g. `shop/Checkout/ArtifactStore/Bucket`. */
  readonly constructPath: string;
  /** The resource's Terraform address, e.g. `aws_s3_bucket.Checkout_ArtifactStore_Bucket_1A2B3C4D`. */
  readonly address: string;
  /** The suppression's reason, when the finding is suppressed. */
  readonly suppressedBecause?: string;
}

const SUPPRESSIONS_METADATA = 'switchback/check-suppressions';
const MIN_REASON_LENGTH = 10;
const RULE_IDS = new Set(CHECK_RULES.map((rule) => rule.id));

/**
 * The Switchback policy checks, a cdktf Aspect. Apply it to each stack
 * (`SwitchbackChecks.applyTo(app)` does that for every stack defined so far; cdktf 0.21 does not run
 * Aspects added to the App itself).
 */
export class SwitchbackChecks implements IAspect {
  /** Every built-in rule, with its id, severity, reason and upstream equivalents. */
  static readonly rules: readonly CheckRule[] = CHECK_RULES;

  /**
   * Adds the checks to every stack at or under `scope` (or to `scope` when it is inside a stack) and
   * returns the Aspect, whose {@link findings} fill in at synth.
   */
  static applyTo(scope: IConstruct, options: SwitchbackChecksOptions = {}): SwitchbackChecks {
    inOwnFramework(scope, 'SwitchbackChecks.applyTo');
    const checks = new SwitchbackChecks(options);
    const stacks = TerraformStack.isStack(scope)
      ? [scope]
      : scope.node.findAll().filter((node): node is TerraformStack => TerraformStack.isStack(node));
    if (stacks.length > 0) {
      for (const stack of stacks) Aspects.of(stack).add(checks);
      return checks;
    }
    if (!scope.node.scopes.some((node) => TerraformStack.isStack(node))) {
      throw new SwitchbackValidationError(
        scope.node.path || '(app)',
        'scope',
        'found no TerraformStack at, under or above it; define the stacks first, then apply the checks.',
      );
    }
    Aspects.of(scope).add(checks);
    return checks;
  }

  /**
   * Suppresses rules for `construct` and everything below it. Each suppression needs a known rule id
   * and a reason of at least 10 characters; a suppressed finding is still reported, as info, with the
   * reason.
   */
  static suppress(construct: IConstruct, suppressions: readonly CheckSuppression[]): void {
    const path = construct.node.path || '(app)';
    if (suppressions.length === 0) {
      throw new SwitchbackValidationError(path, 'suppressions', 'got []; give at least one { id, reason }.');
    }
    suppressions.forEach((suppression, index) => {
      if (!RULE_IDS.has(suppression.id)) {
        throw new SwitchbackValidationError(
          path,
          `suppressions[${index}].id`,
          `got '${suppression.id}', which is not a Switchback check; use one of ${[...RULE_IDS].join(', ')}.`,
        );
      }
      const reason = typeof suppression.reason === 'string' ? suppression.reason.trim() : '';
      if (reason.length < MIN_REASON_LENGTH) {
        throw new SwitchbackValidationError(
          path,
          `suppressions[${index}].reason`,
          `got ${JSON.stringify(suppression.reason)}; say why ${suppression.id} does not apply here, in at least ${MIN_REASON_LENGTH} characters.`,
        );
      }
    });
    construct.node.addMetadata(
      SUPPRESSIONS_METADATA,
      suppressions.map(({ id, reason }) => ({ id, reason: reason.trim() })),
    );
  }

  private readonly selectedRules: readonly CheckRule[];
  private readonly typesToLoad: Set<string>;
  /** The findings of the last check of each scope (a stack, or the construct the Aspect was added to). */
  private readonly recorded = new Map<IConstruct, CheckFinding[]>();
  private passRoot?: IConstruct;

  constructor(options: SwitchbackChecksOptions = {}) {
    const minimum = options.minimumSeverity ?? 'info';
    if (!SEVERITIES.includes(minimum)) {
      throw new SwitchbackValidationError(
        'SwitchbackChecks',
        'minimumSeverity',
        `got '${String(minimum)}'; use one of ${SEVERITIES.join(', ')}.`,
      );
    }
    if (options.rules !== undefined) {
      const unknown = options.rules.filter((id) => !RULE_IDS.has(id));
      if (options.rules.length === 0 || unknown.length > 0) {
        throw new SwitchbackValidationError(
          'SwitchbackChecks',
          'rules',
          `got ${JSON.stringify(unknown.length > 0 ? unknown : options.rules)}; list one or more of ${[...RULE_IDS].join(', ')}, or leave it out for all.`,
        );
      }
    }
    const rank = (severity: CheckSeverity) => SEVERITIES.indexOf(severity);
    this.selectedRules = CHECK_RULES.filter(
      (rule) => (options.rules?.includes(rule.id) ?? true) && rank(rule.severity) <= rank(minimum),
    );
    this.typesToLoad = typesNeeded(this.selectedRules);
  }

  /**
   * The findings of the last synth of each checked stack (or subtree), suppressed ones included, in the
   * order they were found: synthesizing a stack again replaces its findings.
   */
  get findings(): readonly CheckFinding[] {
    return [...this.recorded.values()].flat();
  }

  /**
   * Called by cdktf for the construct the Aspect was added to and each construct below it; the first
   * call of a synth checks all resources under that construct at once (rules look across resources),
   * the calls for its children are then skipped.
   */
  visit(node: IConstruct): void {
    const root = this.passRoot;
    if (root && node !== root && node.node.scopes.includes(root)) return;
    this.passRoot = node;
    this.checkScope(node);
  }

  private checkScope(scope: IConstruct): void {
    const stack = TerraformStack.of(scope);
    const loaded = loadResources(stack, this.typesToLoad);
    const regions = providerRegionsOf(stack);
    const index = new ResourceIndex(
      loaded.map(({ resource }) => resource),
      { ...regions, loadedTypes: this.typesToLoad },
    );
    const targets = loaded.filter(
      ({ construct }) => scope === stack || construct === scope || construct.node.scopes.includes(scope),
    );
    const constructs = new Map(targets.map(({ resource, construct }) => [resource, construct]));
    // This synth's findings replace the previous synth's for the same scope: a fixed one is gone.
    const findings: CheckFinding[] = [];
    this.recorded.set(scope, findings);
    for (const { rule, resource, detail } of evaluate(this.selectedRules, [...constructs.keys()], index)) {
      const construct = constructs.get(resource) as IConstruct;
      const suppression = suppressionOf(construct, rule.id);
      const finding: CheckFinding = {
        ruleId: rule.id,
        severity: rule.severity,
        reason: rule.reason,
        detail,
        constructPath: construct.node.path,
        address: resource.address,
        ...(suppression ? { suppressedBecause: suppression.reason } : {}),
      };
      findings.push(finding);
      annotate(construct, finding);
    }
  }
}

interface LoadedResource {
  readonly resource: CheckedResource;
  readonly construct: IConstruct;
}

const resolverOf = () => new DefaultTokenResolver(new StringConcat());

function resolveIn(stack: TerraformStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, resolver: resolverOf(), preparing: false });
}

/** The stack's resources and data sources of the needed types, synthesized as `cdktf synth` would. */
function loadResources(stack: TerraformStack, types: ReadonlySet<string>): LoadedResource[] {
  const loaded: LoadedResource[] = [];
  for (const node of stack.node.findAll()) {
    const isData = TerraformDataSource.isTerraformDataSource(node);
    if (!isData && !TerraformResource.isTerraformResource(node)) continue;
    if (TerraformStack.of(node) !== stack) continue;
    const element = node as TerraformResource | TerraformDataSource;
    const kind = isData ? 'data' : 'resource';
    const type = element.terraformResourceType;
    if (!types.has(typeKey({ kind, type }))) continue;
    const name = element.friendlyUniqueId;
    const synthesized = resolveIn(stack, element.toTerraform()) as Record<
      string,
      Record<string, Record<string, Record<string, unknown>>> | undefined
    >;
    const block = synthesized[kind]?.[type]?.[name];
    if (!block) continue; // a moved resource synthesizes a `moved` block only
    const { '//': _metadata, ...config } = block;
    const address = kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
    loaded.push({ resource: { kind, type, name, address, config }, construct: node });
  }
  return loaded;
}

/**
 * The regions of the stack's AWS providers, when literal: the default (unaliased) provider's, and
 * each aliased one's by alias.
 */
function providerRegionsOf(stack: TerraformStack): {
  defaultRegion?: string;
  aliasRegions: Map<string, string | undefined>;
} {
  let defaultRegion: string | undefined;
  const aliasRegions = new Map<string, string | undefined>();
  for (const node of stack.node.findAll()) {
    if (!TerraformProvider.isTerraformProvider(node)) continue;
    const provider = node as TerraformProvider;
    if (provider.terraformResourceType !== 'aws' || TerraformStack.of(node) !== stack) continue;
    const synthesized = resolveIn(stack, provider.toTerraform()) as {
      provider?: { aws?: { region?: unknown; alias?: unknown }[] };
    };
    const config = synthesized.provider?.aws?.[0] ?? {};
    const region =
      typeof config.region === 'string' && !isExpression(config.region) ? config.region : undefined;
    if (typeof config.alias === 'string') aliasRegions.set(config.alias, region);
    else defaultRegion ??= region;
  }
  return { defaultRegion, aliasRegions };
}

/** The suppression of `ruleId` on the construct or one of its scopes, if any. */
function suppressionOf(construct: IConstruct, ruleId: string): CheckSuppression | undefined {
  for (const scope of construct.node.scopes) {
    for (const entry of scope.node.metadata) {
      if (entry.type !== SUPPRESSIONS_METADATA) continue;
      const found = (entry.data as CheckSuppression[]).find((suppression) => suppression.id === ruleId);
      if (found) return found;
    }
  }
  return undefined;
}

/** Adds the finding's Annotation once (cdktf may run Aspects again on a later synth). */
function annotate(construct: IConstruct, finding: CheckFinding): void {
  const base = `[${finding.ruleId}] ${finding.reason}: ${finding.detail}`;
  const message = finding.suppressedBecause ? `${base} (suppressed: ${finding.suppressedBecause})` : base;
  const level = finding.suppressedBecause ? 'info' : finding.severity;
  const type = {
    error: AnnotationMetadataEntryType.ERROR,
    warning: AnnotationMetadataEntryType.WARN,
    info: AnnotationMetadataEntryType.INFO,
  }[level];
  if (construct.node.metadata.some((entry) => entry.type === type && entry.data === message)) return;
  const annotations = Annotations.of(construct);
  if (level === 'error') annotations.addError(message);
  else if (level === 'warning') annotations.addWarning(message);
  else annotations.addInfo(message);
}
