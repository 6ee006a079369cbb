/**
 * What an agent must not change besides files: git directories. The
 * workspace's own `.git` (hooks or config there would run later, in a git
 * command nightshift or a person starts) and the user's repository's `.git`
 * (reachable by absolute path when no sandbox runs). Fingerprints of their
 * hooks, config and info are taken before the agent and compared after; a
 * change fails the attempt and nothing of it lands. Only the bwrap sandbox
 * prevents the write itself (docs/decisions/pipeline.md).
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/** The parts of a git directory that change what git runs or how. @default config, hooks, info and HEAD */
export const GIT_CONTROL = ['config', 'hooks', 'info', 'HEAD'] as const;

async function entry(file: string, hash: ReturnType<typeof createHash>): Promise<void> {
  const st = await lstat(file).catch(() => null);
  if (!st) return;
  hash.update(`${file}\0${st.mode}\0`);
  if (st.isSymbolicLink()) hash.update(await readlink(file));
  else if (st.isDirectory()) for (const name of (await readdir(file)).sort()) await entry(path.join(file, name), hash);
  else if (st.isFile()) hash.update(await readFile(file));
}

/** A hash of the `parts` of a git directory (their names, modes and contents). */
export async function gitDirFingerprint(gitDir: string, parts: readonly string[] = GIT_CONTROL): Promise<string> {
  const hash = createHash('sha256');
  for (const name of parts) await entry(path.join(gitDir, name), hash);
  return hash.digest('hex');
}

export interface WatchedGitDir {
  dir: string;
  /** @default GIT_CONTROL */
  parts?: readonly string[];
}

/** Fingerprints `dirs` now; the returned function names the ones that changed since. */
export async function watchGitDirs(dirs: Record<string, WatchedGitDir>): Promise<() => Promise<string[]>> {
  const print = (d: WatchedGitDir) => gitDirFingerprint(d.dir, d.parts);
  const before = new Map<string, string>();
  for (const [name, d] of Object.entries(dirs)) before.set(name, await print(d));
  return async () => {
    const changed: string[] = [];
    for (const [name, d] of Object.entries(dirs)) if ((await print(d)) !== before.get(name)) changed.push(name);
    return changed;
  };
}
