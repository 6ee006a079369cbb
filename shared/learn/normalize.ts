/**
 * Error normalisation: takes out of an error text what varies between two
 * occurrences of the same failure (paths, numbers, hashes, times ...), so that
 * the same failure in another spec, file or run reads the same and embeds close.
 */

/** Longest normalized text, in characters; longer text keeps its head and tail. @default 4096 */
export const MAX_NORMALIZED_CHARS = 4096;

/** Marker put where the middle of a long log was cut out. */
export const CUT_MARKER = '\n[...]\n';

export interface NormalizeOptions {
  /** Longest result in characters (head and tail halves kept). @default 4096 */
  maxChars?: number;
}

// Order matters: each rule runs on the output of the ones before it.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;
const URL_RE = /\b([a-z][a-z0-9+.-]*):\/\/([^\s/:'"`<>()]+)(?::(\d+))?([^\s'"`<>()]*)/gi;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g;
const CLOCK_TIME = /\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s?[AP]M)?\b/gi;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const ADDRESS = /\b0x[0-9a-f]+\b/gi;
// A hex run of 7+ characters with a digit and a letter (git SHAs, content hashes), or 16+ hex of any kind.
const HASH = /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}\b|\b[0-9a-f]{16,}\b/gi;
// Temp folders: POSIX /tmp, /var/tmp, macOS /var/folders and /private/var, Windows ...\Temp\.
const TEMP_PATH = /(?:\/private)?\/(?:tmp|var\/tmp|var\/folders)\/[^\s'"`:,;()<>[\]]*|[A-Za-z]:\\[^\s'"`:;()<>]*?\\Temp\\[^\s'"`:,;()<>[\]]*/gi;
// Two or more segments joined by / or \, optionally rooted (/, ./, ../, ~/, C:\).
const PATH =
  /(?<![\w<>@])(?:[A-Za-z]:[\\/]|~\/|\.{1,2}[\\/]|[\\/])?(?:[\w.@+$-]+[\\/])+[\w.@+$-]*[\w$]|(?<![\w<>])[\\/](?:[\w.+$-]*[\w$])/g;
const DURATION = /\b\d+(?:\.\d+)?(?:\s?(?:ms|µs|us|ns|sec|secs|seconds?|minutes?|mins?)|(?:s|m|h))\b/gi;
const NUMBER = /(?<![\w.<])[-+]?\d+(?:\.\d+)*(?:e[-+]?\d+)?(?![\w>])/gi;

const BASENAME_WITH_EXT = /\.[A-Za-z0-9]{1,10}$/;

function basename(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  return parts[parts.length - 1] ?? '';
}

// Letters mixed with digits, 6+ long: the random part of mkstemp/mkdtemp names (`ccA8fK2d`, `9aZk1q`).
const RANDOM_RUN = /(?<![A-Za-z0-9])(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{6,}(?![A-Za-z0-9])/g;

/**
 * A path under a temp folder: a file keeps its basename with the random part
 * taken out (`/tmp/ccA8fK2d.o` → `<tmp>.o`); a folder becomes `<tmp>`.
 */
function tempPath(path: string): string {
  const base = basename(path.replace(/[.]+$/, ''));
  return BASENAME_WITH_EXT.test(base) && !/^tmp/i.test(base) ? base.replace(RANDOM_RUN, '<tmp>') : '<tmp>';
}

/** `@scope/name` is a package, not a path: keep it whole. */
function pathToBasename(path: string): string {
  if (/^@[\w.-]+\/[\w.-]+$/.test(path)) return path;
  return basename(path) || path;
}

/** Keeps the head and tail of `text` when it is longer than `max` characters. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - CUT_MARKER.length);
  const head = Math.ceil(room / 2);
  return text.slice(0, head) + CUT_MARKER + text.slice(text.length - (room - head));
}

/**
 * Normalizes an error text for comparison and embedding. Deterministic.
 *
 * - ANSI colour codes and carriage-return progress lines go.
 * - URLs keep scheme, host and path; the port becomes `<port>`.
 * - ISO timestamps and clock times become `<time>`, UUIDs `<uuid>`,
 *   `0x…` addresses `<addr>`, hex hashes and git SHAs `<hash>`.
 * - File paths keep only their basename (`src/lib/parser.ts` → `parser.ts`),
 *   because the file's name often is the failure ("cannot find module './parser'")
 *   while its folder depends on the repo and the workspace; temp folders become `<tmp>`.
 * - Durations (`12ms`, `3.2s`) become `<dur>`, other free-standing numbers
 *   (line:column, counts, ports, pids) `<n>`; numbers inside identifiers and
 *   codes (`TS2304`, `E0382`, `utf8`) stay.
 * - Runs of spaces become one space, lines are trimmed, blank lines dropped.
 * - Longer than `maxChars` (default 4096): the head and tail halves are kept.
 */
export function normalizeError(text: string, options: NormalizeOptions = {}): string {
  const max = options.maxChars ?? MAX_NORMALIZED_CHARS;
  // Bound the regex work on huge logs before normalizing; the final cap comes after.
  let s = cap(text, max * 16);
  s = s.replace(ANSI, '');
  // A progress line redrawn with \r: only what was drawn last is visible.
  s = s.replace(/[^\n]*\r(?!\n)/g, '').replace(/\r\n/g, '\n');
  // Other control characters carry nothing, and \u0001 marks set-aside URLs below.
  s = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');

  // URLs are set aside so the path and number rules do not cut them up.
  const urls: string[] = [];
  s = s.replace(URL_RE, (_m, scheme: string, host: string, port: string | undefined, rest: string) => {
    const path = rest.replace(UUID, '<uuid>').replace(HASH, '<hash>').replace(/\b\d+\b/g, '<n>');
    urls.push(`${scheme.toLowerCase()}://${host}${port === undefined ? '' : ':<port>'}${path}`);
    return '\u0001';
  });

  s = s
    .replace(ISO_TIME, '<time>')
    .replace(CLOCK_TIME, '<time>')
    .replace(UUID, '<uuid>')
    .replace(ADDRESS, '<addr>')
    .replace(TEMP_PATH, tempPath)
    .replace(PATH, pathToBasename)
    .replace(HASH, '<hash>')
    .replace(DURATION, '<dur>')
    .replace(NUMBER, '<n>');

  // The rules above never reorder text, so the markers come back in the order they went.
  let next = 0;
  s = s.replace(/\u0001/g, () => urls[next++] ?? '');
  s = s
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
  return cap(s, max);
}
