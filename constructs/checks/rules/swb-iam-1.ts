import { CheckResult, CheckSeverity, type ICheckRule } from '../types';
import { identityAllowStatements, isWholeServiceAction, POLICY_TYPES } from './identity-policies';

/**
 * SWB-IAM-1: identity policies never allow `*` or `<service>:*` actions, nor Allow with NotAction.
 * Partial wildcards (`s3:Put*`) are SWB-IAM-3's.
 */
export const iamNoWildcardActions: ICheckRule = {
  id: 'SWB-IAM-1',
  severity: CheckSeverity.ERROR,
  reason: 'IAM policy allows every action of a service',
  upstream: ['CKV_AWS_63', 'AwsSolutions-IAM5'],
  appliesTo: POLICY_TYPES,
  reads: [],
  check(resource) {
    const statements = identityAllowStatements(resource);
    if (statements === undefined) return CheckResult.notApplicable();
    const problems: string[] = [];
    statements.forEach((statement, index) => {
      if (statement.notAction) {
        problems.push(`statement ${index + 1} allows NotAction ${statement.actions.join(', ')}`);
        return;
      }
      const wildcards = statement.actions.filter(isWholeServiceAction);
      if (wildcards.length > 0) problems.push(`statement ${index + 1} allows ${wildcards.join(', ')}`);
    });
    return problems.length === 0 ? CheckResult.compliant() : CheckResult.nonCompliant(problems.join('; '));
  },
};
