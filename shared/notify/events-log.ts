/**
 * `<id>.events.log`: one JSON line per notification, beside the spec file,
 * so a person finds a spec's history next to it. While the spec is in
 * `active/` the log is `active/<id>.events.log`; when the spec completes and
 * is archived, the log moves beside it (`archive/YYYY-MM/<id>.events.log`)
 * and the completion is appended there. The watcher and the reconcile only
 * read `*.yaml` / `*.yml` (shared/watch/names.ts), so the log triggers nothing.
 */
import { access, appendFile, mkdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Notification } from './message.ts';

/** The log of `n`: beside the spec file the notification names, named by the spec id. */
export function eventsLogPath(specsDir: string, n: Pick<Notification, 'specId' | 'path'>): string {
  return path.join(path.dirname(path.resolve(specsDir, n.path)), `${n.specId}.events.log`);
}

/** Moves `active/<id>.events.log` beside the archived spec (appending to a log already there). */
async function followArchive(specsDir: string, n: Notification, to: string): Promise<void> {
  const from = path.join(path.resolve(specsDir), 'active', `${n.specId}.events.log`);
  if (from === to) return;
  let text: string;
  try {
    text = await readFile(from, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await mkdir(path.dirname(to), { recursive: true });
  const there = await access(to).then(() => true, () => false);
  if (there) {
    await appendFile(to, text);
    await unlink(from);
  } else {
    await rename(from, to);
  }
}

/** Appends `n` as one JSON line; returns the log's path. */
export async function appendEventsLog(specsDir: string, n: Notification): Promise<string> {
  const file = eventsLogPath(specsDir, n);
  if (n.event === 'spec.completed') await followArchive(specsDir, n, file);
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(n)}\n`);
  return file;
}
