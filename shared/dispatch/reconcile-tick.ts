/**
 * The level-triggered reconcile's clock: at start and every RESCAN_MS, one
 * `spec.updated` per spec in specs/active with an id of its own
 * (`<specId>/<hash>/reconcile/<tick>`), so it is not dropped as already
 * processed. on-spec-created then compares the spec and the attempts with
 * what should run and repairs what a lost event left behind. The watcher's
 * events only report changed content; this reports that time passed.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Logger } from 'pino';
import { eventId, makeEvent } from '../events/cloudevent.ts';
import type { NsEvent } from '../runtime/types.ts';
import { isSpecFileName, readSpecFile } from '../watch/index.ts';

export interface ReconcileTicker {
  /** Sends one round now (also what the timer does). Resolves with the number of specs reconciled. */
  tick(): Promise<number>;
  close(): void;
}

export interface ReconcileTickOptions {
  specsDir: string;
  /** 0 sends only the start-up round. */
  periodMs: number;
  log: Logger;
  publish: (event: NsEvent) => Promise<unknown>;
  /** @default () => new Date() */
  now?: () => Date;
}

export function startReconcileTicker(options: ReconcileTickOptions): ReconcileTicker {
  const active = join(options.specsDir, 'active');
  const now = options.now ?? (() => new Date());
  let round = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function tick(): Promise<number> {
    round += 1;
    const at = now();
    const names = await readdir(active).catch(() => [] as string[]);
    let sent = 0;
    for (const name of names.filter(isSpecFileName)) {
      const facts = await readSpecFile(join(active, name)).catch(() => null);
      if (!facts) continue;
      const data = { specId: facts.specId, path: relative(options.specsDir, join(active, name)).split(sep).join('/'), hash: facts.hash };
      const id = `${eventId('spec.updated', data)}/reconcile/${at.getTime()}-${round}`;
      try {
        await options.publish(makeEvent('spec.updated', data, { id, source: '/nightshift/reconcile', time: at }));
        sent += 1;
      } catch (err) {
        options.log.warn({ err, specId: facts.specId }, 'could not send the reconcile event; the next round tries again');
      }
    }
    return sent;
  }

  const schedule = (): void => {
    if (closed || options.periodMs <= 0) return;
    timer = setTimeout(() => void tick().finally(schedule), options.periodMs);
    timer.unref();
  };
  void tick().finally(schedule);
  return {
    tick,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
