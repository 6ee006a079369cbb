/**
 * Reads a spec file and turns every kind of bad input into problems that name
 * the file, the line and column, and the field. Nothing here writes: the spec
 * store decides what to do with a bad spec, guided by `SpecInvalidError.parsed`.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { LineCounter, isMap, parseDocument, type Document } from 'yaml';
import { NightshiftError } from '../errors.ts';
import { issueProblems } from './issues.ts';
import { flowTooDeepAt, nodeTooDeepAt, MAX_DEPTH } from './nesting.ts';
import { makeLocator, type Locator } from './positions.ts';
import { SpecInvalidError, capProblems, fieldPath, type RawProblem, type SpecProblem } from './problems.ts';
import { ruleProblems } from './rules.ts';
import { SPEC_LIMITS, SpecSchema, type Spec } from './schema.ts';

export { formatProblem, SpecInvalidError, type SpecProblem } from './problems.ts';

/** A spec that passed every check, with the document it came from (comments kept) and its text's hash. */
export interface ParsedSpec {
  spec: Spec;
  doc: Document;
  text: string;
  /** sha256 hex of the text as UTF-8; for a file read by `loadSpec`, the hash of its bytes. */
  hash: string;
}

/** Most alias expansions a spec may cause; a YAML "billion laughs" bomb stops here. @default 100 */
export const MAX_ALIAS_COUNT = 100;

/** sha256 hex of a text as UTF-8. */
export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Options for `validateSpec`. */
export interface ValidateOptions {
  /** Names the source in problems. @default '<spec>' */
  file?: string;
  /** Maps a field path to a line and column; without it problems carry only the field. */
  locate?: Locator;
}

/**
 * Checks an already parsed value against the schema and the graph and path
 * rules. Returns the spec (defaults applied) when there is no problem, or
 * every problem found, sorted by line.
 */
export function validateSpec(raw: unknown, options: ValidateOptions = {}): { spec?: Spec; problems: SpecProblem[] } {
  const file = options.file ?? '<spec>';
  const result = SpecSchema.safeParse(raw);
  const found: RawProblem[] = [...(result.success ? [] : issueProblems(result.error.issues, raw, SpecSchema)), ...ruleProblems(raw)];
  const problems = found.map((p): SpecProblem => {
    const pos = options.locate?.(p.path, p.atKey);
    const field = fieldPath(p.path);
    return { file, ...(pos ? { line: pos.line, column: pos.column } : {}), ...(field ? { field } : {}), kind: p.kind, message: p.message };
  });
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  if (result.success && problems.length === 0) return { spec: result.data, problems };
  return { problems: capProblems(problems, file) };
}

function tooLarge(file: string, bytes: number): SpecInvalidError {
  const message = `the file is ${bytes} bytes; a spec may be at most ${SPEC_LIMITS.maxBytes} bytes (1 MiB)`;
  return new SpecInvalidError('SPEC_TOO_LARGE', file, [{ file, kind: 'limit', message }], { parsed: false });
}

function unparsed(file: string, problems: SpecProblem[], cause?: unknown): SpecInvalidError {
  return new SpecInvalidError('SPEC_INVALID', file, capProblems(problems, file), { parsed: false, cause });
}

/** The key written at `offset`, quoted for a message. */
function keyAt(text: string, offset: number): string {
  const key = /^[^:\n]*/.exec(text.slice(offset, offset + 200))?.[0].trim() ?? '';
  return key ? `'${key}'` : '';
}

function topLevelName(doc: Document): string {
  if (doc.contents === null) return 'the file is empty';
  const js: unknown = doc.contents.toJSON();
  return Array.isArray(js) ? 'it is a list' : `it is ${typeof js === 'string' ? 'a piece of text' : `the value ${String(js)}`}`;
}

/**
 * Parses and validates a spec's text. Throws SpecInvalidError (a
 * NightshiftError with code SPEC_INVALID or SPEC_TOO_LARGE, `details` = every
 * SpecProblem). Its `parsed` is false when the text is not a YAML mapping that
 * parsed cleanly within limits (too large, syntax error, duplicate key, too
 * deep, alias bomb, not a mapping): such a file must never be rewritten. When
 * `parsed` is true the error carries the `doc` so the store can mark it
 * rejected in place.
 */
export function parseSpecText(text: string, file: string): ParsedSpec {
  const hash = hashText(text);
  const known = parsed.get(hash);
  if (known) {
    parsed.delete(hash);
    parsed.set(hash, known);
    return known;
  }
  const result = parseFresh(text, file, hash);
  parsed.set(hash, result);
  if (parsed.size > PARSED_CACHE_SIZE) parsed.delete(parsed.keys().next().value!);
  return result;
}

/**
 * Specs parsed lately, by the hash of their text: parsing is the costly part
 * of every read (the yaml package reads ~1 MB/s), and a running spec is read
 * by every handler and every reconcile between two writes of the same text.
 * Only valid specs are kept. The spec is frozen, so no caller can change
 * what another one gets; the document is never edited in place (edits work
 * on a clone, see edit.ts). @default 16 texts
 */
export const PARSED_CACHE_SIZE = 16;
const parsed = new Map<string, ParsedSpec>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function parseFresh(text: string, file: string, hash: string): ParsedSpec {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > SPEC_LIMITS.maxBytes) throw tooLarge(file, bytes);
  const lineCounter = new LineCounter();
  const deepFlow = flowTooDeepAt(text);
  if (deepFlow !== undefined) {
    // Never hand this to the parser: deep flow nesting exhausts its memory.
    const before = text.slice(0, deepFlow);
    const line = before.split('\n').length;
    const column = deepFlow - before.lastIndexOf('\n');
    throw unparsed(file, [{ file, line, column, kind: 'limit', message: `brackets are nested more than ${MAX_DEPTH} deep` }]);
  }
  // logLevel 'error' keeps yaml from printing process warnings (e.g. about collection keys) for input we reject anyway.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    throw unparsed(
      file,
      doc.errors.map((e) => ({
        file,
        ...at(e.pos[0]),
        kind: e.code === 'RESOURCE_EXHAUSTION' ? 'limit' : 'syntax',
        message: e.code === 'RESOURCE_EXHAUSTION' ? 'the YAML is nested too deeply to read'
          : e.code === 'DUPLICATE_KEY' ? `duplicate key ${keyAt(text, e.pos[0])}: it is already set earlier in the same mapping`
          : `YAML syntax error: ${e.message}`,
      })),
    );
  }
  const deep = nodeTooDeepAt(doc);
  if (deep !== undefined) {
    throw unparsed(file, [{ file, ...at(deep), kind: 'limit', message: `the YAML is nested more than ${MAX_DEPTH} levels deep` }]);
  }
  if (!isMap(doc.contents)) {
    const where = doc.contents?.range ? at(doc.contents.range[0]) : {};
    const message = `the top level must be a mapping of fields (id, title, repo, tasks, ...), but ${topLevelName(doc)}`;
    throw unparsed(file, [{ file, ...where, kind: 'schema', message }]);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const bomb = /alias count/i.test(detail);
    const message = bomb ? `aliases (*name) expand to too much data; at most ${MAX_ALIAS_COUNT} expansions are allowed` : `YAML error: ${detail}`;
    throw unparsed(file, [{ file, kind: bomb ? 'limit' : 'syntax', message }], err);
  }
  const { spec, problems } = validateSpec(raw, { file, locate: makeLocator(doc, lineCounter) });
  if (spec === undefined) throw new SpecInvalidError('SPEC_INVALID', file, problems, { parsed: true, doc });
  return { spec: deepFreeze(spec), doc, text, hash };
}

async function readCapped(file: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new NightshiftError('SPEC_NOT_FOUND', `spec file ${file} does not exist`, { cause: err });
    }
    throw new NightshiftError('INTERNAL', `cannot open spec file ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw unparsed(file, [{ file, kind: 'syntax', message: 'not a regular file' }]);
    if (stat.size > SPEC_LIMITS.maxBytes) throw tooLarge(file, stat.size);
    // Read at most one byte past the limit: the file may grow after the stat.
    const buf = Buffer.alloc(SPEC_LIMITS.maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buf.length) throw tooLarge(file, length);
    }
    return buf.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/**
 * Reads and validates a spec file. The size is checked before anything is
 * parsed. Throws SPEC_NOT_FOUND when the file does not exist, and the errors
 * of `parseSpecText` (plus a syntax problem for text that is not UTF-8).
 */
export async function loadSpec(file: string): Promise<ParsedSpec> {
  const bytes = await readCapped(file);
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, so the hash is the hash of the bytes.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (err) {
    throw unparsed(file, [{ file, kind: 'syntax', message: 'the file is not UTF-8 text' }], err);
  }
  return parseSpecText(text, file);
}
