import { isExpression } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/**
 * The oldest runtime accepted per family (reviewed 2026-11 against AWS's Lambda runtime deprecation
 * schedule, https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). Older versions are
 * deprecated or close to it: AWS blocks updating such functions soon after deprecation.
 */
const OLDEST_CURRENT: Record<string, { version: number[]; name: string }> = {
  nodejs: { version: [22], name: 'nodejs22.x' },
  python: { version: [3, 12], name: 'python3.12' },
  ruby: { version: [3, 3], name: 'ruby3.3' },
  java: { version: [17], name: 'java17' },
  dotnet: { version: [8], name: 'dotnet8' },
};
/** OS-only runtimes on a current Amazon Linux. */
const CURRENT_OS_ONLY = new Set(['provided.al2', 'provided.al2023']);
/** Runtimes with no successor of the same name: retired for good. */
const RETIRED = new Set([
  'go1.x',
  'provided',
  'java8',
  'dotnetcore3.1',
  'dotnetcore2.1',
  'nodejs',
  'python2.7',
]);

function compareVersions(left: number[], right: number[]): number {
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** SWB-LAMBDA-5: functions run on a current runtime. */
export const lambdaCurrentRuntime: ICheckRule = {
  id: 'SWB-LAMBDA-5',
  severity: CheckSeverity.WARNING,
  reason: 'Lambda function runs on an outdated runtime',
  upstream: ['CKV_AWS_363', 'AwsSolutions-L1'],
  appliesTo: ['aws_lambda_function'],
  reads: [],
  check(fn) {
    const runtime = fn.config.runtime;
    // Container images bring their own runtime.
    if (fn.config.package_type === 'Image' || typeof runtime !== 'string' || isExpression(runtime)) {
      return CheckResult.notApplicable();
    }
    if (CURRENT_OS_ONLY.has(runtime)) return CheckResult.compliant();
    if (RETIRED.has(runtime)) return CheckResult.nonCompliant(`runtime '${runtime}' is retired`);
    const match = /^([a-z]+)(\d+(?:\.\d+)*)/.exec(runtime);
    const oldest = match ? OLDEST_CURRENT[match[1]] : undefined;
    if (!match || !oldest) return CheckResult.notApplicable();
    const version = match[2].split('.').map(Number);
    return compareVersions(version, oldest.version) >= 0
      ? CheckResult.compliant()
      : CheckResult.nonCompliant(`runtime '${runtime}' is older than ${oldest.name}`);
  },
};
