/**
 * Command-line entry: `npm run emulator -- --port 4566 [--host 127.0.0.1] [--region us-east-1] [--verbose]`.
 * Prints the endpoint, then serves until SIGINT/SIGTERM.
 */
import { startEmulator } from './index';

interface CliOptions {
  port: number;
  host: string;
  region: string;
  verbose: boolean;
}

const USAGE = 'Usage: npm run emulator -- [--port 4566] [--host 127.0.0.1] [--region us-east-1] [--verbose]';

/** Parses the command line; throws with the usage on anything unexpected. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { port: 4566, host: '127.0.0.1', region: 'us-east-1', verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value.\n${USAGE}`);
      return v;
    };
    if (flag === '--port' || flag === '-p') {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port must be an integer 0-65535.\n${USAGE}`);
      options.port = port;
    } else if (flag === '--host') {
      options.host = value();
    } else if (flag === '--region') {
      options.region = value();
    } else if (flag === '--verbose' || flag === '-v') {
      options.verbose = true;
    } else if (flag === '--help' || flag === '-h') {
      throw new Error(USAGE);
    } else {
      throw new Error(`Unknown argument '${arg}'.\n${USAGE}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const emulator = await startEmulator({
    port: options.port,
    host: options.host,
    defaultRegion: options.region,
  });
  if (options.verbose) {
    emulator.requestLog.subscribe((e) => {
      const error = e.errorCode ? ` ${e.errorCode}` : '';
      const faults = e.faults.length > 0 ? ` [${e.faults.join(',')}]` : '';
      process.stdout.write(
        `${e.seq} ${e.service}:${e.action} ${e.status}${error}${faults} ${JSON.stringify(e.params)}\n`,
      );
    });
  }
  process.stdout.write(
    `AWS emulator listening on ${emulator.endpoint}\n` +
      `  export AWS_ENDPOINT_URL=${emulator.endpoint} AWS_REGION=${options.region} AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x\n` +
      '  (S3 clients: forcePathStyle: true)\n',
  );
  const stop = (): void => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  void main();
}
