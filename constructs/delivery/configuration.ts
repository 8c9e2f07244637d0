/**
 * The progressive-delivery props of a watchdog as the sections of its configuration (lib's shape):
 * `shifting`, `hooks`, `verification` and `killSwitches`. Fields left out take lib's defaults when
 * the watchdog loads the configuration.
 */
import type { WatchdogConfigInput } from '../../lib';
import type { RollbackWatchdogOptions } from '../watchdog/props';
import { KillSwitchKind, KillSwitchMode, type KillSwitch } from './kill-switch';
import { SmokeCheckKind, type SmokeCheck } from './smoke-check';

type DeliverySections = Pick<WatchdogConfigInput, 'shifting' | 'hooks' | 'verification' | 'killSwitches'>;
type CheckInput = NonNullable<NonNullable<WatchdogConfigInput['hooks']>['preTraffic']>[number];
type KillSwitchInput = NonNullable<WatchdogConfigInput['killSwitches']>['switches'][number];

/** The configuration sections the props ask for; a section nobody asked for is left out. */
export function deliveryConfiguration(props: RollbackWatchdogOptions): DeliverySections {
  const preTraffic = props.preTrafficChecks ?? [];
  const afterEachStep = props.afterStepChecks ?? [];
  const verificationChecks = props.verificationChecks ?? [];
  const switches = props.killSwitches ?? [];
  return {
    ...(props.shifting
      ? {
          shifting: {
            steps: props.shifting.steps.map((s) => ({
              weightPercent: s.weightPercent,
              bakeMinutes: s.bakeMinutes,
            })),
            promote: props.shifting.promote,
          },
        }
      : {}),
    ...(preTraffic.length + afterEachStep.length > 0
      ? { hooks: { preTraffic: preTraffic.map(checkConfig), afterEachStep: afterEachStep.map(checkConfig) } }
      : {}),
    ...(verificationChecks.length > 0 || props.alarmsOkWithinMinutes !== undefined
      ? {
          verification: {
            checks: verificationChecks.map(checkConfig),
            alarmsOkWithinMinutes: props.alarmsOkWithinMinutes,
          },
        }
      : {}),
    ...(switches.length > 0
      ? {
          killSwitches: {
            switches: switches.map(killSwitchConfig),
            mode: props.killSwitchMode ?? KillSwitchMode.BEFORE_TRAFFIC,
          },
        }
      : {}),
  };
}

/** One smoke check as the configuration holds it. */
export function checkConfig(check: SmokeCheck): CheckInput {
  return check.kind === SmokeCheckKind.LAMBDA
    ? { kind: 'lambda', functionArn: check.target, timeoutMs: check.timeoutMs }
    : {
        kind: 'http',
        url: check.target,
        expectedStatus: check.expectedStatus,
        ...(check.bodyPattern !== undefined ? { bodyPattern: check.bodyPattern } : {}),
        timeoutMs: check.timeoutMs,
      };
}

/** One kill switch as the configuration holds it. */
export function killSwitchConfig(killSwitch: KillSwitch): KillSwitchInput {
  return killSwitch.kind === KillSwitchKind.APPCONFIG
    ? {
        kind: 'appconfig',
        applicationId: killSwitch.applicationId as string,
        environmentId: killSwitch.environmentId as string,
        configurationProfileId: killSwitch.configurationProfileId as string,
        deploymentStrategyId: killSwitch.deploymentStrategyId as string,
      }
    : {
        kind: 'ssm-parameter',
        name: killSwitch.parameterName as string,
        offValue: killSwitch.offValue as string,
      };
}
