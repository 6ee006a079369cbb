/**
 * The NATS server and the dev runner both SIGKILLed in the middle of a
 * 100-task run, then started again (the server on the same port with the same
 * store, the runner with the same config): everything completes, one commit
 * per task. Real NATS JetStream (a private server, file storage) and a real
 * Postgres schema; the runner is the `nightshift dev` command as a child
 * process.
 *
 * The stream uses file storage. The local nats-server is 2.9.x, which has no
 * `sync_interval` (2.10 added it; test/helpers/nats-server.ts sets it to
 * `always` on servers that have it): 2.9 writes the store through to the OS
 * without an fsync per message, which survives the death of the server
 * process (not of the machine). What it may still lose at the kill, and what
 * the dead runner had in flight, is what the redelivery and the reconcile
 * repair.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSpec } from '../../shared/spec/loader.ts';
import { startDevCli, stopCliProcesses, type CliProcess } from '../helpers/cli-process.ts';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.ts';
import { createTestSchema, type TestSchema } from '../helpers/pg-schema.ts';
import { initRepo, landedTasks, scriptAgent } from '../helpers/pipeline-world.ts';

const TASKS = 100;
/** The kill comes once this many tasks have landed. */
const KILL_AFTER = 35;
const STREAM = 'NATSKILL';

let dir: string | undefined;
let nats: NatsServer | undefined;
let schema: TestSchema | undefined;
afterEach(async () => {
  await stopCliProcesses();
  await nats?.stop();
  await schema?.drop();
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = nats = schema = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stream's last sequence number (what the server has stored). */
async function lastSeq(url: string): Promise<number> {
  const nc = await connect({ servers: url, reconnect: false });
  try {
    return (await (await jetstreamManager(nc)).streams.info(STREAM)).state.last_seq;
  } finally {
    await nc.close();
  }
}

it(`completes a ${TASKS}-task spec, one commit per task, although NATS and the runner are SIGKILLed mid-run`, async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-natskill-'));
  const repo = join(dir, 'repo');
  const git = await initRepo(repo);
  const specsDir = join(dir, 'specs');
  await mkdir(join(specsDir, 'active'), { recursive: true });
  nats = await startNatsServer();
  schema = await createTestSchema('natskill');
  const env = {
    PORT: '0',
    NATS_URL: nats.url,
    DATABASE_URL: schema.url,
    NATS_STREAM: STREAM,
    SPECS_DIR: specsDir,
    NIGHTSHIFT_HOME: join(dir, 'home'),
    WORKSPACES_DIR: join(dir, 'workspaces'),
    DEBOUNCE_MS: '50',
    RESCAN_MS: '1000',
    STUCK_AFTER_MS: '3000',
    LEASE_MS: '3000',
    ACK_WAIT_MS: '5000',
    RETRY_BASE_MS: '20',
    RETRY_CAP_MS: '100',
  };
  const start = (): Promise<CliProcess> => startDevCli(env);
  let dev = await start();
  await writeFile(
    join(specsDir, 'active', 'many.yaml'),
    stringify({
      id: 'many',
      title: 'A hundred small tasks',
      repo: { path: repo, base: 'main' },
      tasks: Array.from({ length: TASKS }, (_, i) => ({ id: `t${i}`, title: `Task ${i}`, files: [`f${i}.txt`], agent: scriptAgent({ writes: { [`f${i}.txt`]: `task ${i}\n` } }) })),
    }),
  );

  const landedCount = () => (git(['branch', '--list', 'nightshift/many']).trim() ? landedTasks(git, 'nightshift/many').length : 0);
  const midRun = Date.now() + 300_000;
  while (Date.now() < midRun && landedCount() < KILL_AFTER) await sleep(100);
  const atKill = landedCount();
  expect(atKill, 'the run reached the middle').toBeGreaterThanOrEqual(KILL_AFTER);
  expect(atKill, 'the run was not over yet').toBeLessThan(TASKS);
  const storedBefore = await lastSeq(nats.url);

  // Both die at once: the server with whatever it had not delivered or acked, the runner with its work in flight.
  const ns = nats;
  await Promise.all([ns.kill('SIGKILL'), (dev.child.kill('SIGKILL'), dev.exited)]);
  await sleep(1000);
  await ns.restart();
  // The stream came back from its files (a memory store would start again at 0).
  expect(await lastSeq(ns.url)).toBeGreaterThanOrEqual(storedBefore);
  dev = await start();

  const until = Date.now() + 400_000;
  let archived: string | undefined;
  while (Date.now() < until && !archived) {
    for (const month of await readdir(join(specsDir, 'archive')).catch(() => [] as string[])) {
      if (existsSync(join(specsDir, 'archive', month, 'many.yaml'))) archived = join(specsDir, 'archive', month, 'many.yaml');
    }
    // A failed spec stays in active/ for good: no need to wait for it.
    if ((await loadSpec(join(specsDir, 'active', 'many.yaml')).catch(() => null))?.spec.status === 'failed') break;
    if (!archived) await sleep(500);
  }
  const file = archived ?? join(specsDir, 'active', 'many.yaml');
  const spec = (await loadSpec(file)).spec;
  expect(archived, `not archived; ${landedCount()} landed; not completed: ${JSON.stringify(spec.tasks.filter((t) => t.status !== 'completed').map((t) => [t.id, t.status, t.attempts, t.lastError?.slice(0, 300)]))}`).toBeDefined();
  console.log(`nats-kill: killed at ${atKill} of ${TASKS} landed`);
  expect(spec.status).toBe('completed');

  const landed = landedTasks(git, 'nightshift/many');
  expect(landed).toHaveLength(TASKS);
  expect(new Set(landed.map((t) => t[1])).size).toBe(TASKS);
  const rows = await schema.query<{ task_id: string; attempt: number; status: string }>(`SELECT task_id, attempt, status FROM attempts WHERE spec_id = 'many'`);
  for (const [, taskId, attempt] of landed) {
    expect(Number(attempt)).toBe(spec.tasks.find((t) => t.id === taskId)!.attempts);
    expect(rows.filter((r) => r.task_id === taskId && r.status === 'succeeded').map((r) => r.attempt)).toEqual([Number(attempt)]);
  }
  expect(rows.filter((r) => r.status !== 'succeeded' && r.status !== 'failed')).toEqual([]);
  for (let i = 0; i < TASKS; i += 7) expect(git(['show', `nightshift/many:f${i}.txt`])).toBe(`task ${i}\n`);
}, 900_000);
