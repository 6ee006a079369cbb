/**
 * A worker frozen past its lease (SIGSTOP) while its agent works: the task is
 * taken over by another worker and lands; when the frozen worker is let go
 * (SIGCONT) its late result is refused. One commit. Two `nightshift dev`
 * processes share a private NATS JetStream server and a Postgres schema, as
 * two replicas of develop-task would on a cluster.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startDevCli, stopCliProcesses, type CliProcess } from '../helpers/cli-process.ts';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.ts';
import { createTestSchema, type TestSchema } from '../helpers/pg-schema.ts';
import { initRepo, landedTasks, scriptAgent } from '../helpers/pipeline-world.ts';

let dir: string | undefined;
let nats: NatsServer | undefined;
let schema: TestSchema | undefined;
const frozen: CliProcess[] = [];
afterEach(async () => {
  for (const p of frozen) p.child.kill('SIGCONT');
  frozen.length = 0;
  await stopCliProcesses();
  await nats?.stop();
  await schema?.drop();
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = undefined;
});

it('refuses the late result of a worker stopped past its lease; the task lands once', async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-sigstop-'));
  const repo = join(dir, 'repo');
  const git = await initRepo(repo);
  const specsDir = join(dir, 'specs');
  await mkdir(join(specsDir, 'active'), { recursive: true });
  nats = await startNatsServer();
  schema = await createTestSchema('stop');
  const env = (worker: string) => ({
    PORT: '0',
    WORKER_ID: worker,
    NATS_URL: nats!.url,
    DATABASE_URL: schema!.url,
    NATS_STREAM: 'STOPTEST',
    SPECS_DIR: specsDir,
    WORKSPACES_DIR: join(dir!, 'workspaces'),
    NIGHTSHIFT_HOME: join(dir!, `home-${worker}`),
    DEBOUNCE_MS: '50',
    RESCAN_MS: '400',
    STUCK_AFTER_MS: '800',
    LEASE_MS: '1500',
    ACK_WAIT_MS: '2000',
    LOG_LEVEL: 'info',
  });
  const a = await startDevCli(env('worker-a'));
  const b = await startDevCli(env('worker-b'));

  const pids = join(dir, 'pids.txt');
  await writeFile(
    join(specsDir, 'active', 'frozen.yaml'),
    stringify({
      id: 'frozen',
      title: 'A worker freezes',
      repo: { path: repo, base: 'main' },
      tasks: [{ id: 'slow', title: 'Slow task', files: ['slow.txt'], agent: scriptAgent({ pidFile: pids, sleepMs: 4000, writes: { 'slow.txt': 'done\n' } }) }],
    }),
  );
  // Whoever runs the agent first gets frozen.
  const until = Date.now() + 60_000;
  let first = '';
  while (Date.now() < until && !(first = await readFile(pids, 'utf8').catch(() => ''))) await new Promise((r) => setTimeout(r, 20));
  const runnerPid = Number(first.trim().split(' ')[1]);
  const victim = [a, b].find((p) => p.child.pid === runnerPid);
  expect(victim, `the agent's parent ${runnerPid} is one of the two runners`).toBeDefined();
  const other = victim === a ? b : a;
  victim!.child.kill('SIGSTOP');
  frozen.push(victim!);

  // The other worker takes the attempt over once the lease runs out, and lands it.
  await other.waitForLine((l) => l.msg === 'handled event' && l.function === 'review-diff' && l.emitted === 1, 90_000);
  victim!.child.kill('SIGCONT');
  frozen.length = 0;
  await victim!.waitForLine((l) => /lease was lost|late result is refused/.test(String(l.msg)), 60_000).catch((err: unknown) => {
    console.log(victim!.lines.filter((l) => l.function === 'develop-task' || /lease|refused/.test(String(l.msg))).map((l) => JSON.stringify(l)).join('\n'));
    throw err;
  });

  expect(landedTasks(git, 'nightshift/frozen')).toEqual([['frozen', 'slow', '1']]);
  const rows = await schema.query<{ worker: string; status: string }>(`SELECT worker, status FROM attempts WHERE spec_id = 'frozen'`);
  expect(rows).toEqual([{ worker: victim === a ? 'worker-b' : 'worker-a', status: 'succeeded' }]);
  // Give the thawed worker time to try anything else, then check again: still one commit.
  await new Promise((r) => setTimeout(r, 2000));
  expect(landedTasks(git, 'nightshift/frozen')).toHaveLength(1);
}, 240_000);
