/**
 * The pipeline against the least work it could possibly do (issue 6, items 1
 * and 2): N independent tasks whose agent is a script making a one-line edit,
 * from spec drop to the last task completed, with per-task latency (the
 * task's `assigned` to `completed` in the changeLog); beside it, in the same
 * run, a shell script doing only the git work per task (worktree, edit, diff,
 * apply in a scratch index, commit, update-ref, remove). Then throughput over
 * many tasks at 1, 2 and 4 handlers per function (CONCURRENCY): 50 tasks, not
 * the 200, so that `npm run bench` stays within its 15 minutes on two
 * shared cores (a 200-task run at CONCURRENCY=1 took over three minutes alone).
 * Embedded stack (PGlite, in-process bus) and real NATS + Postgres.
 * Run: `npm run bench -- pipeline` (`--quick` for small sizes).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Spec } from '../shared/spec/schema.ts';
import { scriptAgent, startWorld, type World } from '../test/helpers/pipeline-world.ts';
import type { Benchmark } from './lib/benchmark.ts';
import type { Figure } from './lib/result.ts';
import { runIfMain } from './lib/runner.ts';
import { percentile, round } from './lib/stats.ts';

/** The floor: the git work one task needs, nothing else. */
const FLOOR = `set -eu
repo="$1"; n="$2"; cd "$repo"
head=$(git rev-parse main)
git update-ref refs/heads/floor "$head"
for i in $(seq 1 "$n"); do
  ws=$(mktemp -d); rmdir "$ws"
  git worktree add -q --detach "$ws" "$head"
  echo "task $i" >> "$ws/floor-$i.txt"
  git -C "$ws" add -A
  git -C "$ws" diff --cached --binary "$head" > "$ws.patch"
  idx=$(mktemp -u)
  GIT_INDEX_FILE="$idx" git read-tree "$head"
  GIT_INDEX_FILE="$idx" git apply --cached --binary "$ws.patch"
  tree=$(GIT_INDEX_FILE="$idx" git write-tree)
  commit=$(git commit-tree "$tree" -p "$head" -m "floor $i")
  git update-ref refs/heads/floor "$commit" "$head"
  head="$commit"
  git worktree remove --force "$ws"; rm -f "$ws.patch" "$idx"
done
`;

async function floorMs(world: World, n: number): Promise<number> {
  const script = join(world.dir, 'floor.sh');
  await writeFile(script, FLOOR);
  const t = performance.now();
  execFileSync('bash', [script, world.repo, String(n)], { env: { ...process.env, GIT_AUTHOR_NAME: 'f', GIT_AUTHOR_EMAIL: 'f@f', GIT_COMMITTER_NAME: 'f', GIT_COMMITTER_EMAIL: 'f@f' } });
  return performance.now() - t;
}

const oneLineTasks = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Edit ${i}`, files: [`${prefix}${i}.txt`], agent: scriptAgent({ writes: { [`${prefix}${i}.txt`]: `task ${i}\n` } }) }));

/** Drop to every task completed (ms), and each task's assigned -> completed (ms). */
async function runSpec(world: World, id: string, n: number): Promise<{ totalMs: number; perTask: number[] }> {
  const dropped = Date.now();
  await world.drop({ id, title: `${n} one-line edits`, repo: { path: world.repo, base: 'main' }, tasks: oneLineTasks(n, 't') });
  const spec: Spec = await world.waitFor(id, ['completed', 'failed'], 900_000);
  if (spec.status !== 'completed') throw new Error(`spec ${id} ${spec.status}`);
  const at = (task: string, to: string) => Date.parse(spec.changeLog.find((e) => e.task === task && e.to === to)?.at ?? 'NaN');
  // Dispatch time from the attempts table: a long run trims the changeLog (CHANGELOG_MAX) past the early `assigned` entries.
  const rows = await (await world.dev.services!.db()).query<{ task_id: string; created_at: Date }>('SELECT task_id, created_at FROM attempts WHERE spec_id = $1 AND attempt = 1', [id]);
  const dispatched = new Map(rows.rows.map((r) => [r.task_id, new Date(r.created_at).getTime()]));
  const perTask = spec.tasks.map((t) => at(t.id, 'completed') - (dispatched.get(t.id) ?? Number.NaN)).filter(Number.isFinite);
  const last = Math.max(...spec.tasks.map((t) => at(t.id, 'completed')));
  return { totalMs: last - dropped, perTask };
}

async function overhead(stack: 'embedded' | 'services', n: number, figures: Figure[], details: Record<string, unknown>): Promise<void> {
  const world = await startWorld({ services: stack === 'services' });
  try {
    const pipe = await runSpec(world, `over-${n}`, n);
    const floor = await floorMs(world, n);
    const p50 = percentile(pipe.perTask, 50);
    const p95 = percentile(pipe.perTask, 95);
    figures.push(
      { name: `${stack}, N=${n}: drop to last task completed`, value: round(pipe.totalMs), unit: 'ms' },
      { name: `${stack}, N=${n}: per-task latency p50`, value: round(p50), unit: 'ms', note: `${pipe.perTask.length} tasks; from dispatch (attempt row) to completed, queueing included` },
      { name: `${stack}, N=${n}: per-task latency p95`, value: round(p95), unit: 'ms' },
      { name: `${stack}, N=${n}: git floor (shell script, all tasks)`, value: round(floor), unit: 'ms' },
      { name: `${stack}, N=${n}: pipeline / floor`, value: round(pipe.totalMs / floor, 2), unit: 'x' },
    );
    details[`overhead-${stack}-${n}`] = { ...pipe, floorMs: floor };
  } finally {
    await world.close();
  }
}

async function throughput(concurrency: number, n: number, figures: Figure[], details: Record<string, unknown>): Promise<void> {
  const world = await startWorld({ env: { CONCURRENCY: String(concurrency) } });
  try {
    const run = await runSpec(world, `tput-${concurrency}`, n);
    figures.push({ name: `embedded, ${n} tasks, CONCURRENCY=${concurrency}: tasks/s`, value: round((n * 1000) / run.totalMs, 2), unit: 'tasks/s' });
    details[`throughput-${concurrency}`] = { totalMs: run.totalMs };
  } finally {
    await world.close();
  }
}

export const benchmark: Benchmark = {
  title: 'Pipeline: overhead against the raw git floor, and throughput',
  async run(ctx) {
    const sizes = ctx.quick ? [1, 5] : [1, 100];
    const tputTasks = ctx.quick ? 8 : 50;
    const figures: Figure[] = [];
    const details: Record<string, unknown> = {};
    for (const stack of ['embedded', 'services'] as const) {
      for (const n of sizes) {
        ctx.log(`overhead: ${stack}, N=${n}`);
        await overhead(stack, n, figures, details);
      }
    }
    for (const c of [1, 2, 4]) {
      ctx.log(`throughput: ${tputTasks} tasks at CONCURRENCY=${c}`);
      await throughput(c, tputTasks, figures, details);
    }
    figures.push({ name: 'target from the original plan', value: 10, unit: 'tasks/s', note: 'to beat' });
    return { parameters: { sizes, throughputTasks: tputTasks, concurrency: [1, 2, 4], agent: 'script writing one file' }, figures, details };
  },
};

await runIfMain(import.meta.url, 'pipeline', benchmark);
