/** What the watchdog protects and did, for operators (`switchback status`). */
import { watchdogLockKey, watchdogLockSchema, type CurrentRelease, type WatchdogState } from '../../../lib';
import type { AlarmState } from '../ports';
import { readCurrentRelease, readState } from './coordination';
import { coordination, type EngineContext } from './context';
import { forwardedTargetGroups } from './plan';
import { resolveListener } from './resolve';

export interface ServiceStatus {
  readonly service: string;
  readonly release?: CurrentRelease;
  readonly evaluationWindowLeftSeconds: number;
  readonly state: WatchdogState;
  readonly lock: { readonly held: boolean; readonly owner?: string; readonly expiresAt?: string };
  readonly alarms: AlarmState[];
  readonly listeners: {
    readonly name: string;
    readonly listenerArn?: string;
    /** The color each target group is, and its weight now. */
    readonly forwardsTo: {
      readonly color: 'blue' | 'green' | 'other';
      readonly targetGroupArn: string;
      readonly weight: number;
    }[];
    readonly activeColor: 'blue' | 'green' | 'mixed' | 'none';
    readonly error?: string;
  }[];
}

export async function serviceStatus(context: EngineContext): Promise<ServiceStatus> {
  const { config, ports, clock } = context;
  const coord = coordination(context);
  const [release, state, lock, alarms, listeners] = await Promise.all([
    readCurrentRelease(coord),
    readState(coord),
    ports.store.getJson(watchdogLockKey(config.service)),
    config.alarms.length > 0
      ? ports.alarms.alarmStates(config.alarms.map((a) => a.name))
      : Promise.resolve([]),
    Promise.all(
      config.listeners.map(async (listener) => {
        try {
          const resolution = await resolveListener(listener, ports.traffic, (fn) => fn());
          if (!resolution.found) {
            return {
              name: listener.name,
              forwardsTo: [],
              activeColor: 'none' as const,
              error: resolution.reason,
            };
          }
          const { listenerArn, targetGroupArns, live } = resolution.listener;
          const colorOf = (arn: string) =>
            arn === targetGroupArns.blue
              ? ('blue' as const)
              : arn === targetGroupArns.green
                ? ('green' as const)
                : ('other' as const);
          const forwardsTo = live.defaultActions.flatMap((action) =>
            action.type === 'forward'
              ? action.forwardConfig.targetGroups.map((g) => ({
                  color: colorOf(g.targetGroupArn),
                  targetGroupArn: g.targetGroupArn,
                  weight: g.weight,
                }))
              : [],
          );
          const receiving = forwardedTargetGroups(live.defaultActions);
          const colors = new Set(
            forwardsTo.filter((f) => receiving.includes(f.targetGroupArn)).map((f) => f.color),
          );
          const activeColor =
            colors.size === 0 ? 'none' : colors.size > 1 || colors.has('other') ? 'mixed' : [...colors][0];
          return {
            name: listener.name,
            listenerArn,
            forwardsTo,
            activeColor: activeColor as 'blue' | 'green' | 'mixed' | 'none',
          };
        } catch (error) {
          return { name: listener.name, forwardsTo: [], activeColor: 'none' as const, error: String(error) };
        }
      }),
    ),
  ]);
  const parsedLock = lock ? watchdogLockSchema.safeParse(lock.body) : undefined;
  const held =
    parsedLock?.success === true &&
    !parsedLock.data.released &&
    Date.parse(parsedLock.data.expiresAt) > clock.now();
  return {
    service: config.service,
    // The pointer without its embedded manifest: operators see the manifest with `switchback history`.
    ...(release ? { release: withoutManifest(release) } : {}),
    evaluationWindowLeftSeconds: release
      ? Math.max(0, Math.round((Date.parse(release.evaluationWindowEndsAt) - clock.now()) / 1000))
      : 0,
    state,
    lock:
      held && parsedLock?.success
        ? { held, owner: parsedLock.data.owner, expiresAt: parsedLock.data.expiresAt }
        : { held: false },
    alarms,
    listeners,
  };
}

function withoutManifest(release: CurrentRelease): CurrentRelease {
  const { manifest: _embedded, ...pointer } = release;
  return pointer;
}
