/**
 * Scale to zero on one machine (`nightshift dev --isolated`): each function
 * runs as its own bundle process (`node dist/<name>/index.mjs`, what its image
 * runs), started by its first request (a cold start) and stopped with SIGTERM
 * once it has had no request in flight for IDLE_TIMEOUT_MS, as Knative's
 * autoscaler does on a cluster. The gateway asks `target` where a function
 * listens and tells `onRequest` when a request begins and ends; `stats` is
 * what `GET /system/scale` shows.
 *
 * Processes are spawned detached (a group of their own), so a Ctrl-C in the
 * terminal reaches only the dev process, which then stops each one once and
 * gracefully; a process still alive when the dev process exits is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ConfigSchema, type Config } from '../config.ts';
import { NightshiftError } from '../errors.ts';
import { killGroup, trackGroup } from '../exec/process-group.ts';

/** `stopping`: SIGTERM sent, waiting for the process to drain and exit. */
export type ProcessState = 'stopped' | 'starting' | 'running' | 'stopping';

export interface FunctionScale {
  state: ProcessState;
  /** The process while one runs. */
  pid?: number;
  port?: number;
  /** Processes that became ready so far (cold starts). */
  starts: number;
  /** Spawn to the first `GET /_/ready` 200 of the last start, in ms. */
  lastColdStartMs?: number;
  /** Why the last process ended: "idle", "shutdown" or "crashed". */
  lastStop?: 'idle' | 'shutdown' | 'crashed';
  /** Requests routed to the function so far. */
  requests: number;
  inFlight: number;
}

export interface ScaleStats {
  idleTimeoutMs: number;
  functions: Record<string, FunctionScale>;
}

export interface ProcessPoolOptions {
  /** The folder holding `<name>/index.mjs` (what `npm run build` writes). */
  distDir: string;
  names: readonly string[];
  /** The complete environment of every process (see `functionEnv`); PORT is set per process. */
  env: Record<string, string>;
  /** A running process with no request in flight for this long is stopped. */
  idleTimeoutMs: number;
  log: Logger;
  /** How long a process may take to answer `/_/ready` with 200. @default 30000 ms */
  startTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping (the process drains in-flight requests meanwhile). @default 15000 ms */
  stopTimeoutMs?: number;
  /** Where the processes' stdout and stderr are copied. @default process.stdout and process.stderr */
  output?: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
}

export interface ProcessPool {
  /** Where `name` listens, starting its process first if none runs; rejects (INVOKE_FAILED, retryable) if it cannot start. */
  target(name: string): Promise<{ host: string; port: number } | undefined>;
  /** Counts a request in flight; call the returned function once when it has ended. */
  onRequest(name: string): () => void;
  stats(): ScaleStats;
  /** Stops every process (SIGTERM, graceful) and refuses new requests. */
  close(): Promise<void>;
}

interface Proc {
  child: ChildProcess;
  pid: number;
  port: number;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  exited: Promise<void>;
  /** The last few KiB of output, for the error when a start fails. */
  tail: string;
}

interface Slot {
  name: string;
  state: ProcessState;
  proc?: Proc;
  starting?: Promise<void>;
  stopping?: Promise<void>;
  idle?: NodeJS.Timeout;
  stats: Omit<FunctionScale, 'state' | 'pid' | 'port'>;
}

const HOST = '127.0.0.1';
const TAIL_CHARS = 4000;

/** Fails with CONFIG_INVALID, saying to run `npm run build`, when a bundle is missing. */
export function assertBundles(distDir: string, names: readonly string[]): void {
  const missing = names.filter((n) => !existsSync(resolve(distDir, n, 'index.mjs')));
  if (missing.length === 0) return;
  throw new NightshiftError('CONFIG_INVALID', `no function bundle for ${missing.join(', ')} under ${resolve(distDir)}: run \`npm run build\` first (it writes dist/<function>/index.mjs)`);
}

/**
 * The environment of a function process: the parent's (PATH, HOME ...) without
 * any nightshift variable or SECRETS_DIR, then the whole parsed config, with
 * folders made absolute, so every process runs on exactly the dev process's
 * configuration.
 */
export function functionEnv(config: Config, parent: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) if (v !== undefined && !(k in ConfigSchema.shape) && k !== 'SECRETS_DIR') env[k] = v;
  for (const [k, v] of Object.entries(config)) if (v !== undefined) env[k] = String(v);
  env.SPECS_DIR = resolve(config.SPECS_DIR);
  env.NIGHTSHIFT_HOME = resolve(config.NIGHTSHIFT_HOME);
  if (config.WORKSPACES_DIR !== undefined) env.WORKSPACES_DIR = resolve(config.WORKSPACES_DIR);
  return env;
}

export function createProcessPool(options: ProcessPoolOptions): ProcessPool {
  assertBundles(options.distDir, options.names);
  const { log } = options;
  const output = options.output ?? { stdout: process.stdout, stderr: process.stderr };
  const slots = new Map<string, Slot>(options.names.map((name) => [name, { name, state: 'stopped', stats: { starts: 0, requests: 0, inFlight: 0 } }]));
  let closed = false;

  function armIdle(slot: Slot): void {
    clearTimeout(slot.idle);
    if (closed || slot.state !== 'running' || slot.stats.inFlight > 0) return;
    slot.idle = setTimeout(() => void stop(slot, 'idle'), options.idleTimeoutMs);
  }

  function spawnProcess(slot: Slot, port: number): Proc {
    const child = spawn(process.execPath, [resolve(options.distDir, slot.name, 'index.mjs')], {
      env: { ...options.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const proc: Proc = { child, pid: child.pid ?? -1, port, tail: '', exited: Promise.resolve() };
    const untrack = child.pid === undefined ? () => {} : trackGroup(child.pid);
    for (const [from, to] of [[child.stdout, output.stdout], [child.stderr, output.stderr]] as const) {
      from.on('data', (chunk: Buffer) => {
        to.write(chunk);
        proc.tail = (proc.tail + chunk.toString()).slice(-TAIL_CHARS);
      });
    }
    proc.exited = new Promise<void>((done) => {
      const ended = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (proc.exit) return;
        proc.exit = { code, signal };
        untrack();
        onExit(slot, proc);
        done();
      };
      child.once('exit', ended);
      child.once('error', (err) => {
        proc.tail += `\n${err.message}`;
        ended(null, null);
      });
    });
    return proc;
  }

  /** A process that ends while it should be running crashed: the next request starts another. */
  function onExit(slot: Slot, proc: Proc): void {
    if (slot.proc !== proc || slot.state !== 'running') return; // a start or a stop in progress handles it
    clearTimeout(slot.idle);
    slot.proc = undefined;
    slot.state = 'stopped';
    slot.stats.lastStop = 'crashed';
    log.warn({ function: slot.name, functionPid: proc.pid, code: proc.exit?.code, signal: proc.exit?.signal, inFlight: slot.stats.inFlight }, `${slot.name} exited on its own; its next request starts it again`);
  }

  async function waitReady(slot: Slot, proc: Proc): Promise<void> {
    const deadline = performance.now() + (options.startTimeoutMs ?? 30_000);
    const url = `http://${HOST}:${proc.port}/_/ready`;
    for (;;) {
      if (proc.exit) {
        const how = proc.exit.signal ?? `code ${proc.exit.code}`;
        throw new NightshiftError('INVOKE_FAILED', `${slot.name} (pid ${proc.pid}) exited with ${how} before it was ready; its output ended with: ${proc.tail.trim().slice(-1000)}`);
      }
      const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => (void r.body?.cancel(), r.status), () => 0);
      if (status === 200) return;
      if (performance.now() > deadline) throw new NightshiftError('INVOKE_FAILED', `${slot.name} (pid ${proc.pid}) did not answer ${url} with 200 within ${options.startTimeoutMs ?? 30_000} ms`);
      await sleep(10);
    }
  }

  function start(slot: Slot): Promise<void> {
    slot.state = 'starting';
    slot.starting = (async () => {
      let proc: Proc | undefined;
      try {
        const port = await freePort();
        if (closed) throw closedError();
        const spawnedAt = performance.now();
        proc = spawnProcess(slot, port);
        slot.proc = proc;
        await waitReady(slot, proc);
        const coldStartMs = Math.round(performance.now() - spawnedAt);
        slot.state = 'running';
        slot.stats.starts += 1;
        slot.stats.lastColdStartMs = coldStartMs;
        log.info({ function: slot.name, functionPid: proc.pid, port, coldStartMs, starts: slot.stats.starts }, `${slot.name} started in ${coldStartMs} ms (cold start)`);
        armIdle(slot);
      } catch (err) {
        slot.state = 'stopped';
        slot.proc = undefined;
        if (proc && !proc.exit) {
          killGroup(proc.pid, 'SIGKILL');
          await proc.exited;
        }
        log.error({ function: slot.name, err }, `${slot.name} could not start: ${(err as Error).message}`);
        throw err;
      } finally {
        slot.starting = undefined;
      }
    })();
    return slot.starting;
  }

  function stop(slot: Slot, reason: 'idle' | 'shutdown'): Promise<void> {
    if (slot.stopping) return slot.stopping;
    const proc = slot.proc;
    if (slot.state !== 'running' || !proc) return Promise.resolve();
    clearTimeout(slot.idle);
    slot.state = 'stopping';
    slot.stopping = (async () => {
      const since = performance.now();
      proc.child.kill('SIGTERM');
      const timeoutMs = options.stopTimeoutMs ?? 15_000;
      const force = setTimeout(() => {
        log.warn({ function: slot.name, functionPid: proc.pid, timeoutMs }, `${slot.name} did not exit after SIGTERM: killing it`);
        killGroup(proc.pid, 'SIGKILL');
      }, timeoutMs);
      await proc.exited;
      clearTimeout(force);
      const stopMs = Math.round(performance.now() - since);
      log.info({ function: slot.name, functionPid: proc.pid, reason, code: proc.exit?.code, signal: proc.exit?.signal, stopMs }, `${slot.name} stopped (${reason})`);
      slot.proc = undefined;
      slot.state = 'stopped';
      slot.stats.lastStop = reason;
      slot.stopping = undefined;
    })();
    return slot.stopping;
  }

  return {
    async target(name) {
      const slot = slots.get(name);
      if (!slot) return undefined;
      // Concurrent first requests share one start; a request during a stop waits for it, then starts anew.
      for (;;) {
        if (closed) throw closedError();
        if (slot.state === 'running' && slot.proc) return { host: HOST, port: slot.proc.port };
        if (slot.state === 'starting') await slot.starting;
        else if (slot.state === 'stopping') await slot.stopping;
        else await start(slot);
      }
    },
    onRequest(name) {
      const slot = slots.get(name);
      if (!slot) return () => {};
      slot.stats.requests += 1;
      slot.stats.inFlight += 1;
      clearTimeout(slot.idle);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        slot.stats.inFlight -= 1;
        armIdle(slot);
      };
    },
    stats() {
      const functions: Record<string, FunctionScale> = {};
      for (const slot of slots.values()) {
        functions[slot.name] = { state: slot.state, ...(slot.proc ? { pid: slot.proc.pid, port: slot.proc.port } : {}), ...slot.stats };
      }
      return { idleTimeoutMs: options.idleTimeoutMs, functions };
    },
    async close() {
      closed = true;
      await Promise.all(
        [...slots.values()].map(async (slot) => {
          clearTimeout(slot.idle);
          await slot.starting?.catch(() => undefined);
          await stop(slot, 'shutdown');
        }),
      );
    },
  };
}

function closedError(): NightshiftError {
  return new NightshiftError('NOT_READY', 'the gateway is shutting down; its function processes are stopping');
}

/** A port free right now on every interface (the function host listens on all of them). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}
