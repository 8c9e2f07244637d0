import { block, isExpression } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-LAMBDA-4: functions trace with X-Ray (`tracing_config.mode = Active`). */
export const lambdaTracing: ICheckRule = {
  id: 'SWB-LAMBDA-4',
  severity: CheckSeverity.WARNING,
  reason: 'Lambda function does not trace with X-Ray',
  upstream: ['CKV_AWS_50'],
  appliesTo: ['aws_lambda_function'],
  reads: [],
  check(fn) {
    const mode = block(fn.config.tracing_config)?.mode;
    if (mode === 'Active' || isExpression(mode)) return CheckResult.compliant();
    return CheckResult.nonCompliant(
      mode === undefined ? 'no tracing_config' : `tracing mode is '${String(mode)}', not 'Active'`,
    );
  },
};
