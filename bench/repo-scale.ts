/**
 * Does workspace creation grow with history? Two repositories with the same
 * tip tree and 100 vs 20,000 commits; for each, nightshift's createWorkspace
 * (alternates: no history copied) against a fresh `git clone --no-local
 * file://` with checkout, which is what a pod with an init container that
 * clones the repository would do. Runs on the two repositories alternate, so
 * a change in the machine's load does not land on one of them only.
 * Run: `npm run bench -- repo-scale` (or `npx tsx bench/repo-scale.ts`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createWorkspace, type Workspace } from '../shared/git/workspace.ts';
import type { Benchmark } from './lib/benchmark.ts';
import { gitCli, makeRepo, type TestRepo } from './lib/git-history.ts';
import type { Figure } from './lib/result.ts';
import { runIfMain } from './lib/runner.ts';
import { elapsedMs, round, sampleRounds, summarize } from './lib/stats.ts';

let serial = 0;

/** One createWorkspace, timed alone; the workspace is removed untimed (its time goes to `removeMs`). */
const workspaceOnce = (repo: TestRepo, root: string, removeMs: number[]) => async (): Promise<number> => {
  let ws: Workspace | undefined;
  const ms = await elapsedMs(async () => {
    ws = await createWorkspace(repo.dir, repo.sha, root, { specId: 'bench', taskId: 'scale', attempt: serial++ });
  });
  removeMs.push(await elapsedMs(() => ws!.remove()));
  return ms;
};

/** One full clone over the file:// transport (objects packed and sent, then checked out), removed untimed. */
const cloneOnce = (repo: TestRepo, root: string) => async (): Promise<number> => {
  const dir = path.join(root, `clone-${serial++}`);
  const ms = await elapsedMs(() => gitCli(root, ['clone', '-q', '--no-local', `file://${repo.dir}`, dir]));
  await rm(dir, { recursive: true, force: true });
  return ms;
};

export const benchmark: Benchmark = {
  title: 'Workspace creation vs a fresh clone, at 100 and 20,000 commits',
  async run({ quick, log }) {
    const files = quick ? 200 : 2000;
    const [small, large] = quick ? [20, 2000] : [100, 20_000];
    const workspaceRuns = quick ? 3 : 10;
    const cloneRuns = quick ? 2 : 3;
    const base = await mkdtemp(path.join(os.tmpdir(), 'nightshift-bench-scale-'));
    try {
      const repos: TestRepo[] = [];
      const generateMs: number[] = [];
      for (const commits of [small, large]) {
        const t = performance.now();
        repos.push(await makeRepo(base, `repo-${commits}`, { files, commits }));
        generateMs.push(round(performance.now() - t, 0));
        log(`generated ${commits} commits in ${generateMs.at(-1)} ms`);
      }
      const [a, b] = repos as [TestRepo, TestRepo];
      if (a.tree !== b.tree) throw new Error(`tip trees differ (${a.tree} vs ${b.tree}): the comparison would not be fair`);

      const removeA: number[] = [];
      const removeB: number[] = [];
      const wsRoot = path.join(base, 'ws');
      const [wsA, wsB] = (await sampleRounds(workspaceRuns, [workspaceOnce(a, wsRoot, removeA), workspaceOnce(b, wsRoot, removeB)])).map(summarize) as [
        ReturnType<typeof summarize>,
        ReturnType<typeof summarize>,
      ];
      log(`createWorkspace medians ${wsA.median} / ${wsB.median} ms`);
      const [clA, clB] = (await sampleRounds(cloneRuns, [cloneOnce(a, base), cloneOnce(b, base)])).map(summarize) as [
        ReturnType<typeof summarize>,
        ReturnType<typeof summarize>,
      ];
      log(`clone medians ${clA.median} / ${clB.median} ms`);

      const ratio = (x: number, y: number): number => round(x / y, 2);
      const figures: Figure[] = [];
      for (const [commits, ws, cl] of [[small, wsA, clA], [large, wsB, clB]] as const) {
        figures.push(
          { name: `${commits} commits: createWorkspace, median`, value: ws.median, unit: 'ms' },
          { name: `${commits} commits: createWorkspace, p95`, value: ws.p95, unit: 'ms', note: `${workspaceRuns} runs` },
          { name: `${commits} commits: clone file://, median`, value: cl.median, unit: 'ms', note: 'includes checkout' },
          { name: `${commits} commits: clone file://, p95`, value: cl.p95, unit: 'ms', note: `${cloneRuns} runs` },
        );
      }
      figures.push(
        { name: `createWorkspace ${large}/${small} commits`, value: ratio(wsB.median, wsA.median), unit: 'x', note: 'ratio of medians; 1 = history does not matter' },
        { name: `clone ${large}/${small} commits`, value: ratio(clB.median, clA.median), unit: 'x', note: 'ratio of medians' },
        { name: `${small} commits: clone / createWorkspace`, value: ratio(clA.median, wsA.median), unit: 'x' },
        { name: `${large} commits: clone / createWorkspace`, value: ratio(clB.median, wsB.median), unit: 'x' },
        { name: `${small} commits: object store`, value: a.objectsKiB, unit: 'KiB' },
        { name: `${large} commits: object store`, value: b.objectsKiB, unit: 'KiB' },
      );
      return {
        parameters: { files, commits: [small, large], workspaceRuns, cloneRuns, warmup: 1, order: 'interleaved' },
        figures,
        details: {
          tipTree: a.tree,
          generateMs,
          createWorkspace: { [small]: wsA, [large]: wsB },
          // The warm-up's removal is left out.
          workspaceRemove: { [small]: summarize(removeA.slice(1)), [large]: summarize(removeB.slice(1)) },
          clone: { [small]: clA, [large]: clB },
        },
      };
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  },
};

await runIfMain(import.meta.url, 'repo-scale', benchmark);
