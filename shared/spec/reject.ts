/**
 * Marking a bad spec. A file that parses as a YAML mapping but is not a valid
 * spec gets `status: rejected` and `errors:` written into it (into the yaml
 * Document directly, since there is no valid spec to go through). A file that
 * does not parse is never rewritten: its problems go to `<file>.errors.txt`.
 * Rejection is allowed from any state: an invalid file cannot be worked on,
 * and the changeLog keeps the state it left.
 */
import { unlink } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Document } from 'yaml';
import { NightshiftError } from '../errors.ts';
import { commitTemp, writeTemp } from './atomic.ts';
import { applyEdits, type FieldEdit } from './edit.ts';
import { clearErrorsBeside, problemLine, writeErrorsBeside } from './errors-file.ts';
import { openSpec, readWhole } from './file-text.ts';
import { parseSpecText } from './loader.ts';
import { SpecInvalidError, type SpecProblem } from './problems.ts';
import { SPEC_STATUSES, type ChangeLogEntry, type SpecStatus } from './schema.ts';

/** Where the problems went: into the spec (`spec`) or beside it (`beside`), and whether a file changed. */
export interface RejectResult {
  where: 'spec' | 'beside';
  changed: boolean;
  problems: SpecProblem[];
}

/**
 * Rejects the spec at `file` (absolute) with `problems`, or with the problems
 * the loader finds when none are given. The caller holds the spec lock.
 */
export async function rejectSpec(file: string, problems: SpecProblem[] | undefined, stamp: { at: string; by: string }): Promise<RejectResult> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const fh = await openSpec(file);
    let text: string;
    let doc: Document;
    let found: SpecProblem[] = [];
    let mode: number;
    try {
      mode = (await fh.stat()).mode & 0o777;
      text = await readWhole(fh, file);
      try {
        doc = parseSpecText(text, file).doc;
      } catch (err) {
        if (!(err instanceof SpecInvalidError)) throw err;
        if (!err.parsed || !err.doc) {
          const list = problems ?? err.problems;
          return { where: 'beside', changed: await writeErrorsBeside(file, list), problems: list };
        }
        doc = err.doc;
        found = err.problems;
      }
    } catch (err) {
      if (err instanceof SpecInvalidError && !err.parsed) {
        const list = problems ?? err.problems;
        return { where: 'beside', changed: await writeErrorsBeside(file, list), problems: list };
      }
      throw err;
    } finally {
      await fh.close();
    }
    const list = problems ?? found;
    if (list.length === 0) throw new NightshiftError('INTERNAL', `cannot reject spec ${file} without a problem to report`);
    const messages = list.map(problemLine);
    const data = doc.toJS() as Record<string, unknown>;
    const from = data.status ?? 'pending'; // an absent status is the schema's default
    if (from === 'rejected' && isDeepStrictEqual(data.errors, messages)) {
      return { where: 'spec', changed: await clearErrorsBeside(file), problems: list };
    }
    const entry: ChangeLogEntry = {
      at: stamp.at,
      by: stamp.by,
      ...(SPEC_STATUSES.includes(from as SpecStatus) && from !== 'rejected' ? { from: from as string } : {}),
      to: 'rejected',
      note: list.length === 1 ? '1 problem' : `${list.length} problems`,
    };
    const edits: FieldEdit[] = [
      { kind: 'set', at: [], key: 'status', value: 'rejected' },
      { kind: 'set', at: [], key: 'errors', value: messages },
      Array.isArray(data.changeLog)
        ? { kind: 'append', at: [], key: 'changeLog', items: [entry] }
        : { kind: 'set', at: [], key: 'changeLog', value: [entry] },
    ];
    const tmp = await writeTemp(file, applyEdits(text, doc, edits), mode);
    if (!(await sameText(file, text))) {
      await unlink(tmp).catch(() => undefined);
      continue; // the user saved meanwhile: look again
    }
    await commitTemp(tmp, file);
    await clearErrorsBeside(file);
    return { where: 'spec', changed: true, problems: list };
  }
  throw new NightshiftError('SPEC_CONFLICT', `spec ${file} kept changing while it was being marked rejected`);
}

async function sameText(file: string, text: string): Promise<boolean> {
  const fh = await openSpec(file).catch(() => undefined);
  if (!fh) return false;
  try {
    return (await readWhole(fh, file).catch(() => undefined)) === text;
  } finally {
    await fh.close();
  }
}
