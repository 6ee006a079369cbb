/**
 * The one process runner behind agents and checks. It spawns an argv array
 * (never a shell string) in its own process group, feeds stdin, caps the
 * combined output, and kills the whole group on timeout, on abort, and once
 * the leader has exited (nothing the run started outlives it).
 * See docs/decisions/executor.md for why this is node:child_process, not execa.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { NightshiftError } from '../errors.ts';
import { DEFAULT_MAX_OUTPUT_BYTES, OutputCapture } from './output-capture.ts';
import { killGroup, trackGroup } from './process-group.ts';

export interface RunProcessOptions {
  /** Working directory; must exist. */
  cwd: string;
  /** Written to stdin, which is then closed. @default "" (stdin closed at once) */
  stdin?: string | Buffer;
  /** The complete environment of the process (nothing is inherited). */
  env: Record<string, string>;
  /** Wall-clock limit; the process group is killed when it passes. */
  timeoutMs: number;
  /** Output kept (head and tail). @default 1 MiB */
  maxOutputBytes?: number;
  /** Aborting kills the process group like a timeout does. */
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL. @default 2000 ms */
  killGraceMs?: number;
}

export interface RunProcessResult {
  /** Exit code, or null when a signal ended the process. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** stdout and stderr interleaved as they arrived, capped (see OutputCapture). */
  output: string;
  /** Bytes written in total, including dropped ones. */
  outputBytes: number;
  truncated: boolean;
  durationMs: number;
  pid: number;
}

/** How long to wait for stdout/stderr to close after the leader exited and its group was killed. */
const STDIO_CLOSE_WAIT_MS = 1000;

/** Runs `argv` and resolves when it has ended; rejects only when it cannot start (EXEC_SPAWN_FAILED). */
export function runProcess(argv: readonly string[], options: RunProcessOptions): Promise<RunProcessResult> {
  const [program, ...args] = argv;
  if (program === undefined || program === '') {
    return Promise.reject(new NightshiftError('EXEC_SPAWN_FAILED', 'cannot run an empty command: argv needs at least the program name'));
  }
  if (!isDirectory(options.cwd)) {
    return Promise.reject(new NightshiftError('EXEC_SPAWN_FAILED', `cannot run '${program}': working directory ${options.cwd} does not exist or is not a directory`));
  }
  const started = performance.now();
  const capture = new OutputCapture(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const grace = options.killGraceMs ?? 2000;

  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      // detached: setsid(), so the child leads a new process group whose id is its pid.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    let timedOut = false;
    let aborted = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];
    const pid = child.pid;
    const untrack = pid === undefined ? () => {} : trackGroup(pid);

    const stop = (): void => {
      if (pid === undefined || exit !== undefined) return;
      killGroup(pid, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(pid, 'SIGKILL'), grace));
    };
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    const cleanup = (): void => {
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener('abort', onAbort);
      untrack();
    };
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      cleanup();
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        timedOut,
        aborted,
        output: capture.text(),
        outputBytes: capture.totalBytes,
        truncated: capture.truncated,
        durationMs: Math.round(performance.now() - started),
        pid: pid ?? -1,
      });
    };

    child.once('error', (err: NodeJS.ErrnoException) => {
      if (pid !== undefined) return; // errors after a successful spawn surface as exit codes
      cleanup();
      const why = err.code === 'ENOENT' ? 'no such program on PATH' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new NightshiftError('EXEC_SPAWN_FAILED', `cannot run '${program}' in ${options.cwd}: ${why}`, { cause: err }));
    });
    if (pid === undefined) return;

    child.stdout.on('data', (c: Buffer) => capture.push(c));
    child.stderr.on('data', (c: Buffer) => capture.push(c));
    // A program that never reads stdin closes it early; that is not our error.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');

    timers.push(
      setTimeout(() => {
        timedOut = true;
        stop();
      }, Math.max(1, options.timeoutMs)),
    );
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // Whatever the leader left running in its group (a background job, a
      // grandchild that ignored SIGTERM) dies with it.
      killGroup(pid, 'SIGKILL');
      // Output pipes close when every holder is gone; a process that escaped
      // the group (setsid) could hold them forever, so wait only briefly.
      timers.push(
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }, STDIO_CLOSE_WAIT_MS),
      );
    });
    child.once('close', () => {
      if (exit === undefined) exit = { code: child.exitCode, signal: child.signalCode };
      finish();
    });
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
