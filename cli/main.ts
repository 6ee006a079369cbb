/**
 * The `nightshift` command. Each sub-command reads configuration from the
 * environment once (shared/config.ts), and its errors say what to do.
 * Exit codes: 0 success, 1 the work failed or input was invalid, 2 usage or
 * configuration error.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
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
  .option('--isolated', 'each function in its own process (dist/, npm run build), started on demand and stopped after IDLE_TIMEOUT_MS idle; needs DATABASE_URL')
  .action(async (opts: { port?: string; isolated?: boolean }) => {
    const cfg = config({ PORT: opts.port });
    const log = createLogger({ level: cfg.LOG_LEVEL, name: 'nightshift-dev' });
    const { startDev } = await import('./dev.ts');
    await runUntilSignal(() => startDev(cfg, log, { isolated: opts.isolated === true }));
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

const collect = (value: string, list: string[]): string[] => [...list, value];

program
  .command('plan')
  .description('work with markdown implementation plans')
  .command('import')
  .description('turn a markdown implementation plan into a spec (printed, or written with -o)')
  .argument('<plan>', 'the plan (.md)')
  .option('-o, --output <file>', 'write the spec to this file instead of printing it')
  .option('--repo <path>', 'the git repository the tasks change', '.')
  .option('--base <branch>', 'the branch the work starts from', 'main')
  .option('--id <id>', 'the spec id (default: from the title)')
  .option('--agent-command <json>', 'a command agent as a JSON argv, e.g. \'["node","agent.mjs"]\' (default: no agent in the spec)')
  .option('--check <json>', 'a check as a JSON argv, e.g. \'["npm","test"]\'; repeat for more', collect, [])
  .option('-f, --force', 'replace the -o file if it exists')
  .option('--json', 'print {spec, warnings} as JSON')
  .action(async (plan: string, opts: { output?: string; repo: string; base: string; id?: string; agentCommand?: string; check: string[]; force?: boolean; json?: boolean }) => {
    const { runPlanImport } = await import('./plan.ts');
    process.exitCode = await runPlanImport(plan, { ...opts, force: opts.force === true, json: opts.json === true });
  });

program
  .command('submit')
  .description('check a spec (or a plan, or a one-line request) and place it in specs/active/; prints its id')
  .argument('[file]', 'a spec (.yaml) or a markdown plan (.md)')
  .option('-m, --message <request>', 'make a one-task spec from this request (needs --repo)')
  .option('--repo <path>', 'for a plan or -m: the git repository the tasks change (plan default: .)')
  .option('--base <branch>', 'for a plan or -m: the branch the work starts from', 'main')
  .option('--id <id>', 'for a plan or -m: the spec id (default: from the title)')
  .option('--agent-command <json>', 'for a plan or -m: a command agent as a JSON argv')
  .option('--check <json>', 'for a plan or -m: a check as a JSON argv; repeat for more', collect, [])
  .option('--specs-dir <dir>', 'the specs folder that holds active/ (SPECS_DIR)')
  .option('--json', 'print {id, file, tasks, warnings} as JSON')
  .action(async (file: string | undefined, opts: { message?: string; repo?: string; base: string; id?: string; agentCommand?: string; check: string[]; specsDir?: string; json?: boolean }, cmd: Command) => {
    if (file !== undefined && opts.message !== undefined) cmd.error('error: give a file or -m "<request>", not both', { exitCode: 2 });
    if (file === undefined && opts.message === undefined) cmd.error('error: give a spec or plan file, or -m "<request>" --repo <path>', { exitCode: 2 });
    if (opts.message !== undefined && opts.repo === undefined) cmd.error('error: -m needs --repo <path>: the git repository the request is about', { exitCode: 2 });
    const planOnly = [opts.repo && '--repo', opts.id && '--id', opts.agentCommand && '--agent-command', opts.check.length > 0 && '--check', opts.base !== 'main' && '--base'].filter(Boolean);
    if (file !== undefined && !/\.(?:md|markdown)$/i.test(file) && planOnly.length > 0) {
      cmd.error(`error: ${planOnly.join(', ')} ${planOnly.length === 1 ? 'applies' : 'apply'} to a plan or -m; a spec file says these itself`, { exitCode: 2 });
    }
    const { runSubmit } = await import('./submit.ts');
    process.exitCode = await runSubmit(file, { ...opts, json: opts.json === true, specsDir: config({ SPECS_DIR: opts.specsDir }).SPECS_DIR });
  });

program
  .command('status')
  .description("where specs stand: every spec with a progress bar, or one spec's tasks with state, attempt, duration and last error")
  .argument('[spec-id]', "show this spec's tasks")
  .option('-w, --watch', 'redraw every second until Ctrl-C (without a terminal: print again on each change)')
  .option('--json', "print JSON (the status API's shapes, plus source)")
  .option('--url <gateway>', 'read from this runner or bridge (default: http://127.0.0.1:PORT when one answers, else DATABASE_URL, the embedded database, or the files)')
  .action(async (specId: string | undefined, opts: { watch?: boolean; json?: boolean; url?: string }, cmd: Command) => {
    if (opts.url !== undefined && !URL.canParse(opts.url)) cmd.error(`error: --url ${opts.url} is not a URL (e.g. http://127.0.0.1:8080)`, { exitCode: 2 });
    const { runStatus } = await import('./status.ts');
    process.exitCode = await runStatus(specId, { watch: opts.watch === true, json: opts.json === true, ...(opts.url === undefined ? {} : { url: opts.url }) }, config());
  });

const positiveInt = (flag: string) => (value: string): number => {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError(`${flag} takes a whole number from 1, got "${value}"`);
  return Number(value);
};

program
  .command('retry')
  .description('send a failed task back to pending (and a failed spec back to in-progress); the next reconcile starts its next attempt')
  .argument('<spec>', 'the spec id (or its file in specs/active)')
  .argument('<task>', 'the failed task')
  .option('--by <name>', 'who retries, for the changeLog (default: your user name)')
  .option('--specs-dir <dir>', 'the specs folder that holds active/ (SPECS_DIR)')
  .option('--json', 'print the result as JSON')
  .action(async (spec: string, task: string, opts: { by?: string; specsDir?: string; json?: boolean }) => {
    const { runRetry } = await import('./retry.ts');
    process.exitCode = await runRetry(spec, task, { specsDir: config({ SPECS_DIR: opts.specsDir }).SPECS_DIR, json: opts.json === true, ...(opts.by ? { by: opts.by } : {}) });
  });

program
  .command('cancel')
  .description('stop a spec: every task not completed becomes failed ("cancelled by ..."), and the spec failed; running agents finish but their results are dropped')
  .argument('<spec>', 'the spec id (or its file in specs/active)')
  .option('--by <name>', 'who cancels, for the changeLog and lastError (default: your user name)')
  .option('--specs-dir <dir>', 'the specs folder that holds active/ (SPECS_DIR)')
  .option('--json', 'print the result as JSON')
  .action(async (spec: string, opts: { by?: string; specsDir?: string; json?: boolean }) => {
    const { runCancel } = await import('./cancel.ts');
    process.exitCode = await runCancel(spec, { specsDir: config({ SPECS_DIR: opts.specsDir }).SPECS_DIR, json: opts.json === true, ...(opts.by ? { by: opts.by } : {}) });
  });

program
  .command('logs')
  .description("a spec's (or task's) attempts: status, reason, error, retry decision and the log's tail")
  .argument('<spec>', 'the spec id')
  .argument('[task]', 'only this task')
  .option('--attempt <n>', 'only this attempt number', positiveInt('--attempt'))
  .option('--lines <n>', 'log lines shown per attempt', positiveInt('--lines'), 40)
  .option('--json', 'print {source, attempts} as JSON, with whole logs')
  .action(async (spec: string, task: string | undefined, opts: { attempt?: number; lines: number; json?: boolean }) => {
    const { runLogs } = await import('./logs.ts');
    process.exitCode = await runLogs(spec, task, { lines: opts.lines, json: opts.json === true, ...(opts.attempt === undefined ? {} : { attempt: opts.attempt }) }, config());
  });

program
  .command('report')
  .description('the retrospective: failures by reason and agent, frequent similar failures, whether hinted retries help, slowest tasks (markdown)')
  .option('--since <date>', 'only since this date or time (2025-01-31, 2025-01-31T12:00Z) or span (12h, 7d, 2w)')
  .option('--limit <n>', 'rows in the similar-failures and slowest-tasks tables', positiveInt('--limit'), 10)
  .option('--json', 'print {source, report} as JSON')
  .option('--markdown', 'print markdown (the default)')
  .action(async (opts: { since?: string; limit: number; json?: boolean; markdown?: boolean }, cmd: Command) => {
    if (opts.json && opts.markdown) cmd.error('error: give --json or --markdown, not both', { exitCode: 2 });
    const { parseSince } = await import('../shared/report/since.ts');
    let since: Date | undefined;
    try {
      since = opts.since === undefined ? undefined : parseSince(opts.since);
    } catch (err) {
      cmd.error(`error: ${(err as Error).message}`, { exitCode: 2 });
    }
    const { runReport } = await import('./report.ts');
    process.exitCode = await runReport({ json: opts.json === true, limit: opts.limit, ...(since ? { since } : {}) }, config());
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
