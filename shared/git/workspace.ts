/**
 * develop-task's workspace: a fresh private repository outside the user's
 * checkout whose object store borrows the user's through `alternates`, with
 * the base commit checked out. Nothing is copied from history and nothing is
 * registered in the user's repository (see docs/decisions/workspaces.md).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NightshiftError } from '../errors.ts';
import { resolveCommit } from './branch.ts';
import { forceRemove } from './remove.ts';
import { fullSha, openRepo, refPart, type RepoDirs } from './repo.ts';
import { git } from './run.ts';

/** Where a workspace sits under the root: `<specId>/<taskId>-<attempt>-<random>`. */
export interface WorkspaceLabel {
  /** @default "adhoc" */
  specId?: string;
  /** @default "ws" */
  taskId?: string;
  /** @default 0 */
  attempt?: number;
}

export interface Workspace {
  /** The working tree the agent edits (absolute). */
  dir: string;
  /** The commit the tree was checked out at; diffs are taken against it. */
  baseSha: string;
  /** The user's repository the workspace borrows objects from. */
  repo: RepoDirs;
  /** Deletes the workspace. Safe to call twice, after a crash of the agent, or on a half-made workspace. */
  remove(): Promise<void>;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Creates the root and refuses a root inside the user's working tree or git dir. */
async function checkRoot(dirs: RepoDirs, root: string): Promise<string> {
  await mkdir(root, { recursive: true });
  const real = await realpath(root);
  for (const forbidden of [dirs.workTree, dirs.commonDir]) {
    if (forbidden && isInside(real, await realpath(forbidden))) {
      throw new NightshiftError('WORKSPACE_INVALID', `workspace root ${root} is inside the repository ${forbidden}; put it outside the checkout (for example under NIGHTSHIFT_HOME)`);
    }
  }
  return real;
}

/**
 * Makes an isolated working tree of `sha` under `root`. The workspace has its
 * own `.git` (so agent CLIs that expect a repository work) with no remotes,
 * no hooks and no refs but a detached HEAD; its `objects/info/alternates`
 * names the user's object store, so creation costs one checkout of the tree
 * whatever the length of the history.
 */
export async function createWorkspace(repo: string, sha: string, root: string, label: WorkspaceLabel = {}): Promise<Workspace> {
  const dirs = await openRepo(repo);
  fullSha(sha, 'workspace base');
  if ((await resolveCommit(dirs, sha)) !== sha) throw new NightshiftError('GIT_FAILED', `commit ${sha} does not exist in ${repo}`);
  const realRoot = await checkRoot(dirs, root);
  const specDir = path.join(realRoot, refPart(label.specId ?? 'adhoc', 'spec id'));
  const name = `${refPart(label.taskId ?? 'ws', 'task id')}-${refPart(label.attempt ?? 0, 'attempt')}-${randomBytes(4).toString('hex')}`;
  const dir = path.join(specDir, name);
  await mkdir(specDir, { recursive: true });
  await mkdir(dir);
  const remove = async (): Promise<void> => {
    await forceRemove(dir);
    // The spec folder goes when its last workspace goes; another one may still be there.
    await rmdir(specDir).catch(() => undefined);
  };
  try {
    // An empty template: no sample hooks, no description, nothing to trust.
    await git(['init', '--quiet', '--template=', dir]);
    const gitDir = path.join(dir, '.git');
    await mkdir(path.join(gitDir, 'objects', 'info'), { recursive: true });
    await writeFile(path.join(gitDir, 'objects', 'info', 'alternates'), `${path.join(dirs.commonDir, 'objects')}\n`);
    const env = { GIT_DIR: gitDir, GIT_WORK_TREE: dir };
    // read-tree + checkout-index: `read-tree -u` measured 10x slower here (docs/decisions/workspaces.md).
    await git(['read-tree', sha], { cwd: dir, env });
    await git(['checkout-index', '--all', '-u'], { cwd: dir, env });
    await git(['update-ref', '--no-deref', '-m', 'nightshift: workspace base', 'HEAD', sha], { cwd: dir, env });
  } catch (err) {
    await remove();
    throw err;
  }
  return { dir, baseSha: sha, repo: dirs, remove };
}
