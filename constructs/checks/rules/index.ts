/** The catalogue of Switchback's policy rules, in the order the README lists them. */
import type { ICheckRule } from '../types';
import { listenerTlsPolicy } from './swb-alb-1';
import { httpListenerRedirects } from './swb-alb-2';
import { loadBalancerDropsInvalidHeaders } from './swb-alb-3';
import { loadBalancerDeletionProtection } from './swb-alb-4';
import { backupVaultCustomerKey } from './swb-backup-1';
import { backupVaultLocked } from './swb-backup-2';
import { backupCopiedToAnotherRegion } from './swb-backup-3';
import { iamNoWildcardActions } from './swb-iam-1';
import { iamNoWildcardResources } from './swb-iam-2';
import { iamNoWriteWildcards } from './swb-iam-3';
import { iamNoBroadManagedPolicies } from './swb-iam-4';
import { lambdaFailureDestination } from './swb-lambda-1';
import { lambdaReservedConcurrency } from './swb-lambda-2';
import { lambdaLogRetention } from './swb-lambda-3';
import { lambdaTracing } from './swb-lambda-4';
import { lambdaCurrentRuntime } from './swb-lambda-5';
import { lambdaPermissionScoped } from './swb-lambda-6';
import { s3PublicAccessBlocked } from './swb-s3-1';
import { s3DefaultEncryption } from './swb-s3-2';
import { s3TlsOnly } from './swb-s3-3';
import { s3Versioning } from './swb-s3-4';
import { s3Lifecycle } from './swb-s3-5';
import { snsEncrypted } from './swb-sns-1';
import { sqsEncrypted } from './swb-sqs-1';
import { targetGroupHealthCheck } from './swb-tg-1';

/** Every built-in rule. */
export const CHECK_RULES: readonly ICheckRule[] = [
  s3PublicAccessBlocked,
  s3DefaultEncryption,
  s3TlsOnly,
  s3Versioning,
  s3Lifecycle,
  listenerTlsPolicy,
  httpListenerRedirects,
  loadBalancerDropsInvalidHeaders,
  loadBalancerDeletionProtection,
  targetGroupHealthCheck,
  lambdaFailureDestination,
  lambdaReservedConcurrency,
  lambdaLogRetention,
  lambdaTracing,
  lambdaCurrentRuntime,
  lambdaPermissionScoped,
  sqsEncrypted,
  snsEncrypted,
  iamNoWildcardActions,
  iamNoWildcardResources,
  iamNoWriteWildcards,
  iamNoBroadManagedPolicies,
  backupVaultCustomerKey,
  backupVaultLocked,
  backupCopiedToAnotherRegion,
];
