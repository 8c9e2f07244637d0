/**
 * Reads a service's status without invoking the watchdog: the configuration from the store, then the
 * watchdog's own status read (its engine over its ports) through adapters on the CLI's clients. The
 * calls are read-only, so any number of operators can poll while the watchdog works, and the answer
 * is the one the watchdog gives to `{ "action": "status" }`.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ContractError,
  parseWatchdogConfig,
  watchdogConfigKey,
  type ServiceStatusAnswer,
  type WatchdogConfig,
} from '../lib';
// The CLI's one way into the watchdog's code: its read-only status over its ports and adapters.
import { createAlarmAdapter } from '../lambdas/watchdog/adapters/cloudwatch';
import { createTrafficAdapter } from '../lambdas/watchdog/adapters/elbv2';
import { serviceStatus } from '../lambdas/watchdog/engine/status';
import { AwsCallError, type StorePort } from '../lambdas/watchdog/ports';
import { CliError, EXIT } from './errors';
import type { WatchdogGateway } from './watchdog-gateway';

export async function readServiceStatus(
  gateway: WatchdogGateway,
  service: string,
  now: number,
): Promise<ServiceStatusAnswer> {
  const config = await readConfig(gateway, service);
  // A standalone watchdog acts on the service's region; so do these reads.
  const clientConfig = { ...gateway.clientConfig, ...(config.region ? { region: config.region } : {}) };
  const elbv2 = new ElasticLoadBalancingV2Client(clientConfig);
  const cloudwatch = new CloudWatchClient(clientConfig);
  try {
    return await serviceStatus({
      config,
      ports: {
        traffic: createTrafficAdapter(elbv2),
        alarms: createAlarmAdapter(cloudwatch),
        store: readOnlyStore(gateway),
      },
      clock: { now: () => now },
    });
  } catch (error) {
    throw cliError(gateway, service, error);
  } finally {
    elbv2.destroy();
    cloudwatch.destroy();
  }
}

async function readConfig(gateway: WatchdogGateway, service: string): Promise<WatchdogConfig> {
  const document = await gateway.readJson(watchdogConfigKey(service));
  if (document === undefined) {
    throw new CliError(
      `the store has no configuration for ${service} (${watchdogConfigKey(service)}): is the service deployed?`,
      EXIT.setup,
    );
  }
  try {
    return parseWatchdogConfig(document);
  } catch (error) {
    throw cliError(gateway, service, error);
  }
}

/** The store for reading only: the CLI changes nothing behind the watchdog's back (no lock, no audit). */
function readOnlyStore(gateway: WatchdogGateway): StorePort {
  const refuse = (): Promise<never> =>
    Promise.reject(new Error('the CLI reads the store only: changes go through the watchdog'));
  return {
    getJson: (key, versionId) => gateway.readStored(key, versionId),
    putJson: refuse,
    deleteObject: refuse,
  };
}

function cliError(gateway: WatchdogGateway, service: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  // The adapter keeps the service's code and message: describe those, as for the SDK's own error.
  if (error instanceof AwsCallError)
    return gateway.describe(Object.assign(new Error(error.detail), { name: error.code, code: error.code }));
  // A document in the store that breaks its contract is a finding for the operator, not a crash.
  if (error instanceof ContractError)
    return new CliError(`the store of ${service}: ${error.message}`, EXIT.failed);
  return new CliError(error instanceof Error ? error.message : String(error), EXIT.failed);
}
