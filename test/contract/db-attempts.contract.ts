/**
 * Contract cases for the attempts repository: creation, leases on the
 * database clock, compare-and-set on the lease token, and concurrent claims.
 */
import { expect, test } from 'vitest';
import { attempts, migrate, type AttemptsRepo, type Lease } from '../../shared/db/index.ts';
import type { DbHarness } from '../helpers/db-harness.ts';

/** Polls until `attempts.expired()` lists something: leases run on the database clock, so ask the database. */
async function untilExpired(repo: AttemptsRepo): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await repo.expired()).length > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the lease never ran out by the database clock');
}

export function runAttemptsContract(h: () => DbHarness): void {
  test('attempts: create is idempotent and a new attempt is pending', async () => {
    await migrate(h().db);
    const repo = attempts(h().db);
    expect(await repo.create('spec-a', 'task-1', 1)).toBe(true);
    expect(await repo.create('spec-a', 'task-1', 1)).toBe(false);
    expect(await repo.get({ specId: 'spec-a', taskId: 'task-1', attempt: 1 })).toMatchObject({ status: 'pending', worker: null, leaseToken: null });
    expect(await repo.get({ specId: 'spec-a', taskId: 'task-1', attempt: 2 })).toBeNull();
  });

  test('attempts: createMany adds many in one statement, skips existing ones, and markFailed / release / listForSpec behave', async () => {
    await migrate(h().db);
    const repo = attempts(h().db);
    await repo.create('spec-m', 'a', 1);
    expect(await repo.createMany('spec-m', [{ taskId: 'a', attempt: 1 }, { taskId: 'b', attempt: 1 }, { taskId: 'c', attempt: 2 }])).toBe(2);
    expect(await repo.createMany('spec-m', [])).toBe(0);
    expect((await repo.listForSpec('spec-m')).map((r) => [r.taskId, r.attempt, r.status])).toEqual([['a', 1, 'pending'], ['b', 1, 'pending'], ['c', 2, 'pending']]);
    const lease = (await repo.claim('w', 60_000, { specId: 'spec-m', taskId: 'b', attempt: 1 }))!;
    expect(await repo.release(lease.token)).toBe(true);
    expect(await repo.release(lease.token)).toBe(false);
    expect((await repo.get({ specId: 'spec-m', taskId: 'b', attempt: 1 }))?.status).toBe('pending');
    const again = (await repo.claim('w', 60_000, { specId: 'spec-m', taskId: 'b', attempt: 1 }))!;
    await repo.complete(again.token, { diff: 'd', log: 'a long log' });
    expect(await repo.markFailed({ specId: 'spec-m', taskId: 'b', attempt: 1 }, { reason: 'conflict', error: 'clash' })).toBe(true);
    expect(await repo.markFailed({ specId: 'spec-m', taskId: 'b', attempt: 1 }, { reason: 'review-rejected', error: 'later' })).toBe(false);
    const row = (await repo.listForSpec('spec-m')).find((r) => r.taskId === 'b');
    expect(row).toMatchObject({ status: 'failed', reason: 'conflict', error: 'clash', log: null, diff: null });
    expect((await repo.listForSpec('spec-m', { withLogs: true })).find((r) => r.taskId === 'b')?.log).toBe('a long log');
  });

  test('attempts: claim, heartbeat and complete keep the result byte for byte', async () => {
    await migrate(h().db);
    const repo = attempts(h().db);
    await repo.create('spec-a', 'task-1', 1);
    const lease = await repo.claim('worker-1', 60_000);
    expect(lease).toMatchObject({ specId: 'spec-a', taskId: 'task-1', attempt: 1 });
    expect(await repo.claim('worker-2', 60_000)).toBeNull();
    const key = { specId: 'spec-a', taskId: 'task-1', attempt: 1 };
    const running = await repo.get(key);
    expect(running).toMatchObject({ status: 'running', worker: 'worker-1', leaseToken: lease?.token });
    expect(running?.leaseExpiresAt?.getTime()).toBe(lease?.expiresAt.getTime());

    expect(await repo.heartbeat(lease!.token, 120_000)).toBe(true);
    const beaten = await repo.get(key);
    expect(beaten!.leaseExpiresAt!.getTime()).toBeGreaterThan(lease!.expiresAt.getTime());

    const diff = Buffer.from([0x64, 0x69, 0x66, 0x66, 0x00, 0xff, 0x0a]);
    expect(await repo.complete(lease!.token, { diff, log: 'ok', baseSha: 'abc123', timings: { agent: 12, checks: 3 } })).toBe(true);
    const done = await repo.get(key);
    expect(done).toMatchObject({ status: 'succeeded', log: 'ok', baseSha: 'abc123', timings: { agent: 12, checks: 3 }, error: null });
    expect(done?.diff?.equals(diff)).toBe(true);
    expect(done?.finishedAt).toBeInstanceOf(Date);
    expect(await repo.complete(lease!.token, { log: 'again' })).toBe(false);
    expect(await repo.heartbeat(lease!.token, 1000)).toBe(false);
    expect((await repo.get(key))?.log).toBe('ok');
  });

  test('attempts: fail records the error, and a specific attempt can be claimed', async () => {
    await migrate(h().db);
    const repo = attempts(h().db);
    await repo.create('spec-a', 'task-1', 1);
    await repo.create('spec-a', 'task-2', 1);
    const key = { specId: 'spec-a', taskId: 'task-2', attempt: 1 };
    const lease = await repo.claim('worker-1', 60_000, key);
    expect(lease).toMatchObject(key);
    expect(await repo.claim('worker-2', 60_000, key)).toBeNull();
    expect(await repo.fail(lease!.token, { error: 'tests failed', reason: 'checks', log: 'npm test' })).toBe(true);
    expect(await repo.get(key)).toMatchObject({ status: 'failed', error: 'tests failed', reason: 'checks', log: 'npm test' });
    expect(await repo.claim('worker-2', 60_000, key)).toBeNull();
    expect((await repo.get({ ...key, taskId: 'task-1' }))?.status).toBe('pending');
  });

  test('attempts: a zombie whose lease ran out and was re-claimed is refused and records nothing', async () => {
    await migrate(h().db);
    const repo = attempts(h().db);
    await repo.create('spec-z', 'task-1', 1);
    const first = (await repo.claim('worker-a', 30)) as Lease;
    await untilExpired(repo);
    expect((await repo.expired()).map((a) => [a.taskId, a.worker])).toEqual([['task-1', 'worker-a']]);

    const second = (await repo.claim('worker-b', 60_000)) as Lease;
    expect(second).toMatchObject({ specId: 'spec-z', taskId: 'task-1', attempt: 1 });
    expect(second.token).not.toBe(first.token);
    expect(await repo.expired()).toEqual([]);

    expect(await repo.heartbeat(first.token, 60_000)).toBe(false);
    expect(await repo.complete(first.token, { diff: 'zombie diff', log: 'zombie' })).toBe(false);
    expect(await repo.fail(first.token, { error: 'zombie error' })).toBe(false);
    expect(await repo.complete(second.token, { diff: 'real diff', log: 'real' })).toBe(true);
    const row = await repo.get({ specId: 'spec-z', taskId: 'task-1', attempt: 1 });
    expect(row).toMatchObject({ status: 'succeeded', worker: 'worker-b', log: 'real', error: null });
    expect(row?.diff?.toString('utf8')).toBe('real diff');
  });

  test('attempts: 8 concurrent workers claim 2,000 attempts, each exactly once', async () => {
    await migrate(h().db);
    const setup = attempts(h().db);
    const keys = Array.from({ length: 2000 }, (_, i) => ({ task: `task-${i}`, attempt: 1 + (i % 3) }));
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => setup.create('spec-c', k.task, k.attempt)));
    }
    const workers = await Promise.all(Array.from({ length: 8 }, () => h().connect()));
    const claimed = await Promise.all(
      workers.map(async (db, w) => {
        const repo = attempts(db);
        const mine: Lease[] = [];
        for (let lease = await repo.claim(`worker-${w}`, 300_000); lease !== null; lease = await repo.claim(`worker-${w}`, 300_000)) {
          mine.push(lease);
        }
        return mine;
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(2000);
    expect(new Set(all.map((l) => `${l.taskId}/${l.attempt}`)).size).toBe(2000);
    expect(new Set(all.map((l) => l.token)).size).toBe(2000);
    const rows = await h().db.query<{ n: number; tokens: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT lease_token)::int AS tokens FROM attempts WHERE status = 'running' AND worker IS NOT NULL",
    );
    expect(rows.rows[0]).toEqual({ n: 2000, tokens: 2000 });
    // Every token a worker holds is the one on the row: no claim was overwritten by another.
    const held = await h().db.query<{ task_id: string; lease_token: string }>('SELECT task_id, lease_token FROM attempts');
    const byTask = new Map(held.rows.map((r) => [r.task_id, r.lease_token]));
    expect(all.every((l) => byTask.get(l.taskId) === l.token)).toBe(true);
  });
}
