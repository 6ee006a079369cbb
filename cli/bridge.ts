/**
 * `nightshift bridge`: the always-on process on a cluster. It watches the
 * specs folder, runs one JetStream durable consumer per function and POSTs
 * every event as a binary CloudEvent to the function (OpenFaaS gateway or
 * Knative Service URL, from FUNCTION_URL_TEMPLATE). It needs NATS_URL and
 * DATABASE_URL. It serves `/_/health` on PORT for probes, and the status
 * page and API (`GET /`, `/api/*`, shared/status/) for people.
 */
import type { Logger } from 'pino';
import type { Config } from '../shared/config.ts';
import { openBackbone } from '../shared/dispatch/backbone.ts';
import { startConsumers } from '../shared/dispatch/consumers.ts';
import { startGateway } from '../shared/dispatch/gateway.ts';
import { HttpInvoker } from '../shared/dispatch/http-invoker.ts';
import { startReconcileTicker } from '../shared/dispatch/reconcile-tick.ts';
import { watchSpecEvents } from '../shared/dispatch/spec-watch.ts';
import { startNotifier } from '../shared/notify/index.ts';
import { statusApiFor } from '../shared/status/index.ts';
import type { Running } from './dev.ts';

export async function startBridge(config: Config, log: Logger, options: { watch?: boolean } = {}): Promise<Running> {
  const backbone = await openBackbone(config, log, { requireServices: true });
  const { bus } = backbone;
  const invoker = new HttpInvoker({ urlTemplate: config.FUNCTION_URL_TEMPLATE, token: config.NIGHTSHIFT_TOKEN, timeoutMs: config.INVOKE_TIMEOUT_MS });
  const consumers = await startConsumers({ bus, invoker, log, maxDeliver: config.MAX_DELIVER, ackWaitMs: config.ACK_WAIT_MS, concurrency: config.CONCURRENCY });
  // Notifications: a durable of its own on the same stream (shared/notify); logs only, no console line on a cluster.
  const notifier = await startNotifier({ bus, config, log, db: backbone.db });
  const watcher =
    options.watch === false
      ? undefined
      : await watchSpecEvents(config, log, (e) => bus.publish(e));
  const ticker = options.watch === false ? undefined : startReconcileTicker({ specsDir: config.SPECS_DIR, periodMs: config.RESCAN_MS, log, publish: (e) => bus.publish(e) });
  // Health and the read-only status API and page: the bridge proxies nothing, it has no functions of its own.
  const health = await startGateway({ port: config.PORT, host: '0.0.0.0', log, names: [], target: async () => undefined, api: statusApiFor(config, backbone.db, log).handle });
  log.info({ port: health.port, functions: config.FUNCTION_URL_TEMPLATE }, 'nightshift bridge is up');
  let closing: Promise<void> | undefined;
  return {
    port: health.port,
    close() {
      closing ??= (async () => {
        ticker?.close();
        await watcher?.close();
        await consumers.stop(config.SHUTDOWN_GRACE_MS);
        await notifier.stop(config.SHUTDOWN_GRACE_MS);
        await health.close();
        await backbone.close(config.SHUTDOWN_GRACE_MS);
        log.info('nightshift bridge stopped');
      })();
      return closing;
    },
  };
}
