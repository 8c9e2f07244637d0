/**
 * Rules on the production listener: one check for a rule whether it comes in the `rules` prop or
 * through `addRule`, and the conditions it renders to.
 */
import type { LbListenerRuleCondition } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { isKnown, type PropValidator } from '../internal/validation';
import type { ListenerRuleOptions } from './props';

/** The most condition values (path patterns and host headers together) AWS takes on one rule. */
const MAX_CONDITION_VALUES_PER_RULE = 5;

/**
 * Checks one rule, named `prop` in messages (`rules[2]`, `addRule(priority 7)`), against the
 * priorities already taken on the listener.
 */
export function validateRule(
  check: PropValidator,
  prop: string,
  rule: ListenerRuleOptions,
  takenPriorities: readonly number[],
): void {
  check.integerInRange(`${prop}.priority`, rule.priority, 1, 50000);
  if (takenPriorities.includes(rule.priority)) {
    check.conflict(
      `${prop}.priority`,
      `priority ${rule.priority} is used by another rule; each rule on a listener needs its own priority.`,
    );
  }
  const conditions = [
    ...(rule.pathPatterns ?? []).map((value, i) => [`${prop}.pathPatterns[${i}]`, value] as const),
    ...(rule.hostHeaders ?? []).map((value, i) => [`${prop}.hostHeaders[${i}]`, value] as const),
  ];
  if (conditions.length === 0) {
    check.conflict(prop, 'a rule needs at least one condition; give pathPatterns or hostHeaders.');
  }
  if (conditions.length > MAX_CONDITION_VALUES_PER_RULE) {
    check.conflict(
      prop,
      `a rule takes at most ${MAX_CONDITION_VALUES_PER_RULE} condition values (path patterns and host headers together), got ${conditions.length}.`,
    );
  }
  conditions.forEach(([conditionProp, value]) => {
    if (isKnown(value) && (value.length === 0 || value.length > 128)) {
      check.fail(conditionProp, value, 'must be 1-128 characters.');
    }
  });
}

/** Checks the rules of the `rules` prop: each as `rules[i]`, priorities unique among them. */
export function validateRules(check: PropValidator, rules: readonly ListenerRuleOptions[]): void {
  rules.forEach((rule, index) =>
    validateRule(
      check,
      `rules[${index}]`,
      rule,
      rules.slice(0, index).map((earlier) => earlier.priority),
    ),
  );
}

/** The rule's conditions: its path patterns, then its host headers. */
export function ruleConditions(rule: ListenerRuleOptions): LbListenerRuleCondition[] {
  return [
    ...(rule.pathPatterns?.length ? [{ pathPattern: { values: rule.pathPatterns } }] : []),
    ...(rule.hostHeaders?.length ? [{ hostHeader: { values: rule.hostHeaders } }] : []),
  ];
}
