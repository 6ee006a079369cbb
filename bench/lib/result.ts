/**
 * The shape of one benchmark's result file, `bench/results/<name>.json`: who
 * ran it where (machine facts, load), with what parameters, and the figures.
 * A schema because SUMMARY.md is written from files read back from disk.
 */
import { z } from 'zod';

/** One measured number. `value: null` marks a figure that could not be measured yet; `note` says why. */
export const Figure = z.strictObject({
  name: z.string().min(1),
  value: z.number().nullable(),
  /** `ms`, `MiB`, `KiB`, `x` (a ratio), `rows/s`, `share` (0..1), or '' for a plain count. */
  unit: z.string(),
  note: z.string().optional(),
});
export type Figure = z.infer<typeof Figure>;

const LoadAverage = z.tuple([z.number(), z.number(), z.number()]);

export const Machine = z.strictObject({
  node: z.string(),
  platform: z.string(),
  cpus: z.number().int(),
  cpuModel: z.string(),
  memoryMiB: z.number(),
  git: z.string(),
  /** os.loadavg() (1, 5, 15 min) when the benchmark started and ended: the machine is shared. */
  loadStart: LoadAverage,
  loadEnd: LoadAverage,
});
export type Machine = z.infer<typeof Machine>;

export const BenchResult = z.strictObject({
  name: z.string().min(1),
  title: z.string(),
  command: z.string(),
  /** Smaller sizes for a smoke test: the figures are not comparable with a full run. */
  quick: z.boolean(),
  startedAt: z.string(),
  durationMs: z.number(),
  machine: Machine,
  parameters: z.record(z.string(), z.unknown()),
  figures: z.array(Figure),
  /** Raw runs and anything else worth keeping; not summarized. */
  details: z.record(z.string(), z.unknown()),
});
export type BenchResult = z.infer<typeof BenchResult>;
