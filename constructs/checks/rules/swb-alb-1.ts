import { isExpression } from '../references';
import { CheckResult, CheckSeverity, type ICheckRule } from '../types';

/**
 * ELB security policies whose oldest protocol is TLS 1.2 (AWS's "TLS 1.2 and above" list, FIPS and
 * PQ variants included). Every `-Ext` variant is left out: they extend the cipher list for legacy
 * clients, `TLS13-1-2-Ext1-2021-06` with CBC ciphers, `TLS13-1-2-Ext2-2021-06` and
 * `TLS-1-2-Ext-2018-06` with SHA-1 CBC ciphers too (`ECDHE-RSA-AES128-SHA`, `AES128-SHA`, …).
 */
const MODERN_POLICY = /^ELBSecurityPolicy-(?!.*-Ext)(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)[A-Za-z0-9-]+$/;

/** SWB-ALB-1: HTTPS (and TLS) listeners use a security policy with TLS 1.2 as the oldest protocol. */
export const listenerTlsPolicy: ICheckRule = {
  id: 'SWB-ALB-1',
  severity: CheckSeverity.ERROR,
  reason: 'HTTPS listener accepts TLS older than 1.2',
  upstream: ['CKV_AWS_103'],
  appliesTo: ['aws_lb_listener', 'aws_alb_listener'],
  reads: [],
  check(listener) {
    const { protocol, ssl_policy: policy } = listener.config;
    if (protocol !== 'HTTPS' && protocol !== 'TLS') return CheckResult.notApplicable();
    if (policy === undefined || policy === null) {
      return CheckResult.nonCompliant(
        'no ssl_policy, so AWS applies ELBSecurityPolicy-2016-08 (TLS 1.0 and up)',
      );
    }
    if (isExpression(policy)) return CheckResult.compliant();
    return typeof policy === 'string' && MODERN_POLICY.test(policy)
      ? CheckResult.compliant()
      : CheckResult.nonCompliant(
          `ssl_policy '${String(policy)}' is not a TLS 1.2+ policy such as 'ELBSecurityPolicy-TLS13-1-2-2021-06'`,
        );
  },
};
