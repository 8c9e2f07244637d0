import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Engine } from './engine';
import { route } from './router';

/** Bodies above this are refused with 413 rather than buffered. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function write(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string,
): void {
  if (res.destroyed || res.headersSent) return;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const out = { ...headers };
  if (!('content-length' in out)) out['content-length'] = String(bytes.length);
  res.writeHead(status, out);
  res.end(bytes);
}

async function serve(
  engine: Engine,
  defaultRegion: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req);
  if (body === 'too-large') {
    write(res, 413, { 'content-type': 'text/plain', connection: 'close' }, 'Request entity too large');
    return;
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const { service, region } = route(req.headers, path, query, body, defaultRegion);
  const outcome = await engine.handle(
    { method: (req.method ?? 'GET').toUpperCase(), path, query, headers: req.headers, body, region },
    service,
  );
  if (outcome.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  const { status, headers, body: answer } = outcome.result;
  write(res, status, headers, answer);
}

/** A listening HTTP edge. */
export interface Edge {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the HTTP edge for `engine` on host:port (port 0 picks a free one). */
export function listen(engine: Engine, host: string, port: number, defaultRegion: string): Promise<Edge> {
  const server = createServer((req, res) => {
    serve(engine, defaultRegion, req, res).catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      write(res, 500, { 'content-type': 'text/plain' }, `Emulator edge failure: ${message}`);
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        server,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            engine.cancelSleeps();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
