/**
 * `<spec>.errors.txt`: where the problems of a spec that does not even parse
 * go, since such a file is never rewritten. It disappears once the spec reads again.
 */
import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import type { SpecProblem } from './problems.ts';

/** The errors file beside a spec file. */
export function errorsPathFor(file: string): string {
  return `${file}.errors.txt`;
}

/** `line 3, column 5: tasks[0].id: message` (the parts that are known), for people reading the spec. */
export function problemLine(p: SpecProblem): string {
  const where = p.line === undefined ? '' : `line ${p.line}${p.column === undefined ? '' : `, column ${p.column}`}: `;
  return `${where}${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** Writes the problems beside the spec (atomically, only when the text differs); no problems removes the file. Returns whether it changed anything. */
export async function writeErrorsBeside(file: string, problems: readonly SpecProblem[]): Promise<boolean> {
  if (problems.length === 0) return clearErrorsBeside(file);
  const target = errorsPathFor(file);
  const text = [
    `nightshift could not read ${path.basename(file)}, so it left the file exactly as it is.`,
    'Fix these problems and save it again; this file goes away once the spec reads.',
    '',
    ...problems.map(problemLine),
    '',
  ].join('\n');
  if ((await readFile(target, 'utf8').catch(() => undefined)) === text) return false;
  await writeFileAtomic(target, text);
  return true;
}

/** Removes the errors file beside a spec; returns whether there was one. */
export async function clearErrorsBeside(file: string): Promise<boolean> {
  try {
    await unlink(errorsPathFor(file));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
