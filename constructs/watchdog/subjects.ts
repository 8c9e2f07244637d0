/**
 * What a watchdog protects: its listeners (from blue-green listeners, read when asked, and listeners
 * given by attributes) in the order they were given, and its alarms. Props fill it in the
 * constructor and `addListener`/`addProtectedListener`/`addAlarm` after it. The configuration and the
 * IAM policy read it at synth; the EventBridge pattern and dead-letter sources are rewritten on `addAlarm`.
 */
import type { ProtectedListenerInput } from '../../lib';
import type { IBlueGreenListener, ProtectedAlarmProps, ProtectedListenerAttributes } from '../contracts';

type ListenerEntry =
  { readonly listener: IBlueGreenListener } | { readonly attributes: ProtectedListenerAttributes };

/** A listener of the public API in the configuration's shape: the same fields, the unset ones left out. */
export function toConfigListener(listener: ProtectedListenerAttributes): ProtectedListenerInput {
  // `role` is a ListenerRole, whose values are the configuration's strings; JavaScript callers may
  // pass any string, which the schema refuses with the field's name.
  return Object.fromEntries(
    Object.entries(listener).filter(([, value]) => value !== undefined),
  ) as unknown as ProtectedListenerInput;
}

/** The listeners and alarms of one watchdog. */
export class ProtectedSubjects {
  private readonly entries: ListenerEntry[] = [];
  private readonly alarmList: ProtectedAlarmProps[] = [];

  /** Protects a blue-green listener's listeners (read each time the listeners are asked for). */
  public addListener(listener: IBlueGreenListener): void {
    this.entries.push({ listener });
  }

  /** Protects a listener given by attributes. */
  public addProtectedListener(attributes: ProtectedListenerAttributes): void {
    this.entries.push({ attributes });
  }

  /** Protects an alarm. */
  public addAlarm(alarm: ProtectedAlarmProps): void {
    this.alarmList.push(alarm);
  }

  /** Every protected listener as it stands now, in the configuration's shape. */
  public listeners(): ProtectedListenerInput[] {
    return this.entries.flatMap((entry) =>
      'listener' in entry
        ? entry.listener.protectedListeners.map(toConfigListener)
        : [toConfigListener(entry.attributes)],
    );
  }

  /** Every protected alarm, in the order given. */
  public alarms(): ProtectedAlarmProps[] {
    return [...this.alarmList];
  }
}
