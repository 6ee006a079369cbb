/**
 * develop-task's diff capture: everything the agent changed in a workspace
 * against its base, as one binary patch plus a file list.
 *
 * Nothing in the workspace's own `.git` is trusted (the agent could have
 * rewritten its config, hooks, index or HEAD): git runs with GIT_DIR at the
 * user's repository, the workspace as work tree, a private index and a private
 * object directory that is deleted afterwards, so the user's object store
 * gains nothing either.
 */
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NightshiftError } from '../errors.ts';
import { joinStats, parseNumstat, parseRaw, type ChangedFile } from './diff-parse.ts';
import { git, gitText } from './run.ts';
import type { Workspace } from './workspace.ts';

export type { ChangedFile } from './diff-parse.ts';

export interface CapturedDiff {
  /** `git diff --binary --full-index -M` from the base to the workspace; empty when nothing changed. */
  diff: Buffer;
  /** The commit the diff is against. */
  baseSha: string;
  /** The tree the diff produces from the base (applyDiff onto baseSha recreates it). */
  tree: string;
  files: ChangedFile[];
  /** True when the agent changed nothing (an empty diff). */
  empty: boolean;
}

const GITLINK = '160000';
const SYMLINK = '120000';

function touchesGit(p: string): boolean {
  return p.split('/').some((part) => part.toLowerCase() === '.git');
}

function reject(message: string, file: string): never {
  throw new NightshiftError('DIFF_REJECTED', message, { details: { file } });
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A symlink may point only at a path inside the workspace and outside `.git`. */
async function checkSymlink(ws: Workspace, file: string, target: string): Promise<void> {
  if (target.startsWith('/') || /^[A-Za-z]:/.test(target)) reject(`symlink ${file} points at the absolute path ${target}; links must stay inside the workspace`, file);
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), target.replaceAll('\\', '/')));
  if (resolved === '..' || resolved.startsWith('../')) reject(`symlink ${file} points at ${target}, outside the workspace`, file);
  if (touchesGit(resolved)) reject(`symlink ${file} points into .git (${target})`, file);
  // Through other links the lexical answer can be wrong; where the target exists, ask the file system.
  const real = await realpath(path.join(ws.dir, file)).catch(() => null);
  const root = await realpath(ws.dir);
  if (real !== null && (!isInside(real, root) || isInside(real, path.join(root, '.git')))) {
    reject(`symlink ${file} resolves to ${real}, outside the workspace`, file);
  }
}

async function checkFiles(ws: Workspace, files: ChangedFile[], env: Record<string, string>): Promise<void> {
  for (const f of files) {
    for (const p of [f.path, f.oldPath]) if (p !== undefined && touchesGit(p)) reject(`the change touches ${p}, inside a .git folder`, p);
    if (f.newMode === GITLINK) reject(`${f.path} is a nested git repository (gitlink); commit its files instead`, f.path);
    if (f.newMode === SYMLINK) {
      const target = await gitText(['cat-file', 'blob', f.newBlob], { cwd: ws.dir, env });
      await checkSymlink(ws, f.path, target);
    }
  }
}

/**
 * Captures the agent's changes in `ws` against `ws.baseSha`: new (untracked,
 * not ignored) files, deletions, renames, mode changes and binaries. Throws
 * DIFF_REJECTED for a path inside `.git`, a nested repository, or a symlink
 * that leaves the workspace.
 */
export async function captureDiff(ws: Workspace): Promise<CapturedDiff> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'nightshift-capture-'));
  try {
    const objects = path.join(scratch, 'objects');
    await mkdir(objects);
    const env = {
      GIT_DIR: ws.repo.commonDir,
      GIT_WORK_TREE: ws.dir,
      GIT_INDEX_FILE: path.join(scratch, 'index'),
      GIT_OBJECT_DIRECTORY: objects,
      GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(ws.repo.commonDir, 'objects'),
    };
    const at = { cwd: ws.dir, env };
    await git(['read-tree', ws.baseSha], at);
    const added = await git(['add', '--all', '--', '.'], { ...at, allowFail: true });
    if (added.code !== 0) {
      // git itself refuses paths such as `x/.GIT/config`; say so as a rejection, not a crash.
      const bad = /invalid path '(.+?)'/.exec(added.stderr)?.[1];
      if (bad) reject(`the change touches ${bad}, a path git refuses (inside a .git folder)`, bad);
      throw new NightshiftError('GIT_FAILED', `git add failed in workspace ${ws.dir}: ${added.stderr}`);
    }
    const tree = await gitText(['write-tree'], at);
    const range = [ws.baseSha, tree];
    const raw = parseRaw((await git(['diff-tree', '-r', '-z', '-M', '--raw', ...range], at)).stdout);
    const files = joinStats(raw, parseNumstat((await git(['diff-tree', '-r', '-z', '-M', '--numstat', ...range], at)).stdout));
    await checkFiles(ws, files, env);
    if (files.length === 0) return { diff: Buffer.alloc(0), baseSha: ws.baseSha, tree, files, empty: true };
    const patch = ['diff-tree', '-p', '--binary', '--full-index', '-M', '--no-color', '--no-ext-diff', '--no-textconv', ...range];
    const { stdout } = await git(patch, at);
    return { diff: stdout, baseSha: ws.baseSha, tree, files, empty: false };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
