/**
 * `GET /api/stream`: server-sent events with the spec overview, sent when a
 * client connects and again whenever a spec file in `active/` changes (added,
 * rewritten, removed or archived).
 *
 * It polls rather than watches: every `intervalMs` (500 ms) it stats the spec
 * files of `active/` and compares names, sizes and mtimes with the last look.
 * The spec store replaces files by rename, so every write shows as a new
 * mtime. Polling behaves the same on every file system (network and
 * container volumes included, where inotify events can be missing), needs no
 * watcher that the bridge may have turned off (`--no-watch`), and costs one
 * readdir and a stat per spec file twice a second, only while a client is
 * connected. The overview is read once per change and sent to every client.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isSpecFileName } from '../watch/names.ts';
import type { Overview } from './model.ts';

export interface SpecStreamOptions {
  specsDir: string;
  /** Reads the overview sent to clients. */
  overview(): Promise<Overview>;
  /** How often `active/` is looked at. @default 500 */
  intervalMs?: number;
  /** A comment line is sent this often so proxies keep the connection open. @default 15000 */
  keepAliveMs?: number;
  log?: Logger;
}

export interface SpecStream {
  /** Takes over `res` as an event stream until the client goes away. */
  attach(res: ServerResponse): void;
  /** Clients connected now. */
  readonly clients: number;
  /** Ends every stream and stops polling. */
  close(): void;
}

/** A fingerprint of `active/`: spec file names with their sizes and mtimes. */
export async function activeSignature(specsDir: string): Promise<string> {
  const dir = join(specsDir, 'active');
  const names = (await readdir(dir).catch(() => [] as string[])).filter(isSpecFileName).sort();
  const parts = await Promise.all(
    names.map(async (n) => {
      const s = await stat(join(dir, n)).catch(() => undefined);
      return s === undefined ? '' : `${n}:${s.size}:${s.mtimeMs}`;
    }),
  );
  return parts.filter((p) => p !== '').join('\n');
}

const frame = (overview: Overview): string => `event: specs\ndata: ${JSON.stringify(overview)}\n\n`;

export function createSpecStream(options: SpecStreamOptions): SpecStream {
  const intervalMs = options.intervalMs ?? 500;
  const keepAliveEvery = Math.max(1, Math.round((options.keepAliveMs ?? 15_000) / intervalMs));
  const clients = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | undefined;
  let signature: string | undefined;
  let busy = false;
  let ticks = 0;

  const send = (res: ServerResponse, text: string): void => {
    if (!res.writableEnded) res.write(text);
  };

  async function tick(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      ticks += 1;
      const now = await activeSignature(options.specsDir);
      if (now !== signature) {
        signature = now;
        const text = frame(await options.overview());
        for (const res of clients) send(res, text);
      } else if (ticks % keepAliveEvery === 0) {
        for (const res of clients) send(res, ': keep-alive\n\n');
      }
    } catch (err) {
      options.log?.warn({ err }, 'status stream: reading the specs failed; trying again');
    } finally {
      busy = false;
    }
  }

  function stop(): void {
    clearInterval(timer);
    timer = undefined;
    signature = undefined;
  }

  return {
    attach(res) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      // Reconnect after 1 s if the connection drops (the browser's default is 3 s).
      res.write('retry: 1000\n\n');
      clients.add(res);
      res.once('close', () => {
        clients.delete(res);
        if (clients.size === 0) stop();
      });
      // The first frame goes to this client alone, read now, so a client never waits a tick for its first picture.
      void (async () => {
        const [sig, overview] = await Promise.all([activeSignature(options.specsDir), options.overview()]);
        signature ??= sig;
        send(res, frame(overview));
      })().catch((err: unknown) => options.log?.warn({ err }, 'status stream: first overview failed'));
      if (timer === undefined) {
        timer = setInterval(() => void tick(), intervalMs);
        timer.unref();
      }
    },
    get clients() {
      return clients.size;
    },
    close() {
      stop();
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
