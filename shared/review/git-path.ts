/**
 * Paths as git writes them in diff headers: plain, or in double quotes with
 * C-style escapes when they hold a `"`, a backslash, a control character or
 * (with the default `core.quotePath`) any byte above 0x7f as octal.
 */
import { NightshiftError } from '../errors.ts';

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
// fatal: a path that is not valid UTF-8 is refused rather than turned into U+FFFD,
// which would let a glob see a different name than the one git writes.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a quoted path that starts at `text[start]` (a `"`). Returns the
 * decoded path and the index just past the closing quote.
 */
export function readQuoted(text: string, start: number, where: string): { path: string; end: number } {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') return { path: decode(bytes, where), end: i + 1 };
    if (ch !== '\\') {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      i += 1;
      continue;
    }
    const next = text[i + 1] ?? '';
    const octal = /^[0-3][0-7]{2}/.exec(text.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 4;
    } else if (next in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[next]!);
      i += 2;
    } else {
      throw invalid(`${where}: unknown escape "\\${next}" in a quoted path`);
    }
  }
  throw invalid(`${where}: a quoted path has no closing quote`);
}

/** Reads a whole header value that is one path: quoted, or plain to the end. */
export function readPath(value: string, where: string): string {
  if (!value.startsWith('"')) return value;
  const { path, end } = readQuoted(value, 0, where);
  if (end !== value.length) throw invalid(`${where}: text after a quoted path`);
  return path;
}

/** Removes git's `a/` or `b/` prefix; a header path without it is refused. */
export function stripPrefix(path: string, prefix: 'a/' | 'b/', where: string): string {
  if (!path.startsWith(prefix)) {
    throw invalid(`${where}: the path "${path}" does not start with "${prefix}" (run git diff with the default prefixes)`);
  }
  return path.slice(prefix.length);
}

/**
 * Splits the two names of a `diff --git` line. Returns undefined when plain
 * names with spaces make it ambiguous; the `---`/`+++` or rename lines then
 * name the file, as they do for git itself.
 */
export function splitGitHeader(rest: string, where: string): { a: string; b: string } | undefined {
  if (rest.startsWith('"')) {
    const first = readQuoted(rest, 0, where);
    if (rest[first.end] !== ' ') throw invalid(`${where}: no space after the first path`);
    return { a: first.path, b: readPath(rest.slice(first.end + 1), where) };
  }
  if (rest.endsWith('"')) {
    for (let i = rest.indexOf(' "'); i >= 0; i = rest.indexOf(' "', i + 1)) {
      try {
        return { a: rest.slice(0, i), b: readPath(rest.slice(i + 1), where) };
      } catch {
        // not this space; try the next one
      }
    }
    throw invalid(`${where}: cannot find the second path`);
  }
  // Same name on both sides (the common case): "a/N b/N".
  const n = (rest.length - 5) / 2;
  if (Number.isInteger(n) && n > 0) {
    const name = rest.slice(2, 2 + n);
    if (rest === `a/${name} b/${name}`) return { a: `a/${name}`, b: `b/${name}` };
  }
  const parts = rest.split(' ');
  if (parts.length === 2) return { a: parts[0]!, b: parts[1]! };
  return undefined;
}

/** A path as findings print it: JSON-quoted when it holds control characters, so it cannot forge a line. */
export function displayPath(path: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f"\\]/.test(path) ? JSON.stringify(path) : path;
}

function decode(bytes: number[], where: string): string {
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch (cause) {
    throw new NightshiftError('DIFF_INVALID', `${where}: a quoted path is not valid UTF-8`, { cause });
  }
}

export function invalid(message: string): NightshiftError {
  return new NightshiftError('DIFF_INVALID', message);
}
