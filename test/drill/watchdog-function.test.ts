/**
 * The drill's Lambda container around a bundle: the function's timeout is enforced as Lambda does
 * (the invocation fails with Sandbox.Timedout, the container is killed and the next invocation gets a
 * new one), and a timed-out asynchronous invocation is retried like any failed one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FunctionError, WatchdogFunction } from './watchdog-function';

/** A handler that never answers `{ hang: true }` and otherwise says which container process ran it. */
const HANGING_BUNDLE = `exports.handler = (event) =>
  event.hang ? new Promise(() => {}) : Promise.resolve({ pid: process.pid });
`;

function bundle(source: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'switchback-drill-fn-')), 'index.js');
  writeFileSync(path, source);
  return path;
}

describe('WatchdogFunction (the drill container)', () => {
  let fn: WatchdogFunction | undefined;
  afterEach(async () => {
    await fn?.stop();
    fn = undefined;
  });

  it('fails an invocation that outlasts the timeout with Sandbox.Timedout, then cold-starts a new container', async () => {
    fn = await WatchdogFunction.start({
      environment: {},
      bundlePath: bundle(HANGING_BUNDLE),
      timeoutMs: 500,
    });
    const before = (await fn.invoke({}, 'r1')) as { pid: number };

    const hung = await fn.invoke({ hang: true }, 'r2').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(hung).toBeInstanceOf(FunctionError);
    expect(hung).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect((hung as Error).message).toMatch(/RequestId: r2 Error: Task timed out after 0\.50 seconds/);

    // The hung container was killed: the next invocation runs in a fresh one, and answers.
    const after = (await fn.invoke({}, 'r3')) as { pid: number };
    expect(after.pid).not.toBe(before.pid);
    expect(fn.coldStarts).toBe(2);
    expect(fn.invocations.map((i) => i.ok)).toEqual([true, false, true]);
    await expect(fn.idle()).resolves.toBeUndefined();
  }, 20_000);

  it('retries a timed-out asynchronous invocation twice, then is idle', async () => {
    // timeScale 600: the retry delays (60 s and 120 s at Lambda's scale) last 100 ms and 200 ms.
    fn = await WatchdogFunction.start({
      environment: {},
      bundlePath: bundle(HANGING_BUNDLE),
      timeoutMs: 300,
      timeScale: 600,
    });
    fn.invokeAsync({ hang: true }, 'a1');
    expect(fn.busy).toBe(true);
    await fn.idle();
    expect(fn.busy).toBe(false);
    expect(fn.invocations.map((i) => [i.retry, (i.result as { errorType?: string }).errorType])).toEqual([
      [0, 'Sandbox.Timedout'],
      [1, 'Sandbox.Timedout'],
      [2, 'Sandbox.Timedout'],
    ]);
    expect(fn.coldStarts).toBe(3);
  }, 20_000);
});
