/**
 * The database contract on embedded PGlite (in memory, with pgvector), plus
 * what only PGlite has: data on disk, one connection shared by every caller.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { attempts, migrate, openDb, processedEvents } from '../../shared/db/index.ts';
import { runDbContract } from '../contract/db.contract.ts';
import { closePgliteTemplate, makePgliteHarness } from '../helpers/db-pglite.ts';

runDbContract('pglite', makePgliteHarness, { vectors: true });
afterAll(closePgliteTemplate);

describe('pglite only', () => {
  test('data on disk survives close and reopen; the default vector dimension is 256 and a different one is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-pglite-'));
    try {
      const dataDir = join(dir, '.nightshift', 'pglite');
      const db = await openDb({ dataDir });
      expect(db.kind).toBe('pglite');
      expect((await migrate(db)).applied).toEqual(['001_core', '002_vector_embeddings']);
      await attempts(db).create('spec-d', 'task-1', 1);
      await processedEvents(db).mark('develop-task', 'ev-1');
      await db.close();

      const again = await openDb({ dataDir });
      try {
        expect((await migrate(again)).applied).toEqual([]);
        expect((await attempts(again).get({ specId: 'spec-d', taskId: 'task-1', attempt: 1 }))?.status).toBe('pending');
        expect(await processedEvents(again).has('develop-task', 'ev-1')).toBe(true);
        const dim = await again.query<{ dim: number }>(
          "SELECT atttypmod AS dim FROM pg_attribute WHERE attrelid = 'error_embeddings'::regclass AND attname = 'embedding'",
        );
        expect(dim.rows[0]?.dim).toBe(256);
        await expect(migrate(again, { vectorDim: 8 })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('256') });
      } finally {
        await again.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('concurrent transactions on the one connection never interleave', async () => {
    const h = await makePgliteHarness();
    try {
      await migrate(h.db);
      const pe = processedEvents(h.db);
      // Without the queue, the second transaction's insert would run inside
      // the first one's BEGIN and vanish with its rollback.
      const first = h.db.transaction(async (tx) => {
        await tx.query("INSERT INTO processed_events (consumer, event_id) VALUES ('c', 'rolled-back')");
        await new Promise((r) => setTimeout(r, 30));
        throw new Error('first fails');
      });
      const second = h.db.transaction((tx) => tx.query("INSERT INTO processed_events (consumer, event_id) VALUES ('c', 'kept')"));
      const plain = pe.mark('c', 'plain');
      await expect(first).rejects.toThrow('first fails');
      await second;
      await plain;
      expect(await pe.has('c', 'rolled-back')).toBe(false);
      expect(await pe.has('c', 'kept')).toBe(true);
      expect(await pe.has('c', 'plain')).toBe(true);
    } finally {
      await h.close();
    }
  });

  test('using the outer handle inside a transaction fails at once instead of deadlocking', async () => {
    const h = await makePgliteHarness();
    try {
      const inner = h.db.transaction(() => h.db.query('SELECT 1'));
      await expect(inner).rejects.toMatchObject({ code: 'DB_ERROR', message: expect.stringContaining("transaction's handle") });
    } finally {
      await h.close();
    }
  });

  test('a bad vector dimension is refused before anything is applied', async () => {
    const h = await makePgliteHarness();
    try {
      await expect(migrate(h.db, { vectorDim: 0 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      await expect(migrate(h.db, { vectorDim: 4000 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      expect((await h.db.query("SELECT to_regclass('schema_migrations')::text AS t")).rows[0]).toEqual({ t: null });
    } finally {
      await h.close();
    }
  });
});
