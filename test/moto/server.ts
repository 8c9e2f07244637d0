/**
 * moto (a peer's AWS emulator, pinned in requirements/moto.txt, in .venv-moto) as a child process on loopback, on a port
 * the operating system picks: the adapter suites, the drill and the Terraform harness all start it here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A running moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`: the endpoint for every service (moto serves them all on one port). */
  readonly endpoint: string;
  readonly port: number;
  /** Empties every service (moto's reset API); the server keeps running. */
  reset(): Promise<void>;
  /** Stops the server; safe to call twice. */
  stop(): Promise<void>;
}

const REPO_ROOT = resolve(__dirname, '..', '..');

/** The moto version requirements/moto.txt pins (the one `.venv-moto` runs). */
export function pinnedMotoVersion(): string {
  const pinned = /^moto==(\S+)$/m.exec(readFileSync(join(REPO_ROOT, 'requirements', 'moto.txt'), 'utf8'));
  if (!pinned) throw new Error('requirements/moto.txt pins no moto version (moto==X.Y.Z)');
  return pinned[1];
}

/**
 * The moto_server of the project's venv (`.venv-moto`, from requirements/moto.txt), or the one
 * SWITCHBACK_MOTO_SERVER names. Never another on PATH: an unpinned moto answers differently.
 */
export function findMotoServer(): string {
  const command = process.env.SWITCHBACK_MOTO_SERVER ?? join(REPO_ROOT, '.venv-moto', 'bin', 'moto_server');
  if (!existsSync(command)) {
    throw new Error(
      `moto_server was not found at ${command}; install the pinned tools with: npm run setup:python`,
    );
  }
  return command;
}

/** Starts moto on 127.0.0.1 and a free port; resolves once it answers. */
export async function startMoto(options: { startTimeoutMs?: number } = {}): Promise<MotoServer> {
  const command = findMotoServer();
  const child = spawn(command, ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`moto_server did not start within ${options.startTimeoutMs ?? 20000} ms: ${output}`));
    }, options.startTimeoutMs ?? 20000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with code ${code} before it started: ${output.trim()}`));
    });
  });
  // Keep draining its request log, or a full pipe would stall the server.
  child.stdout?.resume();
  child.stderr?.resume();
  const endpoint = `http://127.0.0.1:${port}`;
  await configureMoto(endpoint);
  return {
    endpoint,
    port,
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
      await configureMoto(endpoint);
    },
    stop: () => stopChild(child),
  };
}

/**
 * Without Docker, moto cannot run Lambda code; this makes Invoke answer without it (the harness
 * plays Lambda's part where code must run).
 */
async function configureMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lambda: { use_docker: false } }),
  });
  if (!response.ok) throw new Error(`moto config failed: HTTP ${response.status}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
