/**
 * Picks the adapter: a URL means a real Postgres server, otherwise embedded PGlite.
 */
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import type { Db } from './types.ts';

export interface OpenDbOptions {
  /** Postgres URL (config `DATABASE_URL`). @default unset: embedded PGlite */
  url?: string;
  /** PGlite data folder, e.g. `.nightshift/pglite`. @default unset: in memory */
  dataDir?: string;
  /** Dimension of `error_embeddings.embedding`. @default 256 */
  vectorDim?: number;
  /** Pool size on Postgres; ignored by PGlite (one connection). @default 10 */
  maxConnections?: number;
}

/** Opens the state store; run `migrate(db)` before using the repositories. */
export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  if (options.url !== undefined) {
    return openPostgres(options.url, { vectorDim: options.vectorDim, maxConnections: options.maxConnections });
  }
  return openPglite({ dataDir: options.dataDir, vectorDim: options.vectorDim });
}
