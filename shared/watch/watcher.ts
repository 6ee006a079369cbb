/**
 * The spec-folder watcher: file events in `specs/active/` become spec
 * changes, at most one per distinct content. A full rescan at start and every
 * `rescanMs` repairs anything the file events missed. See
 * docs/decisions/watcher.md for why chokidar and why these rules.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { pino, type Logger } from 'pino';
import { isSpecFileName } from './names.ts';
import { readSpecFile } from './read.ts';

/** One spec file whose content differs from what was last reported for its path. */
export interface SpecChange {
  /** `created` the first time this watcher reports the path, `updated` after that. */
  kind: 'created' | 'updated';
  /** Absolute path of the spec file. */
  path: string;
  /** The file's top-level `id:` if valid, else the sanitized file name. */
  specId: string;
  /** sha256 of the file's content, lower-case hex. */
  hash: string;
}

export interface WatchSpecsOptions {
  /** The folder to watch (`specs/active`); created if missing. Only files directly in it count. */
  dir: string;
  /** Called once per change. A throw or rejection is logged and retried by the next rescan. */
  onChange: (change: SpecChange) => void | Promise<void>;
  /** Quiet time after a file's last event before it is read; values below {@link MIN_DEBOUNCE_MS} are raised to it. @default 150 */
  debounceMs?: number;
  /** Period of the full rescan, in milliseconds; 0 turns the periodic rescan off. @default 30000 */
  rescanMs?: number;
  /** Listen to file-system events; false leaves only the rescans (for file systems without them, such as some network mounts). @default true */
  fsEvents?: boolean;
  /** @default a pino logger at "info" on stdout */
  log?: Logger;
}

export interface SpecWatcher {
  /** Lists the folder now and reports every spec whose content differs from the last report. Returns the changes delivered. */
  rescan(): Promise<SpecChange[]>;
  /** Stops watching; waits for a change being delivered to finish (unless called from inside onChange). Pending debounced events are dropped (the next start-up scan covers them). */
  close(): Promise<void>;
}

/** @default 150 */
export const DEFAULT_DEBOUNCE_MS = 150;
/** @default 30000 */
export const DEFAULT_RESCAN_MS = 30_000;
/**
 * chokidar passes on at most one change per file per 5 ms and drops the rest
 * (a leading-edge throttle), so a save's last write can go unreported; the
 * debounce must outlast that window for the read to see the final content.
 */
export const MIN_DEBOUNCE_MS = 25;

/**
 * Starts watching `dir`. Resolves once the file watcher is ready and the
 * start-up scan has reported every spec already in the folder (as `created`).
 */
export async function watchSpecs(opts: WatchSpecsOptions): Promise<SpecWatcher> {
  const dir = resolve(opts.dir);
  const debounceMs = Math.max(MIN_DEBOUNCE_MS, opts.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  const rescanMs = opts.rescanMs ?? DEFAULT_RESCAN_MS;
  const log = (opts.log ?? pino()).child({ component: 'watcher', dir });

  /** path -> hash last delivered; remembered only after onChange succeeds, so a failure is retried. */
  const delivered = new Map<string, string>();
  const timers = new Map<string, NodeJS.Timeout>();
  /** path -> tail of that path's work; one check per path at a time, so a rescan and a file event never both report the same content. */
  const queues = new Map<string, Promise<unknown>>();
  /** Set while onChange runs, so a close() called from inside it does not wait for itself. */
  const inHandler = new AsyncLocalStorage<true>();
  let closed = false;
  let rescanTimer: NodeJS.Timeout | undefined;

  function enqueue<T>(path: string, job: () => Promise<T>): Promise<T> {
    const result = (queues.get(path) ?? Promise.resolve()).then(job);
    const tail = result.catch(() => undefined);
    queues.set(path, tail);
    void tail.then(() => {
      if (queues.get(path) === tail) queues.delete(path);
    });
    return result;
  }

  async function check(path: string): Promise<SpecChange | null> {
    if (closed) return null;
    let facts;
    try {
      facts = await readSpecFile(path);
    } catch (err) {
      log.warn({ err, path }, 'cannot read spec file; the next rescan tries again');
      return null;
    }
    if (facts === null) {
      // Deleted or renamed out: forget it, so a file that comes back is `created` again.
      delivered.delete(path);
      log.debug({ path }, 'spec file gone; forgotten');
      return null;
    }
    if (delivered.get(path) === facts.hash) {
      log.debug({ path, specId: facts.specId, hash: facts.hash }, 'spec unchanged; no event');
      return null;
    }
    const change: SpecChange = { kind: delivered.has(path) ? 'updated' : 'created', path, ...facts };
    if (closed) return null;
    try {
      await inHandler.run(true, () => opts.onChange(change));
    } catch (err) {
      log.error({ err, path, specId: change.specId, hash: change.hash }, 'spec change handler failed; the next rescan retries');
      return null;
    }
    delivered.set(path, change.hash);
    log.info({ path, specId: change.specId, hash: change.hash, kind: change.kind }, 'spec change reported');
    return change;
  }

  function schedule(path: string): void {
    clearTimeout(timers.get(path));
    timers.set(
      path,
      setTimeout(() => {
        timers.delete(path);
        void enqueue(path, () => check(path));
      }, debounceMs),
    );
  }

  async function rescan(): Promise<SpecChange[]> {
    if (closed) return [];
    let paths: string[];
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      paths = entries
        .filter((e) => (e.isFile() || e.isSymbolicLink()) && isSpecFileName(e.name))
        .map((e) => join(dir, e.name))
        .sort();
    } catch (err) {
      log.error({ err }, 'cannot list the specs folder; the next rescan tries again');
      return [];
    }
    const present = new Set(paths);
    for (const path of delivered.keys()) if (!present.has(path)) delivered.delete(path);
    const changes: SpecChange[] = [];
    for (const path of paths) {
      // A file mid-burst is left to its pending debounce timer, which reads the final content.
      if (timers.has(path)) continue;
      const change = await enqueue(path, () => check(path));
      if (change) changes.push(change);
    }
    return changes;
  }

  function scheduleRescan(): void {
    if (closed || rescanMs <= 0) return;
    rescanTimer = setTimeout(() => void rescan().finally(scheduleRescan), rescanMs);
  }

  await mkdir(dir, { recursive: true });
  const watcher = opts.fsEvents === false ? undefined : await startFsWatcher(dir, schedule, log);
  await rescan();
  scheduleRescan();

  return {
    rescan,
    async close() {
      closed = true;
      clearTimeout(rescanTimer);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await watcher?.close();
      if (!inHandler.getStore()) await Promise.all([...queues.values()]);
    },
  };
}

/** Starts chokidar on the folder itself (depth 0) and resolves when it is ready. */
async function startFsWatcher(dir: string, onPath: (path: string) => void, log: Logger): Promise<FSWatcher> {
  const watcher = watch(dir, {
    depth: 0,
    // The start-up rescan reports what is already there.
    ignoreInitial: true,
    ignored: (path, stats) => resolve(path) !== dir && (stats?.isDirectory() === true || !isSpecFileName(basename(path))),
  });
  const relevant = (path: string) => dirname(resolve(path)) === dir && isSpecFileName(basename(path));
  for (const event of ['add', 'change', 'unlink'] as const) {
    watcher.on(event, (path: string) => {
      if (relevant(path)) onPath(resolve(path));
    });
  }
  // inotify limits and the like: log, and let the rescans carry on.
  watcher.on('error', (err) => log.error({ err }, 'file watcher error; rescans continue'));
  await new Promise<void>((ready) => watcher.once('ready', ready));
  return watcher;
}
