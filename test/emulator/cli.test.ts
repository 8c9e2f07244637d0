import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseArgs } from './cli';
import './testing';

describe('command line', () => {
  it('parses --port, --host, --region and --verbose, with defaults', () => {
    expect(parseArgs([])).toEqual({ port: 4566, host: '127.0.0.1', region: 'us-east-1', verbose: false });
    expect(parseArgs(['--port', '0', '--host=127.0.0.1', '--region', 'eu-west-1', '-v'])).toEqual({
      port: 0,
      host: '127.0.0.1',
      region: 'eu-west-1',
      verbose: true,
    });
  });

  it('refuses unknown arguments and bad ports with the usage', () => {
    expect(() => parseArgs(['--nope'])).toThrow("Unknown argument '--nope'");
    expect(() => parseArgs(['--port', 'x'])).toThrow('--port must be an integer 0-65535');
    expect(() => parseArgs(['--port'])).toThrow('--port needs a value');
  });

  it('serves until SIGTERM when started as `npm run emulator`', async () => {
    const root = join(__dirname, '..', '..');
    const child = spawn(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, 'cli.ts'), '--port', '0'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', () => reject(new Error(`emulator exited early: ${out}`)));
      });
      const elbv2 = new ElasticLoadBalancingV2Client({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts: 1,
      });
      const out = await elbv2.send(new DescribeLoadBalancersCommand({}));
      elbv2.destroy();
      expect(out.LoadBalancers).toEqual([]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
