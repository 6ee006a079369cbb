/**
 * Reads one spec file for the watcher: its content hash and the spec id it
 * names. It never validates the spec (that is on-spec-created's job); it only
 * looks far enough to find a top-level `id:`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { SPEC_LIMITS } from '../spec/schema.ts';
import { isValidSpecId, specIdFromFileName } from './names.ts';

export interface SpecFileFacts {
  /** sha256 of the file's bytes, lower-case hex. */
  hash: string;
  /** The top-level `id:` when it is a valid spec id, else the sanitized file name. */
  specId: string;
}

/**
 * Hashes a spec file and finds its id. Returns `null` when the file is gone or
 * is not a regular file (a delete or rename out). Other read errors throw.
 *
 * Files over `SPEC_LIMITS.maxBytes` are hashed as a stream and not parsed, so
 * an oversize file still produces a change (and gets rejected downstream)
 * without being loaded whole.
 */
export async function readSpecFile(path: string): Promise<SpecFileFacts | null> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) return null;
    size = st.size;
  } catch (err) {
    if (isGone(err)) return null;
    throw err;
  }
  const byName = specIdFromFileName(basename(path));
  try {
    if (size > SPEC_LIMITS.maxBytes) return { hash: await hashStream(path), specId: byName };
    const bytes = await readFile(path);
    return { hash: sha256(bytes), specId: idFromYaml(bytes.toString('utf8')) ?? byName };
  } catch (err) {
    if (isGone(err)) return null;
    throw err;
  }
}

/** sha256 hex of a buffer or string. */
export function sha256(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A top-level `id: <value>` line (block style, the way specs are written); quotes and a trailing comment allowed. */
const ID_LINE = /^id:[ \t]*(["']?)([a-z0-9][a-z0-9._-]{0,63})\1[ \t]*(?:#.*)?$/gm;

/**
 * The top-level `id:` of a YAML text if it is a valid spec id; parse errors
 * elsewhere do not matter. One plain `id:` line at column 0 is read without
 * parsing (the watcher reads every change, and parsing costs ~1 ms per KiB);
 * anything else goes through the YAML parser.
 */
export function idFromYaml(text: string): string | undefined {
  const lines = [...text.matchAll(ID_LINE)];
  if (lines.length === 1 && !text.startsWith('---') && !/^\s*\{/.test(text)) return lines[0]![2];
  try {
    const doc = parseDocument(text);
    if (!isMap(doc.contents)) return undefined;
    const id = doc.get('id');
    return isValidSpecId(id) ? id : undefined;
  } catch {
    // The yaml package reports problems in doc.errors rather than throwing,
    // but a file this broken simply has no id to read.
    return undefined;
  }
}

function hashStream(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
