/**
 * Applies the versioned migrations in order, each in its own transaction,
 * recorded in `schema_migrations`. Applying twice does nothing. Safe to run
 * from several processes at once: an advisory lock serializes them.
 */
import { NightshiftError } from '../errors.ts';
import { MIGRATIONS, type Migration } from './migrations/index.ts';
import { isPgvectorMissing, pgvectorMissingError, serverMajor } from './pgvector.ts';
import { DEFAULT_VECTOR_DIM, type Db, type Queryable } from './types.ts';

/** Arbitrary constant key of the advisory lock that serializes migrators ("nightshift" in ASCII, truncated). */
const LOCK_KEY = 0x6e696768;
/** pgvector's HNSW index accepts at most this many dimensions. */
const MAX_HNSW_DIM = 2000;

export interface MigrateOptions {
  /** Dimension of `error_embeddings.embedding`. @default db.vectorDim (256) */
  vectorDim?: number;
  /** Throw instead of skipping when pgvector is missing. @default false */
  requireVector?: boolean;
  /** Where to report a skipped migration. @default silent */
  log?: { warn(obj: object, msg: string): void };
  /** The list to apply. @default MIGRATIONS */
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  /** Migrations applied by this call (`001_core` style names). */
  applied: string[];
  /** Optional migrations that could not apply (pgvector missing), with the how-to error; retried next time. */
  skipped: { version: number; name: string; error: NightshiftError }[];
  /** Whether the vector table exists after this call. */
  vector: boolean;
}

const label = (m: Migration): string => `${String(m.version).padStart(3, '0')}_${m.name}`;

async function isApplied(tx: Queryable, version: number): Promise<boolean> {
  const res = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version]);
  return res.rows.length > 0;
}

/** Applies every migration not yet recorded; see MigrateResult for what it reports. */
export async function migrate(db: Db, options: MigrateOptions = {}): Promise<MigrateResult> {
  const vectorDim = options.vectorDim ?? db.vectorDim ?? DEFAULT_VECTOR_DIM;
  if (!Number.isInteger(vectorDim) || vectorDim < 1 || vectorDim > MAX_HNSW_DIM) {
    throw new NightshiftError('CONFIG_INVALID', `vector dimension must be a whole number from 1 to ${MAX_HNSW_DIM}, got ${vectorDim}`);
  }
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  });

  const result: MigrateResult = { applied: [], skipped: [], vector: false };
  const list = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  for (const m of list) {
    const sql = typeof m.sql === 'string' ? m.sql : m.sql({ vectorDim });
    try {
      const ran = await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
        if (await isApplied(tx, m.version)) return false;
        await tx.exec(sql);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        return true;
      });
      if (ran) result.applied.push(label(m));
    } catch (err) {
      if (m.optional === 'pgvector' && isPgvectorMissing(err)) {
        const error = pgvectorMissingError(await serverMajor(db), err);
        if (options.requireVector === true) throw error;
        options.log?.warn({ migration: label(m), code: error.code }, error.message);
        result.skipped.push({ version: m.version, name: m.name, error });
        continue;
      }
      const why = err instanceof Error ? err.message : String(err);
      throw new NightshiftError('DB_MIGRATION_FAILED', `migration ${label(m)} failed and was rolled back: ${why}`, { cause: err });
    }
  }
  result.vector = await checkVectorDim(db, vectorDim);
  return result;
}

/** False when there is no vector table; throws when its dimension differs from the configured one. */
async function checkVectorDim(db: Db, vectorDim: number): Promise<boolean> {
  const res = await db.query<{ dim: number }>(
    `SELECT atttypmod AS dim FROM pg_attribute
      WHERE attrelid = to_regclass('error_embeddings') AND attname = 'embedding'`,
  );
  const dim = res.rows[0]?.dim;
  if (dim === undefined) return false;
  if (dim !== vectorDim) {
    throw new NightshiftError(
      'CONFIG_INVALID',
      `error_embeddings.embedding has ${dim} dimensions in the database but ${vectorDim} are configured; ` +
        `set the vector dimension back to ${dim}, or drop the table error_embeddings and its schema_migrations row (version 2) to re-create it`,
    );
  }
  return true;
}
