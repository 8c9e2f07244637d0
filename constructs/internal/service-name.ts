/**
 * The service name every construct takes: defaulted from the construct id one way and checked against
 * lib's pattern with one message, so the constructs cannot drift apart.
 */
import { SERVICE_NAME_PATTERN } from '../../lib';
import { sanitizeName } from './names';
import type { PropValidator } from './validation';

/** The service name a construct uses when none is given: its id, lowercased, other characters as hyphens. */
export function defaultServiceName(id: string): string {
  return sanitizeName(id, 40);
}

/** Fails on a service name that lib's pattern refuses (the watchdog's config would refuse it too). */
export function checkServiceName(check: PropValidator, serviceName: string): void {
  check.matches(
    'serviceName',
    serviceName,
    SERVICE_NAME_PATTERN,
    'must be 1-40 lowercase letters, digits or hyphens, starting and ending with a letter or digit.',
  );
}
