/**
 * The handler: a function of its dependencies. It parses the event at the edge, loads the
 * configuration, and hands the typed event to the engine. A malformed event is rejected with a logged
 * reason and returns normally: throwing would only buy two more deliveries of the same bad event.
 */
import type { WatchdogConfig } from '../../lib';
import { establishCaller } from './caller';
import { parseWatchdogEvent } from './events';
import { acknowledgeRollback } from './engine/acknowledge';
import { groupFreezeAction } from './engine/freeze';
import { restoreData } from './engine/restore-data';
import { captureRelease } from './engine/capture';
import type { Log, MetricsSink } from './engine/context';
import { runHealthPings, type Probe } from './engine/health-ping';
import type { Clock } from './engine/retry';
import { handleTrigger } from './engine/rollback';
import { shiftAction, ShiftRefusedError } from './engine/shift-actions';
import { serviceStatus } from './engine/status';
import { handleTick } from './engine/tick';
import { screenAlarmEvent } from './engine/decide';
import type { WarmCache } from './engine/warm';
import type { WatchdogPorts } from './ports';

/** The part of the Lambda context the handler uses. */
export interface InvocationContext {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

export interface HandlerDependencies {
  /**
   * The validated configuration, cached by the caller for a short while; `fresh` skips the cache
   * (a capture must see the configuration its deploy just wrote).
   */
  loadConfig(options?: { readonly fresh?: boolean }): Promise<WatchdogConfig>;
  /** The ports for a configuration (the store bucket comes from it). */
  portsFor(config: WatchdogConfig): WatchdogPorts;
  readonly clock: Clock;
  readonly log: Log & { withKeys?(keys: Record<string, unknown>): void; clearKeys?(): void };
  readonly metrics: MetricsSink & { flush(): void; forService?(service: string): void };
  readonly probe: Probe;
  newId(): string;
  /**
   * Hands a breach found by health pings to the watchdog function (an asynchronous invoke), when this
   * function is the prober. @default - the breach is handled in this invocation
   */
  forwardBreach?(report: { breachedAt: string; detail: string; requestId: string }): Promise<void>;
  /** How long to wait for another run's lock. @default 15000 */
  readonly lockWaitMs?: number;
  /** What this container remembers between runs. @default - nothing (every run is cold) */
  readonly warm?: WarmCache;
}

export type WatchdogResponse =
  | { readonly status: 'rejected'; readonly reason: string }
  | { readonly status: 'ok'; readonly kind: string; readonly result: unknown };

/** Safety margin before the Lambda deadline for finishing a health-ping run and acting on it. */
const HEALTH_PING_MARGIN_MS = 15_000;

export function createHandler(deps: HandlerDependencies) {
  return async function handle(
    rawEvent: unknown,
    invocation: InvocationContext = {},
  ): Promise<WatchdogResponse> {
    const parsed = parseWatchdogEvent(rawEvent);
    if (!parsed.ok) {
      deps.log.warn('event rejected', { reason: parsed.reason });
      return { status: 'rejected', reason: parsed.reason };
    }
    const config = await deps.loadConfig({ fresh: parsed.event.kind === 'capture' });
    const ports = deps.portsFor(config);
    // Who sent a manual action is settled before anything is read or written for it.
    const checked = await establishCaller(parsed.event, config, ports.identity);
    if (!checked.ok) {
      deps.log.warn('event rejected', { reason: checked.reason });
      return { status: 'rejected', reason: checked.reason };
    }
    const event = checked.event;
    if (event.kind === 'alarm') {
      // Events it will not act on cost nothing but this line: no lock, no receipt, no record, no page.
      const screened = screenAlarmEvent(event, config, config.policy, deps.clock.now());
      if (!screened.act) {
        deps.log.info('event dismissed', {
          reason: screened.detail,
          alarmName: event.alarmName.slice(0, 255),
          state: event.state,
          protectedService: config.service,
        });
        return ok('alarm', { outcome: 'dismissed', reason: screened.detail, steps: [] });
      }
    }
    // Lambda keeps the request id across the retries of one event: each run gets its own id.
    const invocationId = deps.newId();
    deps.log.withKeys?.({
      invocationId,
      ...(invocation.awsRequestId ? { requestId: invocation.awsRequestId } : {}),
      protectedService: config.service,
      trigger: event.kind,
    });
    deps.metrics.forService?.(config.service);
    const remaining = invocation.getRemainingTimeInMillis?.();
    const context = {
      config,
      ports,
      ...(remaining !== undefined ? { deadline: deps.clock.now() + remaining } : {}),
      clock: deps.clock,
      log: deps.log,
      metrics: deps.metrics,
      invocationId,
      lockWaitMs: deps.lockWaitMs ?? 15_000,
      ...(deps.warm ? { warm: deps.warm } : {}),
    };
    try {
      switch (event.kind) {
        case 'capture':
          return ok('capture', await captureRelease(context, event.releaseId, event.overrides));
        case 'restore-data':
          return ok('restore-data', await restoreData(context, event));
        case 'freeze':
        case 'unfreeze':
          return ok(event.kind, await groupFreezeAction(context, event));
        case 'status':
          return ok('status', await serviceStatus(context));
        case 'acknowledge':
          return ok('acknowledge', await acknowledgeRollback(context, event));
        case 'pause':
        case 'resume':
        case 'promote':
          return ok(event.kind, await shiftAction(context, event));
        case 'alarm':
        case 'rollback':
          return ok(event.kind, await handleTrigger(context, event));
        case 'tick':
          return ok('tick', await handleTick(context));
        case 'health-breach':
          return ok(
            'health-breach',
            await handleTrigger(context, {
              kind: 'health-ping',
              breachedAt: Date.parse(event.breachedAt),
              detail: event.detail,
              eventId: event.eventId,
            }),
          );
        case 'health-ping': {
          if (!config.healthPing) {
            deps.log.warn('event rejected', {
              reason: 'a health-ping schedule fired, but no healthPing is configured',
            });
            return { status: 'rejected', reason: 'no healthPing is configured for this service' };
          }
          const remaining = invocation.getRemainingTimeInMillis?.() ?? 60_000;
          const pings = await runHealthPings(
            config.healthPing,
            deps.probe,
            deps.clock,
            deps.clock.now() + remaining - HEALTH_PING_MARGIN_MS,
          );
          if (!pings.breached) return ok('health-ping', pings);
          const breachedAt = new Date(pings.breachedAt ?? deps.clock.now()).toISOString();
          if (deps.forwardBreach) {
            // The prober never holds the watchdog's one concurrency slot: it hands the breach over.
            await deps.forwardBreach({ breachedAt, detail: pings.detail, requestId: invocationId });
            return ok('health-ping', { ...pings, forwarded: true });
          }
          return ok(
            'health-ping',
            await handleTrigger(context, {
              kind: 'health-ping',
              breachedAt: Date.parse(breachedAt),
              detail: pings.detail,
            }),
          );
        }
      }
    } catch (error) {
      if (error instanceof ShiftRefusedError) {
        // The request does not fit the shift as it stands: answered, since a retry would not change that.
        deps.log.warn('request refused', { reason: error.message });
        return { status: 'rejected', reason: error.message };
      }
      deps.log.error('invocation failed', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    } finally {
      deps.metrics.flush();
      deps.log.clearKeys?.();
    }
  };
}

function ok(kind: string, result: unknown): WatchdogResponse {
  return { status: 'ok', kind, result };
}
