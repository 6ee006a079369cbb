/**
 * The `GIT binary patch` section of `git diff --binary`: a forward block and
 * (usually) a reverse block, each `literal <size>` or `delta <size>` followed
 * by base85 lines of zlib-deflated data and a blank line.
 *
 * Only the new file's size is needed. A `literal` header gives it. A `delta`
 * header gives the delta's size, so the delta is decoded: its header holds the
 * source size and then the result size, both as base-128 varints.
 */
import { inflateSync } from 'node:zlib';
import { NightshiftError } from '../errors.ts';
import { invalid } from './git-path.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const DIGIT = new Map([...ALPHABET].map((c, i) => [c, i]));

export interface BinaryPatch {
  /** Size of the new content in bytes. */
  newSize: number;
  /** Index of the first line after the section. */
  next: number;
}

/** Reads the blocks that start at `lines[start]` (the line after `GIT binary patch`). */
export function readBinaryPatch(lines: readonly string[], start: number): BinaryPatch {
  const forward = readBlock(lines, start);
  let next = forward.next;
  if (/^(literal|delta) \d+$/.test(lines[next] ?? '')) next = readBlock(lines, next).next;
  const newSize = forward.kind === 'literal' ? forward.size : deltaResultSize(forward.data, start);
  return { newSize, next };
}

interface Block {
  kind: 'literal' | 'delta';
  size: number;
  data: string[];
  next: number;
}

function readBlock(lines: readonly string[], start: number): Block {
  const head = /^(literal|delta) (\d+)$/.exec(lines[start] ?? '');
  if (!head) throw invalid(`diff line ${start + 1}: expected "literal <size>" or "delta <size>" after "GIT binary patch"`);
  const data: string[] = [];
  let i = start + 1;
  for (; i < lines.length && lines[i] !== ''; i++) data.push(lines[i]!);
  if (data.length === 0) throw invalid(`diff line ${start + 1}: a binary patch block has no data`);
  // The blank line that ends the block belongs to it.
  return { kind: head[1] as Block['kind'], size: Number(head[2]), data, next: Math.min(i + 1, lines.length) };
}

/** Decodes git's base85 lines: the first character of each gives its byte count (A-Z 1-26, a-z 27-52). */
export function decodeBase85Lines(data: readonly string[], where: number): Buffer {
  const out: number[] = [];
  for (const line of data) {
    const c = line.charCodeAt(0);
    const count = c >= 65 && c <= 90 ? c - 64 : c >= 97 && c <= 122 ? c - 96 + 26 : -1;
    const body = line.slice(1);
    if (count < 0 || body.length !== Math.ceil(count / 4) * 5) {
      throw invalid(`diff line ${where + 1}: a binary patch line has the wrong length`);
    }
    const bytes: number[] = [];
    for (let g = 0; g < body.length; g += 5) {
      let acc = 0;
      for (const ch of body.slice(g, g + 5)) {
        const d = DIGIT.get(ch);
        if (d === undefined) throw invalid(`diff line ${where + 1}: "${ch}" is not a base85 character`);
        acc = acc * 85 + d;
      }
      if (acc > 0xffffffff) throw invalid(`diff line ${where + 1}: a base85 group overflows`);
      bytes.push((acc >>> 24) & 0xff, (acc >>> 16) & 0xff, (acc >>> 8) & 0xff, acc & 0xff);
    }
    out.push(...bytes.slice(0, count));
  }
  return Buffer.from(out);
}

function deltaResultSize(data: readonly string[], where: number): number {
  let delta: Buffer;
  try {
    delta = inflateSync(decodeBase85Lines(data, where));
  } catch (cause) {
    if (cause instanceof NightshiftError) throw cause;
    throw new NightshiftError('DIFF_INVALID', `diff line ${where + 1}: a binary delta does not inflate`, { cause });
  }
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = delta[pos++];
      if (byte === undefined) throw invalid(`diff line ${where + 1}: a binary delta header is cut short`);
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return value;
    }
  };
  varint(); // the source size
  return varint();
}
