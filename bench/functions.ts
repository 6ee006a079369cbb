/**
 * Function bundles: builds dist/<fn>/index.mjs as `npm run build` does, then
 * for each bundle its size, its cold start (spawn `node index.mjs` until
 * GET /_/ready answers 200) and its idle resident memory once ready.
 * DESIGN.md section 8: a bundle should answer ready in well under a second,
 * and a worker stays under 1 GB (develop-task's memory while an agent runs).
 * Run: `npm run bench -- functions` (or `npx tsx bench/functions.ts`).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildFunctions, type BuiltBundle } from '../scripts/build.ts';
import type { Benchmark } from './lib/benchmark.ts';
import { developRssWhileAgentRuns } from './lib/develop-rss.ts';
import { freePort, procStatusKiB, startNode, stop, waitFor200 } from './lib/process.ts';
import type { Figure } from './lib/result.ts';
import { runIfMain } from './lib/runner.ts';
import { median, round, sampleRounds, summarize } from './lib/stats.ts';

interface StartRun {
  readyMs: number;
  idleRssKiB: number | null;
  peakRssKiB: number | null;
}

/** One cold start: a new process on a free port, timed from spawn to the first 200 of /_/ready. */
async function startOnce(bundle: BuiltBundle, settleMs: number): Promise<StartRun> {
  const port = await freePort();
  const t = performance.now();
  const started = startNode(bundle.file, path.dirname(bundle.file), { PORT: String(port) });
  try {
    await waitFor200(`http://127.0.0.1:${port}/_/ready`, started);
    const readyMs = performance.now() - t;
    // Idle: give start-up garbage a moment to be collected before reading the resident size.
    await sleep(settleMs);
    const pid = started.child.pid!;
    return { readyMs, idleRssKiB: await procStatusKiB(pid, 'VmRSS'), peakRssKiB: await procStatusKiB(pid, 'VmHWM') };
  } finally {
    await stop(started.child);
  }
}

const mib = (kib: number | null): number | null => (kib === null ? null : round(kib / 1024, 1));
const medianOrNull = (xs: (number | null)[]): number | null => (xs.some((x) => x === null) ? null : median(xs as number[]));

export const benchmark: Benchmark = {
  title: 'Function bundles: size, cold start to /_/ready, idle memory',
  async run({ quick, log }) {
    const runs = quick ? 2 : 5;
    const settleMs = quick ? 300 : 1000;
    const t = performance.now();
    const bundles = await buildFunctions();
    const buildMs = round(performance.now() - t, 0);
    log(`built ${bundles.length} bundles in ${buildMs} ms`);
    const figures: Figure[] = [{ name: 'build all bundles (esbuild)', value: buildMs, unit: 'ms' }];
    const details: Record<string, unknown> = {};
    // All bundles in every round, so a change in the machine's load hits each alike.
    const starts = bundles.map(() => [] as StartRun[]);
    await sampleRounds(
      runs,
      bundles.map((bundle, i) => async () => {
        const run = await startOnce(bundle, settleMs);
        starts[i]!.push(run);
        return run.readyMs;
      }),
    );
    for (const [i, bundle] of bundles.entries()) {
      const measured = starts[i]!.slice(-runs);
      const ready = summarize(measured.map((s) => s.readyMs));
      figures.push(
        { name: `${bundle.name}: bundle size`, value: round(bundle.bytes / 1024, 1), unit: 'KiB' },
        { name: `${bundle.name}: cold start to /_/ready, median`, value: ready.median, unit: 'ms', note: `${runs} runs` },
        { name: `${bundle.name}: idle RSS after ready, median`, value: mib(medianOrNull(measured.map((s) => s.idleRssKiB))), unit: 'MiB', note: `VmRSS ${settleMs} ms after ready` },
      );
      details[bundle.name] = { bytes: bundle.bytes, readyMs: ready, idleRssKiB: measured.map((s) => s.idleRssKiB), peakRssKiB: measured.map((s) => s.peakRssKiB) };
      log(`${bundle.name}: ready median ${ready.median} ms`);
    }
    const develop = bundles.find((b) => b.name === 'develop-task');
    if (develop) {
      log('develop-task: memory while an agent runs');
      const rss = await developRssWhileAgentRuns(develop, quick ? 1500 : 3000);
      figures.push({ name: 'develop-task: peak RSS while an agent runs', value: mib(rss.peakKiB), unit: 'MiB', note: `${rss.samples} samples every 100 ms; target: a worker under 1 GB` });
      details.developWhileAgentRuns = rss;
    }
    return { parameters: { runs, warmup: 1, settleMs, outDir: 'dist', minify: false, order: 'interleaved' }, figures, details };
  },
};

await runIfMain(import.meta.url, 'functions', benchmark);
