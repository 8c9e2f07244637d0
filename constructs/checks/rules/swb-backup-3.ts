import { blocks, isExpression } from '../references';
import {
  CheckResult,
  CheckSeverity,
  type CheckedResource,
  type ICheckRule,
  type IStackResources,
} from '../types';

/** The region of a literal ARN, if the ARN is literal. */
function regionOf(arn: unknown): string | undefined {
  if (typeof arn !== 'string' || isExpression(arn)) return undefined;
  return arn.split(':')[3] || undefined;
}

/**
 * The region the plan lives in: its own `region` argument, else its provider's (`provider =
 * "aws.<alias>"` names an aliased one), else the stack's default provider's. Undefined (or an
 * expression) when only Terraform knows it.
 */
function regionOfPlan(plan: CheckedResource, stack: IStackResources): string | undefined {
  if (typeof plan.config.region === 'string') return plan.config.region;
  const provider = plan.config.provider;
  if (typeof provider === 'string' && provider.startsWith('aws.')) {
    const alias = provider.slice('aws.'.length);
    return Object.hasOwn(stack.aliasRegions, alias) ? stack.aliasRegions[alias] : undefined;
  }
  return stack.defaultRegion;
}

/**
 * SWB-BACKUP-3 (advisory): a backup plan copies its recovery points to another region, so a regional
 * outage does not take the backups with it. A destination only Terraform knows counts as another region.
 */
export const backupCopiedToAnotherRegion: ICheckRule = {
  id: 'SWB-BACKUP-3',
  severity: CheckSeverity.INFO,
  reason: 'Backup plan keeps no copy in another region',
  upstream: [],
  appliesTo: ['aws_backup_plan'],
  reads: [],
  check(plan, stack) {
    const planRegion = regionOfPlan(plan, stack);
    const destinations = blocks(plan.config.rule).flatMap((rule) =>
      blocks(rule.copy_action).map((copy) => copy.destination_vault_arn),
    );
    if (destinations.length === 0) return CheckResult.nonCompliant('no rule has a copy_action');
    const elsewhere = destinations.some((arn) => {
      const region = regionOf(arn);
      return (
        region === undefined || planRegion === undefined || isExpression(planRegion) || region !== planRegion
      );
    });
    return elsewhere
      ? CheckResult.compliant()
      : CheckResult.nonCompliant(`every copy_action goes to a vault in ${String(planRegion)}`);
  },
};
