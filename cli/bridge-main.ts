/**
 * Entry point of the bridge image (`dist/bridge/index.mjs`, bundled by
 * scripts/build.ts): the bridge `nightshift bridge` starts, without the CLI
 * around it, so the image holds one file and no node_modules. The migrations
 * Job runs the same image with `migrate`.
 *
 *   node index.mjs              watcher + JetStream consumers + HTTP invoker
 *   node index.mjs --no-watch   the same without the watcher (another bridge watches)
 *   node index.mjs migrate      apply the database migrations at DATABASE_URL and exit
 *
 * Configuration comes from the environment and from files under SECRETS_DIR
 * when it is set (shared/config-secrets.ts). Exit codes are the CLI's: 0 done,
 * 1 the work failed, 2 usage or configuration error.
 */
import { envWithSecrets } from '../shared/config-secrets.ts';
import { loadConfig, type Config } from '../shared/config.ts';
import { NightshiftError } from '../shared/errors.ts';
import { createLogger } from '../shared/runtime/logger.ts';
import { startBridge } from './bridge.ts';
import { runMigrate } from './migrate.ts';

const USAGE = 'usage: node index.mjs [--no-watch]  |  node index.mjs migrate [--json]';

function configFrom(env: Record<string, string | undefined>): { config: Config; fromFiles: string[] } {
  const { env: full, fromFiles } = envWithSecrets(env);
  return { config: loadConfig(full), fromFiles };
}

async function migrateOnly(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const unknown = args.filter((a) => a !== '--json');
  if (unknown.length) throw new NightshiftError('CONFIG_INVALID', `migrate: unknown argument ${unknown.join(' ')}; ${USAGE}`);
  const { config } = configFrom(env);
  // The image ships no PGlite data files: an embedded database here would be a mistake.
  if (config.DATABASE_URL === undefined) throw new NightshiftError('CONFIG_INVALID', 'migrate: set DATABASE_URL (the bridge image migrates a Postgres server)');
  return runMigrate(config, { json: args.includes('--json') });
}

async function bridgeUntilSignal(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const unknown = args.filter((a) => a !== '--no-watch');
  if (unknown.length) throw new NightshiftError('CONFIG_INVALID', `unknown argument ${unknown.join(' ')}; ${USAGE}`);
  const { config, fromFiles } = configFrom(env);
  const log = createLogger({ level: config.LOG_LEVEL, name: 'nightshift-bridge' });
  if (fromFiles.length) log.info({ fromFiles }, `configuration read from files under ${env.SECRETS_DIR ?? ''}`);
  const running = await startBridge(config, log, { watch: !args.includes('--no-watch') });
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) process.exit(1);
      stopping = true;
      log.info({ signal }, 'signal received');
      running.close().then(
        () => resolve(0),
        (err: unknown) => {
          log.error({ err }, 'the bridge did not stop cleanly');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** Runs the bridge or `migrate` from `argv` (without node and the script); resolves with the exit code. */
async function bridgeMain(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === 'migrate') return await migrateOnly(rest, env);
    if (first === '--help' || first === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    return await bridgeUntilSignal([...argv], env);
  } catch (err) {
    const e = err instanceof NightshiftError ? err : undefined;
    process.stderr.write(`nightshift-bridge: ${e ? e.message : ((err as Error).stack ?? String(err))}\n`);
    return e?.code === 'CONFIG_INVALID' ? 2 : 1;
  }
}

process.exitCode = await bridgeMain(process.argv.slice(2), process.env);
