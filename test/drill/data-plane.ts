/**
 * The drill's data plane, on loopback: two tiny apps (blue and green), a router per listener that
 * sends each request where the control plane's listener's live actions send it (weights included), and a
 * load generator that keeps a steady request rate. Every request is recorded, on the router's side
 * (what the load balancer's per-target-group metrics would count) and on the client's side (what
 * users saw).
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ElbAction } from '../emulator/index';
import type { ControlPlane } from './control-plane';

/** A deployment color. */
export type Color = 'blue' | 'green';

/** What an app answers to one request. */
export interface AppResponse {
  readonly status: number;
  /** Time the app takes before answering. */
  readonly delayMs: number;
}

/** How an app behaves, asked once per request with the current time (epoch ms) and the request's path. */
export type AppBehaviour = (now: number, path: string) => AppResponse;

/** An app that answers quickly with 200. */
export const healthy: AppBehaviour = () => ({ status: 200, delayMs: 0 });

/** A running app server. */
export interface App {
  readonly color: Color;
  readonly port: number;
  /** Replaces how the app answers from now on. */
  behave(behaviour: AppBehaviour): void;
  close(): Promise<void>;
}

/** Response header naming the color that served a request. */
export const COLOR_HEADER = 'x-drill-color';

/** Starts one app on 127.0.0.1 on a free port. */
export async function startApp(color: Color, behaviour: AppBehaviour = healthy): Promise<App> {
  let current = behaviour;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    req.resume();
    const { status, delayMs } = current(Date.now(), req.url ?? '/');
    const answer = () => {
      res.writeHead(status, { 'content-type': 'text/plain', [COLOR_HEADER]: color });
      res.end(`${color} ${status}\n`);
    };
    if (delayMs <= 0) return answer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer();
    }, delayMs);
    timers.add(timer);
  });
  const port = await listen(server);
  return {
    color,
    port,
    behave: (next) => {
      current = next;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await close(server);
    },
  };
}

/** One request as the router (the load balancer) saw it. */
export interface RoutedRequest {
  /** The listener's name in the drill (`production` or `test`). */
  readonly listener: string;
  /** The color of the target group the listener's actions picked. */
  readonly color: Color;
  readonly arrivedAt: number;
  readonly finishedAt: number;
  /** The target's status, or 502/504 when the router could not get an answer. */
  readonly status: number;
  /** Time from forwarding to the target until its answer (the load balancer's TargetResponseTime). */
  readonly targetResponseMs: number;
  /**
   * Whether, when this request was routed, the production listener's live actions sent nothing to
   * green: the data plane's view of "traffic is back on blue".
   */
  readonly greenWeightZero: boolean;
  /** The production listener's live share of traffic to green when this request was routed, percent (0-100). */
  readonly greenWeightPercent: number;
}

/** Options of {@link startRouter}. */
export interface RouterOptions {
  readonly plane: ControlPlane;
  /** Listener name (in the records) and ARN. */
  readonly listener: { readonly name: string; readonly arn: string };
  /** The production listener whose weights are recorded with every request. */
  readonly productionListenerArn: string;
  /** Color and port of each target group, by target group ARN. */
  readonly targets: ReadonlyMap<string, { readonly color: Color; readonly port: number }>;
  /** The router gives up on a target after this long and answers 504, as a load balancer does. */
  readonly targetTimeoutMs: number;
  /** Where every routed request is recorded. */
  readonly records: RoutedRequest[];
}

/** A running router (one listener of the drill's load balancer). */
export interface Router {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a router that forwards each request where the listener's live actions send it. */
export async function startRouter(options: RouterOptions): Promise<Router> {
  const { plane, listener, targets, records } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const server = createServer((req, res) => {
    req.resume();
    const arrivedAt = Date.now();
    let decision;
    try {
      decision = plane.route(listener.arn, {
        path: req.url ?? '/',
        method: req.method ?? 'GET',
        host: req.headers.host ?? 'localhost',
        headers: flatHeaders(req),
      });
    } catch (error) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(`no route: ${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    const productionActions = plane.defaultActions(options.productionListenerArn);
    const greenWeightZero = !forwardsToGreen(productionActions, targets);
    const greenWeightPercent = greenSharePercent(productionActions, targets);
    const target = decision.targetGroupArn ? targets.get(decision.targetGroupArn) : undefined;
    if (!target) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('the listener forwards to no known target group\n');
      return;
    }
    const forwardedAt = Date.now();
    // The target's body goes back to the client: a smoke check may match it.
    const body: Buffer[] = [];
    const finish = (status: number) => {
      const finishedAt = Date.now();
      records.push({
        listener: listener.name,
        color: target.color,
        arrivedAt,
        finishedAt,
        status,
        targetResponseMs: finishedAt - forwardedAt,
        greenWeightZero,
        greenWeightPercent,
      });
      if (!res.headersSent) res.writeHead(status, { [COLOR_HEADER]: target.color });
      res.end(Buffer.concat(body));
    };
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target.port, path: req.url, method: req.method, agent },
      (answer) => {
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => finish(answer.statusCode ?? 502));
        answer.on('error', () => finish(502));
      },
    );
    upstream.setTimeout(options.targetTimeoutMs, () => {
      upstream.destroy();
      body.length = 0;
      finish(504);
    });
    upstream.on('error', () => {
      if (!res.writableEnded) finish(502);
    });
    upstream.end();
  });
  const port = await listen(server);
  return {
    port,
    close: async () => {
      agent.destroy();
      await close(server);
    },
  };
}

/** Whether a listener's default actions send any weight to a green target group. */
function forwardsToGreen(
  actions: readonly ElbAction[],
  targets: ReadonlyMap<string, { readonly color: Color }>,
): boolean {
  for (const action of actions) {
    if (action.Type !== 'forward') continue;
    const groups = action.ForwardConfig?.TargetGroups ?? [];
    if (groups.length === 0 && action.TargetGroupArn && targets.get(action.TargetGroupArn)?.color === 'green')
      return true;
    for (const group of groups) {
      if (targets.get(group.TargetGroupArn)?.color === 'green' && (group.Weight ?? 1) > 0) return true;
    }
  }
  return false;
}

/**
 * The share of a listener's traffic its first forward action sends to green, in percent (rounded):
 * what a weighted forward does with the weights, whatever their sum (a forward to green alone is 100).
 */
export function greenSharePercent(
  actions: readonly ElbAction[],
  targets: ReadonlyMap<string, { readonly color: Color }>,
): number {
  const forward = actions.find((a) => a.Type === 'forward');
  if (!forward) return 0;
  const listed = forward.ForwardConfig?.TargetGroups ?? [];
  const groups =
    listed.length > 0
      ? listed.map((g) => ({ arn: g.TargetGroupArn, weight: g.Weight ?? 1 }))
      : forward.TargetGroupArn
        ? [{ arn: forward.TargetGroupArn, weight: 1 }]
        : [];
  const total = groups.reduce((sum, g) => sum + g.weight, 0);
  if (total === 0) return 0;
  const green = groups
    .filter((g) => targets.get(g.arn)?.color === 'green')
    .reduce((sum, g) => sum + g.weight, 0);
  return Math.round((100 * green) / total);
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(',');
  }
  return out;
}

/** One request as the client (a user) saw it. */
export interface ClientRequest {
  readonly sentAt: number;
  readonly finishedAt: number;
  /** HTTP status, or 0 when the request timed out or the connection failed. */
  readonly status: number;
  /** The color that answered, when an answer came. */
  readonly color?: Color;
  readonly latencyMs: number;
}

/** Options of {@link startLoad}. */
export interface LoadOptions {
  readonly port: number;
  readonly requestsPerSecond: number;
  /** A request without an answer after this long counts as failed (status 0). */
  readonly timeoutMs: number;
  readonly records: ClientRequest[];
}

/** A running load generator. */
export interface Load {
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

/**
 * Sends requests at a steady rate, scheduled from the start time so a slow tick does not lower the
 * rate, and without waiting for answers (an open model, like real users).
 */
export function startLoad(options: LoadOptions): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const intervalMs = 1000 / options.requestsPerSecond;
  const startedAt = Date.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const send = () => {
    const sentAt = Date.now();
    const done = new Promise<void>((resolve) => {
      let settled = false;
      const record = (status: number, color?: Color) => {
        if (settled) return;
        settled = true;
        const finishedAt = Date.now();
        options.records.push({
          sentAt,
          finishedAt,
          status,
          ...(color ? { color } : {}),
          latencyMs: finishedAt - sentAt,
        });
        resolve();
      };
      const req = httpRequest({ host: '127.0.0.1', port: options.port, path: '/', agent }, (res) => {
        const color = res.headers[COLOR_HEADER];
        res.resume();
        res.on('end', () =>
          record(res.statusCode ?? 0, color === 'blue' || color === 'green' ? color : undefined),
        );
        res.on('error', () => record(0));
      });
      req.setTimeout(options.timeoutMs, () => {
        req.destroy();
        record(0);
      });
      req.on('error', () => record(0));
      req.end();
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  const tick = () => {
    if (stopped) return;
    const due = Math.floor((Date.now() - startedAt) / intervalMs) + 1;
    while (sent < due) {
      sent++;
      send();
    }
    timer = setTimeout(tick, Math.max(1, startedAt + sent * intervalMs - Date.now()));
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...inFlight]);
      agent.destroy();
    },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
