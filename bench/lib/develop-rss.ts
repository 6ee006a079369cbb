/**
 * develop-task's memory while an agent works (DESIGN.md section 8: a worker
 * under 1 GB): the develop-task bundle alone, on a private Postgres schema,
 * given one task whose agent sleeps; its VmRSS is sampled until it answers.
 * The agent's own process is not counted (it is the agent's memory, not the
 * worker's).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import type { BuiltBundle } from '../../scripts/build.ts';
import { migrate, openDb } from '../../shared/db/index.ts';
import { createTestSchema } from '../../test/helpers/pg-schema.ts';
import { initRepo, scriptAgent } from '../../test/helpers/pipeline-world.ts';
import { freePort, procStatusKiB, startNode, stop, waitFor200 } from './process.ts';

export interface AgentRss {
  /** Largest VmRSS sampled while the agent ran, in KiB. */
  peakKiB: number;
  /** The process's own high-water mark (VmHWM) at the end, in KiB. */
  hwmKiB: number | null;
  samples: number;
}

/** Runs one task through the develop-task bundle with an agent that sleeps `agentMs`, sampling its memory. */
export async function developRssWhileAgentRuns(bundle: BuiltBundle, agentMs = 3000): Promise<AgentRss> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ns-bench-rss-'));
  const schema = await createTestSchema('rss');
  try {
    const db = await openDb({ url: schema.url, vectorDim: 256 });
    await migrate(db, { vectorDim: 256 });
    await db.close();
    const repo = path.join(dir, 'repo');
    await initRepo(repo);
    await mkdir(path.join(dir, 'specs', 'active'), { recursive: true });
    await writeFile(path.join(dir, 'specs', 'active', 'rss.yaml'), stringify({ id: 'rss', title: 'Memory', repo: { path: repo, base: 'main' }, tasks: [{ id: 'nap', title: 'Nap', files: ['nap.txt'], status: 'assigned', attempts: 1, agent: scriptAgent({ sleepMs: agentMs, writes: { 'nap.txt': 'z\n' } }) }] }));
    const port = await freePort();
    const started = startNode(bundle.file, path.dirname(bundle.file), { PORT: String(port), DATABASE_URL: schema.url, SPECS_DIR: path.join(dir, 'specs'), WORKSPACES_DIR: path.join(dir, 'ws'), LOG_LEVEL: 'warn' });
    try {
      await waitFor200(`http://127.0.0.1:${port}/_/ready`, started);
      const reply = fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ specId: 'rss', path: 'active/rss.yaml', taskId: 'nap', attempt: 1 }) });
      let done = false;
      void reply.finally(() => (done = true));
      let peak = 0;
      let samples = 0;
      while (!done) {
        const rss = await procStatusKiB(started.child.pid!, 'VmRSS');
        if (rss !== null) {
          peak = Math.max(peak, rss);
          samples += 1;
        }
        await sleep(100);
      }
      const res = await reply;
      if (res.status !== 200) throw new Error(`develop-task answered ${res.status}: ${await res.text()}`);
      return { peakKiB: peak, hwmKiB: await procStatusKiB(started.child.pid!, 'VmHWM'), samples };
    } finally {
      await stop(started.child);
    }
  } finally {
    await schema.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
