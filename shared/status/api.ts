/**
 * The live status API and page, read-only, served by the dev gateway and the
 * bridge's health server (both through `startGateway({ api })`):
 *
 *   GET /                                                  the status page (HTML, no build step)
 *   GET /api/specs                                         { specs: [SpecSummary] }
 *   GET /api/specs/<id>                                    SpecDetail (spec, file, attempts, tasks)
 *   GET /api/specs/<id>/tasks/<task>/attempts/<n>/log      { log, error, reason } (?format=text: the log as text)
 *   GET /api/stream                                        server-sent events: the overview on each change of active/
 *   GET /api/report                                        the failure retrospective as markdown (shared/report/)
 *
 * Routes are a table: a new read-only view is one entry. When NIGHTSHIFT_TOKEN
 * is set every route needs it (auth.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { attempts, type Db } from '../db/index.ts';
import { NightshiftError } from '../errors.ts';
import { parseSince, reportData, reportMarkdown } from '../report/index.ts';
import { sendJson } from '../runtime/http-io.ts';
import { checkToken } from './auth.ts';
import { specDetail } from './detail.ts';
import type { AttemptLog } from './model.ts';
import { STATUS_PAGE } from './page.ts';
import { listSpecs } from './specs.ts';
import { createSpecStream, type SpecStream } from './stream.ts';

export interface StatusApiOptions {
  /** SPECS_DIR (absolute or relative to the working folder). */
  specsDir: string;
  /** The state store; without it details carry no attempts and logs are 404. @default none */
  db?: Db;
  /** NIGHTSHIFT_TOKEN; every route needs it when set. @default none */
  token?: string;
  log?: Logger;
  /** How often the stream looks at active/. @default 500 */
  streamIntervalMs?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface StatusApi {
  /** Answers the request when it is one of the status routes and returns true; returns false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Ends open event streams. */
  close(): void;
}

/** What a route handler gets. */
export interface RouteContext {
  options: StatusApiOptions;
  stream: SpecStream;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path's captured groups, URL-decoded. */
  params: string[];
}

export interface Route {
  /** Matched against the whole path; groups become `params`. */
  path: RegExp;
  /** Shown in the 404 of an unknown /api path. */
  describe: string;
  handle(ctx: RouteContext): Promise<void>;
}

const NO_STORE = { 'cache-control': 'no-store' };

function needDb(options: StatusApiOptions): Db {
  if (options.db === undefined) throw new NightshiftError('NOT_FOUND', 'this server has no database: attempts, logs and the report are not available here');
  return options.db;
}

/** The routes, in the order they are tried. */
export const ROUTES: Route[] = [
  {
    path: /^\/(?:index\.html)?$/,
    describe: 'GET /',
    async handle({ res }) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'referrer-policy': 'no-referrer', ...NO_STORE }).end(STATUS_PAGE);
    },
  },
  {
    path: /^\/api\/specs$/,
    describe: 'GET /api/specs',
    async handle({ options, res }) {
      sendJson(res, 200, { specs: await listSpecs(options.specsDir) }, NO_STORE);
    },
  },
  {
    path: /^\/api\/specs\/([^/]+)$/,
    describe: 'GET /api/specs/<id>',
    async handle({ options, res, params }) {
      const repo = options.db === undefined ? undefined : attempts(options.db);
      sendJson(res, 200, await specDetail(options.specsDir, params[0]!, repo, options.now?.()), NO_STORE);
    },
  },
  {
    path: /^\/api\/specs\/([^/]+)\/tasks\/([^/]+)\/attempts\/(\d{1,9})\/log$/,
    describe: 'GET /api/specs/<id>/tasks/<task>/attempts/<n>/log',
    async handle({ options, res, url, params }) {
      const [specId, taskId, n] = params as [string, string, string];
      const row = await attempts(needDb(options)).get({ specId, taskId, attempt: Number(n) });
      if (row === null) throw new NightshiftError('NOT_FOUND', `no attempt ${n} of task ${taskId} of spec ${specId}`);
      const body: AttemptLog = { log: row.log, error: row.error, reason: row.reason };
      if (url.searchParams.get('format') === 'text') {
        const text = [body.reason && `reason: ${body.reason}`, body.error && `error:\n${body.error}`, `log:\n${body.log ?? '(no log recorded)'}`].filter(Boolean).join('\n\n');
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE }).end(`${text}\n`);
        return;
      }
      sendJson(res, 200, body, NO_STORE);
    },
  },
  {
    path: /^\/api\/stream$/,
    describe: 'GET /api/stream (server-sent events)',
    async handle({ stream, res }) {
      stream.attach(res);
    },
  },
  {
    path: /^\/api\/report$/,
    describe: 'GET /api/report[?since=&limit=&format=json] (markdown, or JSON)',
    async handle({ options, res, url }) {
      const q = url.searchParams;
      const since = q.get('since');
      const limit = q.get('limit');
      if (limit !== null && !/^[1-9]\d{0,3}$/.test(limit)) throw new NightshiftError('BAD_REQUEST', `limit must be a whole number from 1 to 9999, got "${limit}"`);
      const report = { ...(since ? { since: parseSince(since) } : {}), ...(limit ? { limit: Number(limit) } : {}) };
      if (q.get('format') === 'json') {
        res.writeHead(200, { 'content-type': 'application/json', ...NO_STORE }).end(JSON.stringify(await reportData(needDb(options), report)));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8', ...NO_STORE }).end(await reportMarkdown(needDb(options), report));
    },
  },
];

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new NightshiftError('BAD_REQUEST', `the path segment "${part}" is not valid URL encoding`);
  }
}

/** The status API over `options`. */
export function createStatusApi(options: StatusApiOptions): StatusApi {
  const stream = createSpecStream({
    specsDir: options.specsDir,
    overview: async () => ({ specs: await listSpecs(options.specsDir) }),
    ...(options.streamIntervalMs === undefined ? {} : { intervalMs: options.streamIntervalMs }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  return {
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://status.invalid');
      let route: Route | undefined;
      let match: RegExpExecArray | null = null;
      for (const r of ROUTES) {
        match = r.path.exec(url.pathname);
        if (match) {
          route = r;
          break;
        }
      }
      if (route === undefined || match === null) {
        if (!url.pathname.startsWith('/api/')) return false;
        throw new NightshiftError('NOT_FOUND', `no route ${url.pathname}; the status API has ${ROUTES.map((r) => r.describe).join(', ')}`);
      }
      if (req.method !== 'GET') {
        throw new NightshiftError('METHOD_NOT_ALLOWED', `${req.method ?? '?'} ${url.pathname}: the status API is read-only (GET)`);
      }
      checkToken(req, url, options.token);
      await route.handle({ options, stream, req, res, url, params: match.slice(1).map((p) => decode(p ?? '')) });
      return true;
    },
    close: () => stream.close(),
  };
}
