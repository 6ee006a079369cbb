/**
 * The mentor's report and the attempt logs over a real PGlite (on disk, with
 * pgvector), its rows written through the repositories of shared/db: the
 * numbers of every section, both ways of grouping similar failures, `--since`,
 * and `nightshift logs` / `report` as child processes reading that database
 * (and refusing it while another process has it open, or while a runner
 * without the API holds it). Last, a real pipeline: after a hinted retry the
 * report says so, and `logs` reads the attempts through the runner's API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { attempts, failures, migrate, openDb, retries, type Db } from '../../shared/db/index.ts';
import { attemptLogs, reportData, reportMarkdown } from '../../shared/report/index.ts';
import { runCli, stopCliProcesses } from '../helpers/cli-process.ts';
import { containsCheck, scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';

const DIM = 8;
let dir: string;
let home: string;
let db: Db | undefined;

/** A unit vector along `axis`, nudged by `tilt` towards the next axis. */
const vec = (axis: number, tilt = 0): number[] => Array.from({ length: DIM }, (_, i) => (i === axis ? 1 : i === (axis + 1) % DIM ? tilt : 0));

/** One finished attempt: created, claimed, then completed or failed, with its wall time set to `ms`. */
async function attempt(d: Db, specId: string, taskId: string, n: number, ok: boolean, ms: number, extra: { reason?: string; error?: string; log?: string } = {}): Promise<void> {
  const repo = attempts(d);
  await repo.create(specId, taskId, n);
  const lease = await repo.claim('w1', 60_000, { specId, taskId, attempt: n });
  if (!lease) throw new Error(`could not claim ${specId}/${taskId}/${n}`);
  const timings = { agent: Math.round(ms * 0.8), checks: Math.round(ms * 0.2) };
  if (ok) await repo.complete(lease.token, { diff: 'diff', log: extra.log ?? `log of ${taskId} ${n}`, timings });
  else await repo.fail(lease.token, { error: extra.error ?? 'failed', reason: extra.reason ?? 'agent-error', log: extra.log ?? `log of ${taskId} ${n}`, timings });
  await d.query(`UPDATE attempts SET finished_at = started_at + $4::double precision * interval '1 millisecond' WHERE spec_id = $1 AND task_id = $2 AND attempt = $3`, [specId, taskId, n, ms]);
}

async function failure(d: Db, specId: string, taskId: string, n: number, reason: string, normalized: string, agent: string, embedding: number[]): Promise<void> {
  const id = await failures(d).record({ specId, taskId, attempt: n, reason, error: `${normalized} (raw)`, normalized, agent });
  await failures(d).storeEmbedding(id, embedding);
}

/**
 * s1: a fails once, then a hinted retry succeeds; b fails, a plain retry times out, the learner gives up, a
 * person's retry succeeds; c succeeds at once. s2: d fails twice (a hinted retry that did not help), e succeeds.
 * old: one failure from 2020.
 */
async function seed(d: Db): Promise<void> {
  const CHECK = 'expected <n> to be <n> in cart.test.ts';
  await attempt(d, 's1', 'a', 1, false, 10_000, { reason: 'check-failed', error: 'expected 90 to be 81' });
  await failure(d, 's1', 'a', 1, 'check-failed', CHECK, 'command', vec(0));
  await retries(d).record({ specId: 's1', taskId: 'a', attempt: 1, decision: 'retry', delayMs: 100, hints: ['A similar failure was resolved by: rounding'] });
  await attempt(d, 's1', 'a', 2, true, 20_000);
  await attempt(d, 's1', 'b', 1, false, 5_000, { reason: 'check-failed', error: 'expected 10 to be 11' });
  await failure(d, 's1', 'b', 1, 'check-failed', CHECK, 'command', vec(0));
  await retries(d).record({ specId: 's1', taskId: 'b', attempt: 1, decision: 'retry', delayMs: 200, hints: [] });
  await attempt(d, 's1', 'b', 2, false, 60_000, { reason: 'timeout', error: 'the agent ran longer than 60 s', log: Array.from({ length: 60 }, (_, i) => `line ${i + 1}`).join('\n') });
  await failure(d, 's1', 'b', 2, 'timeout', 'the agent ran longer than <n> s', 'command', vec(4));
  await retries(d).record({ specId: 's1', taskId: 'b', attempt: 2, decision: 'give-up' });
  await attempt(d, 's1', 'b', 3, true, 5_000);
  await failures(d).resolveTask('s1', 'a', 'fixed the rounding');
  await failures(d).resolveTask('s1', 'b', 'longer timeout');
  await attempt(d, 's1', 'c', 1, true, 1_000);
  await attempt(d, 's2', 'd', 1, false, 2_000, { reason: 'agent-error', error: 'agent crashed: out of memory' });
  await failure(d, 's2', 'd', 1, 'agent-error', 'agent crashed: out of memory at <path>', 'claude', vec(2));
  await retries(d).record({ specId: 's2', taskId: 'd', attempt: 1, decision: 'retry', hints: ['one', 'two'] });
  await attempt(d, 's2', 'd', 2, false, 3_000, { reason: 'agent-error', error: 'agent crashed: heap' });
  await failure(d, 's2', 'd', 2, 'agent-error', 'agent crashed: heap limit at <path>', 'claude', vec(2, 0.1));
  await retries(d).record({ specId: 's2', taskId: 'd', attempt: 2, decision: 'give-up' });
  await attempt(d, 's2', 'e', 1, true, 1_000);
  await attempt(d, 'old', 'x', 1, false, 1_000, { reason: 'internal' });
  await failure(d, 'old', 'x', 1, 'internal', 'disk full', 'command', vec(6));
  await d.query(`UPDATE attempts SET created_at = '2020-01-01T00:00:00Z' WHERE spec_id = 'old'`);
  await d.query(`UPDATE failure_logs SET created_at = '2020-01-01T00:00:00Z' WHERE spec_id = 'old'`);
}

const SINCE = new Date('2021-01-01T00:00:00Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-report-'));
  home = join(dir, 'home');
  await mkdir(join(dir, 'specs', 'active'), { recursive: true });
  db = await openDb({ dataDir: join(home, 'pglite'), vectorDim: DIM });
  await migrate(db, { vectorDim: DIM });
  await seed(db);
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(stopCliProcesses);

describe('the report over seeded rows', () => {
  test('counts, failures by reason and agent, similar groups by neighbours, retry success rates, slowest tasks', async () => {
    const r = await reportData(db!, { since: SINCE });
    expect(r.totals).toEqual({ attempts: 9, succeeded: 4, failed: 5, specs: 2, tasks: 5, failures: 5, resolved: 3 });
    expect(r.byReason).toEqual([{ reason: 'agent-error', failures: 2 }, { reason: 'check-failed', failures: 2 }, { reason: 'timeout', failures: 1 }]);
    expect(r.byAgent).toEqual([{ agent: 'command', failures: 3, tasks: 2 }, { agent: 'claude', failures: 2, tasks: 1 }]);
    expect(r.similar.method).toBe('embeddings');
    // Two groups of two (equal size: the most recent first); the timeout and the 2020 failure stand alone.
    expect(r.similar.groups.map((g) => [g.failures, g.tasks, g.reasons, g.resolved])).toEqual([
      [2, 1, ['agent-error'], 0],
      [2, 2, ['check-failed'], 2],
    ]);
    expect(r.retries).toEqual([
      { kind: 'first', finished: 5, succeeded: 2 },
      { kind: 'hinted-retry', finished: 2, succeeded: 1 },
      { kind: 'plain-retry', finished: 1, succeeded: 0 },
      { kind: 'manual-retry', finished: 1, succeeded: 1 },
    ]);
    expect(r.slowest.map((s) => [s.taskId, s.attempts, Math.round(s.totalMs), Math.round(s.slowestMs)])).toEqual([
      ['b', 3, 70_000, 60_000], ['a', 2, 30_000, 20_000], ['d', 2, 5_000, 3_000], ['c', 1, 1_000, 1_000], ['e', 1, 1_000, 1_000],
    ]);
    expect(r.slowest[0]!.phases).toEqual([['agent', 56_000], ['checks', 14_000]]);

    const md = await reportMarkdown(db!, { since: SINCE });
    expect(md).toContain('9 finished attempt(s) (4 succeeded, 5 failed) over 5 task(s) of 2 spec(s); 5 failure(s) recorded, 3 of them resolved');
    expect(md).toContain('| check-failed | 2 | 40% |');
    expect(md).toContain('| command | 3 | 2 |');
    expect(md).toContain('Grouped by nearest neighbours in `error_embeddings` (pgvector, cosine distance at most 0.25).');
    expect(md).toContain('| retries with hints (similar past failures) | 2 | 1 | 50% (1 of 2) |');
    expect(md).toContain('Hinted retries succeeded 50% of the time, against 40% for first attempts and 0% for retries without hints.');
    expect(md).toContain('| b | s1 | 3 | 1 min 10 s | 1 min 00 s | agent 56.0 s, checks 14.0 s |');
  });

  test('without --since the old rows count; without embeddings, identical normalized text groups', async () => {
    const all = await reportData(db!);
    expect(all.totals.failures).toBe(6);
    expect(all.byReason.find((r) => r.reason === 'internal')).toEqual({ reason: 'internal', failures: 1 });
    const copy = await openDb({ vectorDim: DIM });
    try {
      await migrate(copy, { vectorDim: DIM });
      await seed(copy);
      await copy.query('DELETE FROM error_embeddings');
      const r = await reportData(copy, { since: SINCE });
      expect(r.similar.method).toBe('normalized-text');
      expect(r.similar.groups).toHaveLength(1);
      expect(r.similar.groups[0]).toMatchObject({ failures: 2, tasks: 2, example: 'expected <n> to be <n> in cart.test.ts' });
      expect(await reportMarkdown(copy, { since: SINCE })).toContain('Grouped by identical normalized error text');
    } finally {
      await copy.close();
    }
  });

  test('attemptLogs: every attempt of a task with status, reason, error, log and the decision after it', async () => {
    const logs = await attemptLogs(db!, 's1', 'b');
    expect(logs.map((l) => [l.attempt, l.status, l.reason, l.decision?.decision ?? null, l.decision?.hints ?? null])).toEqual([
      [1, 'failed', 'check-failed', 'retry', 0],
      [2, 'failed', 'timeout', 'give-up', 0],
      [3, 'succeeded', null, null, null],
    ]);
    expect(logs[1]).toMatchObject({ error: 'the agent ran longer than 60 s', durationMs: 60_000, timings: { agent: 48_000, checks: 12_000 } });
    expect(logs[1]!.log).toContain('line 60');
    expect((await attemptLogs(db!, 's1')).map((l) => `${l.taskId}${l.attempt}`)).toEqual(['a1', 'a2', 'b1', 'b2', 'b3', 'c1']);
    expect(await attemptLogs(db!, 'nope')).toEqual([]);
  });
});

describe('logs and report as commands', () => {
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({ NIGHTSHIFT_HOME: home, SPECS_DIR: join(dir, 'specs'), PORT: '1', VECTOR_DIM: String(DIM), ...extra });

  test('refuse the embedded database while another process has it open', async () => {
    const r = await runCli(['logs', 's1'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is open in another process');
    expect(r.stderr).toContain('postmaster.pid');
  });

  test('refuse when a runner on PORT holds it but has no API for it', async () => {
    const server: Server = createServer((req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route ${req.url}; functions are under /function/<name>` } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = String((server.address() as AddressInfo).port);
      const r = await runCli(['report'], { env: env({ PORT: port }) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the runner at http://127.0.0.1:${port} holds the embedded database but does not serve /api/report`);
    } finally {
      server.close();
    }
  });

  test('read the embedded database once it is closed', async () => {
    await db!.close();
    db = undefined;
    const logs = await runCli(['logs', 's1', 'b', '--lines', '3'], { env: env() });
    expect(logs.stderr).toBe('');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('== b attempt 2: failed (timeout), 60.0 s, worker w1');
    expect(logs.stdout).toContain('then: gave up (failed for good)');
    expect(logs.stdout).toContain('log (last 3 lines):\n  [... 57 earlier line(s)]\n  line 58\n  line 59\n  line 60\n');
    expect(logs.stdout).toContain('== b attempt 3: succeeded');
    const one = JSON.parse((await runCli(['logs', 's1', 'b', '--attempt', '1', '--json'], { env: env() })).stdout) as { source: string; attempts: { attempt: number; decision: unknown }[] };
    expect(one.source).toContain('pglite');
    expect(one.attempts).toEqual([expect.objectContaining({ attempt: 1, decision: { decision: 'retry', hints: 0, delayMs: 200 } })]);
    const unknown = await runCli(['logs', 'nope'], { env: env() });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no attempts recorded for spec "nope", and no spec file has that id');

    const md = await runCli(['report', '--since', '2021-01-01'], { env: env() });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('# nightshift report');
    expect(md.stdout).toContain('Period: since 2021-01-01T00:00:00.000Z');
    expect(md.stdout).toContain('| retries with hints (similar past failures) | 2 | 1 | 50% (1 of 2) |');
    const json = JSON.parse((await runCli(['report', '--json'], { env: env() })).stdout) as { report: { totals: { failures: number } } };
    expect(json.report.totals.failures).toBe(6);
  }, 60_000);
});

describe('after a real pipeline', () => {
  let world: World | undefined;
  afterAll(async () => world?.close());

  test('the report shows a hinted retry, and logs reads the attempts through the runner', async () => {
    world = await startWorld();
    const check = containsCheck('out is good', 'out.txt', 'good value');
    const flaky = scriptAgent({ firstWrites: { 'out.txt': 'bad value\n' }, writes: { 'out.txt': 'good value\n' } });
    const repo = { path: world.repo, base: 'main' };
    // The first spec's retry has no hints yet; its resolution is the second one's hint.
    await world.drop({ id: 'hint-a', title: 'Flaky once', repo, agent: flaky, tasks: [{ id: 'fix', title: 'Make out.txt good', files: ['out.txt'], checks: [check] }] });
    expect((await world.waitFor('hint-a', ['completed', 'failed'])).status).toBe('completed');
    await world.drop({ id: 'hint-b', title: 'Same trouble', repo, agent: flaky, tasks: [{ id: 'fix-again', title: 'Make out.txt good again', files: ['out.txt'], checks: [check] }] });
    expect((await world.waitFor('hint-b', ['completed', 'failed'])).status).toBe('completed');

    const data = await reportData(await world.dev.services!.db());
    expect(data.retries.find((r) => r.kind === 'hinted-retry')).toEqual({ kind: 'hinted-retry', finished: 1, succeeded: 1 });
    expect(data.retries.find((r) => r.kind === 'plain-retry')).toEqual({ kind: 'plain-retry', finished: 1, succeeded: 1 });
    expect(data.byReason).toEqual([{ reason: 'check-failed', failures: 2 }]);
    const md = await reportMarkdown(await world.dev.services!.db());
    expect(md).toContain('| retries with hints (similar past failures) | 1 | 1 | 100% (1 of 1) |');

    const logs = await runCli(['logs', 'hint-b', '--json'], { env: { PORT: String(world.dev.port), NIGHTSHIFT_HOME: world.config.NIGHTSHIFT_HOME, SPECS_DIR: world.specsDir } });
    expect(logs.stderr).toBe('');
    const body = JSON.parse(logs.stdout) as { source: string; attempts: { taskId: string; attempt: number; status: string; reason: string | null; log: string | null }[] };
    expect(body.source).toBe(`the runner at http://127.0.0.1:${world.dev.port}`);
    expect(body.attempts.map((a) => [a.taskId, a.attempt, a.status, a.reason])).toEqual([['fix-again', 1, 'failed', 'check-failed'], ['fix-again', 2, 'succeeded', null]]);
    expect(body.attempts[1]!.log).toContain('agent: wrote 1 file(s) for fix-again attempt 2');
  }, 120_000);
});
