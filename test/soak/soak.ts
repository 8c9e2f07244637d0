/**
 * The watchdog soak: a seeded sequence of mixed events (alarms on three delivery paths, duplicates,
 * Lambda's retries, manual rollbacks and dry runs, health breaches, releases captured and deployed,
 * acknowledgements, status requests, malformed events) through the watchdog's real runtime against
 * the local emulator, with random faults on a fraction of the AWS calls and some events delivered
 * concurrently. At the end the faults stop, work still pending is redelivered once, and the
 * invariants are checked on what the store and the emulator hold.
 *
 * The event sequence is seeded, and so is time: the soak clock moves only when a run sleeps or the
 * driver jumps it, never with the machine's speed (see clock.ts). Which call a fault hits is drawn
 * from the call itself (what it is, and how many times that call was made before), not from the
 * order calls arrive in, so concurrent runs do not take each other's faults. What still varies
 * between runs of one seed is how concurrent runs interleave (who gets the lock first), and with it
 * some outcomes; the report's fingerprint tells two runs apart. The invariants may not vary.
 *
 * A failed invariant says how to re-run (`rerun`) and, for "at most one rollback per breach", traces
 * the breach: its event id, every delivery of it in order (batch, container, outcome, decision id)
 * with the store operations each made (lock, receipt, latch, hold, audit record), its audit records,
 * and the rollbacks of other triggers meanwhile. Invocation `n` has the id `inv-<n>`, so decision ids
 * and lock owners name the invocation.
 */
import { ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createHash } from 'node:crypto';
import {
  currentReleaseKey,
  currentReleaseSchema,
  parseReleaseManifest,
  rollbackMarkerKey,
  watchdogConfigKey,
  type AuditRecord,
  type ListenerAction,
  type RollbackPolicy,
} from '../../lib';
import { parseWatchdogEvent } from '../../lambdas/watchdog/events';
import { createHandler } from '../../lambdas/watchdog/handler';
import { createRuntime } from '../../lambdas/watchdog/runtime';
import {
  startEmulator,
  type Emulator,
  type FaultCall,
  type FaultHandle,
  type FaultRule,
} from '../emulator/index';
import { fastRetry } from '../emulator/testing';
import {
  createWorld,
  SERVICE,
  directAlarmEvent,
  eventBridgeAlarmEvent,
  snsAlarmEvent,
  type World,
} from '../watchdog/harness';
import { SoakClock } from './clock';
import { hashUnit, malformedEvent, Random } from './random';
import { describeOp, invocationId, sameOp, StoreTrace } from './trace';

/** How to run a soak. */
export interface SoakOptions {
  /** Watchdog invocations to make before the final redelivery. */
  readonly events: number;
  readonly seed: number;
  /** Fraction of AWS calls that get a fault (0 to 1). */
  readonly faultRate: number;
  /** How much shorter in real time a sleep is than on the soak clock (it does not move the clock). @default 20 */
  readonly timeScale?: number;
  /** Production listeners of the protected service. @default 2 */
  readonly listeners?: number;
  /** The largest batch of events delivered at once. @default 4 */
  readonly maxConcurrency?: number;
  /** Called after each step with the invocations made so far. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Runs after the final redelivery, before the invariants are checked: a test breaks the world here
   * to see the checks fail. @default nothing
   */
  readonly beforeChecks?: (world: World) => Promise<void>;
}

/** One invariant and whether it held. */
export interface InvariantResult {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
  /** When it failed: what happened to the failing cases, line by line (see `traceBreach`). @default none */
  readonly trace?: readonly string[];
}

/** What a soak did and found. */
export interface SoakReport {
  readonly options: Required<Omit<SoakOptions, 'onProgress' | 'beforeChecks'>>;
  readonly wallTimeMs: number;
  /** Invocations by kind of event, the final redeliveries included. */
  readonly eventsByKind: Record<string, number>;
  /** What each invocation returned (`rolled-back`, `duplicate`, `rejected`, `capture:captured`...) or threw (`threw:<error>`). */
  readonly outcomes: Record<string, number>;
  readonly rollbacks: {
    /** Audit records of rollbacks that finished (`rolled-back`). */
    readonly completed: number;
    /** Audit records of partial rollbacks (finished later by a redelivery, or still pending). */
    readonly partial: number;
    /** Distinct breaches (alarm state changes, health breaches, manual requests) that led to a completed rollback. */
    readonly breaches: number;
  };
  readonly duplicatesSuppressed: number;
  /** Faults the emulator applied, by kind. */
  readonly faultsInjected: Record<string, number>;
  readonly awsCalls: number;
  /** Calls the SDK made again after a failed attempt (its own retries). */
  readonly sdkRetries: number;
  readonly thrown: {
    /** Deliberate failures for Lambda to retry: lock busy, partial rollback, AWS still failing after retries. */
    readonly retryable: number;
    /** Requests the watchdog refused with a documented error (an acknowledgement of a release never rolled back). */
    readonly refused: number;
    /** Anything else: bugs. */
    readonly unhandled: number;
    readonly unhandledSamples: readonly string[];
  };
  /** Real time per invocation, in ms. */
  readonly latencyMs: { readonly median: number; readonly p99: number; readonly max: number };
  readonly finalRedeliveries: number;
  /** Times a target group lost its healthy targets for a while (not invocations). */
  readonly healthLosses: number;
  readonly invariants: readonly InvariantResult[];
  /** The command that runs this soak again (same seed and settings). */
  readonly rerun: string;
  /**
   * A hash of every invocation's origin, kind and outcome, in order: two runs of one seed with the same
   * fingerprint went the same way.
   */
  readonly fingerprint: string;
}

const ALARMS = ['checkout-5xx', 'checkout-p99-latency'] as const;
const UNPROTECTED_ALARM = 'payments-5xx';
const POLICY: Partial<RollbackPolicy> = {
  evaluationWindowMinutes: 60,
  cooldownMinutes: 5,
  maxAutomaticRollbacks: 10,
  budgetWindowMinutes: 60,
  maxEventAgeSeconds: 600,
  lockTtlSeconds: 120,
  stepTimeBudgetMs: 20_000,
  // The soak's pipeline deploys new releases whatever happened (the deploy freeze would refuse them:
  // test/watchdog/freeze.test.ts proves it), and its operators send no caller proofs.
  freezeMinutes: 0,
  verifiedCallers: 'recorded',
};
/** Virtual time a run waits for another run's lock (1.5 s of real time at 20x). */
const LOCK_WAIT_MS = 30_000;
/** Lambda retries an asynchronous invocation that failed twice, then sends it to its on-failure destination. */
const LAMBDA_RETRIES = 2;

/** The mix of events, by weight. */
const MIX = {
  capture: 6,
  alarm: 22,
  'alarm-ok': 5,
  'alarm-unprotected': 2,
  duplicate: 20,
  manual: 5,
  'dry-run': 2,
  'health-breach': 6,
  acknowledge: 3,
  unhealthy: 3,
  status: 6,
  malformed: 13,
} as const;
type MixKind = keyof typeof MIX;
/** Kinds delivered alone: they change the world outside the watchdog, or are checked call by call. */
const SOLO: ReadonlySet<MixKind> = new Set(['capture', 'acknowledge', 'malformed', 'unhealthy']);

type EventKind = MixKind | 'lambda-retry' | 'final-redelivery';

/** An event as first delivered; duplicates and retries point back to it. */
interface Origin {
  readonly id: number;
  readonly kind: MixKind;
  /** Builds the event again (alarm state changes may come through another path each time). */
  readonly build: () => unknown;
  /** What the event is a breach of, for "at most one rollback per breach". */
  readonly breachKey?: string;
  /** Whether a redelivery is the same request (receipts make it a duplicate) rather than a new one. */
  readonly redeliverable: boolean;
}

interface Invocation {
  readonly origin: Origin;
  readonly kind: EventKind;
  readonly event: unknown;
}

type Delivered =
  | { readonly threw: false; readonly response: unknown }
  | { readonly threw: true; readonly error: unknown; readonly class: 'retryable' | 'refused' | 'unhandled' };

/** One invocation as the soak made it, for fingerprints and failure traces. */
interface Delivery {
  /** Invocation number: the order invocations were made in. */
  readonly n: number;
  /** The batch it was delivered in (invocations of one batch run concurrently). */
  readonly batch: number;
  readonly container: number;
  readonly originId: number;
  readonly kind: EventKind;
  /** Soak time when it was made, and when it returned or threw. */
  readonly startedAt: number;
  finishedAt?: number;
  /** Order of finishing among all invocations (differs from `n` within a batch). */
  finishedAs?: number;
  /** What it returned (`rolled-back`, `duplicate`...) or threw (`threw:<error>`). */
  result?: string;
  decisionId?: string;
}

/** Runs a soak and returns its figures and invariant results (it does not throw on a failed invariant). */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const settings = {
    events: options.events,
    seed: options.seed,
    faultRate: options.faultRate,
    timeScale: options.timeScale ?? 20,
    listeners: options.listeners ?? 2,
    maxConcurrency: options.maxConcurrency ?? 4,
  };
  if (!Number.isInteger(settings.events) || settings.events < 1)
    throw new Error(`soak: events must be a positive integer, got ${settings.events}`);
  if (!(settings.faultRate >= 0 && settings.faultRate <= 1))
    throw new Error(`soak: faultRate must be from 0 to 1, got ${settings.faultRate}`);
  if (!Number.isInteger(settings.maxConcurrency) || settings.maxConcurrency < 1)
    throw new Error(`soak: maxConcurrency must be a positive integer, got ${settings.maxConcurrency}`);

  const started = performance.now();
  const clock = new SoakClock(Date.UTC(2026, 10, 21, 12), settings.timeScale);
  const emulator = await startEmulator({ clock: clock.now });
  try {
    const world = await createWorld(withFastRetries(emulator), {
      listeners: settings.listeners,
      alarms: [...ALARMS],
      policy: POLICY,
      clock,
      lockWaitMs: LOCK_WAIT_MS,
    });
    const storeTrace = new StoreTrace(SERVICE);
    const containers = Array.from({ length: settings.maxConcurrency }, () =>
      container(world, clock, storeTrace),
    );
    const soak = new Soak(world, containers, storeTrace, clock, settings);
    await soak.run(options.onProgress);
    await options.beforeChecks?.(world);
    return await soak.report(performance.now() - started);
  } finally {
    await emulator.stop();
  }
}

/**
 * The emulator as the world's clients see it: the SDK's standard retry strategy with a 1 ms backoff,
 * so its retries cost no real time (the engine's own backoff runs on the soak clock).
 */
function withFastRetries(emulator: Emulator): Emulator {
  return {
    ...emulator,
    clientConfig: (region) => Object.assign(emulator.clientConfig(region), { retryStrategy: fastRetry(3) }),
    s3ClientConfig: (region) =>
      Object.assign(emulator.s3ClientConfig(region), { retryStrategy: fastRetry(3) }),
  };
}

/** Invokes one warm Lambda container's handler. */
type Container = (event: unknown, n: number) => Promise<unknown>;

/**
 * A warm container of the watchdog: its own runtime (clients, configuration cache), as Lambda runs
 * concurrent invocations in separate containers, one at a time each. Invocation `n` gets the id
 * `inv-<n>` (so decision ids and lock owners name the invocation), and its store operations go to
 * `storeTrace`. Logs and metrics go nowhere: they are not under test.
 */
function container(world: World, clock: SoakClock, storeTrace: StoreTrace): Container {
  const { dependencies } = createRuntime({
    env: { SWITCHBACK_CONFIG_BUCKET: world.bucket, SWITCHBACK_CONFIG_KEY: watchdogConfigKey(SERVICE) },
    clientConfig: world.emulator.clientConfig(),
    clock,
    lockWaitMs: LOCK_WAIT_MS,
  });
  let current = 0;
  const quiet = () => undefined;
  const handler = createHandler({
    ...dependencies,
    newId: () => invocationId(current),
    portsFor: (config) => {
      const ports = dependencies.portsFor(config);
      return { ...ports, store: storeTrace.record(ports.store, () => current) };
    },
    log: { info: quiet, warn: quiet, error: quiet },
    metrics: { timeToRollback: quiet, decision: quiet, flush: quiet },
  });
  return (event, n) => {
    current = n;
    return handler(event, {});
  };
}

class Soak {
  /** The event sequence: kinds, contents, batches, duplicates. It draws nothing that depends on outcomes. */
  private readonly random: Random;
  /**
   * What depends on outcomes (Lambda's retries, a capture tried again): time between steps,
   * containers, alarm delivery paths, when a retry comes. Apart, so that every run of a seed delivers
   * the same events (origin #n is the same event), however concurrent runs interleave.
   */
  private readonly deliveryRandom: Random;
  /** How many times each kind of fault was drawn for each call identity (see `callIdentity`). */
  private readonly faultDraws = new Map<string, number>();
  private readonly emulator: Emulator;
  private faultsActive = false;
  private readonly faults: { kind: string; handle: FaultHandle }[] = [];

  private invocations = 0;
  private batches = 0;
  private finished = 0;
  private readonly deliveries: Delivery[] = [];
  /** The watchdog's event id of each origin that has one (receipts are keyed by it). */
  private readonly eventIds = new Map<number, string>();
  private nextOriginId = 1;
  private releaseNumber = 0;
  private readonly origins: Origin[] = [];
  /** Lambda's retries of failed invocations, due after a number of further invocations. */
  private readonly retryQueue: { origin: Origin; dueAt: number; attempt: number }[] = [];
  /** Origins whose latest invocation failed: the work a final redelivery must finish. */
  private readonly pending = new Map<number, Origin>();
  /** Weights each release's deploy set, per listener ARN. */
  private readonly deployed = new Map<string, Map<string, Map<string, number>>>();

  private readonly eventsByKind: Record<string, number> = {};
  private readonly outcomes: Record<string, number> = {};
  private readonly latencies: number[] = [];
  private readonly unhandledSamples: string[] = [];
  private readonly thrown = { retryable: 0, refused: 0, unhandled: 0 };
  /** decisionIds the handler answered or failed with, that must have an audit record. */
  private readonly decisionIds = new Map<string, string>();
  private readonly captured = new Set<string>();
  private readonly acknowledged = new Map<string, number>();
  private malformed = { delivered: 0, violations: [] as string[] };
  private liveChecks = { made: 0, violations: [] as string[] };
  private finalRedeliveries = 0;
  /** Target groups made unhealthy, and after how many invocations they recover. */
  private readonly unhealthy = new Map<string, number>();
  private deploying = false;
  private healthLosses = 0;
  private readonly flips = { checked: 0, violations: [] as string[] };
  private finalFailures: string[] = [];

  constructor(
    private readonly world: World,
    private readonly containers: readonly Container[],
    private readonly storeTrace: StoreTrace,
    private readonly clock: SoakClock,
    private readonly settings: Required<Omit<SoakOptions, 'onProgress' | 'beforeChecks'>>,
  ) {
    this.random = new Random(settings.seed);
    this.deliveryRandom = new Random(settings.seed ^ 0xde11);
    this.emulator = world.emulator;
  }

  async run(onProgress?: (done: number, total: number) => void): Promise<void> {
    this.installFaults();
    const stopWatching = this.emulator.requestLog.subscribe((entry) => {
      if (entry.service === 'elbv2' && entry.action === 'ModifyListener' && entry.status === 200)
        this.checkFlip(String(entry.params.ListenerArn));
    });
    try {
      await this.loop(onProgress);
    } finally {
      stopWatching();
    }
  }

  /** A listener the watchdog just wrote must not send traffic to a group without healthy targets. */
  private checkFlip(listenerArn: string): void {
    if (this.deploying) return;
    this.flips.checked++;
    const live = weightsOfAws(this.emulator.elbv2.listener(listenerArn).DefaultActions);
    for (const [group, weight] of live)
      if (weight > 0 && this.unhealthy.has(group))
        this.flips.violations.push(
          `${listenerArn.split('/').pop()} sent ${weight} to unhealthy ${group.split('/')[1]}`,
        );
  }

  private async loop(onProgress?: (done: number, total: number) => void): Promise<void> {
    const total = this.settings.events;
    while (this.invocations < total) {
      // Time passes between deliveries: cooldowns end, events age, leases expire.
      this.clock.jump(this.deliveryRandom.int(0, 45_000));
      for (const [group, recoversAt] of this.unhealthy)
        if (recoversAt <= this.invocations) this.setHealth(group, 'healthy');
      const due = this.retryQueue.findIndex((r) => r.dueAt <= this.invocations);
      if (due >= 0) {
        const [retry] = this.retryQueue.splice(due, 1);
        await this.deliverAll(
          [{ origin: retry.origin, kind: 'lambda-retry', event: retry.origin.build() }],
          [retry.attempt],
        );
      } else {
        const kind = this.random.weighted(MIX);
        if (SOLO.has(kind)) await this.solo(kind);
        else {
          const size =
            this.settings.maxConcurrency > 1 && this.random.chance(0.3)
              ? Math.min(this.random.int(2, this.settings.maxConcurrency), total - this.invocations)
              : 1;
          const batch: Invocation[] = [this.prepare(kind, [])];
          while (batch.length < size) batch.push(this.prepare(this.batchableKind(), batch));
          await this.deliverAll(batch);
        }
      }
      onProgress?.(this.invocations, total);
    }
    await this.finish();
  }

  /** Stops the faults, lets stale leases expire, and redelivers what is still pending, in order. */
  private async finish(): Promise<void> {
    this.faultsActive = false;
    for (const group of [...this.unhealthy.keys()]) this.setHealth(group, 'healthy');
    this.clock.jump(((POLICY.lockTtlSeconds ?? 120) + 1) * 1000);
    for (const origin of [...this.pending.values()].sort((a, b) => a.id - b.id)) {
      this.finalRedeliveries++;
      const [result] = await this.deliverAll(
        [{ origin, kind: 'final-redelivery', event: origin.build() }],
        [LAMBDA_RETRIES + 1],
      );
      if (result.threw)
        this.finalFailures.push(`#${origin.id} ${origin.kind}: ${describeError(result.error)}`);
    }
  }

  // ---- faults ----

  private installFaults(): void {
    const rate = this.settings.faultRate;
    if (rate === 0) return;
    // A call's draw depends on the seed, the fault, what the call is and how many times that call was
    // made before: not on which concurrent run's call came first.
    const share = (kind: string, fraction: number) => (call: FaultCall) => {
      if (!this.faultsActive) return false;
      const identity = `${kind} ${callIdentity(call)}`;
      const draw = (this.faultDraws.get(identity) ?? 0) + 1;
      this.faultDraws.set(identity, draw);
      return hashUnit(this.settings.seed, identity, draw) < rate * fraction;
    };
    const add = (kind: string, fraction: number, rule: Omit<FaultRule, 'match'>) =>
      this.faults.push({
        kind,
        handle: this.emulator.faults.add({ ...rule, match: share(kind, fraction) }),
      });
    // Shares of the fault rate; a call may get more than one (latency and an error, say).
    add('throttle', 0.3, { throttle: 'always' });
    add('5xx', 0.25, { error: { status: 500 } });
    add('503', 0.05, { error: { status: 503, code: 'ServiceUnavailable' } });
    add('drop-before', 0.1, { dropConnection: 'before' });
    add('drop-after', 0.1, { dropConnection: 'after' });
    add('latency', 0.2, { latencyMs: { min: 5, max: 40 } });
    // ELBv2 is eventually consistent: a write may not show in reads for a while. (S3 is strongly consistent.)
    add('stale-read', 1, { service: 'elbv2', action: ['ModifyListener', 'ModifyRule'], staleReadMs: 2000 });
    this.faultsActive = true;
  }

  /** Runs `fn` with the faults off: the soak's own changes to the world (a deploy) are not under test. */
  private async withoutFaults<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.faultsActive;
    this.faultsActive = false;
    try {
      return await fn();
    } finally {
      this.faultsActive = before;
    }
  }

  // ---- events ----

  private batchableKind(): MixKind {
    for (;;) {
      const kind = this.random.weighted(MIX);
      if (!SOLO.has(kind)) return kind;
    }
  }

  private newOrigin(fields: Omit<Origin, 'id'>): Origin {
    const origin = { id: this.nextOriginId++, ...fields };
    this.origins.push(origin);
    return origin;
  }

  /** Builds one batchable event, changing the world first where the event reports a change (an alarm). */
  private prepare(kind: MixKind, batch: readonly Invocation[]): Invocation {
    const id = this.nextOriginId;
    const pad = String(id).padStart(6, '0');
    switch (kind) {
      case 'alarm':
      case 'alarm-ok': {
        const name = this.random.pick(ALARMS);
        const state = kind === 'alarm' ? 'ALARM' : 'OK';
        // CloudWatch sends changes only: an alarm already in that state goes through the other first.
        if (this.emulator.cloudwatch.alarm(name)?.StateValue === state)
          this.world.setAlarm(name, state === 'ALARM' ? 'OK' : 'ALARM');
        this.world.setAlarm(name, state);
        const at = this.clock.now();
        // Sometimes the alarm recovers before the watchdog reads it back.
        if (kind === 'alarm' && this.random.chance(0.15)) this.world.setAlarm(name, 'OK');
        const origin = this.newOrigin({
          kind,
          build: () => this.alarmShape(name, state, at),
          breachKey: `${name}|${new Date(at).toISOString()}|${state}`,
          redeliverable: true,
        });
        return { origin, kind, event: origin.build() };
      }
      case 'alarm-unprotected': {
        const at = this.clock.now();
        const origin = this.newOrigin({
          kind,
          build: () => this.alarmShape(UNPROTECTED_ALARM, 'ALARM', at),
          redeliverable: true,
        });
        return { origin, kind, event: origin.build() };
      }
      case 'duplicate': {
        // A redelivery of something already delivered, sometimes of an event in this very batch.
        const inBatch = batch.filter((i) => i.origin.redeliverable);
        const earlier = this.origins.filter((o) => o.redeliverable);
        const pool = inBatch.length > 0 && this.random.chance(0.4) ? inBatch.map((i) => i.origin) : earlier;
        if (pool.length === 0) return this.prepare('status', batch);
        const origin = this.random.pick(pool);
        return { origin, kind, event: origin.build() };
      }
      case 'manual':
      case 'dry-run': {
        const requestId = this.random.chance(0.6) ? `soak-manual-${pad}` : undefined;
        const event = {
          action: 'rollback',
          reason: `soak manual #${id}`,
          requestedBy: 'soak-operator',
          ...(kind === 'dry-run' ? { dryRun: true } : {}),
          ...(requestId ? { requestId } : {}),
        };
        const origin = this.newOrigin({
          kind,
          build: () => event,
          breachKey: `manual|${event.reason}`,
          redeliverable: requestId !== undefined,
        });
        return { origin, kind, event };
      }
      case 'health-breach': {
        const event = {
          action: 'health-breach',
          breachedAt: new Date(this.clock.now()).toISOString(),
          detail: `3 consecutive failed rounds (soak breach #${id})`,
          requestId: `soak-ping-${pad}`,
        };
        const origin = this.newOrigin({
          kind,
          build: () => event,
          breachKey: `health|${event.detail}`,
          redeliverable: true,
        });
        return { origin, kind, event };
      }
      case 'status': {
        const origin = this.newOrigin({ kind, build: () => ({ action: 'status' }), redeliverable: false });
        return { origin, kind, event: origin.build() };
      }
      case 'capture':
      case 'acknowledge':
      case 'malformed':
      case 'unhealthy':
        throw new Error(`soak: ${kind} is delivered alone`);
    }
  }

  private alarmShape(name: string, state: string, at: number): unknown {
    const shape = this.deliveryRandom.pick([snsAlarmEvent, eventBridgeAlarmEvent, directAlarmEvent]);
    return shape(name, state, at);
  }

  private async solo(kind: MixKind): Promise<void> {
    switch (kind) {
      case 'capture':
        return this.release();
      case 'acknowledge': {
        // Mostly the current release (rolled back or not: the watchdog refuses when there is nothing to lift).
        const releaseId = `r${Math.max(1, this.random.chance(0.85) ? this.releaseNumber : this.random.int(1, this.releaseNumber + 1))}`;
        const event = {
          action: 'acknowledge',
          releaseId,
          requestedBy: 'soak-operator',
          reason: 'fixed forward',
        };
        const origin = this.newOrigin({ kind, build: () => event, redeliverable: false });
        const [result] = await this.deliverAll([{ origin, kind, event }]);
        if (!result.threw) this.acknowledged.set(releaseId, (this.acknowledged.get(releaseId) ?? 0) + 1);
        return;
      }
      case 'unhealthy': {
        // A color loses its targets for a while: no rollback may send traffic there meanwhile.
        const pair = this.random.pick(this.world.pairs);
        const group = this.random.pick([pair.blueArn, pair.greenArn]);
        this.setHealth(group, 'unhealthy', this.invocations + this.random.int(3, 30));
        this.healthLosses++;
        return;
      }
      case 'malformed': {
        const event = malformedEvent(this.random);
        const origin = this.newOrigin({ kind, build: () => event, redeliverable: false });
        const callsBefore = this.emulator.requestLog.count();
        const [result] = await this.deliverAll([{ origin, kind, event }]);
        this.malformed.delivered++;
        const calls = this.emulator.requestLog.count() - callsBefore;
        const rejected =
          !result.threw && (result.response as { status?: string } | undefined)?.status === 'rejected';
        if (!rejected || calls > 0)
          this.malformed.violations.push(
            `#${origin.id} ${JSON.stringify(event).slice(0, 120)}: ${rejected ? 'rejected' : 'not rejected'}, ${calls} AWS call(s)`,
          );
        return;
      }
      default:
        throw new Error(`soak: ${kind} is not delivered alone`);
    }
  }

  /**
   * A new release, as a deploy makes it: alarms calm, capture (re-run by the pipeline if it fails),
   * then every listener moves to the color it did not serve from. A capture that keeps failing stops
   * the deploy: traffic does not move.
   */
  private async release(): Promise<void> {
    const releaseId = `r${++this.releaseNumber}`;
    for (const name of ALARMS)
      if (this.emulator.cloudwatch.alarm(name)?.StateValue === 'ALARM') this.world.setAlarm(name, 'OK');
    const event = { action: 'capture', releaseId };
    const origin = this.newOrigin({ kind: 'capture', build: () => event, redeliverable: false });
    for (let attempt = 0; attempt < 3 && this.invocations < this.settings.events; attempt++) {
      const [result] = await this.deliverAll([{ origin, kind: 'capture', event }]);
      if (result.threw) continue;
      const status = (result.response as { result?: { status?: string } }).result?.status;
      if (status === 'captured') this.captured.add(releaseId);
      this.deploying = true;
      try {
        await this.withoutFaults(() => this.deploy(releaseId));
      } finally {
        this.deploying = false;
      }
      return;
    }
  }

  private setHealth(group: string, state: 'healthy' | 'unhealthy', recoversAt = 0): void {
    for (const target of this.emulator.elbv2.targets(group))
      this.emulator.elbv2.setTargetHealth(group, target.Id, state);
    if (state === 'unhealthy') this.unhealthy.set(group, recoversAt);
    else this.unhealthy.delete(group);
  }

  private async deploy(releaseId: string): Promise<void> {
    const weights = new Map<string, Map<string, number>>();
    await Promise.all(
      this.world.pairs.map(async (pair) => {
        const live = weightsOfAws(this.emulator.elbv2.listener(pair.listenerArn).DefaultActions);
        const toGreen = (live.get(pair.greenArn) ?? 0) <= (live.get(pair.blueArn) ?? 0);
        const next = new Map([
          [pair.blueArn, toGreen ? 0 : 100],
          [pair.greenArn, toGreen ? 100 : 0],
        ]);
        weights.set(pair.listenerArn, next);
        await this.world.elbv2.send(
          new ModifyListenerCommand({
            ListenerArn: pair.listenerArn,
            DefaultActions: [
              {
                Type: 'forward',
                ForwardConfig: {
                  TargetGroups: [...next].map(([arn, weight]) => ({ TargetGroupArn: arn, Weight: weight })),
                },
              },
            ],
          }),
        );
      }),
    );
    this.deployed.set(releaseId, weights);
  }

  // ---- delivery ----

  /** Delivers the invocations concurrently and books what each returned or threw. */
  private async deliverAll(
    batch: readonly Invocation[],
    attempts: readonly number[] = [],
  ): Promise<Delivered[]> {
    // Concurrent invocations run in separate containers; a lone one in any warm container.
    const first = this.deliveryRandom.int(0, this.containers.length - 1);
    const batchNumber = ++this.batches;
    const results = await Promise.all(
      batch.map((invocation, i) =>
        this.deliver(invocation, batchNumber, (first + i) % this.containers.length),
      ),
    );
    let rolledBack = false;
    results.forEach((result, i) => {
      const { origin, kind } = batch[i];
      this.eventsByKind[kind] = (this.eventsByKind[kind] ?? 0) + 1;
      if (result.threw) {
        this.outcomes[`threw:${errorName(result.error)}`] =
          (this.outcomes[`threw:${errorName(result.error)}`] ?? 0) + 1;
        this.thrown[result.class]++;
        if (result.class === 'unhandled' && this.unhandledSamples.length < 10)
          this.unhandledSamples.push(`#${origin.id} ${kind}: ${describeError(result.error)}`);
        const decisionId = (result.error as { decisionId?: unknown }).decisionId;
        if (typeof decisionId === 'string')
          this.decisionIds.set(decisionId, `#${origin.id} ${kind} (partial)`);
        if (result.class === 'retryable' && TRIGGERS.has(origin.kind)) {
          this.pending.set(origin.id, origin);
          const attempt = (attempts[i] ?? 0) + 1;
          if (attempt <= LAMBDA_RETRIES && kind !== 'final-redelivery')
            this.retryQueue.push({
              origin,
              attempt,
              dueAt: this.invocations + this.deliveryRandom.int(1, 12),
            });
        }
        return;
      }
      const outcome = outcomeOf(result.response);
      this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
      if (TRIGGERS.has(origin.kind)) this.pending.delete(origin.id);
      const decisionId = (result.response as { result?: { decisionId?: unknown } }).result?.decisionId;
      if (typeof decisionId === 'string' && outcome !== 'duplicate')
        this.decisionIds.set(decisionId, `#${origin.id} ${kind} (${outcome})`);
      if (outcome === 'rolled-back') rolledBack = true;
    });
    if (rolledBack) this.checkLiveEqualsCaptured();
    return results;
  }

  private async deliver(invocation: Invocation, batch: number, container: number): Promise<Delivered> {
    const { origin, kind, event } = invocation;
    const delivery: Delivery = {
      n: ++this.invocations,
      batch,
      container,
      originId: origin.id,
      kind,
      startedAt: this.clock.now(),
    };
    this.deliveries.push(delivery);
    const eventId = eventIdOf(event);
    if (eventId !== undefined && !this.eventIds.has(origin.id)) this.eventIds.set(origin.id, eventId);
    const started = performance.now();
    let delivered: Delivered;
    try {
      delivered = { threw: false, response: await this.containers[container](event, delivery.n) };
    } catch (error) {
      delivered = { threw: true, error, class: classify(error) };
    }
    this.latencies.push(performance.now() - started);
    delivery.finishedAt = this.clock.now();
    delivery.finishedAs = ++this.finished;
    delivery.result = delivered.threw ? `threw:${errorName(delivered.error)}` : outcomeOf(delivered.response);
    const decisionId = delivered.threw
      ? (delivered.error as { decisionId?: unknown }).decisionId
      : (delivered.response as { result?: { decisionId?: unknown } } | undefined)?.result?.decisionId;
    if (typeof decisionId === 'string') delivery.decisionId = decisionId;
    return delivered;
  }

  /** After a completed rollback, every listener serves the captured state of the current release. */
  private checkLiveEqualsCaptured(): void {
    this.liveChecks.made++;
    const mismatch = this.compareLive(() => true);
    if (mismatch) this.liveChecks.violations.push(`after invocation ${this.invocations}: ${mismatch}`);
  }

  // ---- the end ----

  /** The current release, its manifest's listeners, and how live traffic differs from what `expected` picks. */
  private compareLive(rolledBack: (releaseId: string) => boolean): string | undefined {
    const { bucket } = this.world;
    const pointerText = this.emulator.s3.text(bucket, currentReleaseKey('checkout'));
    if (pointerText === undefined) return undefined;
    const pointer = currentReleaseSchema.parse(JSON.parse(pointerText));
    const manifest = parseReleaseManifest(
      JSON.parse(this.emulator.s3.text(bucket, pointer.manifestKey, pointer.manifestVersionId) as string),
    );
    const deployed = this.deployed.get(pointer.releaseId);
    const useCaptured = rolledBack(pointer.releaseId) || deployed === undefined;
    for (const pair of this.world.pairs) {
      const live = weightsOfAws(this.emulator.elbv2.listener(pair.listenerArn).DefaultActions);
      const captured = manifest.listeners.find((l) => l.listenerArn === pair.listenerArn);
      const expected = useCaptured
        ? captured
          ? weightsOfCaptured(captured.defaultActions)
          : undefined
        : deployed?.get(pair.listenerArn);
      if (expected && !sameWeights(live, expected))
        return `release ${pointer.releaseId} (${useCaptured ? 'captured' : 'as deployed'}): listener ${pair.listenerArn.split('/').pop()} serves ${show(live)}, expected ${show(expected)}`;
    }
    return undefined;
  }

  async report(wallTimeMs: number): Promise<SoakReport> {
    const records = await this.world.auditRecords();
    const invariants: InvariantResult[] = [];
    const check = (name: string, failures: readonly string[], passedDetail: string, trace?: string[]) =>
      invariants.push({
        name,
        passed: failures.length === 0,
        detail:
          failures.length === 0 ? passedDetail : `${failures.length}: ${failures.slice(0, 5).join(' | ')}`,
        ...(failures.length > 0 && trace && trace.length > 0 ? { trace } : {}),
      });

    // At most one completed rollback per breach (an alarm state change, a health breach, a manual
    // request). A manual request without a requestId is a new request at every delivery, Lambda's
    // retries included (the requestId is what makes a retried request a duplicate): each of its
    // rollbacks is a breach of its own.
    const originsByBreach = new Map(this.origins.map((o) => [o.breachKey, o]));
    const rollbacksByBreach = new Map<string, AuditRecord[]>();
    for (const record of records.filter((r) => r.decision === 'rollback' && r.outcome === 'rolled-back')) {
      const breach = breachKeyOf(record);
      const origin = originsByBreach.get(breach);
      const key =
        origin?.kind === 'manual' && !origin.redeliverable ? `${breach}|${record.decisionId}` : breach;
      rollbacksByBreach.set(key, [...(rollbacksByBreach.get(key) ?? []), record]);
    }
    const twice = [...rollbacksByBreach].filter(([, rs]) => rs.length > 1);
    check(
      'at most one rollback per breach',
      twice.map(([key, rs]) => `${key}: ${rs.length} rollbacks (${rs.map((r) => r.decisionId).join(', ')})`),
      `${rollbacksByBreach.size} breaches rolled back, each once`,
      twice.slice(0, 3).flatMap(([key]) => this.traceBreach(key, records)),
    );

    // Every decision the handler reported (or failed with) is on record; so is every capture and acknowledgement.
    const recordedIds = new Set(records.map((r) => r.decisionId));
    const unaudited = [...this.decisionIds]
      .filter(([id]) => !recordedIds.has(id))
      .map(([id, what]) => `${what} ${id}`);
    for (const releaseId of this.captured)
      if (!records.some((r) => r.decision === 'capture' && r.releaseId === releaseId))
        unaudited.push(`capture of ${releaseId}`);
    for (const [releaseId, count] of this.acknowledged) {
      const onRecord = records.filter(
        (r) => r.decision === 'acknowledge' && r.releaseId === releaseId,
      ).length;
      if (onRecord < count)
        unaudited.push(`acknowledgement of ${releaseId}: ${count} answered, ${onRecord} on record`);
    }
    check(
      'every decision audited',
      unaudited,
      `${this.decisionIds.size} decisions, ${this.captured.size} captures, ${sum(this.acknowledged.values())} acknowledgements on record`,
    );

    check('nothing thrown unhandled', this.unhandledSamples, 'every failure was a deliberate, retryable one');
    check(
      'malformed events rejected with no AWS call',
      this.malformed.violations,
      `${this.malformed.delivered} malformed events, all rejected, 0 AWS calls`,
    );
    check(
      'pending work finished by one fault-free redelivery',
      this.finalFailures,
      `${this.finalRedeliveries} redelivered, all finished`,
    );
    check(
      'no listener sent to a target group without healthy targets',
      this.flips.violations,
      `${this.flips.checked} watchdog listener writes checked`,
    );
    check(
      'traffic on the captured state after every completed rollback',
      this.liveChecks.violations,
      `${this.liveChecks.made} checks`,
    );
    const rolledBackReleases = new Set(
      records.filter((r) => r.decision === 'rollback' && r.releaseId !== undefined).map((r) => r.releaseId),
    );
    const finalMismatch = this.compareLive((releaseId) => rolledBackReleases.has(releaseId));
    const pointer = this.emulator.s3.text(this.world.bucket, currentReleaseKey('checkout'));
    const current = pointer ? currentReleaseSchema.parse(JSON.parse(pointer)).releaseId : 'none';
    check(
      'final live state equals the captured state (rolled back) or the deployed one (not rolled back)',
      finalMismatch ? [finalMismatch] : [],
      `release ${current}, ${rolledBackReleases.has(current) ? 'rolled back: captured state' : 'not rolled back: deployed state'}${
        this.emulator.s3.text(this.world.bucket, rollbackMarkerKey('checkout', current)) !== undefined
          ? ', held'
          : ''
      }`,
    );

    const faultsInjected: Record<string, number> = {};
    for (const { kind, handle } of this.faults) faultsInjected[kind] = handle.fired;
    faultsInjected.total = sum(Object.values(faultsInjected));
    const log = this.emulator.requestLog.entries();
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const completed = records.filter((r) => r.decision === 'rollback' && r.outcome === 'rolled-back').length;
    return {
      options: this.settings,
      wallTimeMs: Math.round(wallTimeMs),
      eventsByKind: this.eventsByKind,
      outcomes: this.outcomes,
      rollbacks: {
        completed,
        partial: records.filter((r) => r.outcome === 'partial').length,
        breaches: rollbacksByBreach.size,
      },
      duplicatesSuppressed: this.outcomes.duplicate ?? 0,
      faultsInjected,
      awsCalls: log.length,
      sdkRetries: log.filter((e) => (e.attempt ?? 1) > 1).length,
      thrown: { ...this.thrown, unhandledSamples: this.unhandledSamples },
      latencyMs: {
        median: round(percentile(sorted, 0.5)),
        p99: round(percentile(sorted, 0.99)),
        max: round(sorted[sorted.length - 1] ?? 0),
      },
      finalRedeliveries: this.finalRedeliveries,
      healthLosses: this.healthLosses,
      invariants,
      rerun: rerunCommand(this.settings),
      fingerprint: this.fingerprint(),
    };
  }

  private fingerprint(): string {
    const hash = createHash('sha256');
    for (const d of this.deliveries) hash.update(`${d.n}|${d.originId}|${d.kind}|${d.result ?? '?'}\n`);
    return hash.digest('hex').slice(0, 16);
  }

  /**
   * What happened to one breach, for a failed "at most one rollback per breach": its origin and event
   * id; every delivery of it in the order made (batch and batch-mates, container, soak time, outcome,
   * decision id) with that invocation's store operations in order (the receipt and state it read, every
   * write: lock, receipt, latch, hold, audit record; the number before each is its place among all the
   * soak's store operations); the breach's audit records; and the other rollbacks from its first
   * delivery to its last record (which moved the latch meanwhile). Decision ids are `inv-<n>`: the
   * invocation that decided.
   */
  private traceBreach(key: string, records: readonly AuditRecord[]): string[] {
    const origins = this.origins.filter((o) => o.breachKey === key);
    const ids = new Set(origins.map((o) => o.id));
    const deliveries = this.deliveries.filter((d) => ids.has(d.originId));
    const own = records.filter((r) => breachKeyOf(r) === key);
    const lines = [`breach ${key}:`];
    for (const origin of origins)
      lines.push(
        `  origin #${origin.id} ${origin.kind}, event id ${this.eventIds.get(origin.id) ?? '(none)'}`,
      );
    lines.push('  deliveries, in the order made, each with its store operations:');
    for (const d of deliveries) {
      const mates = this.deliveries
        .filter((m) => m.batch === d.batch && m !== d)
        .map((m) => `#${m.n} (origin #${m.originId} ${m.kind}: ${m.result ?? '?'})`);
      lines.push(
        `    #${d.n} ${d.kind}, batch ${d.batch}${mates.length > 0 ? ` with ${mates.join(', ')}` : ' alone'}, container ${d.container}, ${soakTime(d.startedAt)} to ${soakTime(d.finishedAt ?? d.startedAt)}, finished ${ordinal(d.finishedAs ?? 0)}: ${d.result ?? '?'}${d.decisionId ? ` ${d.decisionId}` : ''}`,
      );
      // A lock wait is many identical polls: one line for a run of them.
      const ops = this.storeTrace.of(d.n);
      for (let i = 0; i < ops.length;) {
        let j = i + 1;
        while (j < ops.length && sameOp(ops[i], ops[j])) j++;
        lines.push(
          `      ${describeOp(ops[i], SERVICE)}${j - i > 1 ? ` (${j - i} times, to ${ops[j - 1].seq})` : ''}`,
        );
        i = j;
      }
    }
    lines.push('  its audit records:');
    for (const r of own) lines.push(`    ${describeRecord(r)}`);
    const from = Math.min(...deliveries.map((d) => d.startedAt));
    const to = Math.max(...own.map((r) => Date.parse(r.decidedAt)));
    const meanwhile = records.filter(
      (r) =>
        r.decision === 'rollback' &&
        breachKeyOf(r) !== key &&
        Date.parse(r.decidedAt) >= from &&
        Date.parse(r.decidedAt) <= to,
    );
    lines.push(`  other rollbacks from its first delivery to its last record: ${meanwhile.length}`);
    const shown = meanwhile.length > 8 ? [...meanwhile.slice(0, 4), ...meanwhile.slice(-4)] : meanwhile;
    shown.forEach((r, i) => {
      if (meanwhile.length > 8 && i === 4) lines.push(`    ... ${meanwhile.length - 8} more`);
      lines.push(`    ${describeRecord(r)} (${breachKeyOf(r)})`);
    });
    return lines;
  }
}

function rerunCommand(settings: Required<Omit<SoakOptions, 'onProgress' | 'beforeChecks'>>): string {
  const command = `npm run soak -- --events ${settings.events} --seed ${settings.seed} --fault-rate ${settings.faultRate} --time-scale ${settings.timeScale} --concurrency ${settings.maxConcurrency}`;
  return settings.listeners === 2 ? command : `${command} (with runSoak's listeners: ${settings.listeners})`;
}

/** The watchdog's event id of an event (receipts are keyed by it), if it has one. */
function eventIdOf(event: unknown): string | undefined {
  const parsed = parseWatchdogEvent(event);
  return parsed.ok && 'eventId' in parsed.event && typeof parsed.event.eventId === 'string'
    ? parsed.event.eventId
    : undefined;
}

function describeRecord(r: AuditRecord): string {
  return `${r.decision}/${r.outcome} ${r.decisionId}, release ${r.releaseId ?? '-'}, decided ${soakTime(Date.parse(r.decidedAt))}, checks ${r.checks.map((c) => `${c.name}${c.passed ? '' : '!'}`).join(',')}, steps ${r.steps.map((st) => st.outcome).join(',') || '-'}`;
}

/** Soak time as an ISO timestamp. */
function soakTime(ms: number): string {
  return new Date(ms).toISOString();
}

function ordinal(n: number): string {
  return `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;
}

/** Events that are triggers: a failed one is work Lambda retries, and in the end redelivered. */
const TRIGGERS: ReadonlySet<MixKind> = new Set([
  'alarm',
  'alarm-ok',
  'alarm-unprotected',
  'manual',
  'dry-run',
  'health-breach',
]);

/**
 * Deliberate failures are those the watchdog documents for Lambda to retry (or that refuse a request
 * with a reason); anything else thrown out of the handler is a bug.
 */
function classify(error: unknown): 'retryable' | 'refused' | 'unhandled' {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'LockBusyError' || name === 'PartialRollbackError') return 'retryable';
  if (name === 'AwsCallError' && (error as { retryable?: boolean }).retryable === true) return 'retryable';
  if (name === 'RetriesExhausted') {
    const last = (error as { lastError?: { retryable?: boolean } }).lastError;
    if (last?.retryable === true) return 'retryable';
  }
  if (/another watchdog run holds the lock of .*; (retry|try again)/.test(message)) return 'retryable';
  if (/was not rolled back: there is nothing to acknowledge/.test(message)) return 'refused';
  return 'unhandled';
}

/**
 * What a call is, the same in every run of a seed: service, action and the string inputs that name
 * things (key, ARN, alarm, parameter), with what differs between runs left out: the bucket (one per
 * soak, numbered per process), the emulator's random ids (hex runs), soak times and invocation ids
 * in keys, and contents (bodies, messages, values, versions).
 */
function callIdentity(call: FaultCall): string {
  const names = Object.entries(call.params)
    .filter(
      (entry): entry is [string, string] =>
        typeof entry[1] === 'string' &&
        entry[0] !== 'Bucket' &&
        !/body|message|payload|value|subject|version|content|policy/i.test(entry[0]),
    )
    .map(
      ([name, value]) =>
        `${name}=${value
          .replace(/\d{4}-\d\d-\d\dT\d\d[-:]\d\d[-:]\d\d[-.]\d{3}Z/g, '<time>')
          .replace(/inv-\d+/g, '<invocation>')
          .replace(/[0-9a-f]{8,}/gi, '*')}`,
    )
    .sort();
  return `${call.service} ${call.action} ${names.join(' ')}`;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error);
}

function outcomeOf(response: unknown): string {
  const r = response as { status?: string; kind?: string; result?: { outcome?: string; status?: string } };
  if (r.status === 'rejected') return 'rejected';
  switch (r.kind) {
    case 'capture':
      return `capture:${r.result?.status ?? '?'}`;
    case 'acknowledge':
      return 'acknowledged';
    case 'status':
      return 'status';
    default:
      return r.result?.outcome ?? `unknown:${r.kind ?? '?'}`;
  }
}

function breachKeyOf(record: AuditRecord): string {
  const { trigger } = record;
  switch (trigger.kind) {
    case 'alarm':
      return `${trigger.alarmName}|${trigger.stateChangedAt}|${trigger.alarmState}`;
    case 'health-ping':
      return `health|${trigger.reason}`;
    default:
      return `manual|${trigger.reason}`;
  }
}

type AwsAction = {
  Type?: string;
  TargetGroupArn?: string;
  ForwardConfig?: { TargetGroups?: { TargetGroupArn?: string; Weight?: number }[] };
};

/** Target group -> weight of a listener's default actions as ELBv2 holds them. */
function weightsOfAws(actions: readonly AwsAction[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const forward = actions?.find((a) => a.Type === 'forward');
  if (forward?.ForwardConfig?.TargetGroups)
    for (const g of forward.ForwardConfig.TargetGroups) out.set(g.TargetGroupArn ?? '', g.Weight ?? 1);
  else if (forward?.TargetGroupArn) out.set(forward.TargetGroupArn, 1);
  return out;
}

/** The same, of captured actions. */
function weightsOfCaptured(actions: readonly ListenerAction[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const action of actions)
    if (action.type === 'forward')
      for (const g of action.forwardConfig.targetGroups) out.set(g.targetGroupArn, g.weight);
  return out;
}

function sameWeights(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].every((k) => (a.get(k) ?? 0) === (b.get(k) ?? 0));
}

function show(weights: ReadonlyMap<string, number>): string {
  return [...weights].map(([arn, w]) => `${arn.split('/')[1] ?? arn}=${w}`).join(',');
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
