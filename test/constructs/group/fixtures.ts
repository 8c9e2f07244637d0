/** Fixture builders for RollbackGroup tests: a stack with watchdogs of a few services and a store. */
import type { TerraformStack } from 'cdktf';
import {
  BlueGreenListener,
  RollbackWatchdog,
  VersionedArtifactStore,
  type IRollbackWatchdog,
  type RollbackWatchdogProps,
} from '../../../index';
import { newStack } from '../../support/synth';
import { CERTIFICATE_ARN, LOAD_BALANCER_ARN, VPC_ID } from '../fixtures';

/** A watchdog in another region, defined elsewhere. */
export const REMOTE_WATCHDOG_ARN =
  'arn:aws:lambda:eu-west-1:123456789012:function:switchback-ledger-watchdog';

/** A watchdog of `service` in `stack`, protecting a blue-green listener of its own. */
export function watchdogOf(
  stack: TerraformStack,
  service: string,
  props: Partial<RollbackWatchdogProps> = {},
): RollbackWatchdog {
  const store = new VersionedArtifactStore(stack, `Store-${service}`, { serviceName: service });
  const listener = new BlueGreenListener(stack, `BlueGreen-${service}`, {
    serviceName: service,
    loadBalancerArn: LOAD_BALANCER_ARN,
    vpcId: VPC_ID,
    certificateArn: CERTIFICATE_ARN,
  });
  return new RollbackWatchdog(stack, `Watchdog-${service}`, {
    store,
    releaseId: 'r1',
    listeners: [listener],
    ...props,
  });
}

/** A watchdog defined elsewhere, by its attributes. */
export function remoteWatchdog(
  stack: TerraformStack,
  service = 'ledger',
  functionArn = REMOTE_WATCHDOG_ARN,
): IRollbackWatchdog {
  return RollbackWatchdog.fromRollbackWatchdogAttributes(stack, `Remote-${service}`, {
    serviceName: service,
    functionArn,
    functionName: functionArn.split(':').pop() ?? '',
  });
}

/** A stack with the group's store and the watchdogs of `api` and `worker`. */
export function groupFixture() {
  const { app, stack } = newStack();
  const store = new VersionedArtifactStore(stack, 'GroupStore', { serviceName: 'shop' });
  const api = watchdogOf(stack, 'api');
  const worker = watchdogOf(stack, 'worker');
  return { app, stack, store, api, worker };
}
