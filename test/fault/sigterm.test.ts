/**
 * SIGTERM while an agent works: the runner lets the in-flight work finish
 * within SHUTDOWN_GRACE_MS and exits 0; the next start carries on from what
 * was stored, and the task lands exactly once.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { attempts, openDb } from '../../shared/db/index.ts';
import { startDevCli, stopCliProcesses } from '../helpers/cli-process.ts';
import { initRepo, landedTasks, scriptAgent } from '../helpers/pipeline-world.ts';

let dir: string | undefined;
afterEach(async () => {
  await stopCliProcesses();
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = undefined;
});

it('finishes the running agent on SIGTERM, exits 0, and the restart lands the task once', async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-sigterm-'));
  const repo = join(dir, 'repo');
  const git = await initRepo(repo);
  const specsDir = join(dir, 'specs');
  await mkdir(join(specsDir, 'active'), { recursive: true });
  const env = { PORT: '0', SPECS_DIR: specsDir, NIGHTSHIFT_HOME: join(dir, 'home'), WORKSPACES_DIR: join(dir, 'workspaces'), SHUTDOWN_GRACE_MS: '15000', RESCAN_MS: '400', STUCK_AFTER_MS: '800', LEASE_MS: '3000', LOG_LEVEL: 'info' };
  const dev = await startDevCli(env);
  const pids = join(dir, 'pids');
  await writeFile(join(specsDir, 'active', 'term.yaml'), stringify({ id: 'term', title: 'Stop politely', repo: { path: repo, base: 'main' }, tasks: [{ id: 'slow', title: 'Slow', files: ['slow.txt'], agent: scriptAgent({ pidFile: pids, sleepMs: 2500, writes: { 'slow.txt': 'slow\n' } }) }] }));
  const until = Date.now() + 60_000;
  while (Date.now() < until && !(await readFile(pids, 'utf8').catch(() => ''))) await new Promise((r) => setTimeout(r, 20));

  const sent = Date.now();
  dev.child.kill('SIGTERM');
  expect(await dev.exited).toBe(0);
  expect(Date.now() - sent).toBeLessThan(15_000);
  // The agent's work was finished and stored, not thrown away.
  const db = await openDb({ dataDir: join(dir, 'home', 'pglite'), vectorDim: 256 });
  const row = await attempts(db).get({ specId: 'term', taskId: 'slow', attempt: 1 });
  await db.close();
  expect(row?.status).toBe('succeeded');
  expect(row?.diff?.toString()).toContain('+slow');

  const again = await startDevCli(env);
  const done = Date.now() + 60_000;
  let archived = false;
  while (Date.now() < done && !(archived = (await readdir(join(specsDir, 'archive')).catch(() => [])).length > 0)) await new Promise((r) => setTimeout(r, 100));
  expect(archived).toBe(true);
  expect(landedTasks(git, 'nightshift/term')).toEqual([['term', 'slow', '1']]);
  expect((await readFile(pids, 'utf8')).trim().split('\n')).toHaveLength(1);
}, 240_000);
