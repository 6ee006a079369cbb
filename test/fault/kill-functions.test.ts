/**
 * `nightshift dev --isolated` (each function its own bundle process, on a
 * private NATS JetStream server and a private Postgres schema) while a spec
 * of independent tasks runs: the develop-task, collect-diff and review-diff
 * processes are SIGKILLed at random moments while they handle a request
 * (their pids come from the gateway's `GET /system/scale`). The pool starts a
 * killed function again on its next request; the bus redelivers what was in
 * flight (a redelivery claims the attempt once the dead worker's lease has
 * run out) and the reconcile re-sends what stays stuck. Left behind must be: every task completed exactly once (one commit
 * per Task-Id, the attempt the spec names), no workspace, and a person's edit
 * of the spec file made during the run.
 *
 * Kills per function: NIGHTSHIFT_FAULT_KILLS (default 5); `npm run test:fault`
 * runs 50.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ScaleStats } from '../../shared/dispatch/scale-to-zero.ts';
import { loadSpec } from '../../shared/spec/loader.ts';
import { withTestClient } from '../helpers/db-postgres.ts';
import { landedTasks, scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';
import { useTempBundles } from '../helpers/temp-bundles.ts';

/** SIGKILLs per function. */
const KILLS = Number(process.env.NIGHTSHIFT_FAULT_KILLS ?? 5);
const TASKS = 10;
const VICTIMS = ['develop-task', 'collect-diff', 'review-diff'] as const;

const bundles = useTempBundles('ns-kill-dist');
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it(`completes every task once although develop, collect and review processes are SIGKILLed ${KILLS} times each`, async () => {
  world = await startWorld({
    isolated: true,
    distDir: bundles.dir,
    env: {
      // Long idle: a process ends only when it is killed (or at the end).
      IDLE_TIMEOUT_MS: '600000',
      RESCAN_MS: '500',
      STUCK_AFTER_MS: '1500',
      LEASE_MS: '2000',
      RETRY_BASE_MS: '20',
      RETRY_CAP_MS: '100',
      // A kill fails every request of that function in flight, so one event may see every kill of its function:
      // with fewer deliveries it would be dead-lettered and its task given up, which is the bus's rule, not a crash's.
      MAX_DELIVER: String(Math.min(100, KILLS + 5)),
    },
  });
  const w = world;
  const scale = async (): Promise<ScaleStats | undefined> => {
    try {
      return (await (await fetch(`http://127.0.0.1:${w.dev.port}/system/scale`)).json()) as ScaleStats;
    } catch {
      return undefined;
    }
  };
  const file = join(w.specsDir, 'active', 'killy.yaml');
  await writeFile(
    file,
    `# a person's note at the top\n${stringify({
      id: 'killy',
      title: 'Survive dying functions',
      repo: { path: w.repo, base: 'main' },
      tasks: Array.from({ length: TASKS }, (_, i) => ({
        id: `t${i}`,
        title: `Task ${i}`,
        files: [`f${i}.txt`],
        maxAttempts: 5,
        agent: scriptAgent({ sleepMs: 300, writes: { [`f${i}.txt`]: `task ${i}\n` } }),
      })),
    })}`,
  );

  let finished = false;
  const kills: Record<string, number[]> = Object.fromEntries(VICTIMS.map((v) => [v, []]));
  // One killer per function: after a random pause, the next moment the function has a request in flight, its process dies.
  const killer = async (fn: (typeof VICTIMS)[number]): Promise<void> => {
    while (!finished && kills[fn]!.length < KILLS) {
      await sleep(50 + Math.floor(Math.random() * 600));
      while (!finished) {
        const s = (await scale())?.functions[fn];
        // A killed process shows as running until the pool has seen it exit: its pid is not killed twice.
        if (s?.state === 'running' && s.inFlight > 0 && s.pid !== undefined && !kills[fn]!.includes(s.pid)) {
          try {
            process.kill(s.pid, 'SIGKILL');
            kills[fn]!.push(s.pid);
          } catch {
            // It ended on its own meanwhile.
          }
          break;
        }
        await sleep(10);
      }
    }
  };
  const killers = Promise.all(VICTIMS.map(killer));

  // A person edits the file while the run goes on (after the first kill).
  const editUntil = Date.now() + 60_000;
  while (Date.now() < editUntil && Object.values(kills).every((k) => k.length === 0)) await sleep(20);
  await appendFile(file, '# a person added this line while it ran\n');

  const archived = async (): Promise<string | undefined> => {
    const f = await w.specFile('killy');
    return f && !f.includes(join('specs', 'active')) ? f : undefined;
  };
  const until = Date.now() + 240_000 + KILLS * 3_000;
  let done: string | undefined;
  while (Date.now() < until && !(done = await archived())) {
    // A failed spec stays in active/ for good: no need to wait for it.
    if ((await loadSpec(file).catch(() => null))?.spec.status === 'failed') break;
    await sleep(200);
  }
  finished = true;
  await killers;

  const summary = JSON.stringify(Object.fromEntries(Object.entries(kills).map(([k, v]) => [k, v.length])));
  const last = done ?? file;
  expect(done, `not archived after kills ${summary}; tasks: ${JSON.stringify((await loadSpec(last).catch(() => null))?.spec.tasks.map((t) => [t.id, t.status, t.attempts, t.lastError?.slice(0, 400)]))}`).toBeDefined();
  console.log(`kill-functions: SIGKILLs ${summary}`);
  // Every function was killed while it worked (the killers stop early only when the spec is done first).
  for (const fn of VICTIMS) expect(kills[fn]!.length, `${fn} killed ${kills[fn]!.length} of ${KILLS} times`).toBeGreaterThanOrEqual(Math.min(KILLS, 1));

  const spec = (await loadSpec(done!)).spec;
  expect(spec.status).toBe('completed');
  expect(spec.tasks.every((t) => t.status === 'completed')).toBe(true);
  const landed = landedTasks(w.git, 'nightshift/killy');
  expect(landed.map((t) => t[1]).sort()).toEqual(Array.from({ length: TASKS }, (_, i) => `t${i}`).sort());
  // The commit of each task is the attempt the spec names; that attempt's row is the task's only succeeded one, and nothing is left running.
  const rows = await withTestClient(async (c) => (await c.query<{ task_id: string; attempt: number; status: string }>(`SELECT task_id, attempt, status, reason, error FROM attempts WHERE spec_id = 'killy'`)).rows, w.config.DATABASE_URL);
  for (const [, taskId, attempt] of landed) {
    expect(Number(attempt)).toBe(spec.tasks.find((t) => t.id === taskId)!.attempts);
    expect(rows.filter((r) => r.task_id === taskId && r.status === 'succeeded').map((r) => r.attempt), `${taskId}: ${JSON.stringify(rows.filter((r) => r.task_id === taskId))}`).toEqual([Number(attempt)]);
  }
  expect(rows.filter((r) => r.status !== 'succeeded' && r.status !== 'failed')).toEqual([]);
  for (let i = 0; i < TASKS; i++) expect(w.git(['show', `nightshift/killy:f${i}.txt`])).toBe(`task ${i}\n`);

  const text = await readFile(done!, 'utf8');
  expect(text.startsWith("# a person's note at the top\n")).toBe(true);
  expect(text).toContain('# a person added this line while it ran');
  expect(await readdir(join(w.dir, 'workspaces', 'killy')).catch(() => [])).toEqual([]);
  expect(existsSync(file)).toBe(false);
}, 600_000);
