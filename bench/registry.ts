/**
 * Every benchmark `npm run bench` runs, in this order. To add one, write
 * bench/<name>.ts exporting `benchmark` (see lib/benchmark.ts) and add its line.
 */
import type { BenchmarkEntry } from './lib/runner.ts';

export const BENCHMARKS: readonly BenchmarkEntry[] = [
  { name: 'repo-scale', load: () => import('./repo-scale.ts') },
  { name: 'workspace', load: () => import('./workspace.ts') },
  { name: 'learning-recall', load: () => import('./learning-recall.ts') },
  { name: 'learning-scale', load: () => import('./learning-scale.ts') },
  { name: 'functions', load: () => import('./functions.ts') },
  { name: 'cold-start-isolated', load: () => import('./isolated.ts') },
  { name: 'scheduling', load: () => import('./scheduling.ts') },
  { name: 'pipeline', load: () => import('./pipeline.ts') },
];
