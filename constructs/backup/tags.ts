/** Tags (and tag-shaped key/value pairs) of AWS Backup: recovery point tags, selection tags, restore metadata. */
import { isKnown, type PropValidator } from '../internal/validation';

/** A tag: a key and a value. */
export interface BackupTag {
  /** 1-128 characters, not starting with `aws:`. */
  readonly key: string;
  /** 0-256 characters. */
  readonly value: string;
}

/** The provider's map form of a list of tags. */
export function tagMap(tags: readonly BackupTag[]): Record<string, string> {
  return Object.fromEntries(tags.map(({ key, value }) => [key, value]));
}

/**
 * Unique keys; for `tags`, also AWS's tag key and value lengths. Restore `metadata` overrides are
 * key/value pairs without those limits.
 */
export function validateTags(
  check: PropValidator,
  prop: string,
  tags: readonly BackupTag[] | undefined,
  kind: 'tags' | 'metadata' = 'tags',
): void {
  const keys = new Set<string>();
  (tags ?? []).forEach(({ key, value }, index) => {
    if (isKnown(key)) {
      if (kind === 'tags' && (key.length < 1 || key.length > 128 || key.toLowerCase().startsWith('aws:'))) {
        check.fail(`${prop}[${index}].key`, key, "must be 1-128 characters, not starting with 'aws:'.");
      }
      if (keys.has(key)) check.fail(`${prop}[${index}].key`, key, 'must be unique.');
      keys.add(key);
    }
    if (kind === 'tags' && isKnown(value) && value.length > 256) {
      check.fail(`${prop}[${index}].value`, `${value.length} characters`, 'must be at most 256 characters.');
    }
  });
}
