/**
 * Child-process probes for the function benchmark: a free port, time until
 * an HTTP endpoint answers 200, resident memory from /proc, and a clean stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A port nothing listens on right now (the OS picks it; a small race is accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The status of one GET, or 0 when nothing answers (connection refused, reset, timeout). */
function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
  });
}

export interface Started {
  child: ChildProcess;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  output: string[];
}

/** Starts `node <file>` in `cwd` with exactly `env` plus PATH, keeping the tail of its output. */
export function startNode(file: string, cwd: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, [file], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(...chunk.split('\n').filter((l) => l !== ''));
      output.splice(0, Math.max(0, output.length - 20));
    });
  }
  return { child, output };
}

/** Polls `url` every `everyMs` until it answers 200; throws when the process exits or `timeoutMs` passes. */
export async function waitFor200(url: string, started: Started, timeoutMs = 30_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await status(url)) !== 200) {
    if (started.child.exitCode !== null || started.child.signalCode !== null) {
      throw new Error(`the process exited (${started.child.exitCode ?? started.child.signalCode}) before ${url} answered 200:\n${started.output.join('\n')}`);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${started.output.join('\n')}`);
    await sleep(everyMs);
  }
}

/** A `Vm*` line of /proc/<pid>/status in KiB (VmRSS: resident now, VmHWM: peak); null off Linux. */
export async function procStatusKiB(pid: number, key: 'VmRSS' | 'VmHWM'): Promise<number | null> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stop(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
