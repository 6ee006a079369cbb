/**
 * The list of specs for the status views: every spec file in `active/` and
 * `archive/YYYY-MM/` under SPECS_DIR, each loaded with the spec loader. A
 * file that does not load is listed too (status `unreadable`, with its
 * problems), never dropped: the person who wrote it needs to see why it does
 * not run. Reads files only; the database is not needed for the list.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap } from 'yaml';
import { NightshiftError } from '../errors.ts';
import { formatProblem, loadSpec, SpecInvalidError, type ParsedSpec } from '../spec/loader.ts';
import { computeProgress } from '../spec/progress.ts';
import { isSpecFileName, isValidSpecId, specIdFromFileName } from '../watch/names.ts';
import type { SpecSummary } from './model.ts';

/** A spec file found under SPECS_DIR. */
export interface SpecFile {
  /** Absolute path. */
  path: string;
  /** Relative to SPECS_DIR with `/` separators. */
  file: string;
  archived: boolean;
}

/** A listed spec with what it loaded to (the parsed spec, or why not). */
export interface LoadedSpec extends SpecFile {
  summary: SpecSummary;
  parsed?: ParsedSpec;
}

const MONTH = /^\d{4}-\d{2}$/;

async function names(dir: string): Promise<string[]> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [] as string[];
    throw err;
  });
  return entries.sort();
}

/** Spec files in active/ (by name), then archive/ (newest month first, by name). */
export async function listSpecFiles(specsDir: string): Promise<SpecFile[]> {
  const out: SpecFile[] = [];
  for (const name of (await names(join(specsDir, 'active'))).filter(isSpecFileName)) {
    out.push({ path: join(specsDir, 'active', name), file: `active/${name}`, archived: false });
  }
  const months = (await names(join(specsDir, 'archive'))).filter((m) => MONTH.test(m)).reverse();
  for (const month of months) {
    for (const name of (await names(join(specsDir, 'archive', month))).filter(isSpecFileName)) {
      out.push({ path: join(specsDir, 'archive', month, name), file: `archive/${month}/${name}`, archived: true });
    }
  }
  return out;
}

/** What can be read from a file that did not load: its id and title when the YAML parses, and its problems. */
function unreadable(f: SpecFile, err: unknown): SpecSummary {
  const problems =
    err instanceof SpecInvalidError
      ? err.problems.map((p) => formatProblem({ ...p, file: f.file }))
      : [`${f.file}: ${err instanceof Error ? err.message : String(err)}`];
  let raw: Record<string, unknown> = {};
  if (err instanceof SpecInvalidError && err.doc !== undefined && isMap(err.doc.contents)) {
    raw = err.doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  }
  const name = f.file.slice(f.file.lastIndexOf('/') + 1);
  return {
    id: isValidSpecId(raw.id) ? raw.id : specIdFromFileName(name),
    title: typeof raw.title === 'string' ? raw.title : name,
    // A spec the system marked rejected says so; anything else that does not load is unreadable.
    status: raw.status === 'rejected' ? 'rejected' : 'unreadable',
    priority: null,
    progress: null,
    file: f.file,
    archived: f.archived,
    problems,
  };
}

/** Loads one listed file. Never throws for a bad spec (it becomes `unreadable`); a file gone meanwhile gives undefined. */
export async function loadListed(f: SpecFile): Promise<LoadedSpec | undefined> {
  try {
    const parsed = await loadSpec(f.path);
    const { spec } = parsed;
    const summary: SpecSummary = {
      id: spec.id,
      title: spec.title,
      status: spec.status,
      priority: spec.priority,
      progress: computeProgress(spec.tasks),
      file: f.file,
      archived: f.archived,
      // A spec rejected for what only a run finds (a missing repository) loads; its file says why.
      ...(spec.status === 'rejected' && spec.errors?.length ? { problems: spec.errors } : {}),
    };
    return { ...f, summary, parsed };
  } catch (err) {
    // Moved to the archive (or deleted) between the listing and the read.
    if (err instanceof NightshiftError && err.code === 'SPEC_NOT_FOUND') return undefined;
    return { ...f, summary: unreadable(f, err) };
  }
}

/** Every spec file, loaded (the unreadable ones included). */
export async function loadSpecs(specsDir: string): Promise<LoadedSpec[]> {
  const loaded = await Promise.all((await listSpecFiles(specsDir)).map(loadListed));
  return loaded.filter((l): l is LoadedSpec => l !== undefined);
}

/** The list `GET /api/specs` answers. */
export async function listSpecs(specsDir: string): Promise<SpecSummary[]> {
  return (await loadSpecs(specsDir)).map((l) => l.summary);
}

/**
 * The file of spec `id`: the one in active/ first (a spec id re-run after it
 * was archived), else the newest archived one. Undefined when no file has it.
 */
export async function findSpec(specsDir: string, id: string): Promise<{ found?: LoadedSpec; ids: string[] }> {
  const all = await loadSpecs(specsDir);
  return { found: all.find((l) => l.summary.id === id), ids: [...new Set(all.map((l) => l.summary.id))] };
}
