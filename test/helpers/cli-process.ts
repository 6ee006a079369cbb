/**
 * Runs the real `nightshift` command (bin/nightshift.js, what `npm start` and
 * `npx nightshift` run) as a child process, with an environment built from
 * scratch: PATH and HOME plus what the test names, never the caller's
 * NATS_URL or DATABASE_URL. Long-running commands are read line by line
 * (pino JSON); short ones are run to the end with their output collected.
 *
 *   const dev = spawnCli(['dev'], { cwd, env: { PORT: '0' } });
 *   const up = await dev.waitForLine((l) => String(l.msg).startsWith('nightshift dev is up'));
 *   ...
 *   afterEach(stopCliProcesses);
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { lineWaiter } from './line-waiter.ts';

/** The checkout's root. */
export const ROOT = resolve(import.meta.dirname, '../..');
/** The `nightshift` entry point. */
export const CLI = join(ROOT, 'bin', 'nightshift.js');

export type LogLine = Record<string, unknown>;

export interface CliOptions {
  /** @default the checkout's root */
  cwd?: string;
  /** Added to PATH and HOME; nothing else of the caller's environment is passed on. */
  env?: Record<string, string>;
}

export interface CliProcess {
  child: ChildProcess;
  /** Every stdout and stderr line so far, parsed (non-JSON lines as `{ raw }`). */
  lines: LogLine[];
  /** Resolves with the exit code, or the signal's name if it was killed. */
  exited: Promise<number | string>;
  /** Resolves with the first line for which `match` is true; rejects after `timeoutMs` listing the lines seen. */
  waitForLine(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export interface CliResult {
  code: number | string;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** The environment a child gets: PATH, HOME and `extra`. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  if (process.env.HOME) env.HOME = process.env.HOME;
  return { ...env, ...extra };
}

/** Starts `node bin/nightshift.js <args>` without waiting for anything. */
export function spawnCli(args: string[], options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cliEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: LogLine[] = [];
  const waiter = lineWaiter(lines, `nightshift ${args.join(' ')}`);
  const exited = new Promise<number | string>((resolveExit) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolveExit(code ?? signal ?? 'unknown');
    }),
  );
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (text) => {
      lines.push(parseLine(text));
      waiter.notify();
    });
  }
  const waitForLine: CliProcess['waitForLine'] = (match, timeoutMs = 60_000) => waiter.waitFor(match, timeoutMs);
  return { child, lines, exited, waitForLine };
}

/** Starts `nightshift dev` with `env` and waits for its "is up" line (PGlite's first start can take a while). */
export async function startDevCli(env: Record<string, string>, timeoutMs = 90_000): Promise<CliProcess> {
  const dev = spawnCli(['dev'], { env });
  await dev.waitForLine((l) => String(l.msg).startsWith('nightshift dev is up'), timeoutMs);
  return dev;
}

/** Runs `node bin/nightshift.js <args>` to the end. */
export function runCli(args: string[], options: CliOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cliEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nightshift ${args.join(' ')} did not exit within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    // 'close' rather than 'exit': the output streams are complete then.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolveRun({ code: code ?? signal ?? 'unknown', stdout, stderr });
    });
  });
}

/** Kills (SIGKILL) every child this helper started that still runs; for afterEach. */
export async function stopCliProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolveStop) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
          child.once('exit', () => resolveStop());
          child.kill('SIGKILL');
        }),
    ),
  );
  running.clear();
}

function parseLine(text: string): LogLine {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LogLine) : { raw: text };
  } catch {
    return { raw: text };
  }
}
