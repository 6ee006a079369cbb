/**
 * Test databases on embedded PGlite in memory. Starting PGlite is slow (WASM),
 * so each test file starts one empty instance and every harness gets a clone
 * of it: fresh and isolated, a few times faster.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { fromPglite } from '../../shared/db/index.ts';
import { TEST_VECTOR_DIM, type DbHarness } from './db-harness.ts';

let template: Promise<PGlite> | undefined;

/** A fresh in-memory database (a clone of this file's empty template). */
export async function makePgliteHarness(): Promise<DbHarness> {
  template ??= PGlite.create({ extensions: { vector } });
  const db = fromPglite(await (await template).clone(), { vectorDim: TEST_VECTOR_DIM });
  return { db, connect: async () => db, vectors: true, close: () => db.close() };
}

/** Closes this file's template; call from afterAll. */
export async function closePgliteTemplate(): Promise<void> {
  const t = template;
  template = undefined;
  if (t !== undefined) await (await t).close();
}
