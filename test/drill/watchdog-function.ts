/**
 * The watchdog function as Lambda runs it, for the drill: the real bundle (`dist/watchdog/index.js`)
 * loaded in a fresh Node process (one container, one cold start, configured only by environment
 * variables), one invocation at a time (the construct reserves a concurrency of 1), the function's
 * timeout enforced (a run that outlasts it fails with `Sandbox.Timedout`, and its container is killed
 * and replaced by a cold start at the next invocation), and asynchronous invocations retried twice on
 * failure, as Lambda does, with the delays scaled down like the alarms.
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
  /** The event's `action` (capture, tick, rollback...), or `alarm` for an alarm notification. */
  readonly action: string;
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
  /**
   * The function's timeout, in real time (the watchdog's work is not scaled). An invocation still
   * running then fails with `Sandbox.Timedout` and the container is killed. @default 60000
   */
  readonly timeoutMs?: number;
}

interface Answer {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly errorType?: string;
  readonly errorMessage?: string;
}

/** One container process: the bootstrap with the bundle loaded, and the invocation it is running. */
interface Container {
  readonly child: ChildProcess;
  /** Resolves with the cold start's duration once the bundle is loaded; rejects when it fails. */
  readonly ready: Promise<number>;
  /** The invocation waiting for the child's answer, by id. */
  readonly pending: Map<number, (answer: Answer) => void>;
}

/**
 * Starts a container process. Its output goes to `onLine`, one line each. The child is returned at
 * once, so a cold start that hangs can be killed.
 */
function spawnContainer(
  bundlePath: string,
  environment: Readonly<Record<string, string>>,
  onLine: (line: string) => void,
): Container {
  const child = spawn(process.execPath, ['-e', BOOTSTRAP], {
    env: { PATH: process.env.PATH ?? '', ...environment, DRILL_WATCHDOG_BUNDLE: bundlePath },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      onLine(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const pending = new Map<number, (answer: Answer) => void>();
  const ready = new Promise<number>((resolve, reject) => {
    child.on('message', (message: { type: string; id?: number; initMs?: number; message?: string }) => {
      if (message.type === 'ready') resolve(message.initMs ?? 0);
      else if (message.type === 'init-error')
        reject(new Error(`the watchdog bundle failed at cold start: ${message.message ?? ''}`));
      else if (message.type === 'result' && message.id !== undefined) {
        pending.get(message.id)?.(message as unknown as Answer);
        pending.delete(message.id);
      }
    });
    // A failed spawn or kill (EAGAIN, ENOMEM) fails this container, not the whole drill.
    child.on('error', (error) => {
      reject(new Error(`the watchdog container could not run: ${error.message}`));
      for (const answer of pending.values())
        answer({ ok: false, errorType: 'Runtime.ExitError', errorMessage: error.message });
      pending.clear();
    });
    child.on('exit', (code, signal) => {
      reject(
        new Error(
          `the watchdog container exited at cold start (${signal ?? `code ${code}`}): ${output.join('\n')}`,
        ),
      );
      for (const answer of pending.values())
        answer({ ok: false, errorType: 'Runtime.ExitError', errorMessage: 'the container exited' });
      pending.clear();
    });
  });
  // A cold start that fails is reported by whoever waits for it; never an unhandled rejection.
  ready.catch(() => undefined);
  return { child, ready, pending };
}

/**
 * The watchdog function, with Lambda's invocation semantics around its container: one invocation at
 * a time, the function's timeout enforced (the invocation fails with `Sandbox.Timedout` and the
 * container is killed; the next invocation cold-starts a new one), asynchronous invocations retried.
 */
export class WatchdogFunction {
  /** Every run of the handler, in order. */
  readonly invocations: InvocationRecord[] = [];
  /** Cold starts so far: the first, plus one after each timeout or crash that was followed by an invocation. */
  coldStarts = 1;

  private queue: Promise<unknown> = Promise.resolve();
  private outstanding = 0;
  private idleWaiters: Array<() => void> = [];
  private nextId = 1;
  private stopped = false;
  /** Asynchronous invocations waiting for a retry; stop() drops them. */
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  private constructor(
    /** The current container; undefined after a timeout or a crash, until the next invocation. */
    private container: Container | undefined,
    /** The first cold start: loading the bundle and building its clients. */
    readonly initMs: number,
    /** The containers' output: the watchdog's structured logs and metrics, one line each. */
    readonly logLines: string[],
    private readonly options: WatchdogFunctionOptions,
    private readonly timeScale: number,
    private readonly timeoutMs: number,
  ) {
    if (container) this.watch(container);
  }

  /** Starts a container: a cold start of the bundle, configured by `environment` only. */
  static async start(options: WatchdogFunctionOptions): Promise<WatchdogFunction> {
    const bundlePath = options.bundlePath ?? DEFAULT_BUNDLE_PATH;
    if (!existsSync(bundlePath)) {
      throw new Error(
        `the watchdog bundle ${bundlePath} does not exist: build it with 'npx tsx scripts/bundle-watchdog.ts' (npm run drill does)`,
      );
    }
    const logLines: string[] = [];
    const container = spawnContainer(bundlePath, options.environment, (line) => logLines.push(line));
    const initMs = await container.ready;
    return new WatchdogFunction(
      container,
      initMs,
      logLines,
      { ...options, bundlePath },
      options.timeScale ?? 60,
      options.timeoutMs ?? 60_000,
    );
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
        const timer = setTimeout(
          () => {
            this.retryTimers.delete(timer);
            attempt(retry + 1);
          },
          (delaySeconds * 1000) / this.timeScale,
        );
        this.retryTimers.add(timer);
      });
    };
    // Held from the first try to the last retry, so idle() waits for the retries too.
    this.outstanding++;
    attempt(0);
  }

  /** Whether an invocation is queued, running or waiting for a retry (what {@link idle} waits for). */
  get busy(): boolean {
    return this.outstanding > 0;
  }

  /** Resolves once nothing is queued, running or waiting for a retry. */
  idle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the container (pending retries are dropped; a running invocation fails). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retryTimers) {
      clearTimeout(timer);
      this.settle();
    }
    this.retryTimers.clear();
    const container = this.container;
    this.container = undefined;
    if (!container || container.child.exitCode !== null || container.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => container.child.once('exit', () => resolve()));
    if (container.child.connected) container.child.disconnect();
    const timer = setTimeout(() => container.child.kill('SIGKILL'), 2000);
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
    const answer = await this.call(event, requestId);
    const record: InvocationRecord = {
      requestId,
      action: actionOf(event),
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

  /**
   * Runs the handler once in the current container (cold-starting one first if the last was killed),
   * within the function's timeout, which covers that cold start too. On timeout the invocation fails
   * with `Sandbox.Timedout` and the container is killed, as Lambda resets the execution environment.
   */
  private call(event: unknown, requestId: string): Promise<Answer> {
    if (this.stopped) {
      return Promise.resolve({
        ok: false,
        errorType: 'Runtime.ExitError',
        errorMessage: 'the container is stopped',
      });
    }
    const container = this.container ?? this.coldStart();
    const id = this.nextId++;
    return new Promise<Answer>((resolve) => {
      let done = false;
      const finish = (answer: Answer) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        container.pending.delete(id);
        resolve(answer);
      };
      const timer = setTimeout(() => {
        finish({
          ok: false,
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(this.timeoutMs / 1000).toFixed(2)} seconds`,
        });
        this.discard(container);
      }, this.timeoutMs);
      container.ready.then(
        () => {
          if (done) return;
          if (!container.child.connected) {
            finish({ ok: false, errorType: 'Runtime.ExitError', errorMessage: 'the container exited' });
            return;
          }
          container.pending.set(id, finish);
          container.child.send({ id, event, requestId, timeoutMs: this.timeoutMs }, (error) => {
            if (error) finish({ ok: false, errorType: 'Runtime.ExitError', errorMessage: error.message });
          });
        },
        (error: unknown) => {
          this.discard(container);
          finish({
            ok: false,
            errorType: 'Runtime.InitError',
            errorMessage: error instanceof Error ? error.message : String(error),
          });
        },
      );
    });
  }

  /** A new container for the next invocation, after a timeout or a crash killed the last one. */
  private coldStart(): Container {
    const container = spawnContainer(
      this.options.bundlePath ?? DEFAULT_BUNDLE_PATH,
      this.options.environment,
      (line) => this.logLines.push(line),
    );
    this.coldStarts++;
    this.container = container;
    this.watch(container);
    return container;
  }

  /** A container that dies between invocations is replaced at the next one. */
  private watch(container: Container): void {
    container.child.once('exit', () => {
      if (this.container === container) this.container = undefined;
    });
  }

  /** Kills a container (a timed-out or broken one); the next invocation cold-starts another. */
  private discard(container: Container): void {
    if (this.container === container) this.container = undefined;
    if (container.child.exitCode === null && container.child.signalCode === null)
      container.child.kill('SIGKILL');
  }

  private settle(): void {
    this.outstanding--;
    if (this.outstanding > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** What an invocation was for: a manual event's `action`, else an alarm notification (SNS, EventBridge). */
function actionOf(event: unknown): string {
  const action = (event as { action?: unknown } | null)?.action;
  return typeof action === 'string' ? action : 'alarm';
}
