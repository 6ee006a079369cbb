/**
 * The SUMMARY.md writer of the benchmarks (bench/lib/summary.ts): given result
 * files it writes one section and table per benchmark, sorted by name, and
 * lists files that are not results. No timing is measured or asserted here.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/lib/result.ts';
import { renderSummary, writeSummary } from '../../bench/lib/summary.ts';

const machine = {
  node: 'v20.20.2',
  platform: 'linux 6.1',
  cpus: 2,
  cpuModel: 'Test CPU',
  memoryMiB: 4096,
  git: 'git version 2.39.5',
  loadStart: [0.5, 0.4, 0.3],
  loadEnd: [1, 0.8, 0.6],
} satisfies BenchResult['machine'];

const repoScale: BenchResult = {
  name: 'repo-scale',
  title: 'Workspace vs clone',
  command: 'npm run bench -- repo-scale',
  quick: false,
  startedAt: '2026-01-02T03:04:05.000Z',
  durationMs: 61_500,
  machine,
  parameters: { files: 2000, commits: [100, 20000] },
  figures: [
    { name: '100 commits: createWorkspace, median', value: 61.2, unit: 'ms' },
    { name: 'clone 20000/100 commits', value: 7.5, unit: 'x', note: 'ratio | of medians' },
  ],
  details: { runs: [1, 2, 3] },
};

const functions: BenchResult = {
  ...repoScale,
  name: 'functions',
  title: 'Function bundles',
  command: 'npm run bench -- functions --quick',
  quick: true,
  durationMs: 900,
  parameters: {},
  figures: [
    { name: 'runs', value: 5, unit: '' },
    { name: 'TODO develop-task: RSS while an agent runs', value: null, unit: 'MiB', note: 'needs the pipeline' },
  ],
};

const expectedFunctions = `## functions: Function bundles (quick run, not comparable)

- run: \`npm run bench -- functions --quick\`, 2026-01-02T03:04:05.000Z, took 0.9 s
- machine: node v20.20.2, 2 CPUs (Test CPU), 4096 MiB, git version 2.39.5
- load average (1/5/15 min): 0.5 / 0.4 / 0.3 at start, 1 / 0.8 / 0.6 at end
- parameters: none

| figure | value | note |
| --- | ---: | --- |
| runs | 5 |  |
| TODO develop-task: RSS while an agent runs | not measured | needs the pipeline |
`;

const expectedRepoScale = `## repo-scale: Workspace vs clone

- run: \`npm run bench -- repo-scale\`, 2026-01-02T03:04:05.000Z, took 61.5 s
- machine: node v20.20.2, 2 CPUs (Test CPU), 4096 MiB, git version 2.39.5
- load average (1/5/15 min): 0.5 / 0.4 / 0.3 at start, 1 / 0.8 / 0.6 at end
- parameters: files 2000, commits 100 / 20000

| figure | value | note |
| --- | ---: | --- |
| 100 commits: createWorkspace, median | 61.2 ms |  |
| clone 20000/100 commits | 7.5 x | ratio \\| of medians |
`;

const header = `# Benchmark results

Written by \`npm run bench\` from the result files in this folder; do not edit by hand.
See bench/README.md for what each figure means and how it is measured.
`;

describe('bench SUMMARY.md', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('renders one table per result, sorted by name', () => {
    expect(renderSummary([repoScale, functions])).toBe(`${header}\n${expectedFunctions}\n${expectedRepoScale}`);
  });

  it('writes SUMMARY.md from the result files in a folder and lists the files it cannot read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nightshift-bench-summary-'));
    dirs.push(dir);
    await writeFile(join(dir, 'repo-scale.json'), JSON.stringify(repoScale));
    await writeFile(join(dir, 'functions.json'), JSON.stringify(functions));
    await writeFile(join(dir, 'old.json'), JSON.stringify({ command: 'npx tsx bench/old.ts', results: [] }));
    const file = await writeSummary(dir);
    expect(file).toBe(join(dir, 'SUMMARY.md'));
    expect(await readFile(file, 'utf8')).toBe(
      `${header}\n${expectedFunctions}\n${expectedRepoScale}\n## Not summarized\n\n- old.json: not a result in the runner's format (an older script's output?)\n`,
    );
  });
});
