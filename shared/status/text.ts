/**
 * The status views as plain text for `nightshift status`: the spec list with
 * progress bars, and one spec's tasks with state, attempt, duration and last
 * error. Pure functions of the read model, so the CLI prints the same thing
 * whichever source the data came from.
 */
import { computeProgress } from '../spec/progress.ts';
import type { Progress } from '../spec/schema.ts';
import type { SpecDetail, SpecSummary } from './model.ts';

/** `[#######-------------]` for a percentage. @default width 20 */
export function progressBar(p: Progress | null, width = 20): string {
  if (p === null) return `[${' '.repeat(width)}]`;
  const filled = Math.round((p.percentage / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** 850 ms, 12.3 s, 4m 05s, 1h 02m; empty for null. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Columns padded to their widest cell; the last column is not padded. */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/** The first line of an error, at most `max` characters. */
function firstLine(text: string | null, max = 80): string {
  if (text === null) return '';
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** The spec list: id, status, progress bar, done/total, percentage, title; problems under unreadable specs. */
export function renderList(specs: readonly SpecSummary[]): string {
  if (specs.length === 0) return 'no specs (put one in specs/active/, or nightshift submit <file>)\n';
  const rows: string[][] = [['SPEC', 'STATUS', 'PROGRESS', 'TASKS', 'TITLE']];
  const problemsAfter = new Map<number, string[]>();
  for (const s of specs) {
    const p = s.progress;
    rows.push([
      s.id,
      s.status,
      p === null ? progressBar(null) : `${progressBar(p)} ${String(p.percentage).padStart(3)}%`,
      p === null ? '' : `${p.completed}/${p.total}`,
      `${s.title}${s.archived ? ' (archived)' : ''}`,
    ]);
    if (s.problems?.length) problemsAfter.set(rows.length - 1, s.problems.slice(0, 3));
  }
  const lines: string[] = [];
  table(rows).forEach((line, i) => {
    lines.push(line);
    for (const problem of problemsAfter.get(i) ?? []) lines.push(`    ${firstLine(problem, 120)}`);
  });
  return `${lines.join('\n')}\n`;
}

/** One spec: a header, its progress, and a row per task. */
export function renderDetail(d: SpecDetail): string {
  const { spec } = d;
  const progress = computeProgress(d.tasks);
  const out = [
    `${spec.id}: ${spec.title}`,
    `status ${spec.status}, priority ${spec.priority}, ${d.file}${d.archived ? ' (archived)' : ''}`,
    `${progressBar(progress)} ${progress.completed}/${progress.total} tasks, ${progress.percentage}%`,
    '',
  ];
  const rows: string[][] = [['TASK', 'STATE', 'ATTEMPT', 'DURATION', 'LAST ERROR']];
  for (const t of d.tasks) {
    rows.push([t.id, t.status, t.attempt === 0 ? '' : String(t.attempt), formatDuration(t.durationMs), firstLine(t.lastError)]);
  }
  out.push(...table(rows));
  return `${out.join('\n')}\n`;
}
