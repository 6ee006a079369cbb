/**
 * review-diff's landing: one squash commit per task on the integration branch,
 * by a compare-and-swap ref update. The branch ref and the task's landed ref
 * (`refs/nightshift/landed/<spec>/<task>`) move in one ref transaction, so a
 * task lands at most once even when two reviewers race or an event repeats.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NightshiftError } from '../errors.ts';
import { resolveCommit } from './branch.ts';
import { atRepo, branchRef, fullSha, landedRef, openRepo, type RepoDirs } from './repo.ts';
import { git, gitText } from './run.ts';

export interface TaskIds {
  specId: string;
  taskId: string;
  attempt: number;
}

export interface LandInput {
  ids: TaskIds;
  /** The candidate commit from collect-diff (its tree lands); give this or `tree`. */
  candidate?: string;
  /** The tree to land; give this or `candidate`. */
  tree?: string;
  /** The branch head the tree was built on; the update fails if the branch is elsewhere. */
  expectedOld: string;
  /** First line of the commit message (newlines become spaces). */
  title: string;
  /** Message body. @default none */
  body?: string;
}

export type LandResult =
  | { ok: true; commit: string; alreadyLanded: boolean }
  | { ok: false; moved: true; current: string | null };

/** Lines of the trailer block, in this order. */
export function trailers(ids: TaskIds): string {
  return `Spec-Id: ${ids.specId}\nTask-Id: ${ids.taskId}\nAttempt: ${ids.attempt}\n`;
}

/** `title`, blank line, `body`, blank line, the Spec-Id / Task-Id / Attempt trailers. */
export function commitMessage(title: string, body: string | undefined, ids: TaskIds): string {
  const head = title.replace(/\s*[\r\n]+\s*/g, ' ').trim() || `nightshift: ${ids.specId}/${ids.taskId}`;
  const text = body?.replace(/\r\n?/g, '\n').trim();
  return `${head}\n\n${text ? `${text}\n\n` : ''}${trailers(ids)}`;
}

/** The commit a task landed as by its landed ref (written with the branch in one ref transaction), or null. One git process. */
export function landedCommit(dirs: RepoDirs, ids: Pick<TaskIds, 'specId' | 'taskId'>): Promise<string | null> {
  return resolveCommit(dirs, landedRef(ids.specId, ids.taskId));
}

/** The commit a task already landed as: its landed ref, else a trailer match in the branch's recent log. */
export async function findLanded(dirs: RepoDirs, branch: string, ids: TaskIds): Promise<string | null> {
  const byRef = await resolveCommit(dirs, landedRef(ids.specId, ids.taskId));
  if (byRef) return byRef;
  // The log scan covers branches landed before the ref existed or by hand; 2000 = the most tasks a spec holds.
  const format = '%H%x1f%(trailers:key=Spec-Id,valueonly,separator=%x2C)%x1f%(trailers:key=Task-Id,valueonly,separator=%x2C)%x1e';
  const out = await gitText(['log', '--first-parent', '-n', '2000', `--format=${format}`, branchRef(branch), '--'], atRepo(dirs));
  for (const rec of out.split('\x1e')) {
    const [sha, spec, task] = rec.trim().split('\x1f');
    if (sha && spec?.trim() === ids.specId && task?.trim() === ids.taskId) return sha;
  }
  return null;
}

/** Throws BRANCH_CHECKED_OUT when a worktree of the repository has `branch` checked out. */
async function refuseCheckedOut(dirs: RepoDirs, branch: string): Promise<void> {
  const list = (await git(['worktree', 'list', '--porcelain', '-z'], atRepo(dirs))).stdout.toString('utf8');
  if (list.split('\0').includes(`branch ${branchRef(branch)}`)) {
    throw new NightshiftError('BRANCH_CHECKED_OUT', `branch ${branch} is checked out in a worktree of ${dirs.commonDir}; check out another branch so nightshift can land on it`);
  }
}

/**
 * Lands one squash commit for a task on `branch`: builds the commit on
 * `expectedOld` and swaps the branch from `expectedOld` to it. If the task
 * landed already, returns that commit (`alreadyLanded: true`) and writes
 * nothing; if the branch moved, returns `{ ok: false, moved: true, current }`
 * so the caller re-applies onto `current`.
 */
export async function landCommit(repo: string, branch: string, input: LandInput): Promise<LandResult> {
  const dirs = await openRepo(repo);
  const ref = branchRef(branch);
  const landed = landedRef(input.ids.specId, input.ids.taskId);
  const old = fullSha(input.expectedOld, 'expectedOld');
  const before = await findLanded(dirs, branch, input.ids);
  if (before) return { ok: true, commit: before, alreadyLanded: true };
  await refuseCheckedOut(dirs, branch);
  const from = input.candidate ?? input.tree;
  if (!from) throw new NightshiftError('GIT_BAD_NAME', 'landCommit needs a candidate commit or a tree');
  const tree = await gitText(['rev-parse', '--verify', `${fullSha(from, 'candidate or tree')}^{tree}`], atRepo(dirs));
  const message = commitMessage(input.title, input.body, input.ids);
  const commit = await gitText(['commit-tree', tree, '-p', old, '-F', '-'], { ...atRepo(dirs), input: message });
  const transaction = `update ${ref} ${commit} ${old}\ncreate ${landed} ${commit}\n`;
  for (let tries = 0; ; tries++) {
    const r = await git(['update-ref', '-m', `nightshift: land ${input.ids.specId}/${input.ids.taskId}`, '--stdin'], { ...atRepo(dirs), input: transaction, allowFail: true });
    if (r.code === 0) return { ok: true, commit, alreadyLanded: false };
    const winner = await resolveCommit(dirs, landed);
    if (winner) return { ok: true, commit: winner, alreadyLanded: true };
    const current = await resolveCommit(dirs, ref);
    if (current !== old) return { ok: false, moved: true, current };
    // Same head and not landed: another writer held the ref lock for a moment. Try again briefly.
    if (tries >= 4) throw new NightshiftError('GIT_FAILED', `could not update ${ref} in ${dirs.commonDir}: ${r.stderr}`, { retryable: true });
    await sleep(20 * 2 ** tries);
  }
}
