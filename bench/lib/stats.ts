/**
 * Small statistics and timing helpers every benchmark uses: median,
 * nearest-rank percentiles, rounding, and repeated timed runs.
 */
import { performance } from 'node:perf_hooks';

/** Middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return NaN;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** Milliseconds `fn` takes. */
export async function elapsedMs(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/**
 * Runs each of `onces` `warmup` times unrecorded (page cache, first process
 * start), then `runs` rounds of each, interleaved (A B A B ...) so that a
 * change in the shared machine's load hits every variant alike. Each `once`
 * returns the milliseconds it wants counted, so untimed cleanup stays out.
 */
export async function sampleRounds(runs: number, onces: readonly (() => Promise<number>)[], warmup = 1): Promise<number[][]> {
  for (let i = 0; i < warmup; i++) for (const once of onces) await once();
  const out = onces.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) for (const [j, once] of onces.entries()) out[j]!.push(await once());
  return out;
}

/** `sampleRounds` of one variant. */
export async function sample(runs: number, once: () => Promise<number>, warmup = 1): Promise<number[]> {
  return (await sampleRounds(runs, [once], warmup))[0]!;
}

/** Median, p95 and the runs, rounded for a result file. */
export function summarize(ms: readonly number[]): { median: number; p95: number; runs: number[] } {
  return { median: round(median(ms)), p95: round(percentile(ms, 95)), runs: ms.map((x) => round(x)) };
}
