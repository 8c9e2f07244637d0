import { block, blocks } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';
import { namesFunction } from './lambda-functions';

/** SWB-LAMBDA-1: failed asynchronous invocations land somewhere (an on-failure destination or a DLQ). */
export const lambdaFailureDestination: ICheckRule = {
  id: 'SWB-LAMBDA-1',
  severity: CheckSeverity.WARNING,
  reason: 'Lambda function drops failed asynchronous events',
  upstream: ['CKV_AWS_116'],
  appliesTo: ['aws_lambda_function'],
  reads: ['aws_lambda_function_event_invoke_config'],
  check(fn, stack) {
    if (block(fn.config.dead_letter_config)?.target_arn) return CheckResult.compliant();
    const destination = stack
      .ofType('aws_lambda_function_event_invoke_config')
      .filter((config) => namesFunction(config.config.function_name, fn))
      .some((config) =>
        blocks(config.config.destination_config).some(
          (destinations) => block(destinations.on_failure)?.destination,
        ),
      );
    return destination
      ? CheckResult.compliant()
      : CheckResult.nonCompliant(
          'neither a dead_letter_config nor an aws_lambda_function_event_invoke_config with an on_failure destination',
        );
  },
};
