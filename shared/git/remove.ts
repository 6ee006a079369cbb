/**
 * Deleting a directory an agent had its hands on: it may have made folders
 * read-only, so a plain recursive rm can fail with EACCES; then everything is
 * made writable and the rm runs again.
 */
import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { NightshiftError } from '../errors.ts';

async function makeWritable(dir: string): Promise<void> {
  const st = await lstat(dir).catch(() => null);
  if (!st?.isDirectory()) return;
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries) await makeWritable(path.join(dir, entry));
}

/** Removes `dir` and everything below it; a missing `dir` is fine. Never follows symlinks. */
export async function forceRemove(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    await makeWritable(dir);
    try {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (err) {
      throw new NightshiftError('WORKSPACE_INVALID', `could not remove workspace ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}
