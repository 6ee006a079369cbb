/**
 * A private schema on the test Postgres server for tests that need a URL
 * (a child process, a config) rather than a `Db` handle: the URL carries
 * `search_path`, so every session opened from it, in any process, lands in
 * the schema. `drop()` removes it with everything in it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_PG_URL, urlWithSchema } from './db-postgres.ts';

export interface TestSchema {
  name: string;
  /** A Postgres URL whose sessions use this schema. */
  url: string;
  /** Runs one statement in the schema. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`the tests need PostgreSQL at ${TEST_PG_URL} (set NIGHTSHIFT_TEST_PG_URL to use another): ${String(err)}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates `ns_<prefix>_<pid>_<random>`. */
export async function createTestSchema(prefix = 'e2e'): Promise<TestSchema> {
  const name = `ns_${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(TEST_PG_URL, (c) => c.query(`CREATE SCHEMA ${name}`));
  const url = urlWithSchema(name);
  return {
    name,
    url,
    query: (sql, params) => withClient(url, async (c) => (await c.query(sql, params)).rows),
    drop: () => withClient(TEST_PG_URL, (c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`)).then(() => undefined),
  };
}
