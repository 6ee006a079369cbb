/**
 * A spec file a person wrote, made ready for `specs/active/` without
 * rewriting it: a missing `id` is added as one line above the first field,
 * and the relative `repo.path` and `$schema` modeline are rebased for the new
 * folder by replacing just those values, so every comment and the layout stay
 * as written. Problems are reported with the line numbers of the person's file.
 */
import { basename, dirname, resolve } from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { parseSpecText } from '../spec/loader.ts';
import { SpecInvalidError } from '../spec/problems.ts';
import { slugFrom } from './ids.ts';
import { readInput } from './read.ts';
import { checkRepo, isRemoteRepo, repoPathFor } from './repo.ts';
import { rebaseModeline } from './schema-line.ts';
import type { PlanWarning } from './types.ts';

/** A spec on its way into active/: how to write it under a given id and file. */
export interface SpecDraft {
  /** The id to try first. */
  id: string;
  /** True when a person chose the id: it is never changed, so a taken id is an error. */
  explicit: boolean;
  /** The text to write as `file` with this id; throws SpecInvalidError if it would not load. */
  render(id: string, file: string): string;
  tasks: number;
  /** Names the input in warnings. */
  source: string;
  warnings: PlanWarning[];
}

/** A YAML scalar for a path or id: plain when that is safe, else double-quoted. */
function yamlScalar(value: string): string {
  return /^[A-Za-z0-9_./][\w./@+-]*$/.test(value) ? value : JSON.stringify(value);
}

/**
 * Reads and validates a spec file (`file`, from `cwd`). Throws
 * SpecInvalidError with every problem, NOT_FOUND for a missing file, and
 * BAD_REQUEST when a local `repo.path` does not exist.
 */
export async function specFileDraft(file: string, cwd: string): Promise<SpecDraft> {
  const path = resolve(cwd, file);
  const original = await readInput(file, 'spec');
  const doc = parseDocument(original, { logLevel: 'silent' });
  const top = doc.contents;
  // Anything but a clean block mapping goes to the loader as it is, which says what is wrong with it.
  if (doc.errors.length > 0 || !isMap(top) || top.flow) parseSpecText(original, file);
  const idNode = doc.get('id', true);
  const given = isScalar(idNode) && typeof idNode.value === 'string' ? idNode.value : undefined;
  const title = doc.get('title');
  const derived = given ?? slugFrom([typeof title === 'string' ? title : undefined, basename(file).replace(/\.ya?ml$/i, '')], 'spec');
  const firstKey = isMap(top) ? (top.items[0]?.key as { range?: [number, number, number] } | undefined) : undefined;
  const insertAt = given === undefined ? (firstKey?.range?.[0] ?? original.length) : undefined;
  const insertLine = insertAt === undefined ? 0 : original.slice(0, insertAt).split('\n').length;
  const withId = (id: string): string =>
    insertAt === undefined ? original : `${original.slice(0, insertAt)}id: ${yamlScalar(id)}\n${original.slice(insertAt)}`;

  try {
    parseSpecText(withId(derived), file);
  } catch (err) {
    // Line numbers are the person's: the added id line is not in their file.
    if (err instanceof SpecInvalidError && insertAt !== undefined) {
      for (const p of err.problems) if (p.line !== undefined && p.line > insertLine) p.line -= 1;
    }
    throw err;
  }
  const repoNode = doc.getIn(['repo', 'path'], true);
  const repoPath = isScalar(repoNode) && typeof repoNode.value === 'string' ? repoNode.value : '';
  const warning = await checkRepo(repoPath, dirname(path), `repo.path in ${file}:`);

  const render = (id: string, dest: string): string => {
    const edits: { at: number; end: number; text: string }[] = [];
    if (!isRemoteRepo(repoPath) && isScalar(repoNode) && repoNode.range) {
      const rebased = repoPathFor(repoPath, dirname(path), dest);
      if (rebased !== repoPath) edits.push({ at: repoNode.range[0], end: repoNode.range[1], text: yamlScalar(rebased) });
    }
    if (insertAt !== undefined) edits.push({ at: insertAt, end: insertAt, text: `id: ${yamlScalar(id)}\n` });
    let text = original;
    for (const e of edits.sort((a, b) => b.at - a.at)) text = text.slice(0, e.at) + e.text + text.slice(e.end);
    text = rebaseModeline(text, path, dest);
    parseSpecText(text, dest);
    return text;
  };
  const tasks = doc.get('tasks');
  return {
    id: derived,
    explicit: given !== undefined,
    render,
    tasks: (tasks as { items?: unknown[] } | undefined)?.items?.length ?? 0,
    source: file,
    warnings: warning ? [{ line: 0, message: warning }] : [],
  };
}
