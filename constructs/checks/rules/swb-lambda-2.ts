import { isExpression } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-LAMBDA-2: functions reserve their concurrency (a bound on fan-out, and a guaranteed slot). */
export const lambdaReservedConcurrency: ICheckRule = {
  id: 'SWB-LAMBDA-2',
  severity: CheckSeverity.WARNING,
  reason: 'Lambda function has no reserved concurrency',
  upstream: ['CKV_AWS_115'],
  appliesTo: ['aws_lambda_function'],
  reads: [],
  check(fn) {
    const reserved = fn.config.reserved_concurrent_executions;
    if (isExpression(reserved) || (typeof reserved === 'number' && reserved >= 0))
      return CheckResult.compliant();
    return CheckResult.nonCompliant(
      reserved === undefined
        ? 'reserved_concurrent_executions is not set'
        : `reserved_concurrent_executions is ${String(reserved)} (unreserved)`,
    );
  },
};
