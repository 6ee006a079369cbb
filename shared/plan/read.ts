/**
 * Reads a plan or spec a person names on the command line, with errors that
 * say what to do, and formats the warnings of an import as `file:line: warning: ...`.
 */
import { readFile, stat } from 'node:fs/promises';
import { NightshiftError } from '../errors.ts';
import type { PlanWarning } from './types.ts';

/** Largest plan or spec file read. @default 1 MiB, the spec limit */
export const MAX_INPUT_BYTES = 1024 * 1024;

/** The UTF-8 text of `file`; NOT_FOUND when it is missing, BAD_REQUEST when it is a folder or too large. */
export async function readInput(file: string, what: string): Promise<string> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) throw new NightshiftError('NOT_FOUND', `${what} ${file} does not exist; check the path (it is read from ${process.cwd()})`);
  if (!info.isFile()) throw new NightshiftError('BAD_REQUEST', `${what} ${file} is not a file`);
  if (info.size > MAX_INPUT_BYTES) throw new NightshiftError('BAD_REQUEST', `${what} ${file} is ${info.size} bytes; at most ${MAX_INPUT_BYTES} (1 MiB) are read: split it into smaller ones`);
  return readFile(file, 'utf8');
}

export function formatWarning(file: string, w: PlanWarning): string {
  return `${file}:${w.line}: warning: ${w.message}`;
}
