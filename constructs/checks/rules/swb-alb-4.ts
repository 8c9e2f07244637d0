import { isTrueOrUnknown } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-ALB-4 (advisory): load balancers are protected from deletion. */
export const loadBalancerDeletionProtection: ICheckRule = {
  id: 'SWB-ALB-4',
  severity: CheckSeverity.INFO,
  reason: 'Load balancer can be deleted by a stray destroy',
  upstream: ['CKV_AWS_150'],
  appliesTo: ['aws_lb', 'aws_alb'],
  reads: [],
  check(loadBalancer) {
    return isTrueOrUnknown(loadBalancer.config.enable_deletion_protection)
      ? CheckResult.compliant()
      : CheckResult.nonCompliant('enable_deletion_protection is not true');
  },
};
