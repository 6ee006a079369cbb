/**
 * Runs benchmarks one after another (never in parallel: they would measure
 * each other), writes `<outDir>/<name>.json` for each, then SUMMARY.md from
 * every result file in `outDir`. A failing benchmark is reported and the
 * others still run.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark.ts';
import { loadAverage, machineFacts } from './machine.ts';
import { BenchResult } from './result.ts';
import { writeSummary } from './summary.ts';

/** The default home of result files: bench/results. */
export const RESULTS_DIR = path.resolve(import.meta.dirname, '..', 'results');

/** A registered benchmark: its name (the result file's) and how to load its module. */
export interface BenchmarkEntry {
  name: string;
  load: () => Promise<{ benchmark: Benchmark }>;
}

export interface RunOptions {
  /** Smaller sizes for a smoke test. @default false */
  quick?: boolean;
  /** Where result files and SUMMARY.md go. @default bench/results */
  outDir?: string;
  /** The command recorded in the result, to rerun it. @default `npm run bench -- <name>` */
  command?: (name: string) => string;
}

const defaultCommand = (quick: boolean) => (name: string) => `npm run bench -- ${name}${quick ? ' --quick' : ''}`;

/** Runs one benchmark and writes its result file; returns the result. */
export async function runOne(name: string, benchmark: Benchmark, options: RunOptions = {}): Promise<BenchResult> {
  const quick = options.quick ?? false;
  const outDir = options.outDir ?? RESULTS_DIR;
  const machine = machineFacts(loadAverage());
  const startedAt = new Date().toISOString();
  const log = (message: string): void => void process.stderr.write(`[${name}] ${message}\n`);
  log(`start${quick ? ' (quick)' : ''}; load ${machine.loadStart.join(' ')}`);
  const t = performance.now();
  const out = await benchmark.run({ quick, log });
  const result = BenchResult.parse({
    name,
    title: benchmark.title,
    command: (options.command ?? defaultCommand(quick))(name),
    quick,
    startedAt,
    durationMs: Math.round(performance.now() - t),
    machine: { ...machine, loadEnd: loadAverage() },
    parameters: out.parameters,
    figures: out.figures,
    details: out.details ?? {},
  });
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `${name}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  log(`done in ${(result.durationMs / 1000).toFixed(1)} s -> ${file}`);
  return result;
}

/** Runs the entries in order, then writes SUMMARY.md; returns the names that failed. */
export async function runAll(entries: readonly BenchmarkEntry[], options: RunOptions = {}): Promise<string[]> {
  const failed: string[] = [];
  for (const entry of entries) {
    try {
      const { benchmark } = await entry.load();
      await runOne(entry.name, benchmark, options);
    } catch (err) {
      failed.push(entry.name);
      process.stderr.write(`[${entry.name}] FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
  }
  const summary = await writeSummary(options.outDir ?? RESULTS_DIR);
  process.stderr.write(`summary -> ${summary}\n`);
  return failed;
}

/**
 * Lets a benchmark file run on its own (`npx tsx bench/<name>.ts`) as well as
 * through bench/run.ts: runs it when `moduleUrl` is the script node started.
 */
export async function runIfMain(moduleUrl: string, name: string, benchmark: Benchmark): Promise<void> {
  const script = process.argv[1];
  if (script === undefined || path.resolve(script) !== fileURLToPath(moduleUrl)) return;
  const failed = await runAll([{ name, load: async () => ({ benchmark }) }], {
    command: () => `npx tsx ${path.relative(process.cwd(), fileURLToPath(moduleUrl))}`,
  });
  process.exitCode = failed.length === 0 ? 0 : 1;
}
