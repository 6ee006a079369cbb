/**
 * Workspace creation against the alternatives (docs/decisions/workspaces.md).
 * Two repositories with the same tree and 100 vs 5,000 commits; for each, the
 * ways to get an isolated working tree at the tip:
 *   worktree: `git worktree add --detach` + `git worktree remove --force`
 *   clone: `git clone --shared --no-checkout` + `git checkout --detach` + rm
 *   alternates: nightshift's createWorkspace + remove()
 *   alternates, create only: createWorkspace alone (removed untimed)
 * The four methods run interleaved, round by round, on each repository.
 * Run: `npm run bench -- workspace` (or `npx tsx bench/workspace.ts`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createWorkspace } from '../shared/git/workspace.ts';
import type { Benchmark } from './lib/benchmark.ts';
import { gitCli, makeRepo } from './lib/git-history.ts';
import type { Figure } from './lib/result.ts';
import { runIfMain } from './lib/runner.ts';
import { elapsedMs, sampleRounds, summarize } from './lib/stats.ts';

export const benchmark: Benchmark = {
  title: 'Workspace creation: git worktree vs clone --shared vs alternates (ours)',
  async run({ quick, log }) {
    const files = quick ? 200 : 2000;
    const histories = quick ? [20, 200] : [100, 5000];
    const runs = quick ? 3 : 7;
    const base = await mkdtemp(path.join(os.tmpdir(), 'nightshift-bench-ws-'));
    const figures: Figure[] = [];
    const details: Record<string, unknown> = {};
    try {
      for (const commits of histories) {
        const { dir: repo, sha } = await makeRepo(base, `repo-${commits}`, { files, commits });
        const root = path.join(base, `ws-${commits}`);
        let n = 0;
        const worktree = (): Promise<number> =>
          elapsedMs(async () => {
            const dir = path.join(root, `wt-${n++}`);
            await gitCli(repo, ['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--detach', '-q', dir, sha]);
            await gitCli(repo, ['worktree', 'remove', '--force', dir]);
          });
        const clone = (): Promise<number> =>
          elapsedMs(async () => {
            const dir = path.join(root, `cl-${n++}`);
            await gitCli(base, ['clone', '-q', '--shared', '--no-checkout', repo, dir]);
            await gitCli(dir, ['-c', 'core.hooksPath=/dev/null', '-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', sha]);
            await rm(dir, { recursive: true, force: true });
          });
        const alternates = (): Promise<number> =>
          elapsedMs(async () => {
            const ws = await createWorkspace(repo, sha, root, { specId: 'bench', taskId: 't', attempt: n++ });
            await ws.remove();
          });
        const createOnly = async (): Promise<number> => {
          let remove = async (): Promise<void> => undefined;
          const ms = await elapsedMs(async () => {
            ({ remove } = await createWorkspace(repo, sha, root, { specId: 'bench', taskId: 'c', attempt: n++ }));
          });
          await remove();
          return ms;
        };
        const names = ['worktree add + remove', 'clone --shared + checkout + rm', 'alternates (ours) create + remove', 'alternates (ours) create only'];
        const samples = await sampleRounds(runs, [worktree, clone, alternates, createOnly]);
        for (const [i, method] of names.entries()) {
          const s = summarize(samples[i]!);
          figures.push({ name: `${commits} commits: ${method}, median`, value: s.median, unit: 'ms' });
          details[`${commits} commits: ${method}`] = s;
        }
        log(`${commits} commits done`);
      }
    } finally {
      await rm(base, { recursive: true, force: true });
    }
    return { parameters: { files, commits: histories, runs, warmup: 1, order: 'interleaved' }, figures, details };
  },
};

await runIfMain(import.meta.url, 'workspace', benchmark);
