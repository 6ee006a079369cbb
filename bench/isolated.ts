/**
 * Scale to zero on one machine (`nightshift dev --isolated`): what a cold
 * start costs when the gateway starts a function's bundle process on demand.
 *   - per function, from zero: the pool's cold start (spawn to /_/ready 200)
 *     and the first request's latency as a caller of the gateway sees it,
 *     against a warm request to the same process;
 *   - a one-task spec from drop to `completed` with every function at zero,
 *     then the same spec again with every function warm.
 * Needs what the e2e tests need: Postgres at NIGHTSHIFT_TEST_PG_URL (a private
 * schema) and nats-server (a private server); it reuses the test world.
 * Run: `npm run bench -- cold-start-isolated` (or `npx tsx bench/isolated.ts`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildFunctions } from '../scripts/build.ts';
import type { ScaleStats } from '../shared/dispatch/scale-to-zero.ts';
import { FUNCTION_NAMES } from '../shared/events/catalog.ts';
import { containsCheck, scriptAgent, startWorld, type World } from '../test/helpers/pipeline-world.ts';
import type { Benchmark } from './lib/benchmark.ts';
import type { Figure } from './lib/result.ts';
import { runIfMain } from './lib/runner.ts';
import { sampleRounds, summarize } from './lib/stats.ts';

/** Short, so a function is back at zero soon after each sample. */
const SHORT_IDLE_MS = 300;

const scale = async (w: World): Promise<ScaleStats> => (await fetch(`http://127.0.0.1:${w.dev.port}/system/scale`)).json() as Promise<ScaleStats>;

async function untilStopped(w: World, fn: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await scale(w)).functions[fn]?.state !== 'stopped') {
    if (Date.now() > deadline) throw new Error(`${fn} did not scale to zero within 30 s`);
    await sleep(20);
  }
}

/** Milliseconds of one GET through the gateway; throws unless it answers 200. */
async function timedGet(url: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url);
  await res.body?.cancel();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - t;
}

/** One cold start of `fn`: the first request from zero, the pool's own figure, then a warm request. */
async function coldOnce(w: World, fn: string, into: { pool: number[]; warm: number[] }): Promise<number> {
  await untilStopped(w, fn);
  const url = `http://127.0.0.1:${w.dev.port}/function/${fn}/_/ready`;
  const first = await timedGet(url);
  into.pool.push((await scale(w)).functions[fn]!.lastColdStartMs!);
  into.warm.push(await timedGet(url));
  return first;
}

async function runSpec(w: World, id: string): Promise<number> {
  const t = performance.now();
  await w.drop({
    id,
    title: `Bench ${id}`,
    repo: { path: w.repo, base: 'main' },
    agent: scriptAgent({ writes: { [`${id}.txt`]: 'hello\n' } }),
    tasks: [{ id: 'write', title: 'Write a file', files: [`${id}.txt`], checks: [containsCheck('has hello', `${id}.txt`, 'hello')] }],
  });
  const spec = await w.waitFor(id, ['completed', 'failed'], 120_000);
  if (spec.status !== 'completed') throw new Error(`spec ${id} ended ${spec.status}`);
  return performance.now() - t;
}

export const benchmark: Benchmark = {
  title: 'Scale to zero on one machine (dev --isolated): cold starts behind the gateway',
  async run({ quick, log }) {
    const runs = quick ? 2 : 5;
    const distDir = await mkdtemp(join(tmpdir(), 'ns-bench-isolated-'));
    const worlds: World[] = [];
    try {
      await buildFunctions({ outDir: distDir });
      const short = await startWorld({ isolated: true, distDir, env: { IDLE_TIMEOUT_MS: String(SHORT_IDLE_MS) } });
      worlds.push(short);
      const samples = FUNCTION_NAMES.map(() => ({ pool: [] as number[], warm: [] as number[] }));
      const firsts = await sampleRounds(runs, FUNCTION_NAMES.map((fn, i) => () => coldOnce(short, fn, samples[i]!)));
      const figures: Figure[] = [];
      const details: Record<string, unknown> = {};
      for (const [i, fn] of FUNCTION_NAMES.entries()) {
        // sampleRounds' warm-up also went through coldOnce: drop it from the pool's and warm figures.
        const pool = summarize(samples[i]!.pool.slice(-runs));
        const first = summarize(firsts[i]!);
        const warm = summarize(samples[i]!.warm.slice(-runs));
        figures.push(
          { name: `${fn}: cold start, spawn to /_/ready 200, median`, value: pool.median, unit: 'ms', note: `${runs} runs` },
          { name: `${fn}: first request through the gateway from zero, median`, value: first.median, unit: 'ms' },
          { name: `${fn}: warm request through the gateway, median`, value: warm.median, unit: 'ms' },
        );
        details[fn] = { coldStartMs: pool, firstRequestMs: first, warmRequestMs: warm };
        log(`${fn}: cold start median ${pool.median} ms, first request ${first.median} ms, warm ${warm.median} ms`);
      }
      await short.close();
      worlds.pop();

      const long = await startWorld({ isolated: true, distDir, env: { IDLE_TIMEOUT_MS: '600000' } });
      worlds.push(long);
      const cold = await runSpec(long, 'cold');
      const warm = await runSpec(long, 'warm');
      const stats = await scale(long);
      figures.push(
        { name: 'one-task spec, drop to completed, every function at zero', value: Math.round(cold), unit: 'ms', note: '1 run' },
        { name: 'the same spec again, every function warm', value: Math.round(warm), unit: 'ms', note: '1 run' },
      );
      details.pipeline = { coldMs: Math.round(cold), warmMs: Math.round(warm), stats };
      log(`spec from zero ${Math.round(cold)} ms, warm ${Math.round(warm)} ms`);
      return { parameters: { runs, warmup: 1, idleTimeoutMs: SHORT_IDLE_MS, order: 'interleaved', services: 'postgres + jetstream (private)' }, figures, details };
    } finally {
      for (const w of worlds) await w.close();
      await rm(distDir, { recursive: true, force: true });
    }
  },
};

await runIfMain(import.meta.url, 'cold-start-isolated', benchmark);
