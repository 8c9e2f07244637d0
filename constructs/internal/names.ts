/**
 * Physical names for resources whose names AWS limits. Names are derived from the construct path, so
 * they are stable across synths and unique within an account, and from the attributes that force a
 * replacement, so a replacement gets a fresh name and `create_before_destroy` can work.
 */
import { createHash } from 'node:crypto';

/** Lowercase letters, digits and single hyphens, trimmed of hyphens, at most `maxLength` characters. */
export function sanitizeName(raw: string, maxLength: number): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '');
  return cleaned.slice(0, maxLength).replace(/-+$/, '');
}

/** A short, stable hex digest of the given parts. */
export function shortHash(parts: readonly (string | number)[], length = 8): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, length);
}

/** The longest target group name AWS accepts. */
export const TARGET_GROUP_NAME_MAX_LENGTH = 32;

/**
 * A target group name: `<base>-<color>-<hash>`, at most 32 characters, only letters, digits and
 * hyphens, never starting with `internal-` (AWS rejects that).
 */
export function targetGroupName(
  base: string,
  color: string,
  hashParts: readonly (string | number)[],
): string {
  const suffix = `-${color}-${shortHash(hashParts)}`;
  let head = sanitizeName(base, TARGET_GROUP_NAME_MAX_LENGTH - suffix.length);
  if (head === '' || `${head}${suffix}`.startsWith('internal-')) {
    head = `sb-${head}`.slice(0, TARGET_GROUP_NAME_MAX_LENGTH - suffix.length).replace(/-+$/, '');
  }
  return `${head}${suffix}`;
}
