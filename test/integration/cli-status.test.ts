/**
 * `nightshift status` as a child process (the real CLI), against each of its
 * sources: the files alone, a runner's status API (found by --url and by the
 * probe of 127.0.0.1:PORT, with and without its token), and the embedded
 * PGlite opened directly (and left alone while another process has it).
 * Plus --json, --watch without a terminal, an unknown spec (exit 1) and usage
 * errors (exit 2).
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { attempts, migrate, openDb, type Db } from '../../shared/db/index.ts';
import { startGateway, type Gateway } from '../../shared/dispatch/gateway.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { createStatusApi } from '../../shared/status/index.ts';
import { runCli, spawnCli, stopCliProcesses } from '../helpers/cli-process.ts';
import { TEST_VECTOR_DIM } from '../helpers/db-harness.ts';
import { closePgliteTemplate, makePgliteHarness } from '../helpers/db-pglite.ts';

const log = createLogger({ name: 'cli-status-test', level: 'silent' });
let dir: string;
let specsDir: string;
let closedPort: string;

const alpha = (bStatus = 'in-progress') => ({
  id: 'alpha',
  title: 'Alpha spec',
  repo: { path: '.', base: 'main' },
  status: 'in-progress',
  tasks: [
    { id: 'a', title: 'Task A', status: 'completed', attempts: 1 },
    { id: 'b', title: 'Task B', dependsOn: ['a'], status: bStatus, attempts: 2, lastError: 'checks: boom at line 3' },
  ],
});

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return String(port);
}

/** Two attempts of b (one failed, one running) and one of a. */
async function seed(db: Db): Promise<void> {
  await migrate(db, { vectorDim: db.vectorDim });
  const repo = attempts(db);
  await repo.create('alpha', 'a', 1);
  await repo.complete((await repo.claim('w1', 60_000, { specId: 'alpha', taskId: 'a', attempt: 1 }))!.token, { log: 'ok' });
  await repo.create('alpha', 'b', 1);
  await repo.fail((await repo.claim('w1', 60_000, { specId: 'alpha', taskId: 'b', attempt: 1 }))!.token, { error: 'boom at line 3', reason: 'checks' });
  await repo.create('alpha', 'b', 2);
  await repo.claim('w2', 60_000, { specId: 'alpha', taskId: 'b', attempt: 2 });
}

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  SPECS_DIR: specsDir,
  NIGHTSHIFT_HOME: join(dir, 'home'),
  PORT: closedPort,
  LOG_LEVEL: 'silent',
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-cli-status-'));
  specsDir = join(dir, 'specs');
  await mkdir(join(specsDir, 'active'), { recursive: true });
  await writeFile(join(specsDir, 'active', 'alpha.yaml'), stringify(alpha()));
  await writeFile(join(specsDir, 'active', 'broken.yaml'), 'id: broken\ntitle: [never closed\n');
  closedPort = await freePort();
});
afterEach(stopCliProcesses);
afterAll(async () => {
  await closePgliteTemplate();
  await rm(dir, { recursive: true, force: true });
});

describe('files only', () => {
  test('lists specs with progress bars and the unreadable one with its problem', async () => {
    const r = await runCli(['status'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^SPEC\s+STATUS\s+PROGRESS\s+TASKS\s+TITLE$/);
    expect(lines.find((l) => l.startsWith('alpha'))).toMatch(/^alpha\s+in-progress\s+\[#{10}-{10}\]\s+50%\s+1\/2\s+Alpha spec$/);
    expect(lines.find((l) => l.startsWith('broken'))).toMatch(/^broken\s+unreadable\s/);
    expect(r.stdout).toMatch(/\n {4}active\/broken\.yaml:\d+:\d+: YAML syntax error/);
  });

  test("one spec's tasks, with attempt numbers from the file and a line saying attempts are not known", async () => {
    const r = await runCli(['status', 'alpha'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('alpha: Alpha spec');
    expect(r.stdout).toMatch(/\nTASK\s+STATE\s+ATTEMPT\s+DURATION\s+LAST ERROR\n/);
    expect(r.stdout).toMatch(/\na\s+completed\s+1\n/);
    expect(r.stdout).toMatch(/\nb\s+in-progress\s+2\s+checks: boom at line 3\n/);
    expect(r.stdout).toContain(`(attempts not shown: no runner answered at http://127.0.0.1:${closedPort}, DATABASE_URL is not set, and there is no embedded database at`);
  });

  test('--json prints the API shapes with the source', async () => {
    const list = await runCli(['status', '--json'], { env: env() });
    expect(list.code, list.stderr).toBe(0);
    const body = JSON.parse(list.stdout) as { specs: { id: string; status: string }[]; source: string; note: string };
    expect(body.specs.map((s) => [s.id, s.status])).toEqual([['alpha', 'in-progress'], ['broken', 'unreadable']]);
    expect(body.source).toBe('files');
    expect(body.note).toContain('attempts not shown');
    const one = JSON.parse((await runCli(['status', 'alpha', '--json'], { env: env() })).stdout) as { attemptsKnown: boolean; tasks: { id: string; attempt: number }[] };
    expect(one.attemptsKnown).toBe(false);
    expect(one.tasks.map((t) => [t.id, t.attempt])).toEqual([['a', 1], ['b', 2]]);
  });

  test('an unknown spec exits 1 naming the specs that exist; usage errors exit 2', async () => {
    const r = await runCli(['status', 'nope'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no spec "nope"; specs that exist: alpha, broken');
    expect(r.stdout).toBe('');
    expect((await runCli(['status', 'a', 'b'], { env: env() })).code).toBe(2);
    expect((await runCli(['status', '--url', 'not a url'], { env: env() })).code).toBe(2);
    expect((await runCli(['status', '--bogus'], { env: env() })).code).toBe(2);
  });

  test('--watch without a terminal prints once, then again only when a spec changes; Ctrl-C ends it with 0', async () => {
    const file = join(specsDir, 'active', 'alpha.yaml');
    const watch = spawnCli(['status', '--watch'], { env: env() });
    try {
      await watch.waitForLine((l) => String(l.raw).startsWith('alpha') && String(l.raw).includes('in-progress'), 20_000);
      // Three redraws' worth of time with nothing changed: no second picture.
      await new Promise((r) => setTimeout(r, 3000));
      expect(watch.lines.filter((l) => String(l.raw).startsWith('SPEC')).length).toBe(1);
      await writeFile(file, stringify({ ...alpha('completed'), status: 'completed' }));
      await watch.waitForLine((l) => String(l.raw).startsWith('alpha') && String(l.raw).includes('completed') && String(l.raw).includes('100%'), 20_000);
      expect(watch.lines.filter((l) => String(l.raw).startsWith('SPEC')).length).toBe(2);
      watch.child.kill('SIGINT');
      expect(await watch.exited).toBe(0);
    } finally {
      await writeFile(file, stringify(alpha()));
    }
  });
});

describe('a runner answering the status API', () => {
  let db: Db;
  let closeDb: () => Promise<void>;
  const gateways: Gateway[] = [];
  beforeAll(async () => {
    const h = await makePgliteHarness();
    db = h.db;
    closeDb = h.close;
    await seed(db);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await closeDb();
  });
  const serve = async (token?: string): Promise<string> => {
    const api = createStatusApi({ specsDir, db, log, ...(token ? { token } : {}) });
    const gw = await startGateway({ port: 0, log, names: [], target: async () => undefined, api: api.handle });
    gateways.push(gw);
    return String(gw.port);
  };

  test('--url: attempts, durations and last errors come from the runner', async () => {
    const port = await serve();
    const r = await runCli(['status', 'alpha', '--url', `http://127.0.0.1:${port}`], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\na\s+completed\s+1\s+\d+(\.\d)? (ms|s)\n/);
    expect(r.stdout).toMatch(/\nb\s+in-progress\s+2\s+\d+(\.\d)? (ms|s)\s+checks: boom at line 3\n/);
    expect(r.stdout).not.toContain('attempts not shown');
    const json = JSON.parse((await runCli(['status', 'alpha', '--json', '--url', `http://127.0.0.1:${port}`], { env: env() })).stdout) as { source: string; attempts: unknown[] };
    expect(json.source).toBe(`http://127.0.0.1:${port}`);
    expect(json.attempts).toHaveLength(3);
  });

  test('without --url, a runner on PORT is found; its token is sent from NIGHTSHIFT_TOKEN, and its absence is an error, not a detour', async () => {
    const port = await serve('tok-123');
    const ok = await runCli(['status', '--json'], { env: env({ PORT: port, NIGHTSHIFT_TOKEN: 'tok-123' }) });
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { source: string }).source).toBe(`http://127.0.0.1:${port}`);
    const refused = await runCli(['status'], { env: env({ PORT: port }) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the runner at http://127.0.0.1:${port} needs its token: set NIGHTSHIFT_TOKEN`);
    const unknown = await runCli(['status', 'nope'], { env: env({ PORT: port, NIGHTSHIFT_TOKEN: 'tok-123' }) });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('specs that exist: alpha, broken');
  });
});

describe('the embedded database, no runner', () => {
  test('is opened directly when nobody has it, and left alone while another process has it open', { timeout: 120_000 }, async () => {
    const home = join(dir, 'home-pglite');
    const dataDir = join(home, 'pglite');
    const db = await openDb({ dataDir, vectorDim: TEST_VECTOR_DIM });
    await seed(db);
    const held = await runCli(['status', 'alpha'], { env: env({ NIGHTSHIFT_HOME: home, VECTOR_DIM: String(TEST_VECTOR_DIM) }) });
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toContain(`the embedded database at ${dataDir} is open in another process`);
    await db.close();

    const r = await runCli(['status', 'alpha', '--json'], { env: env({ NIGHTSHIFT_HOME: home, VECTOR_DIM: String(TEST_VECTOR_DIM) }), timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { source: string; attemptsKnown: boolean; attempts: { taskId: string; attempt: number; status: string }[] };
    expect(body.source).toBe(`pglite ${dataDir}`);
    expect(body.attemptsKnown).toBe(true);
    expect(body.attempts.map((a) => [a.taskId, a.attempt, a.status])).toEqual([['a', 1, 'succeeded'], ['b', 1, 'failed'], ['b', 2, 'running']]);
  });
});
