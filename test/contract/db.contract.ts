/**
 * The database contract: the same cases against every adapter (PGlite and
 * Postgres). Each test gets a fresh database from the harness factory.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { NightshiftError } from '../../shared/errors.ts';
import { deadLetters, migrate, processedEvents, retries, type Migration } from '../../shared/db/index.ts';
import type { DbHarness, MakeDbHarness } from '../helpers/db-harness.ts';
import { runAttemptsContract } from './db-attempts.contract.ts';
import { runFailuresContract } from './db-failures.contract.ts';

/** Registers the whole suite under `name`. */
export function runDbContract(name: string, makeDb: MakeDbHarness, opts: { vectors: boolean }): void {
  describe(`db contract: ${name}`, () => {
    let h: DbHarness;
    beforeEach(async () => {
      h = await makeDb();
    });
    afterEach(async () => {
      await h.close();
    });
    const harness = (): DbHarness => h;

    test('migrations apply in order, are recorded, and applying again does nothing', async () => {
      const first = await migrate(h.db);
      expect(first.applied).toEqual(h.vectors ? ['001_core', '002_vector_embeddings'] : ['001_core']);
      expect(first.vector).toBe(h.vectors);
      const second = await migrate(h.db);
      expect(second.applied).toEqual([]);
      const rows = await h.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.rows.map((r) => r.version)).toEqual(h.vectors ? [1, 2] : [1]);
    });

    test('two migrators at once apply each migration exactly once', async () => {
      const other = await h.connect();
      const [a, b] = await Promise.all([migrate(h.db), migrate(other)]);
      expect([...a.applied, ...b.applied].sort()).toEqual(h.vectors ? ['001_core', '002_vector_embeddings'] : ['001_core']);
    });

    test('a failing migration rolls back entirely, is not recorded, and stops the ones after it', async () => {
      const list: Migration[] = [
        { version: 1, name: 'ok', sql: 'CREATE TABLE good_one (id int)' },
        { version: 2, name: 'broken', sql: 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table' },
        { version: 3, name: 'later', sql: 'CREATE TABLE later_one (id int)' },
      ];
      const err = await migrate(h.db, { migrations: list }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NightshiftError);
      expect((err as NightshiftError).code).toBe('DB_MIGRATION_FAILED');
      expect((err as NightshiftError).message).toContain('002_broken');
      const tables = await h.db.query<{ t: string | null }>(
        "SELECT to_regclass('good_one')::text AS t UNION ALL SELECT to_regclass('half_done')::text UNION ALL SELECT to_regclass('later_one')::text",
      );
      expect(tables.rows.map((r) => r.t)).toEqual(['good_one', null, null]);
      const recorded = await h.db.query<{ version: number }>('SELECT version FROM schema_migrations');
      expect(recorded.rows.map((r) => r.version)).toEqual([1]);
    });

    test('a transaction that throws leaves nothing behind', async () => {
      await migrate(h.db);
      const boom = h.db.transaction(async (tx) => {
        await tx.query("INSERT INTO processed_events (consumer, event_id) VALUES ('c', 'e')");
        throw new Error('boom');
      });
      await expect(boom).rejects.toThrow('boom');
      expect(await processedEvents(h.db).has('c', 'e')).toBe(false);
    });

    test('processed events: has, mark, and marking twice is harmless', async () => {
      await migrate(h.db);
      const pe = processedEvents(h.db);
      expect(await pe.has('develop-task', 'ev-1')).toBe(false);
      await pe.mark('develop-task', 'ev-1');
      await pe.mark('develop-task', 'ev-1');
      expect(await pe.has('develop-task', 'ev-1')).toBe(true);
      expect(await pe.has('collect-diff', 'ev-1')).toBe(false);
    });

    test('once: processing the same event twice changes nothing the second time', async () => {
      await migrate(h.db);
      const pe = processedEvents(h.db);
      const effect = (tx: Parameters<Parameters<typeof pe.once>[2]>[0]) =>
        retries(tx).record({ specId: 's', taskId: 't', attempt: 1, decision: 'retry', delayMs: 10 });
      expect(await pe.once('learn', 'ev-9', effect)).toEqual({ ran: true, value: true });
      expect(await pe.once('learn', 'ev-9', effect)).toEqual({ ran: false });
      expect(await retries(h.db).list('s', 't')).toHaveLength(1);
    });

    test('once: when the work throws, neither its writes nor the mark are kept, and a redelivery runs it', async () => {
      await migrate(h.db);
      const pe = processedEvents(h.db);
      const failing = pe.once('learn', 'ev-2', async (tx) => {
        await retries(tx).record({ specId: 's', taskId: 't', attempt: 1, decision: 'retry' });
        throw new Error('crashed half way');
      });
      await expect(failing).rejects.toThrow('crashed half way');
      expect(await pe.has('learn', 'ev-2')).toBe(false);
      expect(await retries(h.db).list('s', 't')).toHaveLength(0);
      const again = await pe.once('learn', 'ev-2', (tx) => retries(tx).record({ specId: 's', taskId: 't', attempt: 1, decision: 'retry' }));
      expect(again.ran).toBe(true);
      expect(await retries(h.db).list('s', 't')).toHaveLength(1);
    });

    test('once: concurrent duplicates run the work exactly once', async () => {
      await migrate(h.db);
      const handles = await Promise.all([h.db, ...(await Promise.all([1, 2, 3].map(() => h.connect())))]);
      let runs = 0;
      const results = await Promise.all(
        handles.map((db) =>
          processedEvents(db).once('learn', 'dup', async (tx) => {
            runs += 1;
            await tx.query('SELECT pg_sleep(0.02)');
            return runs;
          }),
        ),
      );
      expect(results.filter((r) => r.ran)).toHaveLength(1);
      expect(runs).toBe(1);
    });

    test('dead letters are recorded, listed, and a repeat updates the record', async () => {
      await migrate(h.db);
      const dl = deadLetters(h.db);
      const letter = { consumer: 'develop-task', subject: 'specs.task-assigned', eventId: 'a/b/1/assigned', deliveries: 5, reason: 'max deliver', payload: '{"id":"x"}' };
      await dl.record(letter);
      await dl.record({ ...letter, consumer: 'collect-diff' });
      await dl.record({ ...letter, deliveries: 6, reason: 'max deliver again' });
      const all = await dl.list();
      expect(all).toHaveLength(2);
      const mine = await dl.list('develop-task');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ ...letter, deliveries: 6, reason: 'max deliver again' });
      expect(mine[0]?.at).toBeInstanceOf(Date);
    });

    test('retry decisions: one per attempt, listed by attempt', async () => {
      await migrate(h.db);
      const r = retries(h.db);
      expect(await r.record({ specId: 's', taskId: 't', attempt: 2, decision: 'give-up' })).toBe(true);
      expect(await r.record({ specId: 's', taskId: 't', attempt: 1, decision: 'retry', delayMs: 1500, hints: ['use the new API'] })).toBe(true);
      expect(await r.record({ specId: 's', taskId: 't', attempt: 1, decision: 'give-up' })).toBe(false);
      const list = await r.list('s', 't');
      expect(list.map((x) => [x.attempt, x.decision, x.delayMs, x.hints])).toEqual([
        [1, 'retry', 1500, ['use the new API']],
        [2, 'give-up', 0, []],
      ]);
    });

    test('a closed database refuses statements with a clear error', async () => {
      await h.db.close();
      await expect(h.db.query('SELECT 1')).rejects.toMatchObject({ code: 'DB_ERROR', message: expect.stringContaining('closed') });
    });

    runAttemptsContract(harness);
    runFailuresContract(harness, opts.vectors);
  });
}
