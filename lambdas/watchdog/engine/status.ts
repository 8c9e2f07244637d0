/**
 * What the watchdog protects and did, for operators: the watchdog's `status` answer and `switchback
 * status`, which reads around the watchdog through the same ports. Read-only.
 */
import {
  watchdogLockKey,
  watchdogLockSchema,
  type AlarmStatusAnswer,
  type CurrentRelease,
  type ListenerStatusAnswer,
  type ProtectedListener,
  type ServiceStatusAnswer,
  type WatchdogConfig,
} from '../../../lib';
import type { AlarmPort, TrafficPort, WatchdogPorts } from '../ports';
import { readCurrentRelease, readState } from './coordination';
import { freezeInForce } from './freeze';
import { forwardedTargetGroups } from './plan';
import { inspectListener, ruleProblems } from './resolve';
import type { Clock } from './retry';

type Color = ListenerStatusAnswer['forwardsTo'][number]['color'];

/** What a status is read from: the configuration, and the ports it reads (it never writes). */
export interface StatusSources {
  readonly config: WatchdogConfig;
  readonly ports: Pick<WatchdogPorts, 'traffic' | 'alarms' | 'store'>;
  readonly clock: Pick<Clock, 'now'>;
}

export async function serviceStatus({ config, ports, clock }: StatusSources): Promise<ServiceStatusAnswer> {
  const coord = { store: ports.store, service: config.service };
  const [release, state, lock, alarms, listeners] = await Promise.all([
    readCurrentRelease(coord),
    readState(coord),
    ports.store.getJson(watchdogLockKey(config.service)),
    alarmStatuses(
      config.alarms.map((a) => a.name),
      ports.alarms,
    ),
    Promise.all(config.listeners.map((listener) => listenerStatus(listener, ports.traffic))),
  ]);
  const now = clock.now();
  const freeze = freezeInForce(state, config.service, config.policy.freezeMinutes, now);
  const parsedLock = lock ? watchdogLockSchema.safeParse(lock.body) : undefined;
  const held =
    parsedLock?.success === true && !parsedLock.data.released && Date.parse(parsedLock.data.expiresAt) > now;
  return {
    service: config.service,
    ...(release ? { release: withoutManifest(release) } : {}),
    evaluationWindowLeftSeconds: release
      ? Math.max(0, Math.round((Date.parse(release.evaluationWindowEndsAt) - now) / 1000))
      : 0,
    state,
    lock:
      held && parsedLock?.success
        ? { held, owner: parsedLock.data.owner, expiresAt: parsedLock.data.expiresAt }
        : { held: false },
    alarms,
    listeners,
    // The plan in force is the one captured with the release (the configuration may have changed since).
    ...(release?.manifest?.shifting ? { shifting: release.manifest.shifting } : {}),
    // Captures of new releases are refused while it is in force (unless overridden).
    ...(freeze ? { freeze } : {}),
    ...(config.group ? { group: { ...config.group } } : {}),
  };
}

/** Every named alarm in the given order; one that does not exist is `MISSING`. */
async function alarmStatuses(names: string[], alarms: AlarmPort): Promise<AlarmStatusAnswer[]> {
  if (names.length === 0) return [];
  const found = new Map((await alarms.alarmStates(names)).map((a) => [a.name, a]));
  return names.map((name) => found.get(name) ?? { name, value: 'MISSING' });
}

/**
 * Which color a listener's default actions send traffic to, and why the watchdog could not restore
 * it now. Never throws: one unreadable listener must not hide the others.
 */
export async function listenerStatus(
  listener: ProtectedListener,
  traffic: TrafficPort,
): Promise<ListenerStatusAnswer> {
  const none = (error: string): ListenerStatusAnswer => ({
    name: listener.name,
    forwardsTo: [],
    activeColor: 'none',
    error,
  });
  try {
    const inspection = await inspectListener(listener, traffic, (fn) => fn());
    if (!inspection.found) return none(inspection.reason);
    const { listenerArn, targetGroupArns, live } = inspection.listener;
    const colorOf = (arn: string): Color =>
      arn === targetGroupArns.blue ? 'blue' : arn === targetGroupArns.green ? 'green' : 'other';
    const forwardsTo = live.defaultActions.flatMap((action) =>
      action.type === 'forward'
        ? action.forwardConfig.targetGroups.map((g) => ({
            color: colorOf(g.targetGroupArn),
            targetGroupArn: g.targetGroupArn,
            weight: g.weight,
          }))
        : [],
    );
    const [only, ...more] = new Set(forwardedTargetGroups(live.defaultActions).map(colorOf));
    const activeColor = only === undefined ? 'none' : more.length > 0 || only === 'other' ? 'mixed' : only;
    // Problems sit next to where traffic goes: shown now rather than found out in an incident.
    const problems = ruleProblems(inspection);
    return {
      name: listener.name,
      listenerArn,
      forwardsTo,
      activeColor,
      ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
    };
  } catch (error) {
    return none(error instanceof Error ? error.message : String(error));
  }
}

function withoutManifest(release: CurrentRelease): CurrentRelease {
  const { manifest: _embedded, ...pointer } = release;
  return pointer;
}
