/**
 * The watchdog function as Lambda runs it, for the drill: the real bundle (`dist/watchdog/index.js`)
 * loaded in a fresh Node process (one container, one cold start, configured only by environment
 * variables), one invocation at a time (the construct reserves a concurrency of 1), and asynchronous
 * invocations retried twice on failure, as Lambda does, with the delays scaled down like the alarms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where `scripts/bundle-watchdog.ts` writes the bundle. */
export const DEFAULT_BUNDLE_PATH = join(__dirname, '..', '..', 'dist', 'watchdog', 'index.js');

/** Lambda's delays before the two retries of a failed asynchronous invocation, in seconds (about). */
const ASYNC_RETRY_DELAYS_SECONDS = [60, 120] as const;

/**
 * The container's bootstrap: what the Lambda Node.js runtime does, reduced to loading the handler
 * once and calling it per invocation. Plain JavaScript, so the child needs no TypeScript loader.
 */
const BOOTSTRAP = `'use strict';
const started = Date.now();
let handler;
try {
  handler = require(process.env.DRILL_WATCHDOG_BUNDLE).handler;
} catch (error) {
  process.send({ type: 'init-error', message: String(error && error.stack || error) });
  process.exit(1);
}
process.send({ type: 'ready', initMs: Date.now() - started });
process.on('message', (m) => {
  const deadline = Date.now() + m.timeoutMs;
  const context = { awsRequestId: m.requestId, getRemainingTimeInMillis: () => deadline - Date.now() };
  Promise.resolve()
    .then(() => handler(m.event, context))
    .then(
      (result) => process.send({ type: 'result', id: m.id, ok: true, result }),
      (error) => process.send({ type: 'result', id: m.id, ok: false,
        errorType: (error && error.name) || 'Error', errorMessage: (error && error.message) || String(error) }),
    );
});
process.on('disconnect', () => process.exit(0));
`;

/** One run of the handler. */
export interface InvocationRecord {
  readonly requestId: string;
  /** `Event` (asynchronous, retried on failure) or `RequestResponse`. */
  readonly invocationType: 'Event' | 'RequestResponse';
  /** 0 for the first try, 1 and 2 for Lambda's retries of an asynchronous invocation. */
  readonly retry: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly ok: boolean;
  /** What the handler returned, or `{ errorType, errorMessage }` when it threw. */
  readonly result: unknown;
}

/** The handler threw: Lambda reports `{ errorType, errorMessage }`. */
export class FunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

/** Options of {@link WatchdogFunction.start}. */
export interface WatchdogFunctionOptions {
  /** The environment the function is configured with (no other variables reach the container). */
  readonly environment: Readonly<Record<string, string>>;
  /** @default dist/watchdog/index.js */
  readonly bundlePath?: string;
  /** How much faster than real time Lambda's asynchronous retry delays run. @default 60 */
  readonly timeScale?: number;
  /** The function's timeout. @default 60000 */
  readonly timeoutMs?: number;
}

interface Pending {
  resolve(message: { ok: boolean; result?: unknown; errorType?: string; errorMessage?: string }): void;
}

/** One warm container of the watchdog function, with Lambda's invocation semantics around it. */
export class WatchdogFunction {
  /** Every run of the handler, in order. */
  readonly invocations: InvocationRecord[] = [];
  /** The container's output: the watchdog's structured logs and metrics, one line each. */
  readonly logLines: string[] = [];

  private queue: Promise<unknown> = Promise.resolve();
  private outstanding = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped = false;

  private constructor(
    private readonly child: ChildProcess,
    /** The cold start: loading the bundle and building its clients. */
    readonly initMs: number,
    private readonly timeScale: number,
    private readonly timeoutMs: number,
  ) {
    child.on('message', (message: { type: string; id?: number }) => {
      if (message.type !== 'result' || message.id === undefined) return;
      this.pending.get(message.id)?.resolve(message as never);
      this.pending.delete(message.id);
    });
    child.on('exit', () => {
      for (const waiter of this.pending.values())
        waiter.resolve({ ok: false, errorType: 'Runtime.ExitError', errorMessage: 'the container exited' });
      this.pending.clear();
    });
  }

  /** Starts a container: a cold start of the bundle, configured by `environment` only. */
  static async start(options: WatchdogFunctionOptions): Promise<WatchdogFunction> {
    const bundlePath = options.bundlePath ?? DEFAULT_BUNDLE_PATH;
    if (!existsSync(bundlePath)) {
      throw new Error(
        `the watchdog bundle ${bundlePath} does not exist: build it with 'npx tsx scripts/bundle-watchdog.ts' (npm run drill does)`,
      );
    }
    const child = spawn(process.execPath, ['-e', BOOTSTRAP], {
      env: { PATH: process.env.PATH ?? '', ...options.environment, DRILL_WATCHDOG_BUNDLE: bundlePath },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const logLines: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logLines.push(line);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const initMs = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { type: string; initMs?: number; message?: string }) => {
        if (message.type === 'ready') resolve(message.initMs ?? 0);
        else reject(new Error(`the watchdog bundle failed at cold start: ${message.message ?? ''}`));
      });
      child.once('exit', (code) =>
        reject(
          new Error(`the watchdog container exited at cold start (code ${code}): ${logLines.join('\n')}`),
        ),
      );
    });
    const fn = new WatchdogFunction(child, initMs, options.timeScale ?? 60, options.timeoutMs ?? 60_000);
    // Lines already collected belong to the cold start; later ones go straight to the record.
    fn.logLines.push(...logLines);
    child.stdout?.off('data', collect);
    child.stderr?.off('data', collect);
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) fn.logLines.push(line);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return fn;
  }

  /** A synchronous invocation: resolves with what the handler returned, rejects with a {@link FunctionError}. */
  async invoke(event: unknown, requestId: string): Promise<unknown> {
    const record = await this.enqueue(event, requestId, 'RequestResponse', 0);
    if (!record.ok) {
      const error = record.result as { errorType: string; errorMessage: string };
      throw new FunctionError(error.errorType, error.errorMessage);
    }
    return record.result;
  }

  /** An asynchronous invocation: queued, and retried twice on failure after Lambda's (scaled) delays. */
  invokeAsync(event: unknown, requestId: string): void {
    const attempt = (retry: number) => {
      void this.enqueue(event, requestId, 'Event', retry).then((record) => {
        const delaySeconds = ASYNC_RETRY_DELAYS_SECONDS[retry];
        if (record.ok || delaySeconds === undefined || this.stopped) return this.settle();
        setTimeout(() => attempt(retry + 1), (delaySeconds * 1000) / this.timeScale);
      });
    };
    // Held from the first try to the last retry, so idle() waits for the retries too.
    this.outstanding++;
    attempt(0);
  }

  /** Resolves once nothing is queued, running or waiting for a retry. */
  idle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the container (pending retries are dropped). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private enqueue(
    event: unknown,
    requestId: string,
    invocationType: InvocationRecord['invocationType'],
    retry: number,
  ): Promise<InvocationRecord> {
    this.outstanding++;
    // Reserved concurrency 1: one invocation at a time, in arrival order.
    const run = this.queue.then(() => this.run(event, requestId, invocationType, retry));
    this.queue = run.catch(() => undefined);
    return run.finally(() => this.settle());
  }

  private async run(
    event: unknown,
    requestId: string,
    invocationType: InvocationRecord['invocationType'],
    retry: number,
  ): Promise<InvocationRecord> {
    const startedAt = Date.now();
    const id = this.nextId++;
    const answer =
      this.stopped || !this.child.connected
        ? { ok: false, errorType: 'Runtime.ExitError', errorMessage: 'the container is stopped' }
        : await new Promise<{ ok: boolean; result?: unknown; errorType?: string; errorMessage?: string }>(
            (resolve) => {
              this.pending.set(id, { resolve });
              this.child.send({ id, event, requestId, timeoutMs: this.timeoutMs });
            },
          );
    const record: InvocationRecord = {
      requestId,
      invocationType,
      retry,
      startedAt,
      finishedAt: Date.now(),
      ok: answer.ok,
      result: answer.ok
        ? answer.result
        : { errorType: answer.errorType ?? 'Error', errorMessage: answer.errorMessage ?? '' },
    };
    this.invocations.push(record);
    return record;
  }

  private settle(): void {
    this.outstanding--;
    if (this.outstanding > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
