/**
 * The protected alarms against their live states, one rule for every caller (the tick, a shift, a
 * verification): matched by ARN, because the alarm answering to a protected name must be the
 * protected alarm (an alarm of the same name elsewhere, or recreated, is not it).
 */
import type { ProtectedAlarm } from '../../../lib';
import type { AlarmState } from '../ports';

/** The live state of a protected alarm; undefined when none of `states` is that alarm. */
export function stateOfProtectedAlarm(
  alarm: Pick<ProtectedAlarm, 'arn'>,
  states: readonly AlarmState[],
): AlarmState | undefined {
  return states.find((state) => state.arn === alarm.arn);
}

/** Whether a live alarm is one of the protected alarms. */
export function isProtectedAlarm(
  protectedAlarms: readonly Pick<ProtectedAlarm, 'arn'>[],
  state: AlarmState,
): boolean {
  return protectedAlarms.some((alarm) => alarm.arn === state.arn);
}

/** The protected alarms that are not OK (ALARM, INSUFFICIENT_DATA, or missing from `states`). */
export function protectedAlarmsNotOk(
  protectedAlarms: readonly ProtectedAlarm[],
  states: readonly AlarmState[],
): { readonly alarm: ProtectedAlarm; readonly state: AlarmState | undefined }[] {
  return protectedAlarms.flatMap((alarm) => {
    const state = stateOfProtectedAlarm(alarm, states);
    return state?.value === 'OK' ? [] : [{ alarm, state }];
  });
}
