/**
 * Switchback: cdktf constructs that make every release on AWS safe to undo.
 *
 * The entry point is the public API, compiled by jsii for every language: the constructs, their
 * props and the types they exchange (constructs/contracts.ts). The watchdog's Lambda code is never
 * exported: it ships as a bundled asset. lib's document types (the watchdog configuration, the
 * release manifest) are TypeScript-only: import them from `cdktf-switchback/dist/lib`.
 */
export * from './constructs/contracts';
export * from './constructs/blue-green-listener';
export * from './constructs/versioned-artifact-store';
export * from './constructs/rollback-alarms';
export * from './constructs/rollback-watchdog';
export * from './constructs/rollback-group';
export * from './constructs/switchback-service';
export * from './constructs/backup-schedule';
export * from './constructs/checks';
export * from './constructs/delivery';
