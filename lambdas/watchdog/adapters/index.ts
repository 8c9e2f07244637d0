/**
 * The adapters: each port over its AWS SDK v3 client. The composition root builds the clients once
 * per cold start and passes them in.
 */
export { call, isFailure, toAwsCallError } from './errors';
export {
  actionFromSdk,
  actionToSdk,
  type ActionSource,
  createTrafficAdapter,
  type TrafficAdapterOptions,
} from './elbv2';
export { createAlarmAdapter, type AlarmAdapterOptions } from './cloudwatch';
export { createAliasAdapter } from './lambda-aliases';
export { createParameterAdapter, type ParameterAdapter } from './ssm';
export { createArtifactAdapter, createStoreAdapter, type ArtifactAdapter } from './s3';
export { createNotifyAdapter, snsSubject } from './sns';
export { backupIdempotencyToken, createBackupAdapter, RELEASE_TAG } from './backup';
export { createSmokeCheckAdapter } from './smoke-checks';
export { createAppConfigAdapter } from './appconfig';
export {
  createIdentityAdapter,
  MAX_PROOF_EXPIRY_SECONDS,
  trustedStsHosts,
  type IdentityAdapterOptions,
} from './identity';
export { createGroupAdapter, regionOfFunctionArn } from './group';
