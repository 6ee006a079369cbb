/**
 * Crash-safe file writes: a reader (or a crash) sees the old file or the new
 * one, never a mix. The temp file sits in the same directory (rename is only
 * atomic within one file system) under a hidden name that watchers ignore.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink, readdir } from 'node:fs/promises';
import path from 'node:path';

/** sha256 hex of a text, the content hash the store compares. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `.<name>.<pid>.<random>.tmp` beside `file`: hidden, and carries the writer's pid for cleanup. */
export function tempPathFor(file: string): string {
  const dir = path.dirname(file);
  return path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes `text` to a new temp file beside `file` with permission bits `mode` (@default 0o644) and fsyncs it; returns the temp path. */
export async function writeTemp(file: string, text: string, mode = 0o644): Promise<string> {
  const tmp = tempPathFor(file);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.chmod(mode); // explicit, so the umask does not change a spec's permissions
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  return tmp;
}

/** fsync a directory so a rename in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Renames a synced temp file over `file` and fsyncs the directory. */
export async function commitTemp(tmp: string, file: string): Promise<void> {
  await rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

/** Atomic write: temp file + write + fsync + rename + fsync of the directory. */
export async function writeFileAtomic(file: string, text: string, mode?: number): Promise<void> {
  const tmp = await writeTemp(file, text, mode);
  try {
    await commitTemp(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** True when a process with this pid exists on this host (EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files of `file` left by writers that died mid-write (their pid
 * is gone). Called after a stale lock is recovered, which is when they exist.
 */
export async function sweepDeadTemps(file: string): Promise<number> {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (pidAlive(pid)) continue;
    await unlink(path.join(dir, name)).then(() => removed++, () => undefined);
  }
  return removed;
}
