/** Switchback's policy checks: the Aspect, its types, and the pure pieces rules are built from. */
export { SwitchbackChecks } from './switchback-checks';
export type { CheckFinding, CheckSuppression, SwitchbackChecksOptions } from './switchback-checks';
export type { CheckedResource, CheckResult, CheckRule, CheckSeverity, StackResources } from './types';
export { ResourceIndex, evaluate } from './evaluate';
