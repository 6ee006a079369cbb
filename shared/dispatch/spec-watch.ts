/**
 * The watcher as every command runs it: `specs/active` under SPECS_DIR, with
 * the configured debounce and rescan, each change turned into a
 * `spec.created` / `spec.updated` CloudEvent and handed to `publish`.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { NsEvent } from '../runtime/types.ts';
import { changeToEvent, watchSpecs, type SpecWatcher } from '../watch/index.ts';

export function watchSpecEvents(config: Config, log: Logger, publish: (event: NsEvent) => Promise<unknown>): Promise<SpecWatcher> {
  return watchSpecs({
    dir: join(config.SPECS_DIR, 'active'),
    debounceMs: config.DEBOUNCE_MS,
    rescanMs: config.RESCAN_MS,
    log,
    onChange: async (change) => {
      await publish(changeToEvent(change, config.SPECS_DIR));
    },
  });
}
