/**
 * What a benchmark module exports: a title and a `run` that returns its
 * parameters and figures. The runner (lib/runner.ts) adds the machine facts,
 * times the run and writes the result file.
 */
import type { Figure } from './result.ts';

export interface BenchContext {
  /** Smaller sizes, for a smoke test of the benchmark itself. */
  quick: boolean;
  /** Progress line on stderr, prefixed with the benchmark's name. */
  log(message: string): void;
}

export interface BenchOutput {
  parameters: Record<string, unknown>;
  figures: Figure[];
  /** Raw runs and context (plans, versions); kept in the file, not in SUMMARY.md. @default {} */
  details?: Record<string, unknown>;
}

export interface Benchmark {
  /** One line, the heading in SUMMARY.md. */
  title: string;
  run(ctx: BenchContext): Promise<BenchOutput>;
}
