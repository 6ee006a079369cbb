/** One versioned migration: plain SQL kept in a TS module so bundles need no files at run time. */
export interface Migration {
  /** Applied in ascending order; recorded in `schema_migrations`. */
  version: number;
  name: string;
  /** The script, or a function of the options for parts that are configuration (the vector dimension). */
  sql: string | ((options: { vectorDim: number }) => string);
  /**
   * Set on the pgvector migration: when the server has no pgvector it is
   * skipped (reported, retried by the next `migrate`) instead of aborting the
   * others. Later migrations must never depend on an optional one.
   */
  optional?: 'pgvector';
}
