/**
 * Finding a repository's directories, and the name rules for the refs
 * nightshift writes.
 */
import { NightshiftError } from '../errors.ts';
import { gitText } from './run.ts';

export interface RepoDirs {
  /** The git dir of the path given (for a linked worktree, its own dir under .git/worktrees). */
  gitDir: string;
  /** Where objects and refs live (`.git` of the main worktree, or the bare repo). */
  commonDir: string;
  /** The checked-out working tree, or null for a bare repository. */
  workTree: string | null;
}

/**
 * Directories found so far, by the path given. A repository's directories do
 * not move while nightshift runs, and each lookup costs two git processes
 * (spawning from a large process is slow): every pipeline step asks several
 * times. Failures are not kept.
 */
const known = new Map<string, Promise<RepoDirs>>();

/** Resolves `repo` (a working tree or a bare repository path) to absolute git directories (remembered per path). */
export function openRepo(repo: string): Promise<RepoDirs> {
  let dirs = known.get(repo);
  if (!dirs) {
    dirs = findRepo(repo);
    known.set(repo, dirs);
    dirs.catch(() => known.delete(repo));
  }
  return dirs;
}

async function findRepo(repo: string): Promise<RepoDirs> {
  const out = await gitText(['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir', '--is-bare-repository'], { cwd: repo });
  const [gitDir, commonDir, bare] = out.split('\n');
  if (!gitDir || !commonDir) throw new NightshiftError('GIT_FAILED', `${repo} is not a git repository`);
  const workTree = bare === 'true' ? null : await gitText(['rev-parse', '--path-format=absolute', '--show-toplevel'], { cwd: repo });
  return { gitDir, commonDir, workTree };
}

/** Git options that point at the repository's common dir explicitly, never at a `.git` found by walking up. */
export function atRepo(dirs: RepoDirs, env: Record<string, string> = {}): { env: Record<string, string>; cwd: string } {
  return { env: { GIT_DIR: dirs.commonDir, ...env }, cwd: dirs.commonDir };
}

/**
 * One path component of a ref nightshift writes (a spec id, task id or
 * attempt). Spec and task ids are already `[a-z0-9._-]`; this adds git's own
 * rules (no leading '.', no '..', no trailing '.' or '.lock').
 */
export function refPart(value: string | number, what: string): string {
  const s = String(value);
  const ok =
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(s) && !s.includes('..') && !s.endsWith('.') && !s.endsWith('.lock');
  if (!ok) throw new NightshiftError('GIT_BAD_NAME', `${what} "${s}" cannot be part of a git ref name`);
  return s;
}

/** `nightshift/<spec>`: the integration branch of a spec. */
export function integrationBranch(specId: string): string {
  return `nightshift/${refPart(specId, 'spec id')}`;
}

/** `refs/nightshift/candidates/<spec>/<task>/<attempt>`: collect-diff's candidate commit. */
export function candidateRef(specId: string, taskId: string, attempt: number): string {
  return `refs/nightshift/candidates/${refPart(specId, 'spec id')}/${refPart(taskId, 'task id')}/${refPart(attempt, 'attempt')}`;
}

/** `refs/nightshift/landed/<spec>/<task>`: the squash commit a task landed as (written with the branch, atomically). */
export function landedRef(specId: string, taskId: string): string {
  return `refs/nightshift/landed/${refPart(specId, 'spec id')}/${refPart(taskId, 'task id')}`;
}

/** `refs/heads/<branch>` after checking the branch name against git's rules. */
export function branchRef(branch: string): string {
  const parts = branch.split('/');
  if (parts.length === 0 || parts.some((p) => p === '')) throw new NightshiftError('GIT_BAD_NAME', `branch "${branch}" is not a valid branch name`);
  for (const p of parts) refPart(p, `branch "${branch}" component`);
  return `refs/heads/${branch}`;
}

export const ZERO_SHA = '0000000000000000000000000000000000000000';
const SHA = /^[0-9a-f]{40}$/;

/** Throws GIT_BAD_NAME unless `sha` is a full 40-hex object name. */
export function fullSha(sha: string, what: string): string {
  if (!SHA.test(sha)) throw new NightshiftError('GIT_BAD_NAME', `${what} "${sha}" is not a full 40-character sha`);
  return sha;
}
