import { CheckResult, CheckSeverity, type ICheckRule } from '../types';
import { identityAllowStatements, isWholeServiceAction, POLICY_TYPES } from './identity-policies';

/**
 * The action families that only read: by AWS's naming convention, `Describe…`, `Get…` and `List…`
 * actions have the Read or List access level, so a wildcard after one of these names cannot match an
 * action that changes anything (`ec2:Describe*`, `s3:GetObject*`). They can still read data (`s3:Get*`
 * includes GetObject): scope their resources, which SWB-IAM-2 checks.
 */
export const READ_ONLY_ACTION_FAMILIES = ['Describe', 'Get', 'List'];

/**
 * Whether an action has a wildcard where it can match an action that writes: anywhere before or
 * without a read-only family name (`s3:Put*`, `iam:*Role*`, `s3:*Object`, `kms:GenerateDataKey*`).
 * Whole-service wildcards (`s3:*`) are SWB-IAM-1's.
 */
export function isWriteCapableWildcard(action: string): boolean {
  if (isWholeServiceAction(action)) return false;
  const name = action.includes(':') ? action.slice(action.indexOf(':') + 1) : action;
  const service = action.includes(':') ? action.slice(0, action.indexOf(':')) : '';
  const firstWildcard = name.search(/[*?]/);
  if (firstWildcard < 0) return /[*?]/.test(service);
  const literal = name.slice(0, firstWildcard).toLowerCase();
  return !READ_ONLY_ACTION_FAMILIES.some((family) => literal.startsWith(family.toLowerCase()));
}

/**
 * SWB-IAM-3: identity policies name the write actions they allow. A wildcard beyond the read-only
 * families (see {@link READ_ONLY_ACTION_FAMILIES}) grants actions nobody reviewed, including ones AWS
 * adds later (`s3:Put*` covers PutBucketPolicy; `iam:*Role*` covers PassRole and DeleteRole). A
 * warning, not an error as SWB-IAM-1 is: the wildcard is bounded by a name and usually by a resource.
 */
export const iamNoWriteWildcards: ICheckRule = {
  id: 'SWB-IAM-3',
  severity: CheckSeverity.WARNING,
  reason: 'IAM policy allows actions by a wildcard that can match write actions',
  upstream: ['AwsSolutions-IAM5'],
  appliesTo: POLICY_TYPES,
  reads: [],
  check(resource) {
    const statements = identityAllowStatements(resource);
    if (statements === undefined) return CheckResult.notApplicable();
    const problems: string[] = [];
    statements.forEach((statement, index) => {
      if (statement.notAction) return; // SWB-IAM-1's
      const wildcards = statement.actions.filter(isWriteCapableWildcard);
      if (wildcards.length > 0) {
        problems.push(
          `statement ${index + 1} allows ${wildcards.join(', ')}; name the actions (wildcards are read-only only after ${READ_ONLY_ACTION_FAMILIES.join(', ')})`,
        );
      }
    });
    return problems.length === 0 ? CheckResult.compliant() : CheckResult.nonCompliant(problems.join('; '));
  },
};
