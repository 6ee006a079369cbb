/**
 * A private per-run directory outside the workspace, so nothing in it shows
 * up in the task's diff: `home/` (the run's HOME), `tmp/` (TMPDIR) and the
 * files nightshift hands over (task JSON, prompt). Removed after the run.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { NightshiftError } from '../errors.ts';

export interface RunDir {
  root: string;
  home: string;
  tmp: string;
  /** Writes a file readable only by this user and returns its path. */
  write(name: string, content: string): Promise<string>;
  /** Removes the directory and everything in it. */
  dispose(): Promise<void>;
}

/**
 * Creates a run directory under `parent`, which must not be inside
 * `workspace`. @default parent os.tmpdir()
 */
export async function createRunDir(workspace: string, parent: string = tmpdir()): Promise<RunDir> {
  if (isInside(resolve(parent), resolve(workspace))) {
    throw new NightshiftError('EXEC_SPAWN_FAILED', `the run directory parent ${parent} is inside the workspace ${workspace}; its files would end up in the diff`);
  }
  const root = await mkdtemp(join(parent, 'nightshift-run-'));
  const home = join(root, 'home');
  const tmp = join(root, 'tmp');
  await mkdir(home, { mode: 0o700 });
  await mkdir(tmp, { mode: 0o700 });
  return {
    root,
    home,
    tmp,
    async write(name, content) {
      const path = join(root, name);
      await writeFile(path, content, { mode: 0o600 });
      return path;
    },
    async dispose() {
      await rm(root, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** True when `child` is `dir` or below it. */
export function isInside(child: string, dir: string): boolean {
  const rel = relative(dir, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
