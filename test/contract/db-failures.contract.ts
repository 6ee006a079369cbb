/**
 * Contract cases for failure history: recording, resolving, and (where
 * pgvector exists) similarity search by cosine distance; where it does not,
 * the vector migration is skipped with the how-to and the rest still works.
 */
import { expect, test } from 'vitest';
import { NightshiftError } from '../../shared/errors.ts';
import { failures, migrate, type FailureInput } from '../../shared/db/index.ts';
import { TEST_VECTOR_DIM, type DbHarness } from '../helpers/db-harness.ts';

const failure = (taskId: string, attempt = 1): FailureInput => ({
  specId: 'spec-f',
  taskId,
  attempt,
  reason: 'checks',
  error: `Error: test failed in /tmp/ws-${taskId}/src/a.ts:12`,
  normalized: 'Error: test failed in <path>:<n>',
  agent: 'command',
});

/** A unit-free direction in TEST_VECTOR_DIM dimensions: mostly axis `i`, a little of axis `j`. */
function direction(i: number, j = i, lean = 0): number[] {
  const v = new Array<number>(TEST_VECTOR_DIM).fill(0);
  v[i] = 1;
  v[j] = (v[j] ?? 0) + lean;
  return v;
}

/** `vectors` says whether the adapter under test has pgvector; each side registers only its own cases. */
export function runFailuresContract(h: () => DbHarness, vectors: boolean): void {
  test('failures: record is idempotent per attempt, and resolve / resolveTask mark resolutions', async () => {
    await migrate(h().db);
    const repo = failures(h().db);
    const id = await repo.record(failure('t1'));
    expect(await repo.record(failure('t1'))).toBe(id);
    const other = await repo.record(failure('t1', 2));
    expect(other).not.toBe(id);
    expect(await repo.get(id)).toMatchObject({ specId: 'spec-f', taskId: 't1', attempt: 1, reason: 'checks', agent: 'command', resolvedAt: null });

    expect(await repo.resolveTask('spec-f', 't1', 'pinned the dependency')).toBe(2);
    expect(await repo.resolveTask('spec-f', 't1', 'again')).toBe(0);
    expect(await repo.get(other)).toMatchObject({ resolution: 'pinned the dependency' });
    expect(await repo.resolve(id, 'renamed the import')).toBe(true);
    expect(await repo.resolve(999_999, 'nothing')).toBe(false);
    expect((await repo.get(id))?.resolvedAt).toBeInstanceOf(Date);
  });

  if (vectors) test('failures: similar finds the nearest by cosine distance, filtered on request', async () => {
    await migrate(h().db);
    const repo = failures(h().db);
    const near = await repo.record(failure('near'));
    const mid = await repo.record(failure('mid'));
    const far = await repo.record(failure('far'));
    const self = await repo.record(failure('self'));
    await repo.storeEmbedding(near, direction(0, 1, 0.1));
    await repo.storeEmbedding(mid, direction(0, 1, 1));
    await repo.storeEmbedding(far, direction(5));
    await repo.storeEmbedding(self, direction(0));
    await repo.resolve(mid, 'use the v2 client');

    const all = await repo.similar(direction(0), 3, { excludeId: self });
    expect(all.map((f) => f.taskId)).toEqual(['near', 'mid', 'far']);
    expect(all[0]!.distance).toBeLessThan(all[1]!.distance);
    expect(all[2]!.distance).toBeCloseTo(1, 5);

    const resolved = await repo.similar(direction(0), 3, { resolvedOnly: true });
    expect(resolved.map((f) => [f.taskId, f.resolution])).toEqual([['mid', 'use the v2 client']]);

    await repo.storeEmbedding(far, direction(0));
    expect((await repo.similar(direction(0), 1, { excludeId: self }))[0]?.taskId).toBe('far');
  });

  if (!vectors) test('failures: without pgvector the vector migration is skipped with the how-to, and the rest works', async () => {
    const result = await migrate(h().db);
    expect(result.applied).toEqual(['001_core']);
    expect(result.vector).toBe(false);
    expect(result.skipped).toHaveLength(1);
    const err = result.skipped[0]!.error;
    expect(err).toBeInstanceOf(NightshiftError);
    expect(err.code).toBe('DB_PGVECTOR_MISSING');
    expect(err.message).toContain('postgresql-15-pgvector');
    expect(err.message).toContain('pgvector/pgvector:pg15');
    expect(err.message).toContain('CREATE EXTENSION vector');

    // Not recorded, so the next migrate tries again (after pgvector is installed it applies).
    const again = await migrate(h().db);
    expect(again.skipped.map((s) => s.name)).toEqual(['vector_embeddings']);
    await expect(migrate(h().db, { requireVector: true })).rejects.toMatchObject({ code: 'DB_PGVECTOR_MISSING' });

    const repo = failures(h().db);
    const id = await repo.record(failure('t1'));
    expect(await repo.resolve(id, 'fixed')).toBe(true);
    await expect(repo.storeEmbedding(id, direction(0))).rejects.toMatchObject({ code: 'DB_PGVECTOR_MISSING' });
    await expect(repo.similar(direction(0), 3)).rejects.toMatchObject({ code: 'DB_PGVECTOR_MISSING' });
  });
}
