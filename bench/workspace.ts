/**
 * Workspace creation cost against history length (docs/decisions/workspaces.md).
 * Builds two repositories with the same tree size and 100 vs 5,000 commits
 * (by `git fast-import`, one process each), then times three ways to get an
 * isolated working tree at the head:
 *   worktree: `git worktree add --detach` + `git worktree remove --force`
 *   clone:    `git clone --shared --no-checkout` + `git checkout --detach`
 *   alternates: nightshift's createWorkspace (init + alternates + read-tree + checkout-index) + remove()
 *   alternatesCreateOnly: createWorkspace alone
 * Run: npx tsx bench/workspace.ts   (writes bench/results/workspace.json)
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createWorkspace } from '../shared/git/workspace.ts';
import { cleanGitEnv } from '../shared/git/run.ts';

const FILES = Number(process.env.BENCH_FILES ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const HISTORIES = [100, 5000];
const env = cleanGitEnv();
const sh = (cwd: string, args: string[], input?: string) => execa('git', args, { cwd, env, extendEnv: false, input: input ?? '' });

/** A fast-import stream: commit 1 adds FILES files, each later commit rewrites one file. */
function stream(commits: number): string {
  const out: string[] = [];
  const data = (s: string): string => `data ${Buffer.byteLength(s)}\n${s}\n`;
  for (let c = 1; c <= commits; c++) {
    out.push('commit refs/heads/main', `mark :${c}`, `committer bench <bench@localhost> ${1_700_000_000 + c} +0000`, data(`commit ${c}`).trimEnd());
    if (c > 1) out.push(`from :${c - 1}`);
    if (c === 1) {
      for (let f = 0; f < FILES; f++) out.push(`M 100644 inline src/d${f % 40}/file${f}.txt`, data(`file ${f}\n${'x'.repeat(800)}\n`).trimEnd());
    } else {
      const f = c % FILES;
      out.push(`M 100644 inline src/d${f % 40}/file${f}.txt`, data(`file ${f} v${c}\n${'y'.repeat(800)}\n`).trimEnd());
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

async function makeRepo(base: string, commits: number): Promise<{ repo: string; sha: string }> {
  const repo = path.join(base, `repo-${commits}`);
  await mkdir(repo);
  await sh(repo, ['init', '-q', '-b', 'main']);
  await sh(repo, ['fast-import', '--quiet'], stream(commits));
  await sh(repo, ['checkout', '-q', 'main']);
  const sha = (await sh(repo, ['rev-parse', 'HEAD'])).stdout.trim();
  return { repo, sha };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function time(fn: () => Promise<void>): Promise<number[]> {
  await fn(); // warm-up: page cache and git's first start
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'nightshift-bench-ws-'));
  const results: Record<string, unknown>[] = [];
  try {
    for (const commits of HISTORIES) {
      const { repo, sha } = await makeRepo(base, commits);
      const root = path.join(base, `ws-${commits}`);
      let n = 0;
      const worktree = await time(async () => {
        const dir = path.join(root, `wt-${n++}`);
        await sh(repo, ['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--detach', '-q', dir, sha]);
        await sh(repo, ['worktree', 'remove', '--force', dir]);
      });
      const clone = await time(async () => {
        const dir = path.join(root, `cl-${n++}`);
        await sh(base, ['clone', '-q', '--shared', '--no-checkout', repo, dir]);
        await sh(dir, ['-c', 'core.hooksPath=/dev/null', '-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', sha]);
        await rm(dir, { recursive: true, force: true });
      });
      const alternates = await time(async () => {
        const ws = await createWorkspace(repo, sha, root, { specId: 'bench', taskId: 't', attempt: n++ });
        await ws.remove();
      });
      // The same without removal, to split creation from deletion.
      const alternatesCreateOnly = await time(async () => {
        await createWorkspace(repo, sha, root, { specId: 'bench', taskId: 'c', attempt: n++ });
      });
      for (const [method, ms] of Object.entries({ worktree, clone, alternates, alternatesCreateOnly })) {
        results.push({ commits, files: FILES, method, medianMs: Math.round(median(ms)), runsMs: ms.map(Math.round) });
      }
    }
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  const out = { command: 'npx tsx bench/workspace.ts', at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, git: (await execa('git', ['--version'])).stdout, results };
  await mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(path.join(import.meta.dirname, 'results', 'workspace.json'), `${JSON.stringify(out, null, 2)}\n`);
  for (const r of results) console.log(`${String(r.commits).padStart(5)} commits  ${String(r.method).padEnd(20)} median ${r.medianMs} ms`);
}

await main();
