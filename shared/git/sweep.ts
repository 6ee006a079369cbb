/**
 * Removes workspaces that crashed workers left behind. A workspace belongs to
 * a repository when its `objects/info/alternates` names that repository's
 * object store; a half-made one (no alternates yet) belongs to anybody.
 */
import { lstat, readdir, readFile, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { forceRemove } from './remove.ts';
import { openRepo } from './repo.ts';

export interface OrphanInfo {
  /** Absolute path of the workspace. */
  dir: string;
  /** The spec folder it sits in. */
  specId: string;
  /** `<task>-<attempt>-<random>`. */
  name: string;
  /** Time since the workspace folder last changed, in milliseconds. */
  ageMs: number;
}

export interface SweepOptions {
  /** Only workspaces whose folder has not changed for this long are removed. */
  olderThanMs: number;
  /** Keeps a workspace a live worker still uses (for example one with a fresh heartbeat). @default none is live */
  isLive?: (info: OrphanInfo) => boolean | Promise<boolean>;
  /** @default Date.now */
  now?: () => number;
}

async function owner(dir: string): Promise<string | null> {
  const text = await readFile(path.join(dir, '.git', 'objects', 'info', 'alternates'), 'utf8').catch(() => null);
  return text === null ? null : (text.split('\n')[0] ?? '').trim();
}

/** Removes old, not-live workspaces of `repo` under `root`; returns the folders removed. */
export async function sweepWorkspaces(repo: string, root: string, options: SweepOptions): Promise<string[]> {
  const objects = path.join((await openRepo(repo)).commonDir, 'objects');
  const now = (options.now ?? Date.now)();
  const removed: string[] = [];
  const specs = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const spec of specs) {
    if (!spec.isDirectory()) continue;
    const specDir = path.join(root, spec.name);
    for (const name of await readdir(specDir).catch(() => [] as string[])) {
      const dir = path.join(specDir, name);
      const st = await lstat(dir).catch(() => null);
      if (!st?.isDirectory()) continue;
      const info: OrphanInfo = { dir, specId: spec.name, name, ageMs: now - st.mtimeMs };
      if (info.ageMs < options.olderThanMs) continue;
      const of = await owner(dir);
      if (of !== null && of !== objects) continue;
      if (await options.isLive?.(info)) continue;
      await forceRemove(dir);
      removed.push(dir);
    }
    await rmdir(specDir).catch(() => undefined);
  }
  return removed;
}
