import { isTrueOrUnknown } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-ALB-3: application load balancers drop HTTP headers that are not valid (request smuggling). */
export const loadBalancerDropsInvalidHeaders: ICheckRule = {
  id: 'SWB-ALB-3',
  severity: CheckSeverity.WARNING,
  reason: 'Application load balancer forwards invalid HTTP header fields',
  upstream: ['CKV_AWS_131'],
  appliesTo: ['aws_lb', 'aws_alb'],
  reads: [],
  check(loadBalancer) {
    const type = loadBalancer.config.load_balancer_type;
    if (type !== undefined && type !== 'application') return CheckResult.notApplicable();
    return isTrueOrUnknown(loadBalancer.config.drop_invalid_header_fields)
      ? CheckResult.compliant()
      : CheckResult.nonCompliant('drop_invalid_header_fields is not true');
  },
};
