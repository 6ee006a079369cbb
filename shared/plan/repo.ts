/**
 * The `repo.path` of a spec nightshift writes: a local path is checked (it
 * must be a folder; a folder without `.git` is a warning) and written
 * relative to the folder the spec will live in, since that is how the system
 * reads it. URLs and absolute paths are written as given.
 */
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { NightshiftError } from '../errors.ts';

/** `https://...`, `ssh://...`, `file://...` or scp-like `git@host:org/repo.git`. */
export function isRemoteRepo(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path) || /^[\w.-]+@[\w.-]+:/.test(path);
}

/**
 * Checks a local repository path (resolved against `cwd`) and returns a
 * warning when it is not a git repository. Throws BAD_REQUEST, naming
 * `option` (`--repo`, or where a spec file sets it), when it does not exist
 * or is not a folder.
 */
export async function checkRepo(path: string, cwd: string, option = '--repo'): Promise<string | undefined> {
  if (isRemoteRepo(path)) return undefined;
  const abs = resolve(cwd, path);
  const info = await stat(abs).catch(() => undefined);
  const todo = option.startsWith('--') ? 'pass' : 'set it to';
  if (info === undefined) throw new NightshiftError('BAD_REQUEST', `${option} ${path}: ${abs} does not exist; ${todo} the folder of the git repository the tasks change`);
  if (!info.isDirectory()) throw new NightshiftError('BAD_REQUEST', `${option} ${path}: ${abs} is not a folder; ${todo} the folder of the git repository the tasks change`);
  const git = await stat(join(abs, '.git')).catch(() => undefined);
  return git ? undefined : `${abs} is not the root of a git repository (no .git); nightshift needs one to make workspaces (run 'git init' there or pass the repository's root)`;
}

/**
 * `repo.path` for a spec written to `specFile`: a relative `path` given from
 * `cwd` becomes relative to the spec's folder ('.' when they are the same).
 */
export function repoPathFor(path: string, cwd: string, specFile: string): string {
  if (isRemoteRepo(path) || isAbsolute(path)) return path;
  const rel = relative(dirname(resolve(specFile)), resolve(cwd, path)).split('\\').join('/');
  return rel === '' ? '.' : rel;
}
