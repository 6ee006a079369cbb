/**
 * `Db` adapter over a real Postgres server through a `pg` connection pool.
 */
import pg from 'pg';
import { NightshiftError } from '../errors.ts';
import { statementSummary, wrapDbError } from './db-error.ts';
import { DEFAULT_VECTOR_DIM, type Db, type Queryable, type QueryResult } from './types.ts';

export interface PostgresOptions {
  /** Largest number of pooled connections. @default 10 */
  maxConnections?: number;
  /** Vector dimension for the migrations. @default 256 */
  vectorDim?: number;
}

interface PgRunner {
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
}

function queryable(runner: PgRunner): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      try {
        const res = await runner.query(sql, [...params]);
        return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
      } catch (err) {
        throw wrapDbError(err, `query "${statementSummary(sql)}"`);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        // No parameters: pg uses the simple protocol, which accepts several statements.
        await runner.query(sql);
      } catch (err) {
        throw wrapDbError(err, `script "${statementSummary(sql)}"`);
      }
    },
  };
}

/** Opens a pool against `url` (for example `postgres://postgres@127.0.0.1:5432/nightshift`). */
export function openPostgres(url: string, options: PostgresOptions = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  // An idle client that loses its server emits 'error' on the pool; without a
  // listener Node would crash the process. The next query reports the problem.
  pool.on('error', () => {});
  let closed = false;
  const base = queryable(pool);
  const ensureOpen = (): void => {
    if (closed) throw new NightshiftError('DB_ERROR', `the Postgres pool for ${redact(url)} is closed`);
  };

  return {
    kind: 'postgres',
    vectorDim: options.vectorDim ?? DEFAULT_VECTOR_DIM,
    async query(sql, params) {
      ensureOpen();
      return base.query(sql, params);
    },
    async exec(sql) {
      ensureOpen();
      return base.exec(sql);
    },
    async transaction(fn) {
      ensureOpen();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw wrapDbError(err, `connect to ${redact(url)}`);
      }
      const tx = queryable(client);
      let broken: Error | undefined;
      try {
        await tx.exec('BEGIN');
        const value = await fn(tx);
        await tx.exec('COMMIT');
        return value;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          // The connection itself is gone: tell the pool to discard it.
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        }
        throw wrapDbError(err, 'transaction');
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
