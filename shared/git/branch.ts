/**
 * The integration branch `nightshift/<spec>`: created at the base once, read
 * by its head. Only refs change; the user's HEAD, index and files never do.
 */
import { NightshiftError } from '../errors.ts';
import { git, gitText } from './run.ts';
import { atRepo, branchRef, openRepo, ZERO_SHA, type RepoDirs } from './repo.ts';

/** The commit `rev` names in the repository, or null when it names none. */
export async function resolveCommit(dirs: RepoDirs, rev: string): Promise<string | null> {
  if (rev.startsWith('-')) throw new NightshiftError('GIT_BAD_NAME', `revision "${rev}" may not start with '-'`);
  const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { ...atRepo(dirs), allowFail: true });
  return r.code === 0 ? r.stdout.toString('utf8').trim() : null;
}

/** The sha `refs/heads/<branch>` points at, or null when the branch does not exist. */
export async function head(repo: string, branch: string): Promise<string | null> {
  const dirs = await openRepo(repo);
  return resolveCommit(dirs, branchRef(branch));
}

/**
 * Creates `refs/heads/<branch>` at `base` (a branch name, tag or sha) when it
 * does not exist yet, and returns the branch head either way. Creation is a
 * compare-and-swap against "no such ref", so two callers racing agree.
 */
export async function ensureBranch(repo: string, branch: string, base: string): Promise<{ head: string; created: boolean }> {
  const dirs = await openRepo(repo);
  const ref = branchRef(branch);
  const existing = await resolveCommit(dirs, ref);
  if (existing) return { head: existing, created: false };
  const baseSha = await resolveCommit(dirs, base);
  if (!baseSha) throw new NightshiftError('GIT_FAILED', `base "${base}" names no commit in ${repo}`);
  const r = await git(['update-ref', '-m', 'nightshift: create integration branch', ref, baseSha, ZERO_SHA], { ...atRepo(dirs), allowFail: true });
  const now = await gitText(['rev-parse', '--verify', ref], { ...atRepo(dirs) });
  return { head: now, created: r.code === 0 };
}
