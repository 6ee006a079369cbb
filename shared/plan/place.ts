/**
 * Puts a new spec into `specs/active/` the way the watcher wants it: written
 * and fsynced under a hidden temp name (which the watcher ignores), then
 * linked to its real name, which fails if that name exists, so a spec that is
 * already there is never overwritten, not even by a racing submit. The
 * folder is fsynced so the new name survives a power cut.
 */
import { link, readdir, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { fsyncDir, writeTemp } from '../spec/atomic.ts';
import { SPEC_LIMITS } from '../spec/schema.ts';

/** Ids of the specs in `dir`: file names (without .yaml/.yml) and the `id` each file declares. */
export async function existingIds(dir: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const m = /^([^.].*)\.ya?ml$/.exec(name);
    if (!m) continue;
    ids.add(m[1]!);
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    if (text === '' || Buffer.byteLength(text) > SPEC_LIMITS.maxBytes) continue;
    const id: unknown = parseDocument(text, { logLevel: 'silent' }).get('id');
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

/** Writes `text` to `file` if no file has that name; false when one does. The write is atomic. */
export async function placeNew(file: string, text: string): Promise<boolean> {
  const tmp = await writeTemp(file, text);
  try {
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await fsyncDir(dirname(file));
  return true;
}

/** `specs/active/<id>.yaml` for a spec id. */
export function activeFile(activeDir: string, id: string): string {
  return join(activeDir, `${basename(id)}.yaml`);
}
