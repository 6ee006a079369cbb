/**
 * Test helper: runs a function bundle as a real child process, reads its JSON
 * log lines, finds the port it picked (PORT=0) and waits for readiness.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SpawnedProcess {
  child: ChildProcess;
  /** Every stdout line parsed so far (non-JSON lines as `{ raw }`). */
  lines: Record<string, unknown>[];
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** Resolves with the first log line for which `match` is true. */
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export interface FunctionProcess extends SpawnedProcess {
  url: string;
}

const running = new Set<ChildProcess>();

/** Starts `node <file>` in `cwd` with exactly `env` (plus PATH); resolves once it answers /_/ready with 200. */
export async function startProcess(file: string, cwd: string, env: Record<string, string>, timeoutMs = 30_000): Promise<FunctionProcess> {
  const spawned = spawnProcess(file, cwd, env, timeoutMs);
  const listening = await spawned.waitForLine((l) => typeof l.port === 'number' && String(l.msg).startsWith('listening'));
  const url = `http://127.0.0.1:${listening.port as number}`;
  const deadline = Date.now() + timeoutMs;
  while ((await fetch(`${url}/_/ready`).then((r) => r.status, () => 0)) !== 200) {
    if (Date.now() > deadline) throw new Error(`${file} did not become ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ...spawned, url };
}

/** Starts `node <file>` in `cwd` with exactly `env` (plus PATH), without waiting for anything. */
export function spawnProcess(file: string, cwd: string, env: Record<string, string>, timeoutMs = 30_000): SpawnedProcess {
  const child = spawn(process.execPath, [file], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (text) => {
      lines.push(parseLine(text));
      for (const wake of waiters) wake();
    });
  }
  const waitForLine: FunctionProcess['waitForLine'] = (match, ms = timeoutMs) =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = lines.find(match);
        if (!found) return false;
        done();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching log line within ${ms} ms from ${file}; lines so far:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      const wake = (): void => void check();
      waiters.add(wake);
      check();
    });
  return { child, lines, exited, waitForLine };
}

/** Kills every child this helper started that is still running (for afterEach). */
export async function stopAll(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

function parseLine(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : { raw: text };
  } catch {
    return { raw: text };
  }
}
