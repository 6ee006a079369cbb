/**
 * collect-diff's plumbing: apply a task's diff onto the integration head in a
 * private index (never the user's index or files), turn the tree into a
 * commit, and keep it on a private candidate ref.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NightshiftError } from '../errors.ts';
import { resolveCommit } from './branch.ts';
import { atRepo, candidateRef, fullSha, openRepo, type RepoDirs } from './repo.ts';
import { git, gitText } from './run.ts';

export interface ApplyInput {
  /** The binary patch from captureDiff. */
  diff: Buffer | string;
  /** The commit to apply onto (normally the integration branch head). */
  onto: string;
  /** The commit the diff was taken against; when it differs from `onto` the apply is three-way. */
  baseSha: string;
}

export type ApplyResult =
  | { ok: true; tree: string }
  | { ok: false; reason: 'conflict'; files: string[]; message: string };

/** Messages of `git apply` that mean "the base moved under this change", not "the patch is broken". */
const CONFLICT_TEXT = /patch does not apply|does not exist in index|already exists in index|does not match index|with conflicts/;

async function conflictFiles(dirs: RepoDirs, env: Record<string, string>, stderr: string): Promise<string[]> {
  const unmerged = (await git(['ls-files', '-u', '-z'], atRepo(dirs, env))).stdout.toString('utf8');
  const files = new Set<string>();
  for (const line of unmerged.split('\0')) {
    const tab = line.indexOf('\t');
    if (tab > 0) files.add(line.slice(tab + 1));
  }
  for (const m of stderr.matchAll(/^error: (?:patch failed: )?(.+?)(?::\d+)?: (?:patch does not apply|does not exist in index|already exists in index|does not match index)$/gm)) {
    if (m[1]) files.add(m[1]);
  }
  for (const m of stderr.matchAll(/^error: patch failed: (.+?):\d+$/gm)) if (m[1]) files.add(m[1]);
  return [...files].sort();
}

/**
 * Applies `diff` onto `onto` in a scratch index (`git apply --cached
 * --binary`, with `--3way` when the base moved) and returns the resulting
 * tree, or `{ ok: false, reason: 'conflict' }` naming the files that clash.
 * A patch git cannot read at all throws GIT_FAILED.
 */
export async function applyDiff(repo: string, input: ApplyInput): Promise<ApplyResult> {
  const dirs = await openRepo(repo);
  fullSha(input.onto, 'onto');
  fullSha(input.baseSha, 'baseSha');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'nightshift-apply-'));
  try {
    // An empty work tree of our own: even a git that wanted to write files could write only here.
    await mkdir(path.join(scratch, 'wt'));
    const env = { GIT_INDEX_FILE: path.join(scratch, 'index'), GIT_WORK_TREE: path.join(scratch, 'wt') };
    const at = atRepo(dirs, env);
    await git(['read-tree', input.onto], at);
    if (input.diff.length > 0) {
      const args = ['apply', '--cached', '--binary', ...(input.onto === input.baseSha ? [] : ['--3way']), '-'];
      const r = await git(args, { ...at, input: input.diff, allowFail: true });
      if (r.code !== 0) {
        const files = await conflictFiles(dirs, env, r.stderr);
        if (files.length > 0 || CONFLICT_TEXT.test(r.stderr)) {
          return { ok: false, reason: 'conflict', files, message: `the diff does not apply onto ${input.onto}: ${r.stderr}` };
        }
        throw new NightshiftError('GIT_FAILED', `git apply could not read the diff: ${r.stderr}`);
      }
    }
    return { ok: true, tree: await gitText(['write-tree'], at) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Writes a commit of `tree` with `parent` and `message` (`git commit-tree`) and returns its sha. */
export async function commitTree(repo: string, tree: string, parent: string, message: string): Promise<string> {
  const dirs = await openRepo(repo);
  fullSha(tree, 'tree');
  if ((await resolveCommit(dirs, fullSha(parent, 'parent'))) !== parent) throw new NightshiftError('GIT_FAILED', `parent ${parent} is not a commit in ${repo}`);
  return gitText(['commit-tree', tree, '-p', parent, '-F', '-'], { ...atRepo(dirs), input: message });
}

/** Points `refs/nightshift/candidates/<spec>/<task>/<attempt>` at `commit` and returns the ref name. */
export async function writeCandidate(repo: string, ids: { specId: string; taskId: string; attempt: number }, commit: string): Promise<string> {
  const dirs = await openRepo(repo);
  const ref = candidateRef(ids.specId, ids.taskId, ids.attempt);
  await git(['update-ref', '-m', 'nightshift: candidate', ref, fullSha(commit, 'candidate')], atRepo(dirs));
  return ref;
}
