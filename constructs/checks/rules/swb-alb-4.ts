import { isTrueOrUnknown } from '../references';
import { COMPLIANT, nonCompliant, type CheckRule } from '../types';

/** SWB-ALB-4 (advisory): load balancers are protected from deletion. */
export const loadBalancerDeletionProtection: CheckRule = {
  id: 'SWB-ALB-4',
  severity: 'info',
  reason: 'Load balancer can be deleted by a stray destroy',
  upstream: ['CKV_AWS_150'],
  appliesTo: ['aws_lb', 'aws_alb'],
  reads: [],
  check(loadBalancer) {
    return isTrueOrUnknown(loadBalancer.config.enable_deletion_protection)
      ? COMPLIANT
      : nonCompliant('enable_deletion_protection is not true');
  },
};
