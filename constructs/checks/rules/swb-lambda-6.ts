import { isExpression } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/**
 * SWB-LAMBDA-6: a permission for an AWS service or for everyone says which source may invoke
 * (`source_arn`, or `source_account`/`principal_org_id` where the service has no ARN to give).
 * Without it, the same service in any account can invoke the function (the confused deputy).
 */
export const lambdaPermissionScoped: ICheckRule = {
  id: 'SWB-LAMBDA-6',
  severity: CheckSeverity.ERROR,
  reason: 'Lambda permission lets any source of its principal invoke the function',
  upstream: ['CKV_AWS_364'],
  appliesTo: ['aws_lambda_permission'],
  reads: [],
  check(permission) {
    const { principal, source_arn: sourceArn, source_account: sourceAccount } = permission.config;
    // An account, role or user principal names who may invoke; a variable most likely does too.
    if (typeof principal !== 'string' || isExpression(principal)) return CheckResult.notApplicable();
    const isService = /\.amazonaws\.com(\.cn)?$/.test(principal);
    if (!isService && principal !== '*') return CheckResult.notApplicable();
    if (sourceArn || sourceAccount || permission.config.principal_org_id) return CheckResult.compliant();
    return CheckResult.nonCompliant(`principal '${principal}' with neither source_arn nor source_account`);
  },
};
