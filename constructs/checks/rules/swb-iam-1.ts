import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type CheckRule } from '../types';
import { identityAllowStatements, POLICY_TYPES } from './identity-policies';

/** Whether an action grants a whole service (or everything). */
const isWildcardAction = (action: string) => action === '*' || /^[a-z0-9-]+:\*$/i.test(action);

/** SWB-IAM-1: identity policies never allow `*` or `<service>:*` actions, nor Allow with NotAction. */
export const iamNoWildcardActions: CheckRule = {
  id: 'SWB-IAM-1',
  severity: 'error',
  reason: 'IAM policy allows every action of a service',
  upstream: ['CKV_AWS_63', 'AwsSolutions-IAM5'],
  appliesTo: POLICY_TYPES,
  reads: [],
  check(resource) {
    const statements = identityAllowStatements(resource);
    if (statements === undefined) return NOT_APPLICABLE;
    const problems: string[] = [];
    statements.forEach((statement, index) => {
      if (statement.notAction) {
        problems.push(`statement ${index + 1} allows NotAction ${statement.actions.join(', ')}`);
        return;
      }
      const wildcards = statement.actions.filter(isWildcardAction);
      if (wildcards.length > 0) problems.push(`statement ${index + 1} allows ${wildcards.join(', ')}`);
    });
    return problems.length === 0 ? COMPLIANT : nonCompliant(problems.join('; '));
  },
};
