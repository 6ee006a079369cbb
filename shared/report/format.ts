/**
 * Small text helpers for the report's markdown: table cells that cannot
 * break the table, durations and rates a person reads at a glance.
 */

/** A table cell: one line, pipes escaped, at most `max` characters. */
export function cell(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `1 h 02 min`, `3 min 05 s`, `4.2 s`, `850 ms`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** `75% (3 of 4)`, or `-` when there is nothing to divide. */
export function rate(part: number, whole: number): string {
  return whole === 0 ? '-' : `${Math.round((part * 100) / whole)}% (${part} of ${whole})`;
}

/** A markdown table from a header and rows of cells (already escaped). */
export function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
