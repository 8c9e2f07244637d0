/**
 * Switchback: cdktf constructs that make every release on AWS safe to undo.
 *
 * The entry point exports the constructs and their types only. The watchdog's Lambda code is never
 * exported: it ships as a bundled asset.
 */
export * from './constructs/blue-green-listener';
export * from './constructs/versioned-artifact-store';
export { SwitchbackValidationError } from './constructs/internal/validation';
export type { ProtectedListener, StoreConfig, WatchdogConfig, ReleaseManifest, ListenerAction } from './lib';
