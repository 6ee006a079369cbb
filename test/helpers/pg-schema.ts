/**
 * A private schema on the test Postgres server for tests that need a URL
 * (a child process, a config) rather than a `Db` handle: the URL carries
 * `search_path`, so every session opened from it, in any process, lands in
 * the schema. `drop()` removes it with everything in it.
 */
import { randomBytes } from 'node:crypto';
import { urlWithSchema, withTestClient } from './db-postgres.ts';

export interface TestSchema {
  name: string;
  /** A Postgres URL whose sessions use this schema. */
  url: string;
  /** Runs one statement in the schema. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** Creates `ns_<prefix>_<pid>_<random>`. */
export async function createTestSchema(prefix = 'e2e'): Promise<TestSchema> {
  const name = `ns_${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withTestClient((c) => c.query(`CREATE SCHEMA ${name}`));
  const url = urlWithSchema(name);
  return {
    name,
    url,
    query: (sql, params) => withTestClient(async (c) => (await c.query(sql, params)).rows, url),
    drop: () => withTestClient((c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`)).then(() => undefined),
  };
}
