import { performance } from 'node:perf_hooks';
import { AwsError } from './core/aws-error';
import { requestId as newRequestId } from './core/ids';
import { Params } from './core/params';
import { CallContext, Runtime, ServiceDefinition } from './core/service';
import { HttpResult, RawRequest, ServiceName } from './core/types';
import { FaultInjector } from './faults';
import { QueryProtocol } from './protocols/query';
import { keyParams, RequestLog } from './request-log';

/** What the edge does with a request: answer it, or drop the connection. */
export type Outcome = { readonly kind: 'answer'; readonly result: HttpResult } | { readonly kind: 'drop' };

interface Slot {
  readonly def: ServiceDefinition<unknown>;
  live: unknown;
  stale?: { state: unknown; until: number };
}

/** Answers requests for no known service in a neutral Query-style XML error. */
const UNKNOWN_SERVICE = new QueryProtocol({ version: '', xmlNamespace: '' });

/**
 * The emulator without HTTP: services and their state, fault decisions, stale snapshots and the
 * request log. The edge hands it decoded requests and writes what it returns.
 */
export class Engine {
  private readonly slots = new Map<ServiceName, Slot>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wakers = new Set<() => void>();

  constructor(
    definitions: ReadonlyArray<ServiceDefinition<unknown>>,
    readonly runtime: Runtime,
    readonly faults: FaultInjector,
    readonly log: RequestLog,
  ) {
    for (const def of definitions) this.slots.set(def.name, { def, live: def.createState() });
  }

  /** The live (never stale) state of a service, for in-process inspectors. */
  state<S>(service: ServiceName): S {
    return this.slot(service).live as S;
  }

  /** The service definition, for in-process callers that need its error wording. */
  definition(service: ServiceName): ServiceDefinition<unknown> {
    return this.slot(service).def;
  }

  /** Fresh state for every service; stale windows closed. */
  resetState(): void {
    for (const slot of this.slots.values()) {
      slot.live = slot.def.createState();
      slot.stale = undefined;
    }
  }

  /** Wakes every pending injected-latency sleep (used when stopping). */
  cancelSleeps(): void {
    for (const t of this.timers) clearTimeout(t);
    for (const wake of this.wakers) wake();
    this.timers.clear();
    this.wakers.clear();
  }

  private slot(service: ServiceName): Slot {
    const slot = this.slots.get(service);
    if (!slot) throw new Error(`Service ${service} is not registered`);
    return slot;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.timers.delete(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.timers.add(timer);
      this.wakers.add(wake);
    });
  }

  /** Handles one request for `service` (undefined when the edge could not tell). */
  async handle(req: RawRequest, service: ServiceName | undefined): Promise<Outcome> {
    const started = performance.now();
    const time = this.runtime.now();
    const id = newRequestId();
    const attempt =
      Number(/attempt=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''))?.[1]) || undefined;
    let action = 'unknown';
    let params: Record<string, unknown> = {};
    let faults: string[] = [];
    const finish = (outcome: Outcome, errorCode?: string): Outcome => {
      this.log.record({
        time,
        service: service ?? 'unknown',
        action,
        region: req.region,
        params: keyParams(params),
        status: outcome.kind === 'answer' ? outcome.result.status : 0,
        errorCode,
        faults,
        attempt,
        durationMs: performance.now() - started,
      });
      return outcome;
    };
    if (service === undefined) {
      const err = new AwsError(
        'UnrecognizedService',
        'This request names no service the emulator speaks (ELBv2, Lambda, SSM, S3, CloudWatch, SNS, Backup): it routes ' +
          'by the SigV4 credential scope, X-Amz-Target, the Query Version or the Lambda path.',
      );
      return finish({ kind: 'answer', result: UNKNOWN_SERVICE.error(err, id) }, err.code);
    }
    const slot = this.slot(service);
    const { def } = slot;
    const fail = (err: AwsError): Outcome =>
      finish({ kind: 'answer', result: def.protocol.error(err, id, req) }, err.code);
    try {
      const call = def.protocol.parse(req);
      action = call.action;
      params = call.params;
      const operation = Object.prototype.hasOwnProperty.call(def.operations, action)
        ? def.operations[action]
        : undefined;
      if (!operation) return fail(def.unknownAction(action));
      const decision = this.faults.evaluate({ service, action, params }, operation.kind);
      faults = decision.applied;
      await this.sleep(decision.latencyMs);
      if (decision.drop === 'before') return finish({ kind: 'drop' }, 'ConnectionDropped');
      if (decision.throttled) return fail(def.throttlingError());
      if (decision.error) {
        const e = decision.error;
        return fail(
          new AwsError(
            e.code ?? def.internalErrorCode,
            e.message ?? 'We encountered an internal error. Please try again.',
            {
              status: e.status ?? 500,
            },
          ),
        );
      }
      const now = this.runtime.now();
      if (operation.kind === 'write' && decision.staleReadMs > 0) {
        if (!slot.stale || slot.stale.until <= now) {
          slot.stale = { state: structuredClone(slot.live), until: now + decision.staleReadMs };
        } else {
          slot.stale.until = Math.max(slot.stale.until, now + decision.staleReadMs);
        }
      }
      const useStale = operation.kind === 'read' && slot.stale !== undefined && slot.stale.until > now;
      const ctx: CallContext = {
        region: req.region,
        params: new Params(call.params, def.errors),
        input: call.params,
        requestId: id,
        runtime: this.runtime,
      };
      const output = await operation.run(useStale && slot.stale ? slot.stale.state : slot.live, ctx);
      if (decision.drop === 'after') return finish({ kind: 'drop' }, 'ConnectionDropped');
      return finish({ kind: 'answer', result: def.protocol.success(action, output, id) });
    } catch (e) {
      if (e instanceof AwsError) return fail(e);
      const message = e instanceof Error ? e.message : String(e);
      return fail(
        new AwsError(def.internalErrorCode, `Internal emulator error: ${message}`, { status: 500 }),
      );
    }
  }
}
