/**
 * Recognises "pgvector is not installed" and says exactly how to fix it.
 */
import { NightshiftError } from '../errors.ts';
import type { Queryable } from './types.ts';

/** SQLSTATEs Postgres raises when CREATE EXTENSION vector cannot work: not available, no control file, no permission. */
const MISSING_STATES = new Set(['0A000', '58P01', '42501']);

function sqlStateOf(err: unknown): string | undefined {
  const details = (err as { details?: { sqlState?: unknown } } | null)?.details;
  const state = details?.sqlState ?? (err as { code?: unknown } | null)?.code;
  return typeof state === 'string' ? state : undefined;
}

/** True when `err` came from CREATE EXTENSION vector failing on a server without pgvector. */
export function isPgvectorMissing(err: unknown): boolean {
  const state = sqlStateOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return state !== undefined && MISSING_STATES.has(state) && /vector/i.test(message);
}

/** The server's major version (e.g. 15), to name the right package. */
export async function serverMajor(q: Queryable): Promise<number | undefined> {
  try {
    const res = await q.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    const num = Number(res.rows[0]?.v);
    return Number.isFinite(num) ? Math.floor(num / 10_000) : undefined;
  } catch {
    return undefined;
  }
}

/** The error `migrate` reports (and the failures repository throws) when pgvector is missing. */
export function pgvectorMissingError(major: number | undefined, cause?: unknown): NightshiftError {
  const v = major ?? 15;
  return new NightshiftError(
    'DB_PGVECTOR_MISSING',
    `the Postgres server has no pgvector extension, so failure similarity search (table error_embeddings) is off. ` +
      `To get it: install the package postgresql-${v}-pgvector on the database server (apt-get install postgresql-${v}-pgvector), ` +
      `or run Postgres from an image that has it, such as pgvector/pgvector:pg${v}; ` +
      `then, as a superuser in this database, run: CREATE EXTENSION vector; and run nightshift migrate again. ` +
      `Everything else works without it.`,
    { cause },
  );
}
