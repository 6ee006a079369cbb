/**
 * What the five pipeline handlers stand on (DESIGN.md section 5: "ctx gives
 * the spec store, the database, git, the logger, config and a clock"): one
 * object built from config by the host. The database opens lazily, so a
 * function process answers `/_/ready` and handles events about specs that are
 * gone without a database, and the dev runner shares its one database with
 * every handler.
 */
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config.ts';
import { openDb, type Db } from '../db/index.ts';
import { NightshiftError } from '../errors.ts';
import { embedderFromConfig, type Embedder } from '../learn/index.ts';
import { SpecStore } from '../spec/store.ts';

export interface PipelineSettings {
  /** Absolute specs folder (events carry paths relative to it). */
  specsDir: string;
  /** Absolute parent of task workspaces. */
  workspacesDir: string;
  worker: string;
  leaseMs: number;
  retryBaseMs: number;
  retryCapMs: number;
  stuckAfterMs: number;
  agentAllowEnv: string[];
  sandbox: 'none' | 'bwrap';
  /** Extra read-only paths inside the sandbox (tools installed outside /usr). */
  sandboxBinds: string[];
}

export interface Services {
  store: SpecStore;
  settings: PipelineSettings;
  embedder: Embedder;
  /** The database, opened on first use and shared afterwards. */
  db(): Promise<Db>;
  /** Waits `ms` (backoff); tests may shorten it. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Returns a number in [0, 1) for jitter. */
  random(): number;
  /** Closes the database if these services opened it (a shared one is left to its owner). */
  close(): Promise<void>;
}

/** The settings the handlers read, from config. */
export function pipelineSettings(config: Config): PipelineSettings {
  return {
    specsDir: path.resolve(config.SPECS_DIR),
    // The default is outside any checkout: a spec may target the repository nightshift runs in.
    workspacesDir: path.resolve(config.WORKSPACES_DIR ?? path.join(tmpdir(), 'nightshift-workspaces')),
    worker: config.WORKER_ID ?? `${hostname()}-${process.pid}`,
    leaseMs: config.LEASE_MS,
    retryBaseMs: config.RETRY_BASE_MS,
    retryCapMs: config.RETRY_CAP_MS,
    stuckAfterMs: config.STUCK_AFTER_MS,
    agentAllowEnv: (config.AGENT_ALLOW_ENV ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    sandbox: config.AGENT_SANDBOX,
    sandboxBinds: (config.AGENT_SANDBOX_BINDS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map((p) => path.resolve(p)),
  };
}

export interface ServicesOptions {
  /** An open database to share (the dev runner's); otherwise one is opened from DATABASE_URL on first use. */
  db?: Db;
  clock?: () => Date;
}

/**
 * Services from config. Without a shared `db` and without DATABASE_URL the
 * first database use fails with CONFIG_INVALID: a function process cannot
 * share an embedded PGlite with the others.
 */
export function createServices(config: Config, options: ServicesOptions = {}): Services {
  const settings = pipelineSettings(config);
  let opening: Promise<Db> | undefined;
  return {
    store: new SpecStore({ root: settings.specsDir, ...(options.clock ? { clock: options.clock } : {}) }),
    settings,
    embedder: embedderFromConfig(config),
    db() {
      if (options.db) return Promise.resolve(options.db);
      if (config.DATABASE_URL === undefined) {
        return Promise.reject(new NightshiftError('CONFIG_INVALID', 'set DATABASE_URL: a function process needs the shared Postgres database (only `nightshift dev` runs on embedded PGlite)', { retryable: false }));
      }
      opening ??= openDb({ url: config.DATABASE_URL, vectorDim: config.VECTOR_DIM }).catch((err: unknown) => {
        opening = undefined;
        throw err;
      });
      return opening;
    },
    sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : undefined),
    random: Math.random,
    async close() {
      const db = await opening?.catch(() => undefined);
      opening = undefined;
      await db?.close();
    },
  };
}
