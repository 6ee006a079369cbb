/**
 * `nightshift dev` (`npm start`): the whole system in one process. Embedded
 * defaults need no services: PGlite under NIGHTSHIFT_HOME and the in-process
 * bus; with NATS_URL and DATABASE_URL set, the same on real NATS JetStream and
 * Postgres. The five handlers run in process under the shared consumer loop,
 * each is also served over HTTP behind a gateway on PORT at
 * `/function/<name>`, and the watcher turns spec files into events.
 *
 * `--isolated` runs the cluster's shape on one machine instead: each function
 * is its own bundle process (dist/<name>/index.mjs), started by its first
 * request behind the gateway and stopped when idle (scale-to-zero.ts); the
 * consumers reach them over HTTP through the gateway, as the bridge does.
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Bus } from '../shared/bus/types.ts';
import type { Config } from '../shared/config.ts';
import { openBackbone } from '../shared/dispatch/backbone.ts';
import { startConsumers } from '../shared/dispatch/consumers.ts';
import { startGateway } from '../shared/dispatch/gateway.ts';
import { HttpInvoker } from '../shared/dispatch/http-invoker.ts';
import { LocalInvoker } from '../shared/dispatch/invoker.ts';
import { startReconcileTicker } from '../shared/dispatch/reconcile-tick.ts';
import { createProcessPool, functionEnv } from '../shared/dispatch/scale-to-zero.ts';
import { watchSpecEvents } from '../shared/dispatch/spec-watch.ts';
import { NightshiftError } from '../shared/errors.ts';
import { FUNCTION_NAMES } from '../shared/events/catalog.ts';
import { startNotifier } from '../shared/notify/index.ts';
import { createServices, type Services } from '../shared/pipeline/services.ts';
import { serve, type ServerHandle } from '../shared/runtime/http-host.ts';
import { statusApiFor } from '../shared/status/index.ts';
import { ALL_FUNCTIONS } from './functions.ts';

export interface Running {
  /** The gateway's port. */
  port: number;
  /** The handlers' services (store, database); set by the dev runner. */
  services?: Services;
  /** Sends one reconcile round now (what RESCAN_MS does); resolves with the number of specs it was sent for. Set by the dev runner. */
  reconcile?(): Promise<number>;
  close(): Promise<void>;
}

export interface DevOptions {
  /** Each function in its own process, started on demand and stopped when idle (needs DATABASE_URL and `npm run build`). @default false */
  isolated?: boolean;
  /** Where the function bundles are (isolated only). @default "<checkout>/dist" */
  distDir?: string;
  /** Tests only: wraps the bus the watcher, the reconcile ticker and the consumer loop publish with (e.g. one that loses events). @default none */
  wrapBus?: (bus: Bus) => Bus;
}

export async function startDev(config: Config, log: Logger, options: DevOptions = {}): Promise<Running> {
  if (options.isolated) return startIsolated(config, log, options.distDir ?? resolve(import.meta.dirname, '..', 'dist'), options.wrapBus);
  const backbone = await openBackbone(config, log);
  const { bus } = backbone;
  const publisher = options.wrapBus?.(bus) ?? bus;
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
    api: statusApiFor(config, backbone.db, log).handle,
  });
  const consumers = await startConsumers({
    bus: publisher,
    invoker: new LocalInvoker(ALL_FUNCTIONS, { log, config, services }),
    log,
    maxDeliver: config.MAX_DELIVER,
    ackWaitMs: config.ACK_WAIT_MS,
    concurrency: config.CONCURRENCY,
  });
  const notifier = await startNotifier({ bus, config, log, db: backbone.db, human: consoleLine(config) });
  const watcher = await watchSpecEvents(config, log, (e) => publisher.publish(e));
  const ticker = startReconcileTicker({ specsDir: config.SPECS_DIR, periodMs: config.RESCAN_MS, log, publish: (e) => publisher.publish(e) });
  log.info(
    { port: gateway.port, db: backbone.describe.db, bus: backbone.describe.bus, specs: join(config.SPECS_DIR, 'active') },
    `nightshift dev is up: gateway on http://127.0.0.1:${gateway.port}, watching ${join(config.SPECS_DIR, 'active')}`,
  );

  let closing: Promise<void> | undefined;
  return {
    port: gateway.port,
    services,
    reconcile: () => ticker.tick(),
    close() {
      closing ??= (async () => {
        ticker.close();
        await watcher.close();
        await gateway.close();
        await Promise.all([...servers.values()].map((s) => s.close()));
        await consumers.stop(config.SHUTDOWN_GRACE_MS);
        await notifier.stop(config.SHUTDOWN_GRACE_MS);
        await backbone.close(config.SHUTDOWN_GRACE_MS);
        log.info('nightshift dev stopped');
      })();
      return closing;
    },
  };
}

async function startIsolated(config: Config, log: Logger, distDir: string, wrapBus: DevOptions['wrapBus']): Promise<Running> {
  if (config.DATABASE_URL === undefined) {
    throw new NightshiftError('CONFIG_INVALID', 'nightshift dev --isolated needs DATABASE_URL: each function runs as its own process and they share one Postgres database (the embedded PGlite cannot be shared between processes)');
  }
  const pool = createProcessPool({
    distDir,
    names: FUNCTION_NAMES,
    env: functionEnv(config),
    idleTimeoutMs: config.IDLE_TIMEOUT_MS,
    stopTimeoutMs: config.SHUTDOWN_GRACE_MS + 5000,
    log: log.child({ component: 'scale-to-zero' }),
  });
  const backbone = await openBackbone(config, log);
  const { bus } = backbone;
  const publisher = wrapBus?.(bus) ?? bus;
  const gateway = await startGateway({
    port: config.PORT,
    log,
    names: FUNCTION_NAMES,
    target: (name) => pool.target(name),
    onRequest: (name) => pool.onRequest(name),
    scale: () => pool.stats(),
    api: statusApiFor(config, backbone.db, log).handle,
  });
  const invoker = new HttpInvoker({ urlTemplate: `http://127.0.0.1:${gateway.port}/function/{name}`, token: config.NIGHTSHIFT_TOKEN, timeoutMs: config.INVOKE_TIMEOUT_MS });
  const consumers = await startConsumers({ bus: publisher, invoker, log, maxDeliver: config.MAX_DELIVER, ackWaitMs: config.ACK_WAIT_MS, concurrency: config.CONCURRENCY });
  const notifier = await startNotifier({ bus, config, log, db: backbone.db, human: consoleLine(config) });
  const watcher = await watchSpecEvents(config, log, (e) => publisher.publish(e));
  const ticker = startReconcileTicker({ specsDir: config.SPECS_DIR, periodMs: config.RESCAN_MS, log, publish: (e) => publisher.publish(e) });
  log.info(
    { port: gateway.port, db: backbone.describe.db, bus: backbone.describe.bus, specs: join(config.SPECS_DIR, 'active'), isolated: true, idleTimeoutMs: config.IDLE_TIMEOUT_MS },
    `nightshift dev is up (isolated): gateway on http://127.0.0.1:${gateway.port}, one process per function started on demand, stopped after ${config.IDLE_TIMEOUT_MS} ms idle (GET /system/scale), watching ${join(config.SPECS_DIR, 'active')}`,
  );

  let closing: Promise<void> | undefined;
  return {
    port: gateway.port,
    reconcile: () => ticker.tick(),
    close() {
      closing ??= (async () => {
        ticker.close();
        await watcher.close();
        // The consumers call the functions through the gateway: they stop first.
        await consumers.stop(config.SHUTDOWN_GRACE_MS);
        await notifier.stop(config.SHUTDOWN_GRACE_MS);
        await gateway.close();
        await pool.close();
        await backbone.close(config.SHUTDOWN_GRACE_MS);
        log.info('nightshift dev stopped');
      })();
      return closing;
    },
  };
}

/** The notifier's plain line for the person at the console (stderr), unless LOG_LEVEL is silent. */
function consoleLine(config: Config): ((line: string) => void) | undefined {
  return config.LOG_LEVEL === 'silent' ? undefined : (line) => void process.stderr.write(`${line}\n`);
}
