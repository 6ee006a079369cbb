/**
 * What fixed a task, as learn-from-failure stores it against the task's
 * earlier failures: the files the successful attempt changed and the lines it
 * added and removed, so the next similar failure's prompt shows a fix rather
 * than only a name.
 */
import type { Attempt } from '../db/index.ts';

/** Longest diff excerpt kept in a resolution. @default 1500 characters */
const MAX_EXCERPT = 1500;

/** A short account of the successful attempt `row`, after the errors of the attempts before it. */
export function resolutionOf(row: Pick<Attempt, 'attempt' | 'diff'>, earlier: readonly string[]): string {
  const text = (row.diff ?? Buffer.alloc(0)).toString('utf8');
  const files = [...text.matchAll(/^diff --git a\/(.+?) b\//gm)].map((m) => m[1]);
  const changed = text
    .split('\n')
    .filter((l) => (l.startsWith('+') || l.startsWith('-')) && !l.startsWith('+++') && !l.startsWith('---'))
    .join('\n');
  const excerpt = changed.length > MAX_EXCERPT ? `${changed.slice(0, MAX_EXCERPT)}\n[...]` : changed;
  const first = earlier[0]?.split('\n')[0]?.slice(0, 200);
  return [
    `attempt ${row.attempt} passed${first ? ` after "${first}"` : ''} by changing ${files.join(', ') || 'no files'}:`,
    excerpt,
  ].join('\n');
}
