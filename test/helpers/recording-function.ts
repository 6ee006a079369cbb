/**
 * A stand-in for deployed functions behind a gateway, for the bridge tests: a
 * real HTTP server on 127.0.0.1 that takes `POST /function/<name>`, records
 * every request (headers and body as they arrived) and answers what the test
 * says, by default 200 with nothing emitted, in the reply shape of the real
 * function host (shared/runtime/reply.ts).
 *
 *   const fns = await startRecordingFunction({ respond: (req, n) => ({ status: n === 1 ? 500 : 200 }) });
 *   config FUNCTION_URL_TEMPLATE = fns.urlTemplate
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  /** The function name from `/function/<name>`. */
  fn: string;
  method: string;
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  /** Date.now() when the request had been read. */
  at: number;
}

export interface Answer {
  status: number;
  /** JSON body. @default a reply with the request's ce-id and no emitted events */
  body?: unknown;
}

/** Decides the answer; `n` counts this function's requests, from 1. */
export type Respond = (req: RecordedRequest, n: number) => Answer;

export interface RecordingFunction {
  port: number;
  /** `http://127.0.0.1:<port>/function/{name}` (FUNCTION_URL_TEMPLATE). */
  urlTemplate: string;
  requests: RecordedRequest[];
  /** The requests one function got, in order. */
  to(fn: string): RecordedRequest[];
  /** Resolves once `pred` holds over the requests so far; rejects after `timeoutMs`. */
  waitFor(pred: (requests: RecordedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The host's 200 reply: `{ handled, emitted, published, dryRun }`. */
export function okReply(req: RecordedRequest, emitted: unknown[] = [], published = false): unknown {
  return { handled: { id: req.headers['ce-id'], type: req.headers['ce-type'], mode: 'binary' }, emitted, published, dryRun: false };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** Starts the stand-in on `port` (@default a free one). */
export async function startRecordingFunction(options: { port?: number; respond?: Respond } = {}): Promise<RecordingFunction> {
  const requests: RecordedRequest[] = [];
  const counts = new Map<string, number>();
  const waiters = new Set<() => void>();
  const respond = options.respond ?? ((req) => ({ status: 200, body: okReply(req) }));
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const fn = /^\/function\/([^/]+)/.exec(url.pathname)?.[1] ?? '';
      const recorded: RecordedRequest = { fn, method: req.method ?? '', path: url.pathname, headers, body, at: Date.now() };
      const n = (counts.get(fn) ?? 0) + 1;
      counts.set(fn, n);
      const answer = respond(recorded, n);
      requests.push(recorded);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body ?? okReply(recorded)));
      for (const wake of waiters) wake();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    urlTemplate: `http://127.0.0.1:${port}/function/{name}`,
    requests,
    to: (fn) => requests.filter((r) => r.fn === fn),
    waitFor: (pred, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = (): void => {
          if (!pred(requests)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`the stand-in did not get the expected requests within ${timeoutMs} ms; got:\n${requests.map((r) => `${r.fn} ${r.headers['ce-id'] ?? ''}`).join('\n')}`));
        }, timeoutMs);
        waiters.add(wake);
        wake();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port that was free a moment ago and has nothing listening on it now. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
