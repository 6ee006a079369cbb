/**
 * The `nightshift` command. Each sub-command reads configuration from the
 * environment once (shared/config.ts), and its errors say what to do.
 * Exit codes: 0 success, 1 the work failed or input was invalid, 2 usage or
 * configuration error.
 */
import { Command, CommanderError } from 'commander';
import { loadConfig, type Config } from '../shared/config.ts';
import { NightshiftError } from '../shared/errors.ts';
import { createLogger } from '../shared/runtime/logger.ts';
import type { Running } from './dev.ts';

const program = new Command('nightshift')
  .description('background coding agents as stateless, event-driven functions')
  .showHelpAfterError()
  .exitOverride();

function config(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) env[k] = v;
  return loadConfig(env);
}

/** Keeps a long-running command up until SIGTERM / SIGINT, then closes it gracefully. */
async function runUntilSignal(start: () => Promise<Running>): Promise<void> {
  const running = await start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) process.exit(1);
      stopping = true;
      void running.close().then(resolve, () => process.exit(1));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

program
  .command('dev')
  .description('run every function in one process with a gateway on PORT (npm start)')
  .option('-p, --port <port>', 'gateway port (PORT)')
  .action(async (opts: { port?: string }) => {
    const cfg = config({ PORT: opts.port });
    const log = createLogger({ level: cfg.LOG_LEVEL, name: 'nightshift-dev' });
    const { startDev } = await import('./dev.ts');
    await runUntilSignal(() => startDev(cfg, log));
  });

program
  .command('bridge')
  .description('watch specs and deliver JetStream events to functions over HTTP (needs NATS_URL, DATABASE_URL)')
  .option('--no-watch', 'do not watch the specs folder (another bridge does)')
  .action(async (opts: { watch: boolean }) => {
    const cfg = config();
    const log = createLogger({ level: cfg.LOG_LEVEL, name: 'nightshift-bridge' });
    const { startBridge } = await import('./bridge.ts');
    await runUntilSignal(() => startBridge(cfg, log, { watch: opts.watch }));
  });

program
  .command('watch')
  .description('watch specs/active and publish spec events (to NATS when NATS_URL is set, else print them)')
  .action(async () => {
    const cfg = config();
    const log = createLogger({ level: cfg.LOG_LEVEL, name: 'nightshift-watch' });
    const { startWatch } = await import('./watch.ts');
    await runUntilSignal(() => startWatch(cfg, log));
  });

program
  .command('migrate')
  .description('apply database migrations (Postgres at DATABASE_URL, else the embedded PGlite)')
  .option('--json', 'print the result as JSON')
  .action(async (opts: { json?: boolean }) => {
    const { runMigrate } = await import('./migrate.ts');
    process.exitCode = await runMigrate(config(), { json: opts.json === true });
  });

program
  .command('validate')
  .description('check spec files and print every problem with file, line and field')
  .argument('<files...>', 'spec files')
  .option('--json', 'print the result as JSON')
  .action(async (files: string[], opts: { json?: boolean }) => {
    const { runValidate } = await import('./validate.ts');
    process.exitCode = await runValidate(files, { json: opts.json === true });
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof NightshiftError) {
    process.stderr.write(`nightshift: ${err.message}\n`);
    process.exitCode = err.code === 'CONFIG_INVALID' ? 2 : 1;
  } else {
    process.stderr.write(`nightshift: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
