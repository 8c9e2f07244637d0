/**
 * Progressive delivery, as the public API has it: traffic-shifting plans, smoke checks and kill
 * switches, which a `RollbackWatchdog` (or a `SwitchbackService`'s `watchdog`) takes as props. How
 * they become the watchdog's configuration and IAM stays internal.
 */
export { TrafficShifting, type TrafficShiftingOptions, type TrafficShiftStep } from './traffic-shifting';
export {
  SmokeCheck,
  SmokeCheckKind,
  type HttpSmokeCheckOptions,
  type LambdaSmokeCheckOptions,
} from './smoke-check';
export {
  KillSwitch,
  KillSwitchKind,
  KillSwitchMode,
  type AppConfigKillSwitchOptions,
  type SsmKillSwitchOptions,
} from './kill-switch';
