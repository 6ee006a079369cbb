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
import { watchSpecEvents } from '../shared/dispatch/spec-watch.ts';
import type { Running } from './dev.ts';

export async function startWatch(config: Config, log: Logger): Promise<Running> {
  const bus = config.NATS_URL ? await JetStreamBus.connect({ servers: config.NATS_URL, stream: config.NATS_STREAM, log }) : undefined;
  const watcher = await watchSpecEvents(config, log, async (event) => {
    if (bus) await bus.publish(event);
    else process.stdout.write(`${toJSON(event)}\n`);
  });
  // Like dev and bridge, say when it is up, so a person (or a test) knows the folder is watched.
  log.info({ specs: join(config.SPECS_DIR, 'active'), publishTo: bus ? 'nats' : 'stdout' }, `nightshift watch is up: watching ${join(config.SPECS_DIR, 'active')}`);
  return {
    port: 0,
    async close() {
      await watcher.close();
      await bus?.close();
    },
  };
}
