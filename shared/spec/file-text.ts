/** Reading a spec's text through an open handle, so the same inode can be read again after a rename. */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { NightshiftError } from '../errors.ts';
import { SpecInvalidError } from './problems.ts';

/** Opens a spec for reading; SPEC_NOT_FOUND when it is missing. */
export async function openSpec(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new NightshiftError('SPEC_NOT_FOUND', `spec file ${file} does not exist`, { cause: err });
    }
    throw err;
  }
}

/** The whole content of an open file from offset 0, as strict UTF-8 (a SpecInvalidError if it is not). */
export async function readWhole(fh: FileHandle, file: string): Promise<string> {
  const chunks: Buffer[] = [];
  let position = 0;
  for (;;) {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, position);
    if (bytesRead === 0) break;
    chunks.push(buf.subarray(0, bytesRead));
    position += bytesRead;
  }
  try {
    // ignoreBOM keeps a byte-order mark, so writing the text back keeps the bytes.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch (err) {
    throw new SpecInvalidError('SPEC_INVALID', file, [{ file, kind: 'syntax', message: 'the file is not UTF-8 text' }], { parsed: false, cause: err });
  }
}

/**
 * The content once it stops changing: a save seen half-way (truncated, not yet
 * written) is read again until two reads 10 ms apart agree. @default 20 tries
 */
export async function readSettled(fh: FileHandle, file: string, tries = 20): Promise<string> {
  let last = await readWhole(fh, file);
  for (let i = 0; i < tries; i++) {
    await sleep(10);
    const now = await readWhole(fh, file);
    if (now === last) return now;
    last = now;
  }
  return last;
}
