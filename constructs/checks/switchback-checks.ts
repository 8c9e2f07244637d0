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
import {
  CheckedResourceKind,
  CheckSeverity,
  type CheckedResource,
  type ICheckRule,
  type IStackResources,
} from './types';

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
   * The ids of the rules to run: built-in rules and `customRules` alike.
   * @default - every built-in rule and every custom rule
   */
  readonly rules?: string[];
  /**
   * Rules below this severity are not run.
   * @default CheckSeverity.INFO - every rule
   */
  readonly minimumSeverity?: CheckSeverity;
  /**
   * Rules of your own, run with the built-in ones: objects with a `check` method, or instances of a
   * class that implements {@link ICheckRule}. Each needs a unique id that does not start with `SWB-`,
   * a severity, a reason and the types it applies to.
   * @default - the built-in rules only
   */
  readonly customRules?: ICheckRule[];
}

/** One non-compliant resource, as reported. */
export interface CheckFinding {
  /** The rule's id, e.g. `SWB-S3-1`. */
  readonly ruleId: string;
  /** The rule's severity (a suppressed finding is annotated as info whatever its severity). */
  readonly severity: CheckSeverity;
  /** The rule's reason: what is wrong, in one line. */
  readonly reason: string;
  /** What the rule found on this resource. */
  readonly detail: string;
  /** The construct path of the resource, e.g. `shop/Checkout/ArtifactStore/Bucket`. */
  readonly constructPath: string;
  /** The resource's Terraform address, e.g. `aws_s3_bucket.Checkout_ArtifactStore_Bucket_1A2B3C4D`. */
  readonly address: string;
  /** The suppression's reason, when the finding is suppressed. @default - not suppressed */
  readonly suppressedBecause?: string;
}

const SUPPRESSIONS_METADATA = 'switchback/check-suppressions';
const MIN_REASON_LENGTH = 10;
const RULE_IDS = new Set(CHECK_RULES.map((rule) => rule.id));
/** A custom rule's id: letters, digits, '-', '_' or '.', starting with a letter (suppressions name it too). */
const CUSTOM_RULE_ID = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** The prefix of the built-in rules' ids; custom rules may not use it. */
const BUILT_IN_PREFIX = 'SWB-';
/** The severities from most to least serious. */
const SEVERITIES: readonly CheckSeverity[] = [CheckSeverity.ERROR, CheckSeverity.WARNING, CheckSeverity.INFO];

/**
 * The Switchback policy checks, a cdktf Aspect. Apply it to each stack
 * (`SwitchbackChecks.applyTo(app)` does that for every stack defined so far; cdktf 0.21 does not run
 * Aspects added to the App itself).
 */
export class SwitchbackChecks implements IAspect {
  /** Every built-in rule, with its id, severity, reason and upstream equivalents (a copy). */
  public static get rules(): ICheckRule[] {
    return [...CHECK_RULES];
  }

  /**
   * Adds the checks to every stack at or under `scope` (or to `scope` when it is inside a stack) and
   * returns the Aspect, whose {@link findings} fill in at synth.
   */
  public static applyTo(scope: IConstruct, options: SwitchbackChecksOptions = {}): SwitchbackChecks {
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
   * Suppresses rules for `construct` and everything below it. Each suppression needs a rule id (a
   * built-in rule's, or a custom rule's: one not starting with `SWB-`) and a reason of at least 10
   * characters; a suppressed finding is still reported, as info, with the reason.
   */
  public static suppress(construct: IConstruct, suppressions: CheckSuppression[]): void {
    const path = construct.node.path || '(app)';
    if (!Array.isArray(suppressions) || suppressions.length === 0) {
      throw new SwitchbackValidationError(path, 'suppressions', 'got []; give at least one { id, reason }.');
    }
    suppressions.forEach((suppression, index) => {
      const id: unknown = suppression.id;
      if (
        typeof id !== 'string' ||
        !CUSTOM_RULE_ID.test(id) ||
        (id.startsWith(BUILT_IN_PREFIX) && !RULE_IDS.has(id))
      ) {
        throw new SwitchbackValidationError(
          path,
          `suppressions[${index}].id`,
          `got ${JSON.stringify(id)}, which is not a Switchback check; use one of ${[...RULE_IDS].join(', ')}, or the id of a custom rule (not starting with '${BUILT_IN_PREFIX}').`,
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

  private readonly selectedRules: readonly ICheckRule[];
  /** Every rule id this Aspect knows (built-in and custom, selected or not): what a suppression may name. */
  private readonly knownRuleIds: ReadonlySet<string>;
  private readonly typesToLoad: Set<string>;
  /** The findings of the last check of each scope (a stack, or the construct the Aspect was added to). */
  private readonly recorded = new Map<IConstruct, CheckFinding[]>();
  private passRoot?: IConstruct;

  /** Checks with the given options; {@link applyTo} adds them to stacks. */
  constructor(options: SwitchbackChecksOptions = {}) {
    const minimum = options.minimumSeverity ?? CheckSeverity.INFO;
    if (!SEVERITIES.includes(minimum)) {
      throw new SwitchbackValidationError(
        'SwitchbackChecks',
        'minimumSeverity',
        `got '${String(minimum)}'; use one of ${SEVERITIES.join(', ')}.`,
      );
    }
    const customRules = options.customRules ?? [];
    validateCustomRules(customRules);
    const allRules = [...CHECK_RULES, ...customRules.map(snapshot)];
    const ids = allRules.map((rule) => rule.id);
    this.knownRuleIds = new Set(ids);
    if (options.rules !== undefined) {
      const unknown = options.rules.filter((id) => !ids.includes(id));
      if (options.rules.length === 0 || unknown.length > 0) {
        throw new SwitchbackValidationError(
          'SwitchbackChecks',
          'rules',
          `got ${JSON.stringify(unknown.length > 0 ? unknown : options.rules)}; list one or more of ${ids.join(', ')}, or leave it out for all.`,
        );
      }
    }
    const rank = (severity: CheckSeverity) => SEVERITIES.indexOf(severity);
    this.selectedRules = allRules.filter(
      (rule) => (options.rules?.includes(rule.id) ?? true) && rank(rule.severity) <= rank(minimum),
    );
    this.typesToLoad = typesNeeded(this.selectedRules);
  }

  /**
   * The findings of the last synth of each checked stack (or subtree), suppressed ones included, in the
   * order they were found: synthesizing a stack again replaces its findings.
   */
  public get findings(): CheckFinding[] {
    return [...this.recorded.values()].flat();
  }

  /**
   * Called by cdktf for the construct the Aspect was added to and each construct below it; the first
   * call of a synth checks all resources under that construct at once (rules look across resources),
   * the calls for its children are then skipped.
   */
  public visit(node: IConstruct): void {
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
    this.warnAboutUnknownSuppressions(scope);
  }

  /**
   * A suppression whose id names no rule this Aspect knows suppresses nothing: most likely a typo in a
   * custom rule's id. It is reported as a warning on the construct that carries it.
   */
  private warnAboutUnknownSuppressions(scope: IConstruct): void {
    for (const construct of scope.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== SUPPRESSIONS_METADATA) continue;
        for (const { id } of entry.data as CheckSuppression[]) {
          if (this.knownRuleIds.has(id)) continue;
          const message = `[SwitchbackChecks] the suppression of '${id}' names no rule of these checks, so it suppresses nothing; the rules are ${[...this.knownRuleIds].join(', ')}.`;
          if (construct.node.metadata.some((m) => m.data === message)) continue;
          Annotations.of(construct).addWarning(message);
        }
      }
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
    const kind = isData ? CheckedResourceKind.DATA : CheckedResourceKind.RESOURCE;
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
    const address = isData ? `data.${type}.${name}` : `${type}.${name}`;
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
  aliasRegions: { [alias: string]: string };
} {
  let defaultRegion: string | undefined;
  const aliasRegions: { [alias: string]: string } = {};
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
    if (typeof config.alias === 'string') {
      // An alias whose region only Terraform knows is left out.
      if (region !== undefined) aliasRegions[config.alias] = region;
    } else defaultRegion ??= region;
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
  const level = finding.suppressedBecause ? CheckSeverity.INFO : finding.severity;
  const type = {
    [CheckSeverity.ERROR]: AnnotationMetadataEntryType.ERROR,
    [CheckSeverity.WARNING]: AnnotationMetadataEntryType.WARN,
    [CheckSeverity.INFO]: AnnotationMetadataEntryType.INFO,
  }[level];
  if (construct.node.metadata.some((entry) => entry.type === type && entry.data === message)) return;
  const annotations = Annotations.of(construct);
  if (level === CheckSeverity.ERROR) annotations.addError(message);
  else if (level === CheckSeverity.WARNING) annotations.addWarning(message);
  else annotations.addInfo(message);
}

/**
 * A custom rule's fields read once: a rule written in another language is a proxy whose every
 * property read is a call into that language, and evaluation reads `appliesTo` for every resource.
 * Later changes to the rule object are not seen.
 */
function snapshot(rule: ICheckRule): ICheckRule {
  return Object.freeze({
    id: rule.id,
    severity: rule.severity,
    reason: rule.reason,
    appliesTo: [...rule.appliesTo],
    reads: [...(rule.reads ?? [])],
    upstream: [...(rule.upstream ?? [])],
    check: (resource: CheckedResource, stack: IStackResources) => rule.check(resource, stack),
  });
}

/** A Terraform type name as `appliesTo` and `reads` take it: `aws_s3_bucket`, `data.aws_iam_policy_document`. */
const TYPE_NAME = /^(data\.)?[a-z0-9]+(_[a-z0-9]+)+$/;

/**
 * Custom rules: what the Aspect relies on (a JavaScript caller, or another language, can hand over
 * anything). Each failure names `customRules[i]` and the field.
 */
function validateCustomRules(rules: ICheckRule[]): void {
  const fail: (prop: string, detail: string) => never = (prop, detail) => {
    throw new SwitchbackValidationError('SwitchbackChecks', prop, detail);
  };
  if (!Array.isArray(rules)) fail('customRules', `got ${typeof rules}; give a list of rules.`);
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    const at = (field: string) => `customRules[${index}].${field}`;
    if (typeof rule !== 'object' || rule === null) {
      fail(
        `customRules[${index}]`,
        `got ${JSON.stringify(rule)}; give an object with id, severity, reason, appliesTo and a check method.`,
      );
    }
    const id: unknown = rule.id;
    if (typeof id !== 'string' || !CUSTOM_RULE_ID.test(id)) {
      fail(
        at('id'),
        `got ${JSON.stringify(id)}; give a stable id of letters, digits, '-', '_' or '.', such as 'ACME-S3-1'.`,
      );
    }
    if (id.startsWith(BUILT_IN_PREFIX)) {
      fail(
        at('id'),
        `got '${id}'; ids starting with '${BUILT_IN_PREFIX}' are the built-in rules': choose a prefix of your own, such as 'ACME-'.`,
      );
    }
    if (seen.has(id)) fail(at('id'), `got '${id}' twice; each rule needs its own id (suppressions name it).`);
    seen.add(id);
    if (!SEVERITIES.includes(rule.severity)) {
      fail(at('severity'), `got ${JSON.stringify(rule.severity)}; use one of ${SEVERITIES.join(', ')}.`);
    }
    if (typeof rule.reason !== 'string' || rule.reason.trim() === '') {
      fail(
        at('reason'),
        `got ${JSON.stringify(rule.reason)}; say in one line what is wrong when the rule fails.`,
      );
    }
    const types = (field: 'appliesTo' | 'reads', value: unknown, required: boolean) => {
      if ((value === undefined || value === null) && !required) return; // null: another language's None
      const list = Array.isArray(value) ? value : [];
      const bad = list.find((type) => typeof type !== 'string' || !TYPE_NAME.test(type));
      if (!Array.isArray(value) || (required && list.length === 0) || bad !== undefined) {
        fail(
          at(field),
          `got ${JSON.stringify(bad ?? value)}; give Terraform types such as 'aws_s3_bucket', or 'data.aws_iam_policy_document' for a data source${required ? ', at least one' : ''}.`,
        );
      }
    };
    types('appliesTo', rule.appliesTo, true);
    types('reads', rule.reads, false);
    if (typeof rule.check !== 'function') {
      fail(
        at('check'),
        `got ${typeof rule.check}; give a method check(resource, stack) that returns a CheckResult.`,
      );
    }
  });
}
