/**
 * `nightshift watch`: the watcher alone. With NATS_URL it publishes spec
 * events to JetStream; without, it prints each event as a JSON line (a dry
 * view of what the bridge would publish).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { JetStreamBus } from '../shared/bus/index.ts';
import type { Config } from '../shared/config.ts';
import { toJSON } from '../shared/events/cloudevent.ts';
import { changeToEvent, watchSpecs } from '../shared/watch/index.ts';
import type { Running } from './dev.ts';

export async function startWatch(config: Config, log: Logger): Promise<Running> {
  const bus = config.NATS_URL ? await JetStreamBus.connect({ servers: config.NATS_URL, stream: config.NATS_STREAM, log }) : undefined;
  const watcher = await watchSpecs({
    dir: join(config.SPECS_DIR, 'active'),
    debounceMs: config.DEBOUNCE_MS,
    rescanMs: config.RESCAN_MS,
    log,
    onChange: async (change) => {
      const event = changeToEvent(change, config.SPECS_DIR);
      if (bus) await bus.publish(event);
      else process.stdout.write(`${toJSON(event)}\n`);
    },
  });
  return {
    port: 0,
    async close() {
      await watcher.close();
      await bus?.close();
    },
  };
}
