/**
 * The key layout of the versioned artifact store, shared by the constructs that write it, the watchdog
 * that reads and writes it, and the CLI that reads it.
 */

/** The top-level key prefixes of the store. Each ends with `/`. */
export const STORE_KEY_PREFIXES = {
  /** Release artifacts (bundles, images' manifests, static assets), one object version per release. */
  artifacts: 'artifacts/',
  /** Release manifests: the live state captured before each release, the way back. */
  manifests: 'manifests/',
  /** The watchdog's configuration, written at deploy time. */
  config: 'config/',
  /** One audit record per watchdog decision. */
  audit: 'audit/',
} as const;

/** A name of one of the store's top-level areas. */
export type StoreArea = keyof typeof STORE_KEY_PREFIXES;

/** A service name as the contracts accept it: lowercase letters, digits and hyphens, 1-40 characters. */
export const SERVICE_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** The key of a service's watchdog configuration. */
export function watchdogConfigKey(serviceName: string): string {
  return `${STORE_KEY_PREFIXES.config}${serviceName}/watchdog.json`;
}

/** The service whose watchdog configuration lives at `key`, or undefined for any other key. */
export function serviceOfWatchdogConfigKey(key: string): string | undefined {
  const prefix = STORE_KEY_PREFIXES.config;
  const suffix = '/watchdog.json';
  if (!key.startsWith(prefix) || !key.endsWith(suffix)) return undefined;
  const service = key.slice(prefix.length, -suffix.length);
  return SERVICE_NAME_PATTERN.test(service) ? service : undefined;
}

/** The key of a release's manifest. Each capture writes a new version of this object. */
export function releaseManifestKey(serviceName: string, releaseId: string): string {
  return `${STORE_KEY_PREFIXES.manifests}${serviceName}/${releaseId}.json`;
}

/** The key prefix under which a service's audit records are written. */
export function auditKeyPrefix(serviceName: string): string {
  return `${STORE_KEY_PREFIXES.audit}${serviceName}/`;
}

/** The pointer to a service's current release manifest: `{ releaseId, manifestKey, versionId }`. */
export function currentReleaseKey(serviceName: string): string {
  return `${STORE_KEY_PREFIXES.manifests}${serviceName}/current.json`;
}

/** The watchdog's state for a service: latched rollback, recent automatic rollbacks. */
export function watchdogStateKey(serviceName: string): string {
  return `${auditKeyPrefix(serviceName)}state.json`;
}

/** The per-service lock that serializes watchdog actions. */
export function watchdogLockKey(serviceName: string): string {
  return `${auditKeyPrefix(serviceName)}lock.json`;
}

/** The receipt of one delivered trigger (its idempotency record), written at most once. */
export function eventReceiptKey(serviceName: string, eventId: string): string {
  return `${auditKeyPrefix(serviceName)}events/${eventId}.json`;
}

/** One decision's audit record; keys sort by time. */
export function decisionRecordKey(serviceName: string, decidedAt: string, decisionId: string): string {
  return `${auditKeyPrefix(serviceName)}decisions/${decidedAt.replace(/[:.]/g, '-')}-${decisionId}.json`;
}

/**
 * Where release holds live. The watchdog writes `<releaseId>.rolled-back` when it rolls a release
 * back; an operator's acknowledgement writes `<releaseId>.acknowledged`. The BlueGreenListener lists
 * this prefix at plan time, so `cdktf deploy` of a rolled-back release keeps traffic on the known-good
 * color until a new release id or an acknowledgement.
 */
export function releaseHoldPrefix(serviceName: string): string {
  return `${auditKeyPrefix(serviceName)}holds/`;
}

export function rollbackMarkerKey(serviceName: string, releaseId: string): string {
  return `${releaseHoldPrefix(serviceName)}${releaseId}.rolled-back`;
}

export function acknowledgementKey(serviceName: string, releaseId: string): string {
  return `${releaseHoldPrefix(serviceName)}${releaseId}.acknowledged`;
}
