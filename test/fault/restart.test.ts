/**
 * Kill the whole embedded runner (`nightshift dev`: PGlite and the in-process
 * bus, so every event in flight dies with it) with SIGKILL at random moments
 * of a run, start it again each time, and check what is left behind: every
 * task lands exactly once (one commit per Task-Id), the spec completes, no
 * workspace is left, and a person's edit made during the run survives.
 * Repair is the reconcile's job (docs/decisions/pipeline.md).
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSpec } from '../../shared/spec/loader.ts';
import { startDevCli, stopCliProcesses, type CliProcess } from '../helpers/cli-process.ts';
import { initRepo, landedTasks, scriptAgent } from '../helpers/pipeline-world.ts';

/** How many times the runner is killed. */
const KILLS = 6;
const TASKS = 8;

let dir: string | undefined;
afterEach(async () => {
  await stopCliProcesses();
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = undefined;
});

async function archived(specsDir: string, id: string): Promise<string | undefined> {
  for (const month of await readdir(join(specsDir, 'archive')).catch(() => [] as string[])) {
    const f = join(specsDir, 'archive', month, `${id}.yaml`);
    if (existsSync(f)) return f;
  }
  return undefined;
}

it(`completes every task exactly once although the runner is SIGKILLed ${KILLS} times`, async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-restart-'));
  const repo = join(dir, 'repo');
  const git = await initRepo(repo);
  const specsDir = join(dir, 'specs');
  await mkdir(join(specsDir, 'active'), { recursive: true });
  const env = {
    PORT: '0',
    SPECS_DIR: specsDir,
    NIGHTSHIFT_HOME: join(dir, 'home'),
    WORKSPACES_DIR: join(dir, 'workspaces'),
    DEBOUNCE_MS: '50',
    RESCAN_MS: '400',
    STUCK_AFTER_MS: '800',
    LEASE_MS: '1500',
    RETRY_BASE_MS: '20',
    RETRY_CAP_MS: '100',
  };
  const start = (): Promise<CliProcess> => startDevCli(env);
  let dev = await start();
  const file = join(specsDir, 'active', 'crashy.yaml');
  await writeFile(
    file,
    `# a person's note at the top\n${stringify({
      id: 'crashy',
      title: 'Survive crashes',
      repo: { path: repo, base: 'main' },
      tasks: Array.from({ length: TASKS }, (_, i) => ({ id: `t${i}`, title: `Task ${i}`, files: [`f${i}.txt`], maxAttempts: 5, agent: scriptAgent({ sleepMs: 150, writes: { [`f${i}.txt`]: `task ${i}\n` } }) })),
    })}`,
  );

  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 1500)));
    if (k === 2) await appendFile(file, '# a person added this line while it ran\n');
    dev.child.kill('SIGKILL');
    await dev.exited;
    if (await archived(specsDir, 'crashy')) break;
    dev = await start();
  }
  if (dev.child.exitCode !== null || dev.child.signalCode !== null) dev = await start();

  const until = Date.now() + 120_000;
  let done: string | undefined;
  while (Date.now() < until && !(done = await archived(specsDir, 'crashy'))) await new Promise((r) => setTimeout(r, 200));
  const last = done ?? file;
  expect(done, `not archived; tasks: ${JSON.stringify((await loadSpec(last).catch(() => null))?.spec.tasks.map((t) => [t.id, t.status, t.attempts, t.lastError?.slice(0, 600)]))}`).toBeDefined();
  const spec = (await loadSpec(done!)).spec;
  expect(spec.status).toBe('completed');
  const landed = landedTasks(git, 'nightshift/crashy');
  expect(landed.map((t) => t[1]).sort()).toEqual(Array.from({ length: TASKS }, (_, i) => `t${i}`).sort());
  const text = await readFile(done!, 'utf8');
  expect(text.startsWith("# a person's note at the top\n")).toBe(true);
  expect(text).toContain('# a person added this line while it ran');
  // What is left, with ages, says which run made it if this ever fails.
  const left = async () => (await readdir(join(dir!, 'workspaces', 'crashy')).catch(() => [] as string[]));
  const leftovers = await left();
  expect(leftovers, `workspaces left: ${JSON.stringify(leftovers)}; archived at ${(await stat(done!)).mtime.toISOString()}, now ${new Date().toISOString()}`).toEqual([]);
}, 300_000);
