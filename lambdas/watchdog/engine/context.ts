/** What every engine operation runs with: configuration, ports, time, logs and metrics. */
import type { WatchdogConfig } from '../../../lib';
import type { WatchdogPorts } from '../ports';
import type { Clock } from './retry';
import type { WarmCache } from './warm';

/** Structured logging, per invocation. */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Metrics the watchdog emits (CloudWatch embedded metric format in production). */
export interface MetricsSink {
  timeToRollback(milliseconds: number): void;
  decision(outcome: string): void;
}

export interface EngineContext {
  readonly config: WatchdogConfig;
  readonly ports: WatchdogPorts;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics: MetricsSink;
  /** This invocation's id: lock owner and audit correlation. */
  readonly invocationId: string;
  /** How long to wait for another run's lock before giving up (the invocation then fails and is retried). */
  readonly lockWaitMs: number;
  /** What this container remembers between runs. @default - nothing (every run is cold) */
  readonly warm?: WarmCache;
  /** When the invocation times out (epoch ms on `clock`): waits end well before it. @default - no deadline */
  readonly deadline?: number;
}

export const isoNow = (context: Pick<EngineContext, 'clock'>): string =>
  new Date(context.clock.now()).toISOString();

export function coordination(context: EngineContext) {
  return {
    store: context.ports.store,
    service: context.config.service,
    clock: context.clock,
    owner: context.invocationId,
    lockTtlSeconds: context.config.policy.lockTtlSeconds,
    ...(context.warm ? { warm: context.warm } : {}),
  };
}
