/**
 * The standalone HTTP process of one function (DESIGN.md section 5): what a
 * container, OpenFaaS or Knative runs. node:http is enough for four routes, and
 * it keeps the bundles small and free of a framework's own lifecycle.
 *
 * Routes: `POST /` (one event: binary, structured or a bare JSON ping),
 * `GET /_/health` (liveness), `GET /_/ready` (readiness). Replies are described
 * in reply.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config.ts';
import { NightshiftError } from '../errors.ts';
import { eventsTriggering } from '../events/catalog.ts';
import { eventFromHttp } from '../events/http.ts';
import { assertAccepted } from './accept.ts';
import { bearerMatches, readBody, sendJson } from './http-io.ts';
import { invoke } from './invoke.ts';
import { createLogger } from './logger.ts';
import type { Publisher } from './publisher.ts';
import type { HandledReply } from './reply.ts';
import type { Services } from '../pipeline/services.ts';
import type { FunctionContext, NightshiftFunction } from './types.ts';

export interface ServeOptions {
  /** @default loadConfig({}) (every default; PORT 8080) */
  config?: Config;
  /** @default a pino JSON logger on stdout named after the function */
  log?: Logger;
  /** Where emitted events go. @default none: emitted events are only returned */
  publisher?: Publisher;
  /** The clock handed to the handler. @default () => new Date() */
  now?: () => Date;
  /** Interface to listen on. @default all interfaces */
  host?: string;
  /** What pipeline handlers stand on (store, database, settings). @default none */
  services?: Services;
}

export interface ServerHandle {
  /** The port actually bound (useful with PORT=0). */
  port: number;
  /** Resolves once `init` has finished; rejects if it threw. */
  ready: Promise<void>;
  /**
   * Shuts down: readiness turns 503, new work is refused with 503, in-flight
   * requests get up to SHUTDOWN_GRACE_MS to finish, then the listener closes
   * and `shutdown` runs. Resolves true if everything finished in time.
   */
  close(): Promise<boolean>;
}

type State = 'starting' | 'ready' | 'failed' | 'draining' | 'closed';

/** Serves `fn` over HTTP; resolves once the port is bound (before `init` finishes). */
export async function serve(fn: NightshiftFunction, options: ServeOptions = {}): Promise<ServerHandle> {
  const config = options.config ?? loadConfig({});
  const log = options.log ?? createLogger({ level: config.LOG_LEVEL, name: fn.name });
  const now = options.now ?? (() => new Date());
  const baseCtx: FunctionContext = { log, config, now, ...(options.services ? { services: options.services } : {}) };
  const pingDefault = eventsTriggering(fn.name)[0];
  let state: State = 'starting';
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const postEvent = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (state !== 'ready') {
      const why = state === 'draining' || state === 'closed' ? 'is shutting down' : 'is not ready yet';
      throw new NightshiftError('NOT_READY', `${fn.name} ${why}; try again`);
    }
    if (config.NIGHTSHIFT_TOKEN !== undefined && !bearerMatches(req.headers.authorization, config.NIGHTSHIFT_TOKEN)) {
      throw new NightshiftError('UNAUTHORIZED', 'POST / needs the header "Authorization: Bearer <NIGHTSHIFT_TOKEN>"');
    }
    const body = await readBody(req, config.BODY_LIMIT);
    const pingType = url.searchParams.get('type') ?? undefined;
    const { event, mode } = eventFromHttp(req.headers, body, { pingType, pingDefault, pingSource: `/nightshift/http/${fn.name}` });
    assertAccepted(fn, event);
    const dryRun = isOn(url.searchParams.get('dryRun')) || isOn(req.headers['x-nightshift-dry-run']);
    const data = (event.data ?? {}) as Record<string, unknown>;
    const eventLog = log.child({ eventId: event.id, type: event.type, specId: data.specId, taskId: data.taskId, attempt: data.attempt });
    eventLog.info({ mode, dryRun }, 'handling event');
    const result = await invoke(fn, event, { ...baseCtx, log: eventLog, dryRun }, dryRun ? undefined : options.publisher);
    eventLog.info({ emitted: result.emitted.length, published: result.published }, 'handled event');
    const reply: HandledReply = {
      handled: { id: event.id, type: event.type, mode },
      emitted: result.emitted.map((e) => e.toJSON() as Record<string, unknown>),
      published: result.published,
      dryRun,
    };
    sendJson(res, 200, reply);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://function.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname === '/_/health' || url.pathname === '/_/ready') {
      if (method !== 'GET' && method !== 'HEAD') throw notAllowed(url.pathname, 'GET, HEAD');
      if (url.pathname === '/_/health') return sendJson(res, 200, { status: 'ok' });
      const ready = state === 'ready' && (await probe(fn));
      // Answered here rather than thrown: probes poll often, and a not-ready probe is not worth a log line.
      const notReady = new NightshiftError('NOT_READY', `${fn.name} is ${state === 'ready' ? 'not ready' : state}`);
      if (!ready) return sendJson(res, notReady.status, notReady.toJSON(), { 'retry-after': '1' });
      return sendJson(res, 200, { status: 'ready' });
    }
    if (url.pathname !== '/') throw new NightshiftError('NOT_FOUND', `no route ${method} ${url.pathname}; try POST /, GET /_/health or GET /_/ready`);
    if (method !== 'POST') throw notAllowed('/', 'POST');
    await postEvent(req, res, url);
  };

  const server = createServer((req, res) => {
    // A request counts as in flight until its reply has left ('close' follows
    // 'finish'), so shutdown never cuts a reply that is still being written.
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    });
    route(req, res).catch((err: unknown) => sendError(res, err, log, state === 'draining'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, function: fn.name }, `listening on port ${port}`);

  const ready = (async () => {
    try {
      await fn.init?.(baseCtx);
    } catch (err) {
      state = 'failed';
      throw err;
    }
    if (state === 'starting') state = 'ready';
    log.info('ready');
  })();
  ready.catch(() => undefined); // callers that await `ready` still see the rejection

  let closing: Promise<boolean> | undefined;
  const close = (): Promise<boolean> => {
    closing ??= (async () => {
      state = 'draining';
      const waiting = inFlight;
      log.info({ inFlight: waiting }, 'shutting down: draining in-flight requests');
      const inTime = waiting === 0 || (await drainWithin(config.SHUTDOWN_GRACE_MS, (r) => (drained = r)));
      if (!inTime) log.warn({ inFlight, graceMs: config.SHUTDOWN_GRACE_MS }, 'grace period over: dropping in-flight requests');
      await new Promise<void>((resolve) => {
        server.close(() => resolve()); // also closes idle keep-alive connections
        if (!inTime) server.closeAllConnections();
      });
      await ready.catch(() => undefined);
      try {
        await fn.shutdown?.(baseCtx);
      } catch (err) {
        log.error({ err }, 'shutdown hook failed');
      }
      state = 'closed';
      log.info('stopped');
      return inTime;
    })();
    return closing;
  };
  return { port, ready, close };
}

/** Resolves true when `register`'s callback fires, false after `ms`. */
function drainWithin(ms: number, register: (done: () => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    register(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function sendError(res: ServerResponse, err: unknown, log: Logger, draining: boolean): void {
  const known = err instanceof NightshiftError;
  const error = known ? err : new NightshiftError('INTERNAL', 'internal error while handling the request; see the function log', { cause: err });
  if (!known || error.status >= 500) log.error({ err }, error.message);
  else log.warn({ code: error.code }, error.message);
  if (res.headersSent) return void res.destroy();
  const headers: Record<string, string> = {};
  // 413 and shutdown: the rest of the body (or the connection) is not wanted.
  if (error.code === 'PAYLOAD_TOO_LARGE' || draining) headers.connection = 'close';
  if (error.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer';
  if (error.code === 'NOT_READY') headers['retry-after'] = '1';
  const allow = (error.details as { allow?: unknown } | undefined)?.allow;
  if (error.code === 'METHOD_NOT_ALLOWED' && typeof allow === 'string') headers.allow = allow;
  sendJson(res, error.status, error.toJSON(), headers);
}

function notAllowed(path: string, allow: string): NightshiftError {
  return new NightshiftError('METHOD_NOT_ALLOWED', `${path} answers ${allow} only`, { details: { allow } });
}

/** The function's own readiness check; a throwing check means not ready. */
async function probe(fn: NightshiftFunction): Promise<boolean> {
  try {
    return (await fn.ready?.()) ?? true;
  } catch {
    return false;
  }
}

function isOn(value: string | string[] | null | undefined): boolean {
  const v = Array.isArray(value) ? value[0] : value;
  return v === '1' || v === 'true' || v === 'yes';
}
