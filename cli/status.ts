/**
 * `nightshift status [spec-id] [--watch] [--json] [--url <gateway>]`: every
 * spec with a progress bar, or one spec's tasks with state, attempt, duration
 * and last error. The data comes from a runner's status API, a cluster
 * database, the embedded database or the files alone, first that works
 * (shared/status/source.ts). `--watch` redraws every second until Ctrl-C; on
 * a terminal it repaints the screen, otherwise it prints again only when
 * something changed, so a log of it reads as a history.
 * Exit codes: 0, 1 (no such spec, or the source failed), 2 usage.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../shared/config.ts';
import { NightshiftError } from '../shared/errors.ts';
import { resolveSource } from '../shared/status/source.ts';
import { renderDetail, renderList } from '../shared/status/text.ts';

export interface StatusOptions {
  watch: boolean;
  json: boolean;
  url?: string;
  /** Redraw period with --watch. @default 1000 */
  intervalMs?: number;
}

interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
}

/** One picture of the list or of one spec, and a key that changes only when the state does (not with a running clock). */
interface Picture {
  text: string;
  key: string;
}

// Durations of running attempts and heartbeats move every second without anything happening.
const stateOnly = (key: string, value: unknown): unknown => (key === 'durationMs' || key === 'heartbeatAt' ? undefined : value);

/** Reads one picture. Throws NOT_FOUND for an unknown spec. */
async function picture(specId: string | undefined, options: StatusOptions, config: Config): Promise<Picture> {
  const source = await resolveSource(config, options.url === undefined ? {} : { url: options.url });
  try {
    const data = specId === undefined ? await source.overview() : await source.detail(specId);
    const meta = { source: source.describe, ...(source.note ? { note: source.note } : {}) };
    const key = JSON.stringify(data, stateOnly);
    if (options.json) return { text: `${JSON.stringify({ ...data, ...meta })}\n`, key };
    // The note matters only where attempt columns would be (the list shows none).
    if (!('spec' in data)) return { text: renderList(data.specs), key };
    return { text: renderDetail(data) + (source.note ? `(${source.note})\n` : ''), key };
  } finally {
    await source.close();
  }
}

function notFound(err: NightshiftError, specId: string): string {
  const ids = (err.details as { ids?: unknown } | undefined)?.ids;
  const known = Array.isArray(ids) && ids.length > 0 ? `specs that exist: ${ids.join(', ')}` : 'there are no specs';
  return `nightshift: no spec "${specId}"; ${known}\n`;
}

/** Runs the command; resolves with the exit code. */
export async function runStatus(specId: string | undefined, options: StatusOptions, config: Config, io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const once = async (): Promise<Picture> => {
    try {
      return await picture(specId, options, config);
    } catch (err) {
      if (err instanceof NightshiftError && err.code === 'NOT_FOUND' && specId !== undefined) throw new ExitError(notFound(err, specId));
      throw err;
    }
  };
  try {
    if (!options.watch) {
      io.out.write((await once()).text);
      return 0;
    }
    await watch(once, options, io);
    return 0;
  } catch (err) {
    if (err instanceof ExitError) {
      io.err.write(err.message);
      return 1;
    }
    throw err;
  }
}

class ExitError extends Error {}

/** Redraws until SIGINT / SIGTERM. */
async function watch(once: () => Promise<Picture>, options: StatusOptions, io: Io): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const tty = io.out.isTTY === true && !options.json;
  let last: string | undefined;
  try {
    while (!stop.signal.aborted) {
      let pic: Picture;
      try {
        pic = await once();
      } catch (err) {
        // A runner that stopped, a database that restarts: say so and keep watching.
        if (err instanceof ExitError) throw err;
        const text = `nightshift: ${(err as Error).message}\n`;
        pic = { text, key: text };
      }
      if (tty) io.out.write(`\x1b[H\x1b[2J${pic.text}\nupdated ${new Date().toLocaleTimeString()}; Ctrl-C to stop\n`);
      else if (pic.key !== last) io.out.write(pic.text);
      last = pic.key;
      await sleep(options.intervalMs ?? 1000, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
