/**
 * The learning benchmarks under their old command, `npx tsx bench/learning.ts`,
 * which docs/decisions/learning.md cites: runs `learning-recall` (quality)
 * and `learning-scale` (cost at 10,000 stored) through the runner, writing
 * bench/results/learning-recall.json and learning-scale.json.
 */
import { BENCHMARKS } from './registry.ts';
import { runAll } from './lib/runner.ts';

const entries = BENCHMARKS.filter((b) => b.name === 'learning-recall' || b.name === 'learning-scale');
const failed = await runAll(entries, { command: (name) => `npx tsx bench/learning.ts (${name})` });
process.exitCode = failed.length === 0 ? 0 : 1;
