/**
 * The shipped artifact: the watchdog bundle, built as `npm run build` builds it, run in a fresh Node
 * process configured only by environment variables (as Lambda runs it), against the emulator.
 */
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { watchdogConfigKey } from '../../lib';
import { watchdogBuildOptions } from '../../scripts/bundle-watchdog';
import { useEmulator } from '../emulator/testing';
import { createWorld, snsAlarmEvent } from './harness';

const emulator = useEmulator();
const bundle = join(
  __dirname,
  '..',
  '..',
  'node_modules',
  '.cache',
  'switchback-test',
  'watchdog',
  'index.js',
);

beforeAll(async () => {
  await build({ ...watchdogBuildOptions, outfile: bundle, logLevel: 'silent' });
});

/** Invokes the bundle's handler once in a child process, as the Lambda runtime would. */
function invokeBundle(
  env: Record<string, string>,
  event: unknown,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `require(${JSON.stringify(bundle)}).handler(JSON.parse(process.argv[1]), { awsRequestId: 'req-bundle' })
    .then((r) => { process.stdout.write('\\nRESULT ' + JSON.stringify(r) + '\\n'); }, (e) => { process.stderr.write(String(e)); process.exitCode = 1; });`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script, JSON.stringify(event)], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the watchdog bundle', () => {
  it('is one minified file with a source map, within a size budget', () => {
    expect(statSync(bundle).size).toBeLessThan(1024 * 1024);
    expect(statSync(`${bundle}.map`).size).toBeGreaterThan(0);
  });

  it('captures and rolls back through the real SDK, configured by environment variables only', async () => {
    const world = await createWorld(emulator(), { listeners: 2 });
    const env = {
      SWITCHBACK_CONFIG_BUCKET: world.bucket,
      SWITCHBACK_CONFIG_KEY: watchdogConfigKey('checkout'),
      AWS_ENDPOINT_URL: world.emulator.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };

    const captured = await invokeBundle(env, { action: 'capture', releaseId: 'r1' });
    expect(captured).toEqual(expect.objectContaining({ code: 0 }));
    await world.shiftToGreen();
    world.setAlarm('checkout-5xx', 'ALARM');
    const rolledBack = await invokeBundle(env, snsAlarmEvent('checkout-5xx', 'ALARM', Date.now()));

    expect(rolledBack.code).toBe(0);
    const lines = rolledBack.stdout.split('\n').filter((line) => line.trim().length > 0);
    const result = lines.find((line) => line.startsWith('RESULT '))?.slice('RESULT '.length) ?? 'null';
    expect(JSON.parse(result)).toEqual(
      expect.objectContaining({ status: 'ok', result: expect.objectContaining({ outcome: 'rolled-back' }) }),
    );
    expect(await world.weights()).toEqual([
      [100, 0],
      [100, 0],
    ]);
    // Structured JSON logs, each carrying the invocation's context
    const logs = lines
      .filter((line) => !line.startsWith('RESULT '))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'decision recorded',
        requestId: 'req-bundle',
        protectedService: 'checkout',
        outcome: 'rolled-back',
      }),
    );
    // The time-to-rollback metric, in CloudWatch embedded metric format
    expect(logs).toContainEqual(
      expect.objectContaining({
        ProtectedService: 'checkout',
        TimeToRollback: expect.any(Number),
        _aws: expect.any(Object),
      }),
    );
  });

  it('fails at cold start with a clear message when its environment is incomplete', async () => {
    const result = await invokeBundle({ AWS_REGION: 'us-east-1' }, { action: 'status' });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "the watchdog's environment is incomplete: SWITCHBACK_CONFIG_BUCKET, SWITCHBACK_CONFIG_KEY must be set",
    );
  });
});
