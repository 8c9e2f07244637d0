/**
 * Applies a restore plan: check the known-good target groups are healthy, then all traffic steps at
 * once, then all configuration steps at once. Each step is retried inside its time budget and
 * verified by reading it back; a failed step does not stop the steps that do not depend on it.
 */
import type { RollbackPolicy, StepRecord } from '../../../lib';
import type { WatchdogPorts } from '../ports';
import { aliasKey, canonical, sameActions, type RestorePlan, type RestoreStep } from './plan';
import { pollUntil, RetriesExhausted, withRetry, type Clock } from './retry';

export interface ExecutionResult {
  readonly steps: StepRecord[];
  /** When the last traffic step was verified (epoch ms), if any traffic moved. */
  readonly trafficVerifiedAt?: number;
  readonly complete: boolean;
}

export interface ExecutionContext {
  readonly ports: Pick<WatchdogPorts, 'traffic' | 'aliases' | 'parameters' | 'artifacts'>;
  readonly policy: Pick<RollbackPolicy, 'minHealthyTargets' | 'stepTimeBudgetMs'>;
  readonly clock: Clock;
}

/**
 * Runs the plan. `unhealthy` lists the target groups found with too few healthy targets (see
 * {@link findUnhealthyTargetGroups}); traffic steps that would send traffic to one are not applied.
 */
export async function executePlan(
  plan: RestorePlan,
  context: ExecutionContext,
  unhealthy: ReadonlySet<string>,
): Promise<ExecutionResult> {
  const trafficSteps = await Promise.all(
    plan.traffic.map((step) => {
      const blockedBy = step.knownGoodTargetGroupArns.filter((arn) => unhealthy.has(arn));
      return blockedBy.length > 0 ? blocked(step, blockedBy, context) : runStep(step, context);
    }),
  );
  const trafficBack = trafficSteps.every((step) => step.outcome === 'applied');
  const trafficVerifiedAt = plan.traffic.length > 0 && trafficBack ? context.clock.now() : undefined;
  // Old configuration served by the new release would be a third state nobody tested: restore
  // configuration only once traffic is back on the known-good groups.
  const configurationSteps = trafficBack
    ? await Promise.all(plan.configuration.map((step) => runStep(step, context)))
    : plan.configuration.map((step) => ({
        kind: step.kind,
        target: step.target,
        outcome: 'blocked' as const,
        attempts: 0,
        startedAt: new Date(context.clock.now()).toISOString(),
        durationMs: 0,
        detail: 'not applied: traffic is not back on the known-good target groups yet',
      }));
  const steps = [...trafficSteps, ...configurationSteps];
  return {
    steps,
    ...(trafficVerifiedAt !== undefined ? { trafficVerifiedAt } : {}),
    complete: steps.every((s) => s.outcome === 'applied'),
  };
}

/** Lists the steps a plan would take, without taking them (dry run). */
export function describePlan(plan: RestorePlan, now: string): StepRecord[] {
  return [...plan.traffic, ...plan.configuration].map((step) => ({
    kind: step.kind,
    target: step.target,
    outcome: 'planned',
    attempts: 0,
    startedAt: now,
    durationMs: 0,
    detail: describeStep(step),
  }));
}

/** Never send traffic to a group with too few healthy targets: the watchdog must not make it worse. */
export async function findUnhealthyTargetGroups(
  targetGroupArns: readonly string[],
  context: ExecutionContext,
): Promise<Set<string>> {
  const verdicts = await Promise.all(
    targetGroupArns.map(async (arn) => {
      try {
        const { value } = await withRetry(
          () => context.ports.traffic.targetHealth(arn),
          retryOptions(context),
        );
        return value.healthy >= context.policy.minHealthyTargets ? undefined : arn;
      } catch {
        return arn; // health unknown: do not flip blind
      }
    }),
  );
  return new Set(verdicts.filter((arn): arn is string => arn !== undefined));
}

function blocked(step: RestoreStep, blockedBy: string[], context: ExecutionContext): StepRecord {
  return {
    kind: step.kind,
    target: step.target,
    outcome: 'blocked',
    attempts: 0,
    startedAt: new Date(context.clock.now()).toISOString(),
    durationMs: 0,
    detail: `not applied: known-good target group(s) ${blockedBy.join(', ')} have fewer than ${context.policy.minHealthyTargets} healthy target(s)`,
  };
}

async function runStep(step: RestoreStep, context: ExecutionContext): Promise<StepRecord> {
  const started = context.clock.now();
  const record = (outcome: StepRecord['outcome'], attempts: number, detail?: string): StepRecord => ({
    kind: step.kind,
    target: step.target,
    outcome,
    attempts,
    startedAt: new Date(started).toISOString(),
    durationMs: context.clock.now() - started,
    ...(detail ? { detail } : {}),
  });
  let attempts = 0;
  try {
    const applied = await withRetry(() => apply(step, context), retryOptions(context));
    attempts = applied.attempts;
    const verified = await pollUntil(() => isApplied(step, context), retryOptions(context));
    attempts += verified.attempts;
    return verified.ok
      ? record('applied', attempts, describeStep(step))
      : record(
          'failed',
          attempts,
          `written, but reading it back still shows the old state after ${context.policy.stepTimeBudgetMs} ms`,
        );
  } catch (error) {
    const cause = error instanceof RetriesExhausted ? error.lastError : error;
    return record(
      'failed',
      attempts + (error instanceof RetriesExhausted ? error.attempts : 1),
      errorMessage(cause),
    );
  }
}

function apply(step: RestoreStep, { ports }: ExecutionContext): Promise<void> {
  switch (step.kind) {
    case 'listener':
      return ports.traffic.restoreListenerActions(step.target, step.actions);
    case 'rule':
      return ports.traffic.restoreRuleActions(step.target, step.actions);
    case 'alias':
      return ports.aliases.restoreAlias(step.alias);
    case 'parameter':
      return ports.parameters.restoreVersion(step.target, step.version);
    case 'artifact':
      return ports.artifacts.restoreVersion(step.target, step.versionId);
  }
}

async function isApplied(step: RestoreStep, { ports }: ExecutionContext): Promise<boolean> {
  switch (step.kind) {
    case 'listener':
      return sameActions((await ports.traffic.describeListener(step.target)).defaultActions, step.actions);
    case 'rule': {
      const rule = (await ports.traffic.describeListener(step.listenerArn)).rules.find(
        (r) => r.ruleArn === step.target,
      );
      return rule !== undefined && sameActions(rule.actions, step.actions);
    }
    case 'alias': {
      const live = await ports.aliases.describeAlias(step.alias.functionName, step.alias.aliasName);
      return (
        aliasKey(live.functionName, live.aliasName) === step.target &&
        canonical(live) === canonical(step.alias)
      );
    }
    case 'parameter':
      return ports.parameters.matchesVersion(step.target, step.version);
    case 'artifact':
      return ports.artifacts.matchesVersion(step.target, step.versionId);
  }
}

function describeStep(step: RestoreStep): string {
  switch (step.kind) {
    case 'listener':
    case 'rule':
      return `forward to ${step.knownGoodTargetGroupArns.join(', ') || 'the captured actions'}`;
    case 'alias':
      return `alias back to version ${step.alias.functionVersion}`;
    case 'parameter':
      return `value of version ${step.version} written back`;
    case 'artifact':
      return `version ${step.versionId} made current`;
  }
}

function retryOptions(context: ExecutionContext) {
  return { budgetMs: context.policy.stepTimeBudgetMs, clock: context.clock };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
