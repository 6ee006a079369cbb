/**
 * A lock file beside a spec that serializes the system's writers across
 * processes: `.<name>.lock`, created with O_EXCL. The lock narrows the window
 * between two system writers; the store's content-hash check is what makes a
 * lost update impossible, so a lock wrongly judged stale costs a retry, not data.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NightshiftError } from '../errors.ts';
import { pidAlive } from './atomic.ts';

export interface LockOptions {
  /** How long to wait for the lock before giving up with SPEC_LOCKED. @default 10_000 ms */
  timeoutMs?: number;
  /** A lock older than this is stale even if its holder looks alive (other host, pid reuse). @default 30_000 ms */
  staleMs?: number;
}

export interface SpecLock {
  /** True when a stale lock (a writer that died) was cleared to get this one. */
  readonly recovered: boolean;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  host: string;
  at: number;
  token: string;
}

/** The lock file's path for a spec file. */
export function lockPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.lock`);
}

/** Takes the lock on `file`, waiting (with jittered polling) up to `timeoutMs`. */
export async function acquireLock(file: string, opts: LockOptions = {}): Promise<SpecLock> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const staleMs = opts.staleMs ?? 30_000;
  const lockPath = lockPathFor(file);
  const me: Holder = { pid: process.pid, host: hostname(), at: 0, token: randomBytes(8).toString('hex') };
  const deadline = Date.now() + timeoutMs;
  let recovered = false;
  let wait = 2;
  for (;;) {
    me.at = Date.now();
    const body = JSON.stringify(me);
    try {
      await writeFile(lockPath, body, { flag: 'wx' });
      return { recovered, release: () => releaseIfOurs(lockPath, body) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await clearIfStale(lockPath, staleMs)) {
      recovered = true;
      continue;
    }
    if (Date.now() > deadline) {
      const holder = await readFile(lockPath, 'utf8').catch(() => '');
      throw new NightshiftError('SPEC_LOCKED', `could not lock spec ${file} within ${timeoutMs} ms; the lock ${lockPath} is held by ${holder || 'an unknown writer'}`);
    }
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 25);
  }
}

async function releaseIfOurs(lockPath: string, body: string): Promise<void> {
  const current = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (current === body) await unlink(lockPath).catch(() => undefined);
}

/** Clears the lock when its holder is dead or it is too old; true when it did. */
async function clearIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  let body: string;
  let mtimeMs: number;
  try {
    body = await readFile(lockPath, 'utf8');
    mtimeMs = (await stat(lockPath)).mtimeMs;
  } catch {
    return false; // released meanwhile: just try again
  }
  if (!isStale(body, mtimeMs, staleMs)) return false;
  // Move it aside first, then check we moved the lock we judged: two waiters
  // may both judge the same lock stale, and only one may clear it.
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return false;
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== body) await link(aside, lockPath).catch(() => undefined); // a fresh lock: put it back
  await unlink(aside).catch(() => undefined);
  return moved === body;
}

function isStale(body: string, mtimeMs: number, staleMs: number): boolean {
  const age = Date.now() - mtimeMs;
  let holder: Partial<Holder>;
  try {
    holder = JSON.parse(body) as Partial<Holder>;
  } catch {
    // Empty or torn: its writer died between create and write, or is writing now.
    return age > 1000;
  }
  if (age > staleMs) return true;
  return holder.host === hostname() && typeof holder.pid === 'number' && !pidAlive(holder.pid);
}
