/**
 * Moving a completed spec out of the watched folder into
 * `<root>/archive/YYYY-MM/` (the UTC month of the given time). The move is a
 * hard link then an unlink, so it is atomic and never replaces an existing
 * archive file: a name already taken gets `-1`, `-2`, ... before its extension.
 */
import { link, mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { NightshiftError } from '../errors.ts';
import { fsyncDir } from './atomic.ts';
import { clearErrorsBeside } from './errors-file.ts';
import { loadSpec } from './loader.ts';

/** Most name suffixes tried before giving up. @default 1000 */
export const MAX_ARCHIVE_SUFFIX = 1000;

/** Archives the completed spec at `file` (absolute) under `root`; returns its new path. The caller holds the spec lock. */
export async function archiveSpecFile(file: string, root: string, now: Date): Promise<string> {
  const { spec } = await loadSpec(file);
  if (spec.status !== 'completed') {
    throw new NightshiftError('ILLEGAL_TRANSITION', `spec ${spec.id} is ${spec.status}; only a completed spec is archived (${file})`);
  }
  const dir = path.join(root, 'archive', now.toISOString().slice(0, 7));
  await mkdir(dir, { recursive: true });
  const ext = path.extname(file);
  const stem = path.basename(file, ext);
  for (let n = 0; n < MAX_ARCHIVE_SUFFIX; n++) {
    const dest = path.join(dir, n === 0 ? `${stem}${ext}` : `${stem}-${n}${ext}`);
    try {
      await link(file, dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    await fsyncDir(dir);
    await unlink(file);
    await fsyncDir(path.dirname(file));
    await clearErrorsBeside(file);
    return dest;
  }
  throw new NightshiftError('INTERNAL', `cannot archive ${file}: ${MAX_ARCHIVE_SUFFIX} files named ${stem}${ext} already exist in ${dir}`);
}
