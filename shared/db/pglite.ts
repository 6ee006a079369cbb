/**
 * `Db` adapter over embedded PGlite (WASM Postgres) with the pgvector
 * extension, on disk under a folder or in memory.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { PGlite, type PGliteInterface, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { NightshiftError } from '../errors.ts';
import { statementSummary, wrapDbError } from './db-error.ts';
import { SerialQueue } from './serial-queue.ts';
import { DEFAULT_VECTOR_DIM, type Db, type Queryable, type QueryResult } from './types.ts';

export interface PgliteOptions {
  /** Folder that holds the data (created if missing). @default undefined: in memory, lost on close */
  dataDir?: string;
  /** Vector dimension for the migrations. @default 256 */
  vectorDim?: number;
}

type Runner = Pick<PGliteInterface, 'query' | 'exec'> | Transaction;

function queryable(runner: Runner): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      try {
        const res = await runner.query<R>(sql, [...params]);
        return { rows: res.rows, rowCount: res.affectedRows ?? 0 };
      } catch (err) {
        throw wrapDbError(err, `query "${statementSummary(sql)}"`);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await runner.exec(sql);
      } catch (err) {
        throw wrapDbError(err, `script "${statementSummary(sql)}"`);
      }
    },
  };
}

/** Opens (or creates) an embedded database; in memory when `dataDir` is not given. */
export async function openPglite(options: PgliteOptions = {}): Promise<Db> {
  const where = options.dataDir ?? 'memory';
  try {
    if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
    const pglite = await PGlite.create({ dataDir: options.dataDir, extensions: { vector } });
    return fromPglite(pglite, { where, vectorDim: options.vectorDim });
  } catch (err) {
    throw new NightshiftError('DB_UNAVAILABLE', `could not open the embedded database (PGlite) at ${where}: ${String(err)}`, {
      cause: err,
    });
  }
}

/**
 * Wraps an open PGlite instance (e.g. a `clone()`); it must have been created
 * with the vector extension. Closing the Db closes the instance.
 */
export function fromPglite(pglite: PGliteInterface, options: { where?: string; vectorDim?: number } = {}): Db {
  const where = options.where ?? 'memory';
  const queue = new SerialQueue();
  // Marks async work running inside one of this instance's transactions, so a
  // statement sent to the outer Db by mistake fails at once instead of waiting
  // forever behind the transaction that is waiting for it.
  const inTransaction = new AsyncLocalStorage<boolean>();
  const base = queryable(pglite);
  let closed = false;

  const guard = (what: string): void => {
    if (closed) throw new NightshiftError('DB_ERROR', `the embedded database at ${where} is closed`);
    if (inTransaction.getStore() === true) {
      throw new NightshiftError('DB_ERROR', `${what} on the outer database inside a transaction at ${where}: use the transaction's handle`);
    }
  };

  return {
    kind: 'pglite',
    vectorDim: options.vectorDim ?? DEFAULT_VECTOR_DIM,
    async query(sql, params) {
      guard(`query "${statementSummary(sql)}"`);
      return queue.run(() => base.query(sql, params));
    },
    async exec(sql) {
      guard(`script "${statementSummary(sql)}"`);
      return queue.run(() => base.exec(sql));
    },
    async transaction(fn) {
      guard('a nested transaction');
      return queue.run(() =>
        inTransaction.run(true, async () => {
          try {
            return await pglite.transaction((tx) => fn(queryable(tx)));
          } catch (err) {
            throw wrapDbError(err, 'transaction');
          }
        }),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      // Let queued work finish so nothing is cut off mid-statement.
      await queue.run(() => pglite.close());
    },
  };
}
