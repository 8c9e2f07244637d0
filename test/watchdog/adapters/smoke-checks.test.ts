/**
 * The smoke-check adapter: HTTP checks against a local server on a random port (status, body, time
 * limit, nobody listening), and the user's function through the real Lambda SDK against the emulator.
 * Judged by the engine's own verdicts, as the watchdog judges them.
 */
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSmokeCheckAdapter } from '../../../lambdas/watchdog/adapters';
import { httpVerdict, lambdaVerdict } from '../../../lambdas/watchdog/engine/smoke-checks';
import { useEmulator } from '../../emulator/testing';

const emulator = useEmulator();
let server: Server;
let base: string;
let lambda: LambdaClient;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('status: ok, version green-42');
    } else if (request.url === '/slow') {
      setTimeout(() => response.writeHead(200).end('late'), 2000).unref();
    } else if (request.url === '/moved') {
      response.writeHead(301, { location: '/health' }).end();
    } else {
      response.writeHead(503).end('upstream down');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  lambda = new LambdaClient({ ...emulator().clientConfig(), maxAttempts: 1 });
});
afterEach(() => lambda.destroy());

const http = (
  path: string,
  extra: { expectedStatus?: number; bodyPattern?: string; timeoutMs?: number } = {},
) =>
  httpVerdict(createSmokeCheckAdapter(lambda), {
    kind: 'http',
    url: `${base}${path}`,
    expectedStatus: extra.expectedStatus ?? 200,
    timeoutMs: extra.timeoutMs ?? 1000,
    ...(extra.bodyPattern !== undefined ? { bodyPattern: extra.bodyPattern } : {}),
  });

describe('HTTP checks', () => {
  it('pass when the status is the expected one and the body matches', async () => {
    await expect(http('/health', { bodyPattern: 'version green-\\d+' })).resolves.toEqual(
      expect.objectContaining({ passed: true }),
    );
  });

  it('fail on another status, naming both', async () => {
    await expect(http('/broken')).resolves.toEqual({ passed: false, detail: 'status 503, expected 200' });
  });

  it('fail when the body does not match, quoting it', async () => {
    const verdict = await http('/health', { bodyPattern: 'version blue' });
    expect(verdict).toEqual({ passed: false, detail: expect.stringContaining('version green-42') });
  });

  it('take a redirect as the answer rather than following it', async () => {
    await expect(http('/moved')).resolves.toEqual(expect.objectContaining({ passed: false }));
    await expect(http('/moved', { expectedStatus: 301 })).resolves.toEqual(
      expect.objectContaining({ passed: true }),
    );
  });

  it('fail when no answer comes within the time limit', async () => {
    await expect(http('/slow', { timeoutMs: 200 })).resolves.toEqual({
      passed: false,
      detail: 'no answer within 200 ms',
    });
  });

  it('fail when nobody listens, saying why', async () => {
    const port = createSmokeCheckAdapter(lambda);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/health`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const answer = await port.httpGet(url, 1000);
    expect(answer.status).toBeUndefined();
    expect(answer.error).toEqual(expect.stringMatching(/ECONNREFUSED|fetch failed/));
  });
});

describe('Lambda checks', () => {
  const payload = { releaseId: 'r42', service: 'checkout', stage: 'pre-traffic' as const };
  const check = (name: string) => ({
    kind: 'lambda' as const,
    functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    timeoutMs: 2000,
  });
  const create = (name: string, handler: (event: unknown) => unknown) => {
    emulator().lambda.registerHandler(name, async (event) => handler(event));
    return lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Role: 'arn:aws:iam::123456789012:role/smoke',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: new TextEncoder().encode('smoke') },
      }),
    );
  };

  it('invoke the function with the release, service and stage, and pass on its answer', async () => {
    const seen: unknown[] = [];
    await create('smoke-ok', (event) => {
      seen.push(event);
      return { passed: true };
    });
    await expect(lambdaVerdict(createSmokeCheckAdapter(lambda), check('smoke-ok'), payload)).resolves.toEqual(
      {
        passed: true,
      },
    );
    expect(seen).toEqual([payload]);
  });

  it('fail when the function answers { passed: false }', async () => {
    await create('smoke-no', () => ({ passed: false, why: 'cart empty' }));
    const verdict = await lambdaVerdict(createSmokeCheckAdapter(lambda), check('smoke-no'), payload);
    expect(verdict).toEqual({ passed: false, detail: expect.stringContaining('cart empty') });
  });

  it('fail when the function throws (a function error)', async () => {
    await create('smoke-throws', () => {
      throw new Error('database unreachable');
    });
    const verdict = await lambdaVerdict(createSmokeCheckAdapter(lambda), check('smoke-throws'), payload);
    expect(verdict).toEqual({
      passed: false,
      detail: expect.stringMatching(/^function error Unhandled: .*database unreachable/),
    });
  });
});
