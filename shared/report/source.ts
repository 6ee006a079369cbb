/**
 * Where `nightshift logs` and `nightshift report` read from, first that works:
 *
 * 1. DATABASE_URL: Postgres, opened directly (any number of readers).
 * 2. A runner answering at `http://127.0.0.1:$PORT` (a short probe of the
 *    status API): it holds the embedded PGlite while it runs, so the command
 *    asks it over HTTP instead of opening the database a second time.
 * 3. The embedded PGlite under NIGHTSHIFT_HOME, opened directly, only when no
 *    `postmaster.pid` is in its folder: PGlite writes that file while a
 *    process has the database open and removes it on close, and a second
 *    process opening a live PGlite folder damages it (tried: the folder no
 *    longer opened afterwards). A runner on another PORT, or one killed
 *    before it could close, leaves the file: the error says what to do.
 * 4. No database folder at all: nothing has run yet (`none`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { openDb, type Db } from '../db/index.ts';
import { NightshiftError } from '../errors.ts';

export type ReportSource =
  | { kind: 'db'; db: Db; describe: string; close(): Promise<void> }
  | { kind: 'api'; url: string; headers: Record<string, string>; describe: string }
  | { kind: 'none'; describe: string };

export interface SourceOptions {
  /** The status API path that proves a runner can answer, e.g. `/api/specs/<id>` or `/api/report`. */
  probePath: string;
  /** What the command needs from a runner, named in the error when a runner answers without it. @default probePath */
  needs?: string;
  /** How long the probe may take. @default 700 ms */
  probeMs?: number;
}

type Probe = 'none' | 'api' | 'no-route';

/** What answers `probePath` on the local port: nothing, the status API, or a runner without that route. */
async function probe(url: string, headers: Record<string, string>, timeoutMs: number): Promise<Probe> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { ...headers, accept: 'application/json, text/markdown;q=0.9' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return 'none';
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return 'api';
  let body: { error?: { code?: string; message?: string } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return 'none'; // not a nightshift gateway
  }
  if (body?.error?.code === 'UNAUTHORIZED') throw new NightshiftError('UNAUTHORIZED', `the runner at ${url} needs its token: set NIGHTSHIFT_TOKEN`);
  if (body?.error?.code === 'NOT_FOUND' && /^no (route|function)/.test(body.error.message ?? '')) return 'no-route';
  return body?.error ? 'api' : 'none';
}

/** Opens the source (see the header). Close a `db` source when done. */
export async function openReportSource(config: Config, options: SourceOptions): Promise<ReportSource> {
  if (config.DATABASE_URL !== undefined) {
    const db = await openDb({ url: config.DATABASE_URL, vectorDim: config.VECTOR_DIM });
    return { kind: 'db', db, describe: 'postgres (DATABASE_URL)', close: () => db.close() };
  }
  const base = `http://127.0.0.1:${config.PORT}`;
  const headers: Record<string, string> = config.NIGHTSHIFT_TOKEN === undefined ? {} : { authorization: `Bearer ${config.NIGHTSHIFT_TOKEN}` };
  const found = await probe(`${base}${options.probePath}`, headers, options.probeMs ?? 700);
  if (found === 'api') return { kind: 'api', url: base, headers, describe: `the runner at ${base}` };
  if (found === 'no-route') {
    throw new NightshiftError('NOT_FOUND', `the runner at ${base} holds the embedded database but does not serve ${options.needs ?? options.probePath} (an older version?): stop it and run this again, or use DATABASE_URL`);
  }
  const dataDir = join(config.NIGHTSHIFT_HOME, 'pglite');
  if (!existsSync(join(dataDir, 'PG_VERSION'))) return { kind: 'none', describe: `no database yet (${dataDir} does not exist: nothing has run here)` };
  if (existsSync(join(dataDir, 'postmaster.pid'))) {
    throw new NightshiftError(
      'DB_UNAVAILABLE',
      `the embedded database at ${dataDir} is open in another process and no runner answered at ${base}: set PORT to that runner's port, or stop it. If none is running (one was killed), delete ${join(dataDir, 'postmaster.pid')} and try again`,
    );
  }
  const db = await openDb({ dataDir, vectorDim: config.VECTOR_DIM });
  return { kind: 'db', db, describe: `pglite ${dataDir}`, close: () => db.close() };
}

/** GET `path` from a runner's API; NightshiftErrors with the server's code and message. */
export async function apiGet(source: Extract<ReportSource, { kind: 'api' }>, path: string, accept = 'application/json'): Promise<{ type: string; text: string }> {
  const url = `${source.url}${path}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { ...source.headers, accept }, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new NightshiftError('INVOKE_FAILED', `cannot reach ${url}: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) {
    let e: { code?: string; message?: string; details?: unknown } | undefined;
    try {
      e = (JSON.parse(text) as { error?: typeof e }).error;
    } catch {
      e = undefined;
    }
    const code = e?.code === 'NOT_FOUND' || res.status === 404 ? 'NOT_FOUND' : 'INVOKE_FAILED';
    throw new NightshiftError(code, e?.message ?? `${url} answered HTTP ${res.status}`, { details: e?.details });
  }
  return { type: res.headers.get('content-type') ?? '', text };
}
