/**
 * recordAndFindSimilar and recordResolution on embedded PGlite with pgvector
 * (in memory, 256 dimensions, the default embedder): a resolved failure comes
 * back as the top hint for a similar failure of another spec, and not for an
 * unrelated one.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { failures, fromPglite, migrate, openDb, type Db } from '../../shared/db/index.ts';
import { hashedNgramEmbedder } from '../../shared/learn/embedder.ts';
import { buildHints, DEFAULT_HINT_MAX_DISTANCE } from '../../shared/learn/hints.ts';
import { recordAndFindSimilar, recordResolution } from '../../shared/learn/learn.ts';

const embedder = hashedNgramEmbedder({ dim: 256 });
let db: Db;

beforeAll(async () => {
  db = await openDb({ vectorDim: 256 });
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});

const tsMissingName = (spec: string, file: string, line: number, name: string): string =>
  `> tsc --noEmit\n\n/tmp/ns-ws-${spec}/src/${file}(${line},${line % 17}): error TS2304: Cannot find name '${name}'.\nFound 1 error in src/${file}:${line}`;

describe('learning over the failure repositories', () => {
  test('a failure resolved in one spec is the top hint for a similar failure in another, not for an unrelated one', async () => {
    // Background: other failures, resolved, of other causes.
    const others = [
      ['bg-1', 'CONFLICT (content): Merge conflict in src/app/routes.ts\nAutomatic merge failed; fix conflicts and then commit the result.', 'Re-ran on the new head'],
      ['bg-2', "src/util.ts\n  14:7  error  'db' is assigned a value but never used  no-unused-vars", 'Removed the unused variable'],
      ['bg-3', ' FAIL  test/cart.test.ts > cart > discount\nAssertionError: expected 90 to be 81 // Object.is equality', 'Fixed the discount rounding'],
    ] as const;
    for (const [spec, error, resolution] of others) {
      const r = await recordAndFindSimilar(db, embedder, { specId: spec, taskId: 't1', attempt: 1, reason: 'check-failed', error });
      expect(r.searchSkipped).toBeUndefined();
      expect(await recordResolution(db, { specId: spec, taskId: 't1', resolution })).toBe(1);
    }

    const first = await recordAndFindSimilar(db, embedder, {
      specId: 'spec-a', taskId: 'parser', attempt: 1, reason: 'check-failed', error: tsMissingName('Ab12Cd', 'lib/parser.ts', 12, 'tokenize'), agent: 'command',
    });
    // Not yet resolved: it must not be offered to anyone.
    const early = await recordAndFindSimilar(db, embedder, { specId: 'spec-x', taskId: 't9', attempt: 1, reason: 'check-failed', error: tsMissingName('Zz99Yy', 'a.ts', 3, 'foo') });
    expect(early.similar.map((s) => s.id)).not.toContain(first.failureId);

    expect(await recordResolution(db, { specId: 'spec-a', taskId: 'parser', resolution: 'Imported tokenize from ./lexer.ts' })).toBe(1);
    expect(await recordResolution(db, { specId: 'spec-a', taskId: 'parser', resolution: 'again' })).toBe(0);

    const similar = await recordAndFindSimilar(db, embedder, {
      specId: 'spec-b', taskId: 'report', attempt: 2, reason: 'check-failed', error: tsMissingName('Qw34Er', 'routes/report.ts', 207, 'formatMoney'),
    });
    expect(similar.normalized).toBe("> tsc --noEmit\nreport.ts(<n>,<n>): error TS2304: Cannot find name 'formatMoney'.\nFound <n> error in report.ts:<n>");
    expect(similar.similar[0]).toMatchObject({ id: first.failureId, specId: 'spec-a', resolution: 'Imported tokenize from ./lexer.ts' });
    expect(similar.similar.map((s) => s.id)).not.toContain(similar.failureId);
    const hints = buildHints(similar.similar);
    expect(hints[0]).toContain('was resolved by: Imported tokenize from ./lexer.ts');
    expect(hints.join('\n')).not.toContain('Re-ran on the new head');

    const unrelated = await recordAndFindSimilar(db, embedder, {
      specId: 'spec-c', taskId: 'deps', attempt: 1, reason: 'agent-error',
      error: "Error [ERR_REQUIRE_ESM]: require() of ES Module /app/node_modules/chalk/source/index.js from /app/bin/cli.js not supported.",
    });
    // Among few resolved failures something is always nearest; the hint threshold keeps it out.
    const far = unrelated.similar.find((s) => s.id === first.failureId);
    expect(far?.distance).toBeGreaterThan(DEFAULT_HINT_MAX_DISTANCE);
    expect(similar.similar[0]!.distance).toBeLessThan(DEFAULT_HINT_MAX_DISTANCE);
    expect(buildHints(unrelated.similar).join('\n')).not.toContain('Imported tokenize');
  });

  test('recording the same attempt twice keeps one row and one embedding', async () => {
    const failure = { specId: 'spec-dup', taskId: 't1', attempt: 1, reason: 'timeout', error: 'agent timed out after 1800000ms' };
    const a = await recordAndFindSimilar(db, embedder, failure);
    const b = await recordAndFindSimilar(db, embedder, failure);
    expect(b.failureId).toBe(a.failureId);
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM error_embeddings WHERE failure_id = $1', [a.failureId]);
    expect(rows.rows[0]?.n).toBe(1);
    expect((await failures(db).get(a.failureId))?.normalized).toBe('agent timed out after <dur>');
  });

  test('an empty resolution is refused; a long one is capped', async () => {
    await recordAndFindSimilar(db, embedder, { specId: 'spec-res', taskId: 't1', attempt: 1, reason: 'check-failed', error: 'boom' });
    await expect(recordResolution(db, { specId: 'spec-res', taskId: 't1', resolution: '  ' })).rejects.toThrow(/spec-res\/t1/);
    expect(await recordResolution(db, { specId: 'spec-res', taskId: 't1', resolution: 'x'.repeat(10_000) })).toBe(1);
    const row = await db.query<{ len: number }>("SELECT length(resolution)::int AS len FROM failure_logs WHERE spec_id = 'spec-res'");
    expect(row.rows[0]?.len).toBe(4000);
  });

  test('an embedder of another dimension: the failure is recorded, the search is skipped with CONFIG_INVALID', async () => {
    const r = await recordAndFindSimilar(db, hashedNgramEmbedder({ dim: 64 }), { specId: 'spec-dim', taskId: 't1', attempt: 1, reason: 'check-failed', error: 'x' });
    expect(r.similar).toEqual([]);
    expect(r.searchSkipped).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('VECTOR_DIM') });
    expect(await failures(db).get(r.failureId)).not.toBeNull();
  });
});

describe('without pgvector', () => {
  test('the failure is recorded and the search is skipped with DB_PGVECTOR_MISSING', async () => {
    const plain = fromPglite(await PGlite.create(), { vectorDim: 256 });
    try {
      const m = await migrate(plain);
      expect(m.skipped.map((s) => s.name)).toContain('vector_embeddings');
      const r = await recordAndFindSimilar(plain, embedder, { specId: 's', taskId: 't', attempt: 1, reason: 'check-failed', error: 'error TS2304' });
      expect(r.searchSkipped?.code).toBe('DB_PGVECTOR_MISSING');
      expect(r.similar).toEqual([]);
      expect((await failures(plain).get(r.failureId))?.normalized).toBe('error TS2304');
    } finally {
      await plain.close();
    }
  });
});
