/**
 * `nightshift dev --isolated`: scale to zero on one machine. The bundles are
 * built first (into a temp folder); then a spec whose check fails once runs
 * end to end on real NATS JetStream and Postgres, with each of the five
 * functions in its own `node <dist>/<name>/index.mjs` process behind the
 * gateway. Each function starts from zero on its first request (cold start
 * recorded), runs as a separate process, and is back to zero (process gone)
 * after IDLE_TIMEOUT_MS. Then: concurrent first requests share one start, and
 * a killed process is started again by the next request.
 *
 * The cold starts are printed as a table; bench/isolated.ts records them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDev } from '../../cli/dev.ts';
import { loadConfig } from '../../shared/config.ts';
import type { ScaleStats } from '../../shared/dispatch/scale-to-zero.ts';
import { FUNCTION_NAMES } from '../../shared/events/catalog.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { containsCheck, scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';
import { useTempBundles } from '../helpers/temp-bundles.ts';

const IDLE_TIMEOUT_MS = 1500;

const bundles = useTempBundles('ns-isolated-dist');
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const scale = async (w: World): Promise<ScaleStats> => (await fetch(`http://127.0.0.1:${w.dev.port}/system/scale`)).json() as Promise<ScaleStats>;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls /system/scale while the pipeline runs: every pid seen per function, with its command line. */
function watchPids(w: World): { seen: Map<string, Map<number, string>>; stop(): Promise<void> } {
  const seen = new Map<string, Map<number, string>>(FUNCTION_NAMES.map((f) => [f, new Map()]));
  let running = true;
  const loop = (async () => {
    while (running) {
      const stats = await scale(w).catch(() => undefined);
      for (const [fn, s] of Object.entries(stats?.functions ?? {})) {
        if (s.pid === undefined || seen.get(fn)!.has(s.pid)) continue;
        const cmdline = `/proc/${s.pid}/cmdline`;
        seen.get(fn)!.set(s.pid, existsSync(cmdline) ? readFileSync(cmdline, 'utf8').replaceAll('\0', ' ') : '');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await loop;
    },
  };
}

describe('nightshift dev --isolated', () => {
  it('runs a spec with every function cold-started in its own process, then scales each back to zero', async () => {
    world = await startWorld({ isolated: true, distDir: bundles.dir, env: { IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) } });
    const before = await scale(world);
    expect(before.idleTimeoutMs).toBe(IDLE_TIMEOUT_MS);
    expect(Object.keys(before.functions).sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const s of Object.values(before.functions)) expect(s).toMatchObject({ state: 'stopped', starts: 0, requests: 0 });

    const pids = watchPids(world);
    // The check fails on attempt 1, so learn-from-failure runs too: all five functions are called.
    await world.drop({
      id: 'iso',
      title: 'Isolated run',
      repo: { path: world.repo, base: 'main' },
      agent: scriptAgent({ firstWrites: { 'out.txt': 'bad value\n' }, writes: { 'out.txt': 'good value\n' } }),
      tasks: [{ id: 'fix-out', title: 'Make out.txt good', files: ['out.txt'], checks: [containsCheck('out is good', 'out.txt', 'good value')] }],
    });
    const spec = await world.waitFor('iso', ['completed', 'failed'], 90_000);
    expect(spec.status).toBe('completed');
    expect(spec.tasks[0]).toMatchObject({ status: 'completed', attempts: 2 });
    expect(world.git(['show', 'nightshift/iso:out.txt'])).toBe('good value\n');
    expect(world.git(['log', '-1', '--format=%B', 'nightshift/iso'])).toContain('Task-Id: fix-out');
    await world.waitForArchive('iso');

    const during = await scale(world);
    const stopped = await until(
      'every function back to zero',
      async () => {
        const s = await scale(world!);
        return Object.values(s.functions).every((f) => f.state === 'stopped' && f.inFlight === 0) ? s : undefined;
      },
      IDLE_TIMEOUT_MS + 20_000,
    );
    await pids.stop();

    const rows = FUNCTION_NAMES.map((fn) => ({ function: fn, coldStartMs: stopped.functions[fn]!.lastColdStartMs, starts: stopped.functions[fn]!.starts, requests: stopped.functions[fn]!.requests }));
    console.log(`cold starts with dev --isolated (spawn to /_/ready 200), idle timeout ${IDLE_TIMEOUT_MS} ms:`);
    console.table(rows);

    const allPids: number[] = [];
    for (const fn of FUNCTION_NAMES) {
      const s = stopped.functions[fn]!;
      expect(s.starts, `${fn} never started: ${JSON.stringify(during)}`).toBeGreaterThanOrEqual(1);
      expect(s.requests).toBeGreaterThanOrEqual(1);
      expect(s.lastColdStartMs).toBeGreaterThan(0);
      expect(s.lastColdStartMs).toBeLessThan(30_000);
      expect(s.lastStop).toBe('idle');
      expect(s.pid).toBeUndefined();
      const seen = pids.seen.get(fn)!;
      expect(seen.size, `no process seen for ${fn}`).toBeGreaterThanOrEqual(1);
      for (const [pid, cmdline] of seen) {
        expect(pid).not.toBe(process.pid);
        if (cmdline) expect(cmdline).toContain(join(bundles.dir, fn, 'index.mjs'));
        expect(alive(pid), `${fn} pid ${pid} still alive after scale to zero`).toBe(false);
        allPids.push(pid);
      }
    }
    expect(new Set(allPids).size).toBe(allPids.length);

    // From zero again: three concurrent first requests share one cold start.
    const gateway = `http://127.0.0.1:${world.dev.port}`;
    const probes = await Promise.all([1, 2, 3].map(() => fetch(`${gateway}/function/on-spec-created/_/ready`).then((r) => r.status)));
    expect(probes).toEqual([200, 200, 200]);
    const again = (await scale(world)).functions['on-spec-created']!;
    expect(again).toMatchObject({ state: 'running', starts: stopped.functions['on-spec-created']!.starts + 1 });
    expect(allPids).not.toContain(again.pid);

    // A process that dies is started again by the next request.
    process.kill(again.pid!, 'SIGKILL');
    await until('the killed process noticed', async () => ((await scale(world!)).functions['on-spec-created']!.lastStop === 'crashed' ? true : undefined), 10_000);
    expect((await fetch(`${gateway}/function/on-spec-created/_/ready`)).status).toBe(200);
    const restarted = (await scale(world)).functions['on-spec-created']!;
    expect(restarted).toMatchObject({ state: 'running', starts: again.starts + 1 });
    expect(restarted.pid).not.toBe(again.pid);
  }, 180_000);

  it('refuses to start without DATABASE_URL, or without the bundles', async () => {
    const log = createLogger({ name: 'nightshift-test', level: 'silent' });
    await expect(startDev(loadConfig({ PORT: '0' }), log, { isolated: true, distDir: bundles.dir })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('PGlite cannot be shared between processes'),
    });
    const empty = await mkdtemp(join(tmpdir(), 'ns-isolated-empty-'));
    try {
      await expect(startDev(loadConfig({ PORT: '0', DATABASE_URL: 'postgres://127.0.0.1:1/none' }), log, { isolated: true, distDir: empty })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('run `npm run build`'),
      });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
