/**
 * The database port: one small interface that the `pg` and PGlite adapters
 * implement, so every repository is written once against it.
 */

/** Which engine a `Db` talks to. */
export type DbKind = 'postgres' | 'pglite';

/** Rows of one statement, plus how many rows it changed (for compare-and-set). */
export interface QueryResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted; 0 for a plain SELECT on PGlite. */
  rowCount: number;
}

/** Something statements can run on: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$1`-style parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Vector dimension used by the migrations of this database. @default 256 */
  readonly vectorDim: number;
  /**
   * Runs `fn` in one transaction: commit when it resolves, roll back when it
   * throws. Statements must go through `tx`, never through the outer `Db`
   * (on PGlite that would wait for the transaction to finish: a deadlock).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes the pool or the embedded instance; later calls fail. */
  close(): Promise<void>;
}

/** Dimension of `error_embeddings.embedding` when nothing else is configured. */
export const DEFAULT_VECTOR_DIM = 256;
