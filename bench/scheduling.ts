/**
 * Scheduling (issue 6, item 4): plan and dispatch a 1,000-task spec with a
 * random dependency graph and file ownership. on-spec-created's first
 * reconcile (validate, plan, write the spec, create the attempt rows, emit)
 * and a second one on the same state (a reconcile round: it also looks for
 * stuck tasks), each timed and with its database round trips counted; plus
 * the pure planning step alone. PGlite in memory, a real spec file and repo.
 * Run: `npm run bench -- scheduling`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { onSpecCreated } from '../functions/on-spec-created/handler.ts';
import { loadConfig } from '../shared/config.ts';
import { migrate, type Db, type Queryable } from '../shared/db/index.ts';
import { makeEvent } from '../shared/events/cloudevent.ts';
import { planTasks } from '../shared/pipeline/plan.ts';
import { createServices } from '../shared/pipeline/services.ts';
import { createLogger } from '../shared/runtime/logger.ts';
import { loadSpec } from '../shared/spec/loader.ts';
import { makePgliteHarness } from '../test/helpers/db-pglite.ts';
import { initRepo } from '../test/helpers/pipeline-world.ts';
import type { Benchmark } from './lib/benchmark.ts';
import { runIfMain } from './lib/runner.ts';
import { round } from './lib/stats.ts';

/** A seeded generator, so every run plans the same graph. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomSpec(n: number, files: number, repo: string) {
  const r = seeded(42);
  const tasks = Array.from({ length: n }, (_, i) => {
    const deps = new Set<string>();
    if (i > 0 && r() < 0.6) deps.add(`t${Math.floor(r() * i)}`);
    if (i > 0 && r() < 0.25) deps.add(`t${Math.floor(r() * i)}`);
    return { id: `t${i}`, title: `Task ${i}`, files: [`src/f${Math.floor(r() * files)}.ts`], dependsOn: [...deps] };
  });
  return { id: 'sched', title: `${n} tasks`, repo: { path: repo, base: 'main' }, agent: { kind: 'command', command: ['true'] }, tasks };
}

/** A Db that counts statements (one round trip each). */
function counting(db: Db): { db: Db; count: () => number } {
  let n = 0;
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => {
      n += 1;
      return q.query(sql, params);
    },
    exec: (sql) => {
      n += 1;
      return q.exec(sql);
    },
  });
  const wrapped: Db = { ...wrap(db), kind: db.kind, vectorDim: db.vectorDim, transaction: (fn) => db.transaction((tx) => fn(wrap(tx))), close: () => db.close() } as Db;
  return { db: wrapped, count: () => n };
}

export const benchmark: Benchmark = {
  title: 'Scheduling: plan and dispatch a 1,000-task spec (random DAG, file ownership)',
  async run({ quick, log }) {
    const n = quick ? 200 : 1000;
    const fileCount = Math.round(n * 0.4);
    const dir = await mkdtemp(path.join(tmpdir(), 'ns-bench-sched-'));
    const harness = await makePgliteHarness();
    try {
      await initRepo(path.join(dir, 'repo'));
      await mkdir(path.join(dir, 'specs', 'active'), { recursive: true });
      const spec = randomSpec(n, fileCount, path.join(dir, 'repo'));
      const file = path.join(dir, 'specs', 'active', 'sched.yaml');
      await writeFile(file, stringify(spec));
      await migrate(harness.db, { vectorDim: 8 });
      const { db, count } = counting(harness.db);
      const config = loadConfig({ SPECS_DIR: path.join(dir, 'specs'), VECTOR_DIM: '8', WORKSPACES_DIR: path.join(dir, 'ws') });
      const ctx = { log: createLogger({ level: 'silent' }), config, now: () => new Date(), services: createServices(config, { db }) };

      const parsed = (await loadSpec(file)).spec;
      let t = performance.now();
      const plan = planTasks(parsed.tasks);
      const planMs = performance.now() - t;

      t = performance.now();
      const first = await onSpecCreated.handle(makeEvent('spec.created', { specId: 'sched', path: 'active/sched.yaml', hash: 'h' }), ctx);
      const firstMs = performance.now() - t;
      const firstTrips = count();
      log(`first reconcile: ${first.length} dispatched in ${round(firstMs)} ms, ${firstTrips} round trips`);

      t = performance.now();
      const again = await onSpecCreated.handle(makeEvent('spec.updated', { specId: 'sched', path: 'active/sched.yaml', hash: 'h' }, { id: 'sched/h/updated/reconcile/1' }), ctx);
      const secondMs = performance.now() - t;
      const secondTrips = count() - firstTrips;
      return {
        parameters: { tasks: n, files: fileCount, edges: spec.tasks.reduce((a, x) => a + x.dependsOn.length, 0), seed: 42 },
        figures: [
          { name: 'plan alone (pure, in memory)', value: round(planMs, 2), unit: 'ms' },
          { name: 'tasks ready at once (roots whose files are free)', value: plan.dispatch.length, unit: '' },
          { name: 'first reconcile: validate, plan, write the spec, create rows, emit', value: round(firstMs), unit: 'ms' },
          { name: 'first reconcile: database round trips', value: firstTrips, unit: '', note: 'one INSERT for every dispatched task' },
          { name: 'second reconcile on the same state (a reconcile round)', value: round(secondMs), unit: 'ms', note: `${again.length} events` },
          { name: 'second reconcile: database round trips', value: secondTrips, unit: '' },
        ],
        details: { dispatched: first.length },
      };
    } finally {
      await harness.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

await runIfMain(import.meta.url, 'scheduling', benchmark);
