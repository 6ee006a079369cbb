/**
 * Runs short commands (git) from a small helper process instead of from this
 * one. Starting a process copies the parent's page tables: from the dev
 * runner, whose embedded PGlite holds hundreds of MiB, each spawn measured
 * ~57 ms against ~7 ms from a small process, and a task runs ~30 git
 * commands. The helper is a plain `node -e` program (no file, so it works the
 * same from a single-file bundle), started on first use, talking over an IPC
 * channel with structured-clone serialisation (buffers pass as bytes). It
 * exits when this process goes, its channel closing. If it cannot start,
 * commands run from this process as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { NightshiftError } from '../errors.ts';

export interface SpawnRequest {
  file: string;
  args: readonly string[];
  cwd?: string | undefined;
  env: Record<string, string>;
  input?: string | Uint8Array | undefined;
  /** Largest stdout kept; past it the command is killed and fails. */
  maxBuffer: number;
}

export interface SpawnReply {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

// The helper: one child per request, output collected, the reply sent back by id.
const SOURCE = `
const { spawn } = require('node:child_process');
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  let child;
  try {
    child = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    process.send({ id: m.id, error: String(e && e.message || e) });
    return;
  }
  const out = []; const err = []; let size = 0; let over = false;
  child.stdout.on('data', (d) => { size += d.length; if (size > m.maxBuffer) { over = true; child.kill('SIGKILL'); } else out.push(d); });
  child.stderr.on('data', (d) => err.push(d));
  child.on('error', (e) => process.send({ id: m.id, error: String(e && e.message || e) }));
  child.on('close', (code, signal) => {
    if (over) return process.send({ id: m.id, error: 'output larger than ' + m.maxBuffer + ' bytes' });
    process.send({ id: m.id, code: code === null ? -1 : code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
  });
  child.stdin.on('error', () => {});
  if (m.input !== undefined) child.stdin.end(Buffer.from(m.input)); else child.stdin.end();
});
`;

type Pending = { resolve: (r: SpawnReply) => void; reject: (e: Error) => void };

let helper: ChildProcess | undefined;
let unavailable = false;
let nextId = 1;
const pending = new Map<number, Pending>();

function start(): ChildProcess | undefined {
  if (helper || unavailable) return helper;
  try {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ['-e', SOURCE], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced', env });
    child.on('message', (m: { id: number; error?: string; code?: number; stdout?: Uint8Array; stderr?: Uint8Array }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      idle();
      if (m.error !== undefined) p.reject(new NightshiftError('GIT_FAILED', `could not run the command: ${m.error}`));
      else p.resolve({ code: m.code ?? -1, stdout: Buffer.from(m.stdout ?? new Uint8Array()), stderr: Buffer.from(m.stderr ?? new Uint8Array()) });
    });
    child.on('exit', () => {
      if (helper === child) helper = undefined;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new NightshiftError('GIT_FAILED', 'the command helper process exited; try again', { retryable: true }));
      }
    });
    child.on('error', () => {
      unavailable = true;
      if (helper === child) helper = undefined;
    });
    helper = child;
    idle();
    return child;
  } catch {
    unavailable = true;
    return undefined;
  }
}

/** Keeps this process alive only while commands are pending. */
function idle(): void {
  const h = helper as (ChildProcess & { channel?: { ref(): void; unref(): void } }) | undefined;
  if (!h) return;
  if (pending.size === 0) {
    h.unref();
    h.channel?.unref();
  } else {
    h.ref();
    h.channel?.ref();
  }
}

/** Runs a command through the helper; undefined when the helper is not available (run it yourself then). */
export function spawnViaHelper(req: SpawnRequest): Promise<SpawnReply> | undefined {
  const h = start();
  if (!h || !h.connected) return undefined;
  const id = nextId++;
  return new Promise<SpawnReply>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    idle();
    h.send({ id, file: req.file, args: req.args, cwd: req.cwd, env: req.env, input: req.input, maxBuffer: req.maxBuffer }, (err) => {
      if (!err) return;
      pending.delete(id);
      idle();
      reject(new NightshiftError('GIT_FAILED', `could not reach the command helper: ${err.message}`, { retryable: true }));
    });
  });
}
