import { ServiceName } from './core/types';

/** Always throttle, or throttle when a token bucket is empty (ELBv2 Describe*: 40 tokens, 10/s). */
export type ThrottleSpec =
  | 'always'
  | { readonly kind: 'always' }
  | { readonly kind: 'tokenBucket'; readonly capacity: number; readonly refillPerSecond: number };

/** An injected error answer. */
export interface InjectedError {
  /** HTTP status. @default 500 */
  readonly status?: number;
  /** The wire error code. @default the service's internal error code (`InternalFailure`, `InternalError`, ...) */
  readonly code?: string;
  /** @default 'We encountered an internal error. Please try again.' */
  readonly message?: string;
}

/** The call a fault rule is matched against. */
export interface FaultCall {
  readonly service: ServiceName;
  readonly action: string;
  /** The decoded operation input (Query values are strings). */
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * A fault: which calls it applies to and what it does to them. Effects combine: latency is added
 * first, then the connection is dropped or an error/throttle answered instead of the call.
 */
export interface FaultRule {
  /** @default every service */
  readonly service?: ServiceName;
  /** One action or several. @default every action of the service */
  readonly action?: string | readonly string[];
  /** A further filter on the input (e.g. one ListenerArn). @default every call */
  readonly match?: (call: FaultCall) => boolean;
  /** Added latency, fixed or uniformly jittered between min and max. */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
  /** Answer with this error instead of running the call. */
  readonly error?: InjectedError;
  /** Answer with the service's throttling error (`Throttling`, `ThrottlingException`, `SlowDown`, ...). */
  readonly throttle?: ThrottleSpec;
  /**
   * Destroy the socket without an answer: `before` (or `true`) the call runs, or `after` it has
   * changed state (the client sees a failure for a change that happened).
   */
  readonly dropConnection?: boolean | 'before' | 'after';
  /**
   * Eventual consistency: after a matching write (e.g. ModifyListener), read operations of the
   * same service (Describe*, Get*, List*, Head*) answer from the state before that write for this
   * many milliseconds.
   */
  readonly staleReadMs?: number;
  /** Apply only to the Nth matching call (1-based). @default every matching call */
  readonly nth?: number;
  /** Apply at most this many times. @default no limit */
  readonly times?: number;
}

/** A live rule: its counters, and how to remove it. */
export interface FaultHandle {
  readonly id: number;
  readonly rule: FaultRule;
  /** Calls that matched the rule's filters. */
  readonly matched: number;
  /** Calls the rule changed. */
  readonly fired: number;
  remove(): void;
}

/** What the edge does to one call. */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly drop?: 'before' | 'after';
  readonly error?: InjectedError;
  readonly throttled: boolean;
  /** The longest stale window a matching write opens. */
  readonly staleReadMs: number;
  /** Names of the effects applied, for the request log. */
  readonly applied: string[];
}

interface LiveRule {
  readonly handle: FaultHandle;
  matched: number;
  fired: number;
  tokens: number;
  refilledAt: number;
}

function validate(rule: FaultRule): void {
  const positiveInt = (name: string, v: number | undefined): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new Error(`Fault rule: ${name} must be a positive integer, got ${v}`);
    }
  };
  positiveInt('nth', rule.nth);
  positiveInt('times', rule.times);
  const latency = rule.latencyMs;
  if (typeof latency === 'number' && latency < 0)
    throw new Error(`Fault rule: latencyMs must be >= 0, got ${latency}`);
  if (typeof latency === 'object' && !(latency.min >= 0 && latency.max >= latency.min)) {
    throw new Error(`Fault rule: latencyMs needs 0 <= min <= max, got ${JSON.stringify(latency)}`);
  }
  const throttle = rule.throttle;
  if (typeof throttle === 'object' && throttle.kind === 'tokenBucket') {
    if (!(throttle.capacity >= 1) || !(throttle.refillPerSecond >= 0)) {
      throw new Error(`Fault rule: a token bucket needs capacity >= 1 and refillPerSecond >= 0`);
    }
  }
  if (rule.staleReadMs !== undefined && !(rule.staleReadMs > 0)) {
    throw new Error(`Fault rule: staleReadMs must be > 0, got ${rule.staleReadMs}`);
  }
  const effects = [
    rule.latencyMs,
    rule.error,
    rule.throttle,
    rule.dropConnection || undefined,
    rule.staleReadMs,
  ];
  if (effects.every((e) => e === undefined)) {
    throw new Error(
      'Fault rule: give at least one effect (latencyMs, error, throttle, dropConnection, staleReadMs)',
    );
  }
}

/** Fault rules, matched against every call the emulator receives. */
export class FaultInjector {
  private rules: LiveRule[] = [];
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  /** Adds a rule; returns a handle with its counters and `remove()`. Throws on an invalid rule. */
  add(rule: FaultRule): FaultHandle {
    validate(rule);
    const capacity =
      typeof rule.throttle === 'object' && rule.throttle.kind === 'tokenBucket' ? rule.throttle.capacity : 0;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const injector = this;
    const live: LiveRule = {
      matched: 0,
      fired: 0,
      tokens: capacity,
      refilledAt: this.now(),
      handle: {
        id: this.nextId++,
        rule,
        get matched() {
          return live.matched;
        },
        get fired() {
          return live.fired;
        },
        remove() {
          injector.rules = injector.rules.filter((r) => r !== live);
        },
      },
    };
    this.rules.push(live);
    return live.handle;
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** The live rules, oldest first. */
  list(): FaultHandle[] {
    return this.rules.map((r) => r.handle);
  }

  /** Decides what happens to one call. Counters move only for rules that apply to it. */
  evaluate(call: FaultCall, kind: 'read' | 'write'): FaultDecision {
    let latencyMs = 0;
    let drop: 'before' | 'after' | undefined;
    let error: InjectedError | undefined;
    let throttled = false;
    let staleReadMs = 0;
    const applied: string[] = [];
    for (const live of this.rules) {
      const { rule } = live.handle;
      if (!this.matches(rule, call)) continue;
      const onlyStale =
        rule.staleReadMs !== undefined &&
        rule.latencyMs === undefined &&
        !rule.error &&
        !rule.throttle &&
        !rule.dropConnection;
      if (onlyStale && kind !== 'write') continue;
      live.matched++;
      if (rule.nth !== undefined && live.matched !== rule.nth) continue;
      if (rule.times !== undefined && live.fired >= rule.times) continue;
      const bucketThrottles = this.takeToken(live);
      if (bucketThrottles === false && !this.hasNonBucketEffect(rule)) continue;
      live.fired++;
      if (rule.latencyMs !== undefined) {
        const l = rule.latencyMs;
        latencyMs += typeof l === 'number' ? l : l.min + Math.random() * (l.max - l.min);
        applied.push('latency');
      }
      if (rule.staleReadMs !== undefined && kind === 'write') {
        staleReadMs = Math.max(staleReadMs, rule.staleReadMs);
        applied.push('staleRead');
      }
      if (rule.dropConnection && drop === undefined) {
        drop = rule.dropConnection === 'after' ? 'after' : 'before';
        applied.push(`drop-${drop}`);
      }
      const throttles = rule.throttle !== undefined && bucketThrottles !== false;
      if (!error && !throttled && throttles) {
        throttled = true;
        applied.push('throttle');
      } else if (!error && !throttled && rule.error) {
        error = rule.error;
        applied.push('error');
      }
    }
    return { latencyMs, drop, error, throttled, staleReadMs, applied };
  }

  private matches(rule: FaultRule, call: FaultCall): boolean {
    if (rule.service !== undefined && rule.service !== call.service) return false;
    if (rule.action !== undefined) {
      const actions: readonly string[] = typeof rule.action === 'string' ? [rule.action] : rule.action;
      if (!actions.includes(call.action)) return false;
    }
    return rule.match ? rule.match(call) : true;
  }

  private hasNonBucketEffect(rule: FaultRule): boolean {
    return (
      rule.latencyMs !== undefined ||
      rule.error !== undefined ||
      !!rule.dropConnection ||
      rule.staleReadMs !== undefined
    );
  }

  /**
   * For token-bucket rules: refills, then takes a token. Returns true when the bucket is empty
   * (the call is throttled), false when a token was taken, undefined for other rules.
   */
  private takeToken(live: LiveRule): boolean | undefined {
    const t = live.handle.rule.throttle;
    if (typeof t !== 'object' || t.kind !== 'tokenBucket') return undefined;
    const now = this.now();
    live.tokens = Math.min(t.capacity, live.tokens + ((now - live.refilledAt) / 1000) * t.refillPerSecond);
    live.refilledAt = now;
    if (live.tokens >= 1) {
      live.tokens -= 1;
      return false;
    }
    return true;
  }
}
