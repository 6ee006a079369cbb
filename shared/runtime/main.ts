/**
 * The entry point of a function process: read config from the environment,
 * serve, and shut down gracefully on SIGTERM / SIGINT.
 */
import { envWithSecrets } from '../config-secrets.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from './logger.ts';
import { createServices, type Services } from '../pipeline/services.ts';
import { serve, type ServeOptions, type ServerHandle } from './http-host.ts';
import type { NightshiftFunction } from './types.ts';

/**
 * Runs `fn` as a process: config via `loadConfig(env)` (with the variables
 * found as files under SECRETS_DIR, see config-secrets.ts), logs on stdout, exit 0
 * after a graceful shutdown, exit 1 if config, listen or `init` fails, or on a
 * second signal while shutting down.
 * @param env @default process.env
 */
export async function main(
  fn: NightshiftFunction,
  env: Record<string, string | undefined> = process.env,
  options: Pick<ServeOptions, 'publisher'> = {},
): Promise<ServerHandle | undefined> {
  const log = createLogger({ name: fn.name });
  let handle: ServerHandle;
  let services: Services;
  try {
    const { env: full, fromFiles } = envWithSecrets(env);
    const config = loadConfig(full);
    log.level = config.LOG_LEVEL;
    if (fromFiles.length) log.info({ fromFiles }, `configuration read from files under ${full.SECRETS_DIR}`);
    services = createServices(config);
    handle = await serve(fn, { ...options, config, log, services });
  } catch (err) {
    log.fatal({ err }, `${fn.name} could not start: ${(err as Error).message}`);
    process.exit(1);
  }
  handle.ready.catch((err: unknown) => {
    log.fatal({ err }, `${fn.name} init failed: ${(err as Error).message}`);
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal while shutting down: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'signal received');
    void handle
      .close()
      .then(() => services.close())
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return handle;
}
