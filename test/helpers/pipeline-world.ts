/**
 * A whole pipeline in a temp dir for end-to-end tests: a real git repository
 * (the user's checkout, on `main`), a specs folder, a workspaces folder, and
 * the dev runner (`startDev`, the same code `npm start` runs) on the embedded
 * stack or on real NATS JetStream and Postgres (optionally with each function
 * in its own bundle process: `dev --isolated`). Agents and checks are the
 * scripts in test/fixtures/agents, run by the real command executor.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDev, type Running } from '../../cli/dev.ts';
import { loadConfig, type Config } from '../../shared/config.ts';
import { cleanGitEnv } from '../../shared/git/run.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { loadSpec } from '../../shared/spec/loader.ts';
import type { Spec } from '../../shared/spec/schema.ts';
import { ROOT } from './cli-process.ts';
import { startNatsServer, type NatsServer } from './nats-server.ts';
import { createTestSchema, type TestSchema } from './pg-schema.ts';

export const AGENT = join(ROOT, 'test', 'fixtures', 'agents', 'script-agent.mjs');
export const CHECK = join(ROOT, 'test', 'fixtures', 'agents', 'check-contains.mjs');

/** A command agent running script-agent.mjs with `program`. */
export function scriptAgent(program: Record<string, unknown>): { kind: 'command'; command: string[]; timeoutSeconds: number } {
  return { kind: 'command', command: [process.execPath, AGENT, JSON.stringify(program)], timeoutSeconds: 60 };
}

/** A check that `file` contains `text`. */
export function containsCheck(name: string, file: string, text: string): { name: string; run: string[]; timeoutSeconds: number } {
  return { name, run: [process.execPath, CHECK, file, text], timeoutSeconds: 60 };
}

/** Makes a git repository at `repo` with README.md and notes.txt committed on `main`; returns a git runner for it. */
export async function initRepo(repo: string): Promise<(args: string[]) => string> {
  await mkdir(repo, { recursive: true });
  const git = (args: string[]): string => execFileSync('git', args, { cwd: repo, env: { ...cleanGitEnv(), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' }, encoding: 'utf8' });
  git(['init', '-q', '-b', 'main']);
  await writeFile(join(repo, 'README.md'), '# demo\n');
  await writeFile(join(repo, 'notes.txt'), 'one\ntwo\nthree\n');
  git(['add', '-A']);
  git(['commit', '-qm', 'initial']);
  return git;
}

/** Trailer values of the commits on `main..<branch>`, oldest first: `[specId, taskId, attempt]` per commit. */
export function landedTasks(git: (args: string[]) => string, branch: string): string[][] {
  const log = git(['log', '--reverse', '--format=%(trailers:key=Spec-Id,valueonly)%x1f%(trailers:key=Task-Id,valueonly)%x1f%(trailers:key=Attempt,valueonly)%x1e', `main..${branch}`]);
  return log.split('\x1e').map((r) => r.trim()).filter(Boolean).map((r) => r.split('\x1f').map((x) => x.trim()));
}

export interface WorldOptions {
  /** Real NATS (a private server) and Postgres (a private schema) instead of PGlite and the in-process bus. @default false */
  services?: boolean;
  /** Each function in its own bundle process, scaled to zero (`dev --isolated`); implies `services`. @default false */
  isolated?: boolean;
  /** Where the bundles are, with `isolated`. @default the checkout's dist/ */
  distDir?: string;
  /** Extra config. */
  env?: Record<string, string>;
}

export interface World {
  dir: string;
  repo: string;
  specsDir: string;
  config: Config;
  dev: Running;
  /** Runs git in the user's repository (test setup and inspection only). */
  git(args: string[]): string;
  /** Writes a spec (as YAML) into specs/active/<id>.yaml. */
  drop(spec: Record<string, unknown>): Promise<string>;
  /** Waits until the spec (in active/ or the archive) reaches one of `statuses`; returns it. */
  waitFor(id: string, statuses: Spec['status'][], timeoutMs?: number): Promise<Spec>;
  /** Where the spec file is now (active/ or archive/). */
  specFile(id: string): Promise<string | undefined>;
  /** Waits until the spec file has moved to archive/; returns its path. */
  waitForArchive(id: string, timeoutMs?: number): Promise<string>;
  /** Stops the dev runner and starts it again on the same folders and database (the in-process bus starts empty); `dev` is the new one. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'ns-pipeline-'));
  const repo = join(dir, 'repo');
  const specsDir = join(dir, 'specs');
  await mkdir(join(specsDir, 'active'), { recursive: true });
  const git = await initRepo(repo);

  let nats: NatsServer | undefined;
  let schema: TestSchema | undefined;
  const env: Record<string, string> = {
    PORT: '0',
    LOG_LEVEL: process.env.NIGHTSHIFT_TEST_LOG ?? 'silent',
    SPECS_DIR: specsDir,
    NIGHTSHIFT_HOME: join(dir, 'home'),
    WORKSPACES_DIR: join(dir, 'workspaces'),
    DEBOUNCE_MS: '50',
    RESCAN_MS: '2000',
    RETRY_BASE_MS: '50',
    RETRY_CAP_MS: '200',
    LEASE_MS: '5000',
    ...options.env,
  };
  if (options.services || options.isolated) {
    nats = await startNatsServer();
    schema = await createTestSchema('pipe');
    env.NATS_URL = nats.url;
    env.DATABASE_URL = schema.url;
  }
  const config = loadConfig(env);
  const log = createLogger({ name: 'nightshift-test', level: config.LOG_LEVEL });
  const devOptions = { isolated: options.isolated === true, ...(options.distDir ? { distDir: options.distDir } : {}) };
  let dev = await startDev(config, log, devOptions).catch(async (err: unknown) => {
    await nats?.stop().catch(() => undefined);
    await schema?.drop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    throw err;
  });

  async function specFile(id: string): Promise<string | undefined> {
    const active = join(specsDir, 'active', `${id}.yaml`);
    if (existsSync(active)) return active;
    const archive = join(specsDir, 'archive');
    for (const month of await readdir(archive).catch(() => [] as string[])) {
      const f = join(archive, month, `${id}.yaml`);
      if (existsSync(f)) return f;
    }
    return undefined;
  }

  return {
    dir,
    repo,
    specsDir,
    config,
    get dev() {
      return dev;
    },
    git,
    async drop(spec) {
      const file = join(specsDir, 'active', `${String(spec.id)}.yaml`);
      await writeFile(file, stringify(spec));
      return file;
    },
    specFile,
    async waitForArchive(id, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const file = await specFile(id);
        if (file?.includes(`${join('specs', 'archive')}`)) return file;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`spec ${id} was not archived in ${timeoutMs} ms`);
    },
    async waitFor(id, statuses, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      let last: Spec | undefined;
      while (Date.now() < until) {
        const file = await specFile(id);
        if (file) {
          last = await loadSpec(file).then((p) => p.spec).catch(() => last);
          if (last && statuses.includes(last.status)) return last;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`spec ${id} did not reach ${statuses.join('/')} in ${timeoutMs} ms; last: ${JSON.stringify(last?.tasks.map((t) => [t.id, t.status, t.attempts, t.lastError?.slice(0, 300)]))} status ${last?.status}`);
    },
    async restart() {
      await dev.close();
      dev = await startDev(config, log, devOptions);
    },
    async close() {
      await dev.close().catch(() => undefined);
      await nats?.stop().catch(() => undefined);
      await schema?.drop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
