/**
 * `npm run bench [-- [--quick] [--out DIR] [name ...]]`: runs the named
 * benchmarks (all of bench/registry.ts when none is named) one after another,
 * writing bench/results/<name>.json and then bench/results/SUMMARY.md.
 * `--quick` uses small sizes for a smoke test and, unless `--out` is given,
 * writes to a temp folder so the real results are not overwritten.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS_DIR, runAll } from './lib/runner.ts';
import { BENCHMARKS } from './registry.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean', default: false }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
});

const names = BENCHMARKS.map((b) => b.name);
if (values.help) {
  console.log(`usage: npm run bench -- [--quick] [--out DIR] [name ...]\nbenchmarks: ${names.join(', ')}`);
  process.exit(0);
}
const unknown = positionals.filter((p) => !names.includes(p));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${names.join(', ')}`);
  process.exit(2);
}

const quick = values.quick;
const outDir = path.resolve(values.out ?? (quick ? path.join(os.tmpdir(), 'nightshift-bench-quick') : RESULTS_DIR));
const selected = positionals.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => positionals.includes(b.name));
const failed = await runAll(selected, { quick, outDir });
if (failed.length > 0) console.error(`failed: ${failed.join(', ')}`);
process.exitCode = failed.length === 0 ? 0 : 1;
