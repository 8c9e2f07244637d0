/**
 * Contracts shared by the constructs, the watchdog Lambda and the CLI. Imports neither cdktf nor the
 * AWS SDK, so the Lambda bundle stays small.
 */
export * from './schema-kit';
export * from './store-layout';
export * from './watchdog-config';
export * from './release-manifest';
export * from './watchdog-records';
export * from './watchdog-answers';
export * from './progressive-delivery';
export * from './release-safety';
