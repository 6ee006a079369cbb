/**
 * Where `nightshift status` reads from, first that works:
 *
 * 1. `--url`, or a runner answering at `http://127.0.0.1:$PORT` (a short
 *    probe of `GET /api/specs`): it holds the live state, and the embedded
 *    database is its alone while it runs.
 * 2. DATABASE_URL: a cluster's Postgres, with the spec files from SPECS_DIR.
 * 3. The embedded PGlite under NIGHTSHIFT_HOME, opened directly, since no
 *    runner answered. It is opened only when no `postmaster.pid` is in its
 *    folder: PGlite writes that file while a process has the database open and
 *    removes it on close, so its presence means a runner on another port (or
 *    one that crashed) has it, and a second writer could damage it.
 * 4. The spec files alone: attempt columns stay empty, and `note` says why.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { attempts, openDb, type Db } from '../db/index.ts';
import { NightshiftError } from '../errors.ts';
import { statusClient } from './client.ts';
import { detailOf } from './detail.ts';
import type { Overview, SpecDetail } from './model.ts';
import { findSpec, listSpecs } from './specs.ts';

export interface StatusSource {
  /** `http://...`, `postgres`, `pglite <dir>` or `files`. */
  describe: string;
  /** Why attempts are not shown (files only). */
  note?: string;
  overview(): Promise<Overview>;
  /** Throws NOT_FOUND (details: `{ ids }`) when there is no such spec. */
  detail(id: string): Promise<SpecDetail>;
  close(): Promise<void>;
}

export interface SourceOptions {
  /** An explicit gateway: used alone, its failure is an error. @default none: probe 127.0.0.1:PORT */
  url?: string;
  /** How long the probe of a local runner may take. @default 700 */
  probeMs?: number;
}

/** The read model straight from the files and, when given, a database. */
export function localSource(specsDir: string, db: Db | undefined, describe: string, note?: string): StatusSource {
  const repo = db === undefined ? undefined : attempts(db);
  return {
    describe,
    ...(note === undefined ? {} : { note }),
    overview: async () => ({ specs: await listSpecs(specsDir) }),
    async detail(id) {
      const { found, ids } = await findSpec(specsDir, id);
      if (found === undefined) throw new NightshiftError('NOT_FOUND', `no spec "${id}"`, { details: { ids } });
      return detailOf(found, repo);
    },
    close: async () => db?.close(),
  };
}

function httpSource(url: string, token: string | undefined): StatusSource {
  const client = statusClient({ url, ...(token === undefined ? {} : { token }) });
  return { describe: client.url, overview: () => client.overview(), detail: (id) => client.detail(id), close: async () => undefined };
}

/** A runner at `url` that answers the status API, or undefined when nothing (or something else) answers there. */
async function probe(url: string, token: string | undefined, timeoutMs: number): Promise<StatusSource | undefined> {
  const client = statusClient({ url, ...(token === undefined ? {} : { token }) });
  try {
    await client.overview(timeoutMs);
    return httpSource(url, token);
  } catch (err) {
    // A runner that refuses the token is still the one holding the state: say so rather than go around it.
    if (err instanceof NightshiftError && err.code === 'UNAUTHORIZED') {
      throw new NightshiftError('UNAUTHORIZED', `the runner at ${url} needs its token: set NIGHTSHIFT_TOKEN (${err.message})`);
    }
    return undefined;
  }
}

/** Picks the source (see the file's header). Close it when done. */
export async function resolveSource(config: Config, options: SourceOptions = {}): Promise<StatusSource> {
  if (options.url !== undefined) {
    const source = httpSource(options.url, config.NIGHTSHIFT_TOKEN);
    await source.overview();
    return source;
  }
  const local = `http://127.0.0.1:${config.PORT}`;
  const runner = await probe(local, config.NIGHTSHIFT_TOKEN, options.probeMs ?? 700);
  if (runner) return runner;
  if (config.DATABASE_URL !== undefined) {
    const db = await openDb({ url: config.DATABASE_URL, vectorDim: config.VECTOR_DIM });
    return localSource(config.SPECS_DIR, db, 'postgres');
  }
  const dataDir = join(config.NIGHTSHIFT_HOME, 'pglite');
  const filesOnly = (why: string): StatusSource =>
    localSource(config.SPECS_DIR, undefined, 'files', `attempts not shown: no runner answered at ${local}, DATABASE_URL is not set, and ${why}`);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) return filesOnly(`there is no embedded database at ${dataDir}`);
  if (existsSync(join(dataDir, 'postmaster.pid'))) {
    return filesOnly(`the embedded database at ${dataDir} is open in another process (a runner on another PORT?) or was left open by one that stopped`);
  }
  try {
    const db = await openDb({ dataDir, vectorDim: config.VECTOR_DIM });
    return localSource(config.SPECS_DIR, db, `pglite ${dataDir}`);
  } catch (err) {
    return filesOnly(`the embedded database at ${dataDir} did not open (${(err as Error).message})`);
  }
}
