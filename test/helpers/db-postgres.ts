/**
 * Test databases on the real Postgres server: each harness gets its own
 * schema (through `search_path` in the URL), dropped afterwards, so parallel
 * test files never see each other's tables.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres, type Db } from '../../shared/db/index.ts';
import { TEST_VECTOR_DIM, type DbHarness } from './db-harness.ts';

/** The server the tests use. @default postgres://postgres@127.0.0.1:5432/test */
export const TEST_PG_URL = process.env.NIGHTSHIFT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs `fn` on a fresh client to `url` (@default the test server), saying how to point the tests elsewhere when it is down. */
export async function withTestClient<T>(fn: (c: pg.Client) => Promise<T>, url = TEST_PG_URL): Promise<T> {
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

/** A URL whose sessions use `schema` first. */
export function urlWithSchema(schema: string): string {
  const url = new URL(TEST_PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** A fresh schema with handles on it; `close()` drops the schema. */
export async function makePostgresHarness(): Promise<DbHarness> {
  const schema = `ns_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withTestClient((c) => c.query(`CREATE SCHEMA ${schema}`));
  const url = urlWithSchema(schema);
  const handles: Db[] = [];
  const open = (): Db => {
    const db = openPostgres(url, { vectorDim: TEST_VECTOR_DIM });
    handles.push(db);
    return db;
  };
  return {
    db: open(),
    connect: async () => open(),
    vectors: false,
    async close() {
      await Promise.all(handles.map((h) => h.close()));
      await withTestClient((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    },
  };
}
