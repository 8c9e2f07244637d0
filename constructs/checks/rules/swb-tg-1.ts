import { block } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/**
 * SWB-TG-1: HTTP and HTTPS target groups define their health check (enabled, with a path), so the
 * load balancer, and a switchback, only send traffic to targets that answer.
 */
export const targetGroupHealthCheck: ICheckRule = {
  id: 'SWB-TG-1',
  severity: CheckSeverity.WARNING,
  reason: 'HTTP target group does not define a health check',
  upstream: ['CKV_AWS_261'],
  appliesTo: ['aws_lb_target_group', 'aws_alb_target_group'],
  reads: [],
  check(targetGroup) {
    const { target_type: targetType, protocol } = targetGroup.config;
    // Lambda targets have health checks off by default (each check is an invocation).
    if (targetType === 'lambda') return CheckResult.notApplicable();
    if (protocol !== 'HTTP' && protocol !== 'HTTPS') return CheckResult.notApplicable();
    const healthCheck = block(targetGroup.config.health_check);
    if (!healthCheck) return CheckResult.nonCompliant('no health_check block, so AWS checks / every 30 s');
    if (healthCheck.enabled === false) return CheckResult.nonCompliant('its health check is disabled');
    return healthCheck.path
      ? CheckResult.compliant()
      : CheckResult.nonCompliant('its health check names no path');
  },
};
