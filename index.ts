/**
 * Switchback: cdktf constructs that make every release on AWS safe to undo.
 *
 * The entry point exports the constructs and their types only. The watchdog's Lambda code is never
 * exported: it ships as a bundled asset.
 */
export * from './constructs/blue-green-listener';
export * from './constructs/versioned-artifact-store';
export * from './constructs/rollback-alarms';
export * from './constructs/rollback-watchdog';
export * from './constructs/switchback-service';
export * from './constructs/backup-schedule';
export { SwitchbackValidationError } from './constructs/internal/validation';
export type {
  ListenerAction,
  ProtectedListener,
  ProtectedListenerInput,
  ReleaseManifest,
  StoreConfig,
  WatchdogConfig,
} from './lib';
export { SwitchbackChecks } from './constructs/checks';
export type {
  CheckedResource,
  CheckFinding,
  CheckResult,
  CheckRule,
  CheckSeverity,
  CheckSuppression,
  StackResources,
  SwitchbackChecksOptions,
} from './constructs/checks';
