/**
 * `nightshift dev` (`npm start`): the whole system in one process. Embedded
 * defaults need no services: PGlite under NIGHTSHIFT_HOME and the in-process
 * bus; with NATS_URL and DATABASE_URL set, the same on real NATS JetStream and
 * Postgres. The five handlers run in process under the shared consumer loop,
 * each is also served over HTTP behind a gateway on PORT at
 * `/function/<name>`, and the watcher turns spec files into events.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../shared/config.ts';
import { openBackbone } from '../shared/dispatch/backbone.ts';
import { startConsumers } from '../shared/dispatch/consumers.ts';
import { startGateway } from '../shared/dispatch/gateway.ts';
import { LocalInvoker } from '../shared/dispatch/invoker.ts';
import { startReconcileTicker } from '../shared/dispatch/reconcile-tick.ts';
import { watchSpecEvents } from '../shared/dispatch/spec-watch.ts';
import { createServices, type Services } from '../shared/pipeline/services.ts';
import { serve, type ServerHandle } from '../shared/runtime/http-host.ts';
import { ALL_FUNCTIONS } from './functions.ts';

export interface Running {
  /** The gateway's port. */
  port: number;
  /** The handlers' services (store, database); set by the dev runner. */
  services?: Services;
  close(): Promise<void>;
}

export async function startDev(config: Config, log: Logger): Promise<Running> {
  const backbone = await openBackbone(config, log);
  const { bus } = backbone;
  const services = createServices(config, { db: backbone.db });
  const servers = new Map<string, ServerHandle>();
  for (const fn of ALL_FUNCTIONS) {
    servers.set(fn.name, await serve(fn, { config: { ...config, PORT: 0 }, host: '127.0.0.1', log: log.child({ function: fn.name }), publisher: bus, services }));
  }
  const gateway = await startGateway({
    port: config.PORT,
    log,
    names: ALL_FUNCTIONS.map((f) => f.name),
    target: async (name) => {
      const s = servers.get(name);
      return s && { host: '127.0.0.1', port: s.port };
    },
  });
  const consumers = await startConsumers({
    bus,
    invoker: new LocalInvoker(ALL_FUNCTIONS, { log, config, services }),
    log,
    maxDeliver: config.MAX_DELIVER,
    ackWaitMs: config.ACK_WAIT_MS,
    concurrency: config.CONCURRENCY,
  });
  const watcher = await watchSpecEvents(config, log, (e) => bus.publish(e));
  const ticker = startReconcileTicker({ specsDir: config.SPECS_DIR, periodMs: config.RESCAN_MS, log, publish: (e) => bus.publish(e) });
  log.info(
    { port: gateway.port, db: backbone.describe.db, bus: backbone.describe.bus, specs: join(config.SPECS_DIR, 'active') },
    `nightshift dev is up: gateway on http://127.0.0.1:${gateway.port}, watching ${join(config.SPECS_DIR, 'active')}`,
  );

  let closing: Promise<void> | undefined;
  return {
    port: gateway.port,
    services,
    close() {
      closing ??= (async () => {
        ticker.close();
        await watcher.close();
        await gateway.close();
        await Promise.all([...servers.values()].map((s) => s.close()));
        await consumers.stop(config.SHUTDOWN_GRACE_MS);
        await backbone.close(config.SHUTDOWN_GRACE_MS);
        log.info('nightshift dev stopped');
      })();
      return closing;
    },
  };
}
