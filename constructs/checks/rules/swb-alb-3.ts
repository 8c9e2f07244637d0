import { isTrueOrUnknown } from '../references';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type CheckRule } from '../types';

/** SWB-ALB-3: application load balancers drop HTTP headers that are not valid (request smuggling). */
export const loadBalancerDropsInvalidHeaders: CheckRule = {
  id: 'SWB-ALB-3',
  severity: 'warning',
  reason: 'Application load balancer forwards invalid HTTP header fields',
  upstream: ['CKV_AWS_131'],
  appliesTo: ['aws_lb', 'aws_alb'],
  reads: [],
  check(loadBalancer) {
    const type = loadBalancer.config.load_balancer_type;
    if (type !== undefined && type !== 'application') return NOT_APPLICABLE;
    return isTrueOrUnknown(loadBalancer.config.drop_invalid_header_fields)
      ? COMPLIANT
      : nonCompliant('drop_invalid_header_fields is not true');
  },
};
