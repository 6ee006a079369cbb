/**
 * Real git repositories in temp dirs for the shared/git tests: a "user's
 * checkout" with text, binary, executable and renameable files, a dirty
 * uncommitted change, and a snapshot of everything nightshift must not touch.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cleanGitEnv } from '../../shared/git/run.ts';

export interface Fixture {
  /** Parent temp dir; removed by cleanup(). */
  tmp: string;
  /** The user's checkout. */
  repo: string;
  /** A workspace root outside the checkout. */
  root: string;
  /** The commit the checkout was made at (also refs/heads/main). */
  base: string;
  /** Runs git in the user's checkout (test setup only; not the runner under test). */
  sh(args: string[], input?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export const LINES = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
export const BINARY = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37) % 256));

export async function makeFixture(): Promise<Fixture> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nightshift-git-'));
  const repo = path.join(tmp, 'checkout');
  const root = path.join(tmp, 'home', 'workspaces');
  const env = cleanGitEnv();
  const sh = async (args: string[], input?: string): Promise<string> =>
    (await execa('git', args, { cwd: repo, env, extendEnv: false, input: input ?? '' })).stdout;
  await mkdir(path.join(repo, 'src'), { recursive: true });
  await mkdir(path.join(repo, 'bin'));
  await writeFile(path.join(repo, 'src', 'a.txt'), LINES);
  await writeFile(path.join(repo, 'src', 'b.txt'), LINES.replaceAll('line', 'bee'));
  await writeFile(path.join(repo, 'src', 'old-name.txt'), LINES.replaceAll('line', 'moving'));
  await writeFile(path.join(repo, 'bin', 'tool.sh'), '#!/bin/sh\necho tool\n');
  await writeFile(path.join(repo, 'img.bin'), BINARY);
  await writeFile(path.join(repo, 'gone.txt'), 'to be deleted\n');
  await writeFile(path.join(repo, '.gitignore'), 'build/\n');
  await sh(['init', '-q', '-b', 'main']);
  await sh(['add', '-A']);
  await sh(['commit', '-q', '-m', 'base']);
  const base = await sh(['rev-parse', 'HEAD']);
  // The user is mid-work: a staged change, an unstaged change and an untracked file.
  await writeFile(path.join(repo, 'src', 'b.txt'), 'user staged edit\n');
  await sh(['add', 'src/b.txt']);
  await writeFile(path.join(repo, 'src', 'a.txt'), `${LINES}user unstaged edit\n`);
  await writeFile(path.join(repo, 'notes.txt'), 'user untracked notes\n');
  return { tmp, repo, root, base, sh, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}

async function hashTree(dir: string, skip: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (p === skip) continue;
      h.update(path.relative(dir, p));
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) h.update(await readFile(p));
    }
  };
  await walk(dir);
  return h.digest('hex');
}

/** Everything of the user's that nightshift must leave alone: HEAD, index, status, files, branches, worktrees. */
export async function userState(f: Fixture): Promise<Record<string, string>> {
  return {
    head: await f.sh(['symbolic-ref', 'HEAD']),
    headSha: await f.sh(['rev-parse', 'HEAD']),
    index: await f.sh(['ls-files', '-s']),
    status: await f.sh(['status', '--porcelain=v1', '--untracked-files=all']),
    files: await hashTree(f.repo, path.join(f.repo, '.git')),
    main: await f.sh(['rev-parse', 'refs/heads/main']),
    worktrees: await f.sh(['worktree', 'list', '--porcelain']),
  };
}
