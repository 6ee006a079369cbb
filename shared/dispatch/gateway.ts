/**
 * A local gateway that routes `/function/<name>/<path>` to the function
 * process serving `<name>` at `/<path>`, as the OpenFaaS gateway does, so the
 * README's curl lines work against `npm start` and a cluster alike.
 * `GET /system/functions` lists the functions; `GET /_/health` answers 200;
 * `GET /system/scale` answers what `scale` returns, when it is given (the
 * process pool of `nightshift dev --isolated`). With `api`, it also serves
 * the status page and API (`GET /`, `/api/*`).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { NightshiftError } from '../errors.ts';

export interface GatewayOptions {
  port: number;
  /** @default "127.0.0.1" */
  host?: string;
  log: Logger;
  /** Where each function listens; resolved per request so a function may (re)start lazily. */
  target(name: string): Promise<{ host: string; port: number } | undefined>;
  /** The functions listed by /system/functions. */
  names: readonly string[];
  /**
   * Called when a request for the listed function `name` arrives, before
   * `target`; the function it returns is called once, when that request's
   * reply has ended (sent, failed or cut). Lets a process pool count requests
   * in flight. @default none
   */
  onRequest?(name: string): () => void;
  /** What `GET /system/scale` answers (as JSON). @default none: the route is 404 */
  scale?(): unknown;
  /**
   * Other read-only routes (the status API and page, shared/status/api.ts):
   * tried for every request that is not health or /system/*, before
   * /function/<name>; it answers and resolves true, or resolves false to leave
   * the request to the gateway. @default none
   */
  api?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export interface Gateway {
  port: number;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const server = createServer((req, res) => {
    route(req, res, options).catch((err: unknown) => {
      const e = err instanceof NightshiftError ? err : new NightshiftError('INVOKE_FAILED', `gateway: ${(err as Error).message}`);
      options.log.warn({ code: e.code, url: req.url }, e.message);
      if (res.headersSent) return void res.destroy();
      res.writeHead(e.status, { 'content-type': 'application/json' }).end(JSON.stringify(e.toJSON()));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, options: GatewayOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  if (url.pathname === '/_/health' || url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (url.pathname === '/system/functions') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(options.names.map((name) => ({ name }))));
    return;
  }
  if (url.pathname === '/system/scale' && options.scale) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(options.scale()));
    return;
  }
  if (options.api && !url.pathname.startsWith('/function/') && (await options.api(req, res))) return;
  const match = /^\/function\/([a-z0-9-]+)(\/.*)?$/.exec(url.pathname);
  if (!match) throw new NightshiftError('NOT_FOUND', `no route ${url.pathname}; functions are under /function/<name>`);
  const name = match[1]!;
  // Registered before the first await, so the end of the reply is never missed.
  const done = options.names.includes(name) ? options.onRequest?.(name) : undefined;
  if (done) res.once('close', done);
  const target = options.names.includes(name) ? await options.target(name) : undefined;
  if (!target) throw new NightshiftError('NOT_FOUND', `no function named "${name}"; try one of ${options.names.join(', ')}`);
  await proxy(req, res, target, (match[2] ?? '/') + url.search);
}

function proxy(req: IncomingMessage, res: ServerResponse, target: { host: string; port: number }, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = request({ host: target.host, port: target.port, method: req.method, path, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('end', resolve);
      up.on('error', reject);
    });
    upstream.on('error', reject);
    req.pipe(upstream);
  });
}
