import { CheckResult, CheckSeverity, type ICheckRule } from '../types';
import { identityAllowStatements, isEveryResource, isUnscopable, POLICY_TYPES } from './identity-policies';

/**
 * SWB-IAM-2: identity policies allow `Resource: "*"`, an ARN that is wildcards throughout
 * (`arn:aws:s3:::*`, see `isEveryResource`) or NotResource only for actions AWS cannot scope to a
 * resource (see `UNSCOPABLE_ACTIONS`).
 */
export const iamNoWildcardResources: ICheckRule = {
  id: 'SWB-IAM-2',
  severity: CheckSeverity.WARNING,
  reason: 'IAM policy allows on every resource actions that AWS can scope',
  upstream: ['CKV_AWS_355', 'CKV_AWS_356', 'AwsSolutions-IAM5'],
  appliesTo: POLICY_TYPES,
  reads: [],
  check(resource) {
    const statements = identityAllowStatements(resource);
    if (statements === undefined) return CheckResult.notApplicable();
    const problems: string[] = [];
    statements.forEach((statement, index) => {
      const everything = statement.resources.filter(isEveryResource);
      if (!statement.notResource && everything.length === 0) return;
      const on = statement.notResource
        ? `every resource but ${statement.resources.join(', ')}`
        : everything.map((entry) => `'${entry}'`).join(', ');
      if (statement.notAction) {
        problems.push(
          `statement ${index + 1} allows every action but ${statement.actions.join(', ')} on ${on}`,
        );
        return;
      }
      const scopable = statement.actions.filter((action) => !isUnscopable(action));
      if (scopable.length > 0) problems.push(`statement ${index + 1} allows ${scopable.join(', ')} on ${on}`);
    });
    return problems.length === 0 ? CheckResult.compliant() : CheckResult.nonCompliant(problems.join('; '));
  },
};
