import { blocks, block, isExpression } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/** SWB-ALB-2: plain HTTP listeners only redirect to HTTPS. */
export const httpListenerRedirects: ICheckRule = {
  id: 'SWB-ALB-2',
  severity: CheckSeverity.WARNING,
  reason: 'HTTP listener serves traffic instead of redirecting it to HTTPS',
  upstream: ['CKV_AWS_2', 'CKV2_AWS_20'],
  appliesTo: ['aws_lb_listener', 'aws_alb_listener'],
  reads: [],
  check(listener) {
    if (listener.config.protocol !== 'HTTP') return CheckResult.notApplicable();
    const actions = blocks(listener.config.default_action);
    const redirects = actions.filter((action) => {
      const protocol = block(action.redirect)?.protocol;
      return action.type === 'redirect' && (protocol === 'HTTPS' || isExpression(protocol));
    });
    if (actions.length > 0 && redirects.length === actions.length) return CheckResult.compliant();
    const types = actions.map((action) => String(action.type)).join(', ') || 'none';
    return CheckResult.nonCompliant(`its default action is ${types}, not a redirect to HTTPS`);
  },
};
