/**
 * Reads the lines of a `**Files:**` list: `Create: \`src/a.ts\``, `Modify:
 * \`src/b.ts:12-40\``, `Test: tests/a.test.ts`, `생성: \`x\``, or a bare path.
 * Create / Modify / Test (and their Korean words) mean the task owns the file;
 * Read / Reference / 참고 list a file for context only. Paths keep to the
 * repository: one that escapes it is reported, not kept.
 */
import { repoPathProblem } from '../spec/paths.ts';
import { codeSpans } from './markdown.ts';
import { fileKind } from './words.ts';

/** What one files-list line says. */
export interface FileItem {
  /** The kind the line's prefix names, when it has one (nested items below a bare `Create:` inherit it). */
  kind?: 'owned' | 'read';
  /** Paths found on the line, normalized. */
  paths: string[];
  /** Paths that were found but cannot be used, with the reason. */
  bad: { path: string; why: string }[];
  /** Nothing follows the prefix (`- Create:` with the paths on nested lines). */
  bare: boolean;
}

const LINE_RANGE = /(?::\d+(?:[-–]\d+)?|#L\d+(?:-L?\d+)?)$/;

/** The path in a token, without a `:12-40` line range or wrapping punctuation, or undefined when it does not look like one. */
export function pathIn(token: string): string | undefined {
  let t = token.trim().replace(/^[("'\[]+/, '').replace(/[)"',;\]]+$/, '');
  t = t.replace(LINE_RANGE, '').replace(/[.:]+$/, '');
  if (t === '' || /\s/.test(t) || t.endsWith(')')) return undefined;
  const looksLikePath = t.includes('/') || /\.[A-Za-z0-9]{1,12}$/.test(t) || /^\.[\w.-]+$/.test(t) || /^(?:Makefile|Dockerfile|Procfile|LICENSE|README)\b/.test(t);
  if (!looksLikePath || /^[a-z][a-z0-9+.-]*:\/\//i.test(t)) return undefined;
  return t.replace(/^(?:\.\/)+/, '').replace(/\/{2,}/g, '/');
}

/**
 * Reads one line of a files list (the list marker already removed). Paths in
 * backticks win; without backticks every path-looking word counts.
 */
export function parseFileItem(text: string): FileItem {
  let kind: FileItem['kind'];
  let body = text.trim();
  const prefixed = /^([^:：`/]{1,30}?)\s*[:：]\s*(.*)$/.exec(body);
  if (prefixed) {
    const k = fileKind(prefixed[1]!.replace(/[*_]/g, ''));
    if (k) {
      kind = k;
      body = prefixed[2]!.replace(/^[*_]+\s*/, '');
    }
  }
  const spans = codeSpans(body);
  const candidates = spans.length > 0 ? spans : body.split(/[\s,;]+|→|->/);
  const paths: string[] = [];
  const bad: FileItem['bad'] = [];
  for (const c of candidates) {
    const p = pathIn(c);
    if (p === undefined) continue;
    const why = repoPathProblem(p);
    if (why) bad.push({ path: p, why });
    else if (!paths.includes(p)) paths.push(p);
  }
  return { ...(kind ? { kind } : {}), paths, bad, bare: body.trim() === '' };
}
