/**
 * Runs the `switchback` CLI in-process against the emulator, with a real watchdog runtime registered
 * as the Lambda function and reached through the real Lambda and S3 clients (AWS_ENDPOINT_URL).
 */
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Readable } from 'node:stream';
import { watchdogConfigKey } from '../../lib';
import { runCli } from '../../cli/program';
import type { Emulator } from '../emulator/index';
import { createWorld, type World } from '../watchdog/harness';

export const FUNCTION = 'switchback-checkout-watchdog';

/** A text sink that remembers what was written. */
export function sink(isTTY = false) {
  let text = '';
  return {
    isTTY,
    write(chunk: string) {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
  };
}

export interface CliRunOptions {
  readonly tty?: boolean;
  readonly env?: Record<string, string>;
  /** What the operator types on a terminal (stdin is then a TTY). */
  readonly typed?: string;
  readonly now?: () => number;
}

/** Runs the CLI in-process against the emulator. */
export async function cli(emu: Emulator, argv: string[], options: CliRunOptions = {}) {
  const stdout = sink(options.tty);
  const stderr = sink(options.tty);
  const stdin =
    options.typed !== undefined ? Object.assign(Readable.from([options.typed]), { isTTY: true }) : undefined;
  const code = await runCli(argv, {
    stdout,
    stderr,
    ...(stdin ? { stdin } : {}),
    env: { AWS_ENDPOINT_URL: emu.endpoint, AWS_REGION: 'us-east-1', USER: 'alice', ...options.env },
    clientConfig: { credentials: emu.clientConfig().credentials },
    ...(options.now ? { now: options.now } : {}),
  });
  return { code, stdout: stdout.text, stderr: stderr.text, json: () => JSON.parse(stdout.text) };
}

/** A world whose watchdog is deployed as a Lambda function the CLI can invoke. */
export async function deployedWorld(
  emu: Emulator,
  options: Parameters<typeof createWorld>[1] = {},
): Promise<World> {
  const world = await createWorld(emu, { listeners: 2, ...options });
  const lambda = new LambdaClient(emu.clientConfig());
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: FUNCTION,
      Role: 'arn:aws:iam::123456789012:role/watchdog',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Timeout: 90,
      Code: { ZipFile: new TextEncoder().encode('bundle') },
      Environment: {
        Variables: {
          SWITCHBACK_CONFIG_BUCKET: world.bucket,
          SWITCHBACK_CONFIG_KEY: watchdogConfigKey('checkout'),
        },
      },
    }),
  );
  lambda.destroy();
  emu.lambda.registerHandler(FUNCTION, (event) => world.invoke(event));
  return world;
}
