/**
 * Smoke checks (hooks): HTTP requests against a listener and the user's own Lambda functions, run
 * before the first traffic step, after each step, and after a rollback. All checks of one stage run
 * in parallel; each is one result, and one audit step of kind `check`.
 */
import type { SmokeCheck, SmokeCheckResult, StepRecord } from '../../../lib';
import type { SmokeCheckPort } from '../ports';
import type { EngineContext } from './context';

/** When in a release a check runs: what the user's Lambda is told in its payload. */
export type SmokeCheckStage = 'pre-traffic' | 'after-step' | 'verification';

/** What a check's detail may hold of a body or an error: enough to see why, not a whole page. */
const DETAIL_CHARS = 300;

/**
 * Runs every check at once and resolves one result per check, in the order given. Never throws for a
 * failing check: a check that cannot be run (no smoke-check client, a network error) fails.
 */
export async function runSmokeChecks(
  context: Pick<EngineContext, 'config' | 'ports' | 'clock'>,
  checks: readonly SmokeCheck[],
  stage: SmokeCheckStage,
  releaseId: string,
): Promise<SmokeCheckResult[]> {
  if (checks.length === 0) return [];
  const port = context.ports.checks;
  return Promise.all(
    checks.map(async (check) => {
      const started = context.clock.now();
      const finish = (passed: boolean, detail?: string): SmokeCheckResult => ({
        kind: check.kind,
        target: targetOf(check),
        passed,
        durationMs: Math.max(0, context.clock.now() - started),
        ...(detail !== undefined ? { detail: detail.slice(0, DETAIL_CHARS) } : {}),
      });
      if (!port) return finish(false, 'no smoke-check client is available to this watchdog');
      try {
        const verdict =
          check.kind === 'http'
            ? await httpVerdict(port, check)
            : await lambdaVerdict(port, check, {
                releaseId,
                service: context.config.service,
                stage,
              });
        return finish(verdict.passed, verdict.detail);
      } catch (error) {
        return finish(false, error instanceof Error ? error.message : String(error));
      }
    }),
  );
}

/** The results as audit steps of kind `check` (a failed check is a failed step). */
export function checkSteps(results: readonly SmokeCheckResult[], startedAt: string): StepRecord[] {
  return results.map((result) => ({
    kind: 'check',
    target: `${result.kind} ${result.target}`,
    outcome: result.passed ? 'applied' : 'failed',
    attempts: 1,
    startedAt,
    durationMs: result.durationMs,
    ...(result.detail !== undefined ? { detail: result.detail } : {}),
  }));
}

/** One line naming the failed checks and why, for a reason or a notification. */
export function describeFailedChecks(results: readonly SmokeCheckResult[]): string {
  return results
    .filter((r) => !r.passed)
    .map((r) => `${r.kind} ${r.target}${r.detail ? ` (${r.detail})` : ''}`)
    .join('; ');
}

function targetOf(check: SmokeCheck): string {
  return check.kind === 'http' ? check.url : check.functionArn;
}

interface Verdict {
  readonly passed: boolean;
  readonly detail?: string;
}

type HttpCheck = Extract<SmokeCheck, { kind: 'http' }>;
type LambdaCheck = Extract<SmokeCheck, { kind: 'lambda' }>;

/** Passes when the status is the expected one and the body matches the pattern (when there is one). */
export async function httpVerdict(port: SmokeCheckPort, check: HttpCheck): Promise<Verdict> {
  const answer = await port.httpGet(check.url, check.timeoutMs);
  if (answer.status === undefined) return { passed: false, detail: answer.error ?? 'no answer' };
  if (answer.status !== check.expectedStatus) {
    return { passed: false, detail: `status ${answer.status}, expected ${check.expectedStatus}` };
  }
  if (check.bodyPattern !== undefined && !new RegExp(check.bodyPattern).test(answer.body ?? '')) {
    return {
      passed: false,
      detail: `body does not match /${check.bodyPattern}/: ${JSON.stringify((answer.body ?? '').slice(0, 120))}`,
    };
  }
  return { passed: true, detail: `status ${answer.status}` };
}

/** Passes unless the function failed or answered `{ "passed": false }` (as CodeDeploy's hooks). */
export async function lambdaVerdict(
  port: SmokeCheckPort,
  check: LambdaCheck,
  payload: { readonly releaseId: string; readonly service: string; readonly stage: SmokeCheckStage },
): Promise<Verdict> {
  const answer = await port.invokeFunction(check.functionArn, payload, check.timeoutMs);
  if (answer.functionError !== undefined) {
    return { passed: false, detail: `function error ${answer.functionError}: ${stringify(answer.result)}` };
  }
  const result = answer.result;
  if (result !== null && typeof result === 'object' && (result as { passed?: unknown }).passed === false) {
    return { passed: false, detail: `the function answered ${stringify(result)}` };
  }
  return { passed: true };
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
