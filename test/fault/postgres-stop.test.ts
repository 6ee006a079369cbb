/**
 * Postgres stopped (`pg_ctl stop -m immediate`: every session aborted, no
 * checkpoint, as in a crash) in the middle of a run and started again a few
 * seconds later, under a running `nightshift dev` (child process) on real
 * NATS JetStream. The runner stays up, the work resumes and completes with
 * one commit per task, and nothing is left half-written: at the end the
 * attempt rows agree with the spec file (each task's last attempt, the one
 * that landed, is its only succeeded row; no attempt beyond it; nothing
 * pending or running).
 *
 * The cluster is private (test/helpers/postgres-cluster.ts: initdb in a temp
 * dir, run as the `postgres` user when the tests run as root), so the shared
 * test server is never stopped. When initdb or pg_ctl cannot run here the
 * test fails with their message; it does not skip.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSpec } from '../../shared/spec/loader.ts';
import { spawnCli, stopCliProcesses, type CliProcess } from '../helpers/cli-process.ts';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.ts';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';
import { initRepo, landedTasks, scriptAgent } from '../helpers/pipeline-world.ts';

const TASKS = 20;
/** Postgres stops once this many tasks have landed. */
const STOP_AFTER = 5;
/** How long it stays down. */
const DOWN_MS = 4000;

let dir: string | undefined;
let nats: NatsServer | undefined;
let cluster: PostgresCluster | undefined;
afterEach(async () => {
  await stopCliProcesses();
  await nats?.stop();
  await cluster?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = nats = cluster = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('resumes to completion after Postgres is stopped mid-run, and leaves no half-written state', async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-pgstop-'));
  const repo = join(dir, 'repo');
  const git = await initRepo(repo);
  const specsDir = join(dir, 'specs');
  await mkdir(join(specsDir, 'active'), { recursive: true });
  cluster = await startPostgresCluster();
  nats = await startNatsServer();
  const env = {
    PORT: '0',
    NATS_URL: nats.url,
    DATABASE_URL: cluster.url,
    NATS_STREAM: 'PGSTOP',
    SPECS_DIR: specsDir,
    NIGHTSHIFT_HOME: join(dir, 'home'),
    WORKSPACES_DIR: join(dir, 'workspaces'),
    DEBOUNCE_MS: '50',
    RESCAN_MS: '500',
    STUCK_AFTER_MS: '1500',
    LEASE_MS: '2000',
    ACK_WAIT_MS: '5000',
    RETRY_BASE_MS: '20',
    RETRY_CAP_MS: '100',
  };
  const dev: CliProcess = spawnCli(['dev'], { env });
  await dev.waitForLine((l) => String(l.msg).startsWith('nightshift dev is up'), 90_000);
  await writeFile(
    join(specsDir, 'active', 'pgdown.yaml'),
    stringify({
      id: 'pgdown',
      title: 'The database goes away',
      repo: { path: repo, base: 'main' },
      tasks: Array.from({ length: TASKS }, (_, i) => ({ id: `t${i}`, title: `Task ${i}`, files: [`f${i}.txt`], agent: scriptAgent({ sleepMs: 300, writes: { [`f${i}.txt`]: `task ${i}\n` } }) })),
    }),
  );

  const landedCount = () => (git(['branch', '--list', 'nightshift/pgdown']).trim() ? landedTasks(git, 'nightshift/pgdown').length : 0);
  const midRun = Date.now() + 180_000;
  while (Date.now() < midRun && landedCount() < STOP_AFTER) await sleep(50);
  const atStop = landedCount();
  expect(atStop, 'the run reached the middle').toBeGreaterThanOrEqual(STOP_AFTER);
  expect(atStop, 'the run was not over yet').toBeLessThan(TASKS);

  const stoppedAt = Date.now();
  await cluster.stop('immediate');
  await sleep(DOWN_MS);
  await cluster.start();
  const restartedAt = Date.now();

  const until = Date.now() + 300_000;
  let archived: string | undefined;
  while (Date.now() < until && !archived) {
    for (const month of await readdir(join(specsDir, 'archive')).catch(() => [] as string[])) {
      if (existsSync(join(specsDir, 'archive', month, 'pgdown.yaml'))) archived = join(specsDir, 'archive', month, 'pgdown.yaml');
    }
    // A failed spec stays in active/ for good, and a runner that died finishes nothing: no need to wait for either.
    if ((await loadSpec(join(specsDir, 'active', 'pgdown.yaml')).catch(() => null))?.spec.status === 'failed') break;
    if (dev.child.exitCode !== null || dev.child.signalCode !== null) break;
    if (!archived) await sleep(300);
  }
  // The same runner carried on: it did not exit.
  const tail = () => dev.lines.slice(-5).map((l) => JSON.stringify(l).slice(0, 400)).join('\n');
  expect(dev.child.exitCode ?? dev.child.signalCode, `the runner exited during or after the outage; its last lines:\n${tail()}`).toBeNull();
  const spec = (await loadSpec(archived ?? join(specsDir, 'active', 'pgdown.yaml'))).spec;
  expect(archived, `not archived; ${landedCount()} landed; open: ${JSON.stringify(spec.tasks.filter((t) => t.status !== 'completed').map((t) => [t.id, t.status, t.attempts, t.lastError?.slice(0, 300)]))}`).toBeDefined();
  // The outage did reach the work (handlers failed and were redelivered).
  const duringOutage = dev.lines.filter((l) => typeof l.time === 'number' && l.time >= stoppedAt && l.time <= restartedAt + 1000 && Number(l.level) >= 40);
  expect(duringOutage.length, 'no warning or error while Postgres was down: the outage missed the run').toBeGreaterThan(0);
  console.log(`postgres-stop: stopped at ${atStop} of ${TASKS} landed; ${duringOutage.length} warnings/errors while down`);

  expect(spec.status).toBe('completed');
  const landed = landedTasks(git, 'nightshift/pgdown');
  expect(landed.map((t) => t[1]).sort()).toEqual(Array.from({ length: TASKS }, (_, i) => `t${i}`).sort());
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  const rows = (await client.query<{ task_id: string; attempt: number; status: string }>(`SELECT task_id, attempt, status, reason, left(error, 300) AS error FROM attempts WHERE spec_id = 'pgdown'`)).rows;
  await client.end();
  for (const task of spec.tasks) {
    const mine = rows.filter((r) => r.task_id === task.id);
    const commit = landed.find((t) => t[1] === task.id)!;
    expect(Number(commit[2]), `${task.id}: the commit is the attempt the spec names`).toBe(task.attempts);
    expect(mine.filter((r) => r.status === 'succeeded').map((r) => r.attempt), `${task.id}: one succeeded row, the landed attempt; rows ${JSON.stringify(mine)}`).toEqual([task.attempts]);
    expect(Math.max(...mine.map((r) => r.attempt)), `${task.id}: no attempt row beyond the spec's`).toBe(task.attempts);
    expect(mine.filter((r) => r.status !== 'succeeded' && r.status !== 'failed'), `${task.id}: nothing left pending or running`).toEqual([]);
  }
}, 600_000);
