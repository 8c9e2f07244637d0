/**
 * What may differ between two synths of the same app from different languages, and nothing else:
 * the hash directory of an asset (cdktf names it by the hash of the asset's files, and each language
 * reads the watchdog bundle from its own copy of the package) and construct stack traces (Python's
 * jsii kernel records none). Every other byte of a stack must be equal.
 */

/** `assets/<id>/<hash>/…` → `assets/<id>/<asset-hash>/…`, in any string. */
const ASSET_PATH = /(assets\/[^/"\s]+\/)[0-9A-F]{32,64}(\/)/gi;

/** A stack's Terraform JSON with asset hashes and stack traces normalized; keys in a stable order. */
export function normalizeStack(stack: unknown): unknown {
  return normalize(stack);
}

function normalize(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ASSET_PATH, '$1<asset-hash>$2');
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([key]) => key !== 'stackTrace')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => [key, normalize(inner)] as const);
    return Object.fromEntries(entries);
  }
  return value;
}

/**
 * The first differences between two normalized documents, as `path: a !== b` lines (at most `limit`),
 * so a failed comparison says where the languages disagree.
 */
export function differences(a: unknown, b: unknown, limit = 10, path = '$'): string[] {
  const found: string[] = [];
  const walk = (x: unknown, y: unknown, at: string): void => {
    if (found.length >= limit) return;
    if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
      if (Array.isArray(x) !== Array.isArray(y)) {
        found.push(`${at}: array !== object`);
        return;
      }
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const key of [...keys].sort()) {
        walk((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key], `${at}.${key}`);
      }
      return;
    }
    if (JSON.stringify(x) !== JSON.stringify(y)) {
      found.push(`${at}: ${JSON.stringify(x) ?? 'missing'} !== ${JSON.stringify(y) ?? 'missing'}`);
    }
  };
  walk(a, b, path);
  return found;
}
