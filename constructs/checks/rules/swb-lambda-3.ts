import { block, isExpression, pointsAt } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/**
 * SWB-LAMBDA-3: the function's log group is defined in the stack with a retention. Otherwise Lambda
 * creates `/aws/lambda/<name>` on first run and keeps its logs forever.
 */
export const lambdaLogRetention: ICheckRule = {
  id: 'SWB-LAMBDA-3',
  severity: CheckSeverity.WARNING,
  reason: 'Lambda function logs to a log group without retention',
  upstream: [],
  appliesTo: ['aws_lambda_function'],
  reads: ['aws_cloudwatch_log_group'],
  check(fn, stack) {
    const configured = block(fn.config.logging_config)?.log_group;
    const functionName = fn.config.function_name;
    const groups = stack
      .ofType('aws_cloudwatch_log_group')
      .filter((group) =>
        configured === undefined
          ? typeof functionName === 'string' && group.config.name === `/aws/lambda/${functionName}`
          : pointsAt(configured, group, 'name'),
      );
    // A group only Terraform can name (a variable, another stack's output) cannot be judged here.
    if (groups.length === 0 && isExpression(configured)) return CheckResult.notApplicable();
    if (groups.length === 0) {
      const name = configured === undefined ? `/aws/lambda/${String(functionName)}` : String(configured);
      return CheckResult.nonCompliant(`no aws_cloudwatch_log_group '${name}' in the stack`);
    }
    const retention = groups[0].config.retention_in_days;
    if (isExpression(retention) || (typeof retention === 'number' && retention > 0))
      return CheckResult.compliant();
    return CheckResult.nonCompliant(
      `its log group '${String(groups[0].config.name)}' sets no retention_in_days`,
    );
  },
};
