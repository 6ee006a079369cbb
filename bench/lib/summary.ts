/**
 * Writes bench/results/SUMMARY.md: one section and one markdown table per
 * result file present, so the numbers of the last run of every benchmark sit
 * in one readable page. Files that are not results in the runner's format
 * are listed, not guessed at.
 */
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BenchResult, type Figure } from './result.ts';

function formatValue(f: Figure): string {
  if (f.value === null) return 'not measured';
  // Shares (0..1) and plain counts read best bare.
  return f.unit === '' || f.unit === 'share' ? String(f.value) : `${f.value} ${f.unit}`;
}

function formatParameter(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatParameter).join(' / ');
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** A table cell: no line breaks, pipes escaped. */
const cell = (s: string): string => s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** The markdown section of one result. */
export function renderResult(r: BenchResult): string {
  const m = r.machine;
  const params = Object.entries(r.parameters).map(([k, v]) => `${k} ${formatParameter(v)}`);
  const lines = [
    `## ${r.name}: ${r.title}${r.quick ? ' (quick run, not comparable)' : ''}`,
    '',
    `- run: \`${r.command}\`, ${r.startedAt}, took ${(r.durationMs / 1000).toFixed(1)} s`,
    `- machine: node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryMiB} MiB, ${m.git}`,
    `- load average (1/5/15 min): ${m.loadStart.join(' / ')} at start, ${m.loadEnd.join(' / ')} at end`,
    `- parameters: ${params.length === 0 ? 'none' : params.join(', ')}`,
    '',
    '| figure | value | note |',
    '| --- | ---: | --- |',
    ...r.figures.map((f) => `| ${cell(f.name)} | ${cell(formatValue(f))} | ${cell(f.note ?? '')} |`),
    '',
  ];
  return lines.join('\n');
}

/** The whole SUMMARY.md: results by name, then the files that could not be read as results. */
export function renderSummary(results: readonly BenchResult[], unreadable: readonly string[] = []): string {
  const sorted = [...results].sort((a, b) => a.name.localeCompare(b.name));
  const parts = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` from the result files in this folder; do not edit by hand.',
    'See bench/README.md for what each figure means and how it is measured.',
    '',
    ...sorted.map(renderResult),
  ];
  if (unreadable.length > 0) {
    parts.push('## Not summarized', '', ...unreadable.map((f) => `- ${f}: not a result in the runner's format (an older script's output?)`), '');
  }
  return parts.join('\n');
}

/** Reads every `*.json` in `dir` and writes `dir/SUMMARY.md`; returns its path. */
export async function writeSummary(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const results: BenchResult[] = [];
  const unreadable: string[] = [];
  for (const file of files) {
    try {
      results.push(BenchResult.parse(JSON.parse(await readFile(path.join(dir, file), 'utf8'))));
    } catch {
      unreadable.push(file);
    }
  }
  const out = path.join(dir, 'SUMMARY.md');
  await writeFile(`${out}.tmp`, renderSummary(results, unreadable));
  await rename(`${out}.tmp`, out);
  return out;
}
