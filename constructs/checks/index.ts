/**
 * Switchback's policy checks, as the public API has them: the Aspect, its options and findings, and
 * what a rule is made of (for reading the built-in rules and writing your own). The evaluation
 * machinery and the built-in rules' helpers stay internal.
 */
export {
  SwitchbackChecks,
  type CheckFinding,
  type CheckSuppression,
  type SwitchbackChecksOptions,
} from './switchback-checks';
export {
  CheckedResourceKind,
  CheckResult,
  CheckSeverity,
  CheckStatus,
  type CheckedResource,
  type ICheckRule,
  type IStackResources,
} from './types';
