/**
 * Applies a restore plan. Traffic first: the captured actions of every listener and rule are written
 * all at once without reading the live ones first (writing them is idempotent), then read back in one
 * batched wave, polled until it matches or the step budget runs out. Configuration (aliases,
 * parameters, artifacts) follows once traffic is back. A failed step does not stop the others.
 */
import { setMaxListeners } from 'node:events';
import type { RollbackPolicy, StepRecord } from '../../../lib';
import type { TargetHealthSummary, WatchdogPorts } from '../ports';
import { aliasKey, canonical, sameActions, type RestoreStep, type TrafficStep } from './plan';
import { isRetryable, pollUntil, RetriesExhausted, withRetry, type Clock } from './retry';

export interface ExecutionResult {
  readonly steps: StepRecord[];
  /** When the last traffic step was verified (epoch ms), if every one was. */
  readonly trafficVerifiedAt?: number;
  /** Every traffic step was written (verified or not): configuration may follow. */
  readonly trafficWritten: boolean;
}

export interface ExecutionContext {
  readonly ports: Pick<WatchdogPorts, 'traffic' | 'aliases' | 'parameters' | 'artifacts'>;
  readonly policy: Pick<
    RollbackPolicy,
    'minHealthyTargets' | 'minHealthyPercentOfCandidate' | 'stepTimeBudgetMs'
  >;
  readonly clock: Clock;
}

/**
 * Writes every traffic step at once (steps in `blockedBy` are not applied), then verifies them
 * together. A step whose write landed is `applied` once read back, `failed` if the read-back still
 * shows other actions when the budget runs out, and `unverified` if reading it back only failed
 * (throttled): never reported failed for a read it could not make.
 */
export async function restoreTraffic(
  steps: readonly TrafficStep[],
  blockedBy: ReadonlyMap<string, string>,
  context: ExecutionContext,
): Promise<{ readonly steps: StepRecord[]; readonly verifiedAt?: number }> {
  const started = context.clock.now();
  const writes = await Promise.all(
    steps.map(async (step) => {
      const reason = blockedBy.get(step.target);
      if (reason !== undefined) return { step, record: blockedRecord(step, reason, context) };
      try {
        const { attempts } = await withRetry(() => apply(step, context), retryOptions(context));
        return { step, attempts };
      } catch (error) {
        const cause = error instanceof RetriesExhausted ? error.lastError : error;
        const attempts = error instanceof RetriesExhausted ? error.attempts : 1;
        return { step, record: stepRecord(step, 'failed', attempts, started, context, errorMessage(cause)) };
      }
    }),
  );
  const written = writes.flatMap((w) =>
    w.record === undefined ? [{ step: w.step, attempts: w.attempts }] : [],
  );
  const verdicts = await verifyTraffic(
    written.map((w) => w.step),
    context,
  );
  const records = writes.map((w) => {
    if (w.record) return w.record;
    const verdict = verdicts.get(w.step.target) ?? { outcome: 'old' as const, reads: 0 };
    const attempts = (w.attempts ?? 1) + verdict.reads;
    switch (verdict.outcome) {
      case 'verified':
        return stepRecord(w.step, 'applied', attempts, started, context, describeStep(w.step));
      case 'old':
        return stepRecord(
          w.step,
          'failed',
          attempts,
          started,
          context,
          `written, but reading it back still shows other actions after ${context.policy.stepTimeBudgetMs} ms`,
        );
      case 'unreadable':
        return stepRecord(
          w.step,
          'unverified',
          attempts,
          started,
          context,
          `written; reading it back failed for ${context.policy.stepTimeBudgetMs} ms (${verdict.detail ?? 'throttled'}): verification delayed`,
        );
    }
  });
  const allApplied = records.length > 0 && records.every((r) => r.outcome === 'applied');
  return { steps: records, ...(allApplied ? { verifiedAt: context.clock.now() } : {}) };
}

type Verdict =
  | { readonly outcome: 'verified'; readonly reads: number }
  | { readonly outcome: 'old'; readonly reads: number }
  | { readonly outcome: 'unreadable'; readonly reads: number; readonly detail?: string };

/**
 * Reads every written step back in one wave per attempt: DescribeListeners for up to 20 listeners a
 * call, and the rules only of listeners whose rules were written.
 */
async function verifyTraffic(
  steps: readonly TrafficStep[],
  context: ExecutionContext,
): Promise<Map<string, Verdict>> {
  const { traffic } = context.ports;
  const verdicts = new Map<string, Verdict>();
  let pending = [...steps];
  let reads = 0;
  const lastSeen = new Map<string, { outcome: 'old' | 'unreadable'; detail?: string }>();
  await pollUntil(async () => {
    reads++;
    const listenerSteps = pending.filter((s) => s.kind === 'listener');
    const ruleListeners = [...new Set(pending.flatMap((s) => (s.kind === 'rule' ? [s.listenerArn] : [])))];
    const [defaults, rules] = await Promise.all([
      listenerSteps.length > 0
        ? traffic.describeDefaultActions(listenerSteps.map((s) => s.target)).then(
            (map) => ({ ok: true as const, map }),
            (error: unknown) => ({ ok: false as const, error }),
          )
        : Promise.resolve({ ok: true as const, map: new Map() }),
      Promise.all(
        ruleListeners.map((arn) =>
          traffic.describeRules(arn).then(
            (list) => ({ arn, ok: true as const, list }),
            (error: unknown) => ({ arn, ok: false as const, error }),
          ),
        ),
      ),
    ]);
    const rulesOf = new Map(rules.map((r) => [r.arn, r]));
    const stillPending: TrafficStep[] = [];
    for (const step of pending) {
      let seen: { outcome: 'verified' } | { outcome: 'old' } | { outcome: 'unreadable'; detail: string };
      if (step.kind === 'listener') {
        if (!defaults.ok) seen = { outcome: 'unreadable', detail: errorMessage(defaults.error) };
        else {
          const live = defaults.map.get(step.target);
          seen =
            live !== undefined && sameActions(live, step.actions)
              ? { outcome: 'verified' }
              : { outcome: 'old' };
        }
      } else {
        const answer = rulesOf.get(step.listenerArn);
        if (!answer || !answer.ok)
          seen = { outcome: 'unreadable', detail: answer ? errorMessage(answer.error) : 'not read' };
        else {
          const live = answer.list.find((r) => r.ruleArn === step.target);
          seen =
            live !== undefined && sameActions(live.actions, step.actions)
              ? { outcome: 'verified' }
              : { outcome: 'old' };
        }
      }
      if (seen.outcome === 'verified') verdicts.set(step.target, { outcome: 'verified', reads });
      else {
        lastSeen.set(step.target, seen);
        stillPending.push(step);
      }
    }
    // A read that fails for good (not throttling, not 5xx) will not succeed by polling: stop.
    const fatal = [defaults, ...rules].find((r) => !r.ok && !isRetryable(r.error));
    pending = stillPending;
    if (fatal) return true;
    return pending.length === 0;
  }, retryOptions(context));
  for (const step of pending) {
    const last = lastSeen.get(step.target) ?? { outcome: 'old' as const };
    verdicts.set(
      step.target,
      last.outcome === 'unreadable'
        ? { outcome: 'unreadable', reads, ...(last.detail ? { detail: last.detail } : {}) }
        : { outcome: 'old', reads },
    );
  }
  return verdicts;
}

/** Runs configuration steps (after traffic is back), each retried and read back. */
export async function restoreConfiguration(
  steps: readonly RestoreStep[],
  context: ExecutionContext,
): Promise<StepRecord[]> {
  return Promise.all(steps.map((step) => runStep(step, context)));
}

/** Configuration steps not run because traffic did not move. */
export function heldBackConfiguration(
  steps: readonly RestoreStep[],
  context: ExecutionContext,
): StepRecord[] {
  return steps.map((step) => ({
    kind: step.kind,
    target: step.target,
    outcome: 'blocked' as const,
    attempts: 0,
    startedAt: new Date(context.clock.now()).toISOString(),
    durationMs: 0,
    detail: 'not applied: traffic is not back on the known-good target groups yet',
  }));
}

/** Lists the steps a plan would take, without taking them (dry run). */
export function describePlan(
  plan: { readonly traffic: readonly RestoreStep[]; readonly configuration: readonly RestoreStep[] },
  now: string,
): StepRecord[] {
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

/** What the capacity check read: each group's health, or why it could not be read. */
export type HealthReadings = ReadonlyMap<string, TargetHealthSummary | { readonly error: string }>;

/**
 * Reads target health: the known-good groups in full (retried inside the step budget); the candidate
 * groups as far as they come in. Once the known-good groups are read, candidate reads still waiting
 * for a request token give up (under ELBv2's budget they would delay the flip and spend what the
 * read-back needs), and reads already sent get `candidateGraceMs` to answer. A candidate left unread
 * leaves only the absolute minimum to check.
 */
export async function readCapacity(
  knownGood: readonly string[],
  candidates: readonly string[],
  context: ExecutionContext,
  candidateGraceMs = 250,
): Promise<HealthReadings> {
  const read = (arn: string, signal?: AbortSignal) =>
    withRetry(
      () => context.ports.traffic.targetHealth(arn, signal ? { signal } : {}),
      retryOptions(context),
    ).then(
      (r) => [arn, r.value] as const,
      (error: unknown) =>
        [arn, { error: errorMessage(error instanceof RetriesExhausted ? error.lastError : error) }] as const,
    );
  const abort = new AbortController();
  // One signal for every candidate read still waiting for a request token: more than Node's default 10.
  setMaxListeners(candidates.length + 10, abort.signal);
  // Known-good first: under a request budget they are served first.
  const goodReadings = Promise.all(knownGood.map((arn) => read(arn)));
  const candidateReads = Promise.all(
    candidates.filter((arn) => !knownGood.includes(arn)).map((arn) => read(arn, abort.signal)),
  );
  const goodReads = await goodReadings;
  abort.abort();
  // Already in (the usual case), or given a short grace; the grace is not waited when not needed.
  const candidateResults =
    (await Promise.race([candidateReads, Promise.resolve(undefined)])) ??
    (await Promise.race([candidateReads, context.clock.sleep(candidateGraceMs).then(() => undefined)]));
  return new Map<string, TargetHealthSummary | { readonly error: string }>([
    ...goodReads,
    ...(candidateResults ?? []),
  ]);
}

/**
 * Why a traffic step must not be applied, if it must not: a known-good group it sends traffic to has
 * fewer healthy targets than the absolute minimum, or than the configured share of the candidate's
 * healthy targets it would take the load from. A group whose health could not be read is not
 * "unhealthy": the step goes ahead and the reason is kept for the record.
 */
export function capacityVerdicts(
  steps: readonly (TrafficStep & { readonly candidateTargetGroupArns: readonly string[] })[],
  health: HealthReadings,
  policy: ExecutionContext['policy'],
): { readonly blocked: Map<string, string>; readonly unknown: string[] } {
  const blocked = new Map<string, string>();
  const unknown = new Set<string>();
  const healthy = (arn: string): number | undefined => {
    const reading = health.get(arn);
    if (reading === undefined || 'error' in reading) {
      unknown.add(arn);
      return undefined;
    }
    return reading.healthy;
  };
  for (const step of steps) {
    const candidateHealthy = step.candidateTargetGroupArns
      .filter((arn) => !step.knownGoodTargetGroupArns.includes(arn))
      .map(healthy);
    const candidateKnown = candidateHealthy.every((n) => n !== undefined);
    const candidateTotal = candidateHealthy.reduce<number>((sum, n) => sum + (n ?? 0), 0);
    const share = candidateKnown
      ? Math.ceil((candidateTotal * policy.minHealthyPercentOfCandidate) / 100)
      : 0;
    const needed = Math.max(policy.minHealthyTargets, share);
    const short = step.knownGoodTargetGroupArns.flatMap((arn) => {
      const n = healthy(arn);
      return n !== undefined && n < needed ? [`${arn} has ${n} healthy`] : [];
    });
    if (short.length > 0) {
      blocked.set(
        step.target,
        `not applied: known-good target group(s) need ${needed} healthy target(s) (at least ${policy.minHealthyTargets}${
          candidateKnown && policy.minHealthyPercentOfCandidate > 0
            ? `, and ${policy.minHealthyPercentOfCandidate}% of the candidate's ${candidateTotal}`
            : ''
        }): ${short.join('; ')}`,
      );
    }
  }
  return { blocked, unknown: [...unknown] };
}

function blockedRecord(step: RestoreStep, reason: string, context: ExecutionContext): StepRecord {
  return {
    kind: step.kind,
    target: step.target,
    outcome: 'blocked',
    attempts: 0,
    startedAt: new Date(context.clock.now()).toISOString(),
    durationMs: 0,
    detail: reason,
  };
}

function stepRecord(
  step: RestoreStep,
  outcome: StepRecord['outcome'],
  attempts: number,
  started: number,
  context: ExecutionContext,
  detail?: string,
): StepRecord {
  return {
    kind: step.kind,
    target: step.target,
    outcome,
    attempts,
    startedAt: new Date(started).toISOString(),
    durationMs: context.clock.now() - started,
    ...(detail ? { detail } : {}),
  };
}

async function runStep(step: RestoreStep, context: ExecutionContext): Promise<StepRecord> {
  const started = context.clock.now();
  const record = (outcome: StepRecord['outcome'], attempts: number, detail?: string): StepRecord =>
    stepRecord(step, outcome, attempts, started, context, detail);
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
