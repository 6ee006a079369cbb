/**
 * The only writer of spec files (DESIGN.md section 3). Every write is atomic,
 * touches only the system-owned fields, and is a read-modify-write that never
 * loses a concurrent update:
 * - system writers (any process) serialize through a lock file beside the spec;
 * - a user's editor takes no lock, so right before the rename the store reads
 *   the file again and starts over on the new text if it changed;
 * - a save that lands in the old file between that look and the rename is
 *   seen through the still-open handle and re-applied at once.
 * An editor that saves by renaming its own temp file in that last instant (a
 * few microseconds) is the one case a rename-based store cannot see.
 */
import path from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { NightshiftError } from '../errors.ts';
import { archiveSpecFile } from './archive.ts';
import { commitTemp, sweepDeadTemps, writeFileAtomic, writeTemp } from './atomic.ts';
import { SpecDraft } from './draft.ts';
import { applyEdits } from './edit.ts';
import { writeErrorsBeside } from './errors-file.ts';
import { openSpec, readSettled, readWhole } from './file-text.ts';
import { loadSpec, parseSpecText, type ParsedSpec } from './loader.ts';
import { acquireLock, type LockOptions } from './lock.ts';
import { SpecInvalidError, type SpecProblem } from './problems.ts';
import { rejectSpec, type RejectResult } from './reject.ts';
import type { Spec } from './schema.ts';

export { SpecDraft, CHANGELOG_MAX, CHANGELOG_TRIM_TO, type TaskChange } from './draft.ts';
export type { RejectResult } from './reject.ts';

export interface SpecStoreOptions {
  /** The specs/ folder: relative file names resolve against it, and archives go to `<root>/archive/YYYY-MM/`. */
  root: string;
  /** @default () => new Date() */
  clock?: () => Date;
  /** Who is written into changeLog entries. @default 'nightshift' */
  by?: string;
  /** Lock waiting and staleness. @default { timeoutMs: 10_000, staleMs: 30_000 } */
  lock?: LockOptions;
  /** How many times an update starts over because the file changed under it. @default 20 */
  maxAttempts?: number;
  /** Fault injection for tests: runs after the last look and right before the rename. @default none */
  beforeRename?: (file: string) => Promise<void>;
}

/** What `update` did. `changed` is false when nothing needed writing (the file was not touched). */
export interface UpdateResult {
  changed: boolean;
  spec: Spec;
  /** sha256 hex of the file's text after the update. */
  hash: string;
  file: string;
}

/** Changes to make; it may run more than once (once per attempt), so it should act only through the draft. */
export type Mutation = (draft: SpecDraft) => void | Promise<void>;

export class SpecStore {
  readonly root: string;
  readonly #clock: () => Date;
  readonly #by: string;
  readonly #lock: LockOptions;
  readonly #maxAttempts: number;
  readonly #beforeRename: ((file: string) => Promise<void>) | undefined;

  constructor(opts: SpecStoreOptions) {
    this.root = path.resolve(opts.root);
    this.#clock = opts.clock ?? (() => new Date());
    this.#by = opts.by ?? 'nightshift';
    this.#lock = opts.lock ?? {};
    this.#maxAttempts = opts.maxAttempts ?? 20;
    this.#beforeRename = opts.beforeRename;
  }

  /** The absolute path of a spec file (relative names resolve against `root`). */
  resolve(file: string): string {
    return path.resolve(this.root, file);
  }

  /** Reads and validates a spec (no lock: a write replaces the file atomically). */
  read(file: string): Promise<ParsedSpec> {
    return loadSpec(this.resolve(file));
  }

  /**
   * Applies `mutate` to the spec and writes the system-owned fields it changed.
   * Throws SPEC_INVALID / SPEC_NOT_FOUND for a spec that cannot be updated,
   * ILLEGAL_TRANSITION / TASK_NOT_FOUND from the draft (nothing written), SPEC_LOCKED
   * when the lock is not free in time, SPEC_CONFLICT after `maxAttempts` changes underneath.
   */
  async update(file: string, mutate: Mutation, opts: { by?: string } = {}): Promise<UpdateResult> {
    const abs = this.resolve(file);
    const by = opts.by ?? this.#by;
    // Look first without the lock: a reconcile that changes nothing must not even touch the folder.
    // An invalid text may be a save in progress: the locked loop tells the two apart.
    const first = await loadSpec(abs).catch((err: unknown) => {
      if (err instanceof SpecInvalidError) return undefined;
      throw err;
    });
    if (first) {
      const probe = new SpecDraft(first.spec, this.#clock().toISOString(), by);
      await mutate(probe);
      if (!probe.changed) return { changed: false, spec: first.spec, hash: first.hash, file: abs };
    }

    const lock = await acquireLock(abs, this.#lock);
    try {
      if (lock.recovered) await sweepDeadTemps(abs);
      return await this.#writeLoop(abs, mutate, by);
    } finally {
      await lock.release();
    }
  }

  async #writeLoop(abs: string, mutate: Mutation, by: string): Promise<UpdateResult> {
    let base: string | undefined; // a late in-place save to build on instead of the file
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const fh = await openSpec(abs);
      try {
        const onDisk = await readWhole(fh, abs);
        const text = base ?? onDisk;
        const rebased = base !== undefined;
        base = undefined;
        let parsed: ParsedSpec;
        try {
          parsed = parseSpecText(text, abs);
        } catch (err) {
          if (!(err instanceof SpecInvalidError)) throw err;
          // The user's late save is not a valid spec: put their text back exactly as they wrote it.
          if (rebased) await writeFileAtomic(abs, text, (await fh.stat()).mode & 0o777);
          else if (await stillChanging(abs, text)) continue;
          throw err;
        }
        const draft = new SpecDraft(parsed.spec, this.#clock().toISOString(), by);
        await mutate(draft);
        if (!draft.changed && text === onDisk) return { changed: false, spec: parsed.spec, hash: parsed.hash, file: abs };
        const next = draft.changed ? afterEdits(text, parsed, draft, abs) : parsed;
        const tmp = await writeTemp(abs, next.text, (await fh.stat()).mode & 0o777);
        if ((await readPath(abs)) !== onDisk) {
          await unlink(tmp).catch(() => undefined);
          continue; // the user saved since we read: start over on their text
        }
        await this.#beforeRename?.(abs);
        await commitTemp(tmp, abs);
        const late = await readWhole(fh, abs);
        if (late !== onDisk) {
          base = await readSettled(fh, abs);
          continue; // a save went into the old file during the rename: build on it
        }
        return { changed: true, spec: next.spec, hash: next.hash, file: abs };
      } finally {
        await fh.close();
      }
    }
    throw new NightshiftError('SPEC_CONFLICT', `spec ${abs} kept changing while it was being written; gave up after ${this.#maxAttempts} attempts`);
  }

  /** Marks a spec `status: rejected` with its problems in place, or (unparseable) writes them beside it. See reject.ts. */
  async markRejected(file: string, problems?: SpecProblem[], opts: { by?: string } = {}): Promise<RejectResult> {
    const abs = this.resolve(file);
    const lock = await acquireLock(abs, this.#lock);
    try {
      return await rejectSpec(abs, problems, { at: this.#clock().toISOString(), by: opts.by ?? this.#by });
    } finally {
      await lock.release();
    }
  }

  /** Writes `<file>.errors.txt` (atomically, only if different); no problems removes it. Returns whether it changed anything. */
  writeErrorsBeside(file: string, problems: readonly SpecProblem[]): Promise<boolean> {
    return writeErrorsBeside(this.resolve(file), problems);
  }

  /** Moves a completed spec to `<root>/archive/YYYY-MM/` (UTC month of the clock); returns the new path. See archive.ts. */
  async archive(file: string): Promise<string> {
    const abs = this.resolve(file);
    const lock = await acquireLock(abs, this.#lock);
    try {
      return await archiveSpecFile(abs, this.root, this.#clock());
    } finally {
      await lock.release();
    }
  }
}

/** The spec with the draft's edits written in; INTERNAL (nothing written) if they would make it invalid, e.g. too large. */
function afterEdits(text: string, parsed: ParsedSpec, draft: SpecDraft, abs: string): ParsedSpec {
  // Read back through the loader (its cache keeps the result for the parse below); fall back to plain YAML for a text the loader refuses.
  const readBack = (t: string): Document => {
    try {
      return parseSpecText(t, abs).doc;
    } catch (err) {
      if (err instanceof SpecInvalidError) return parseDocument(t);
      throw err;
    }
  };
  try {
    return parseSpecText(applyEdits(text, parsed.doc, draft.edits(), readBack), abs);
  } catch (err) {
    if (!(err instanceof SpecInvalidError)) throw err;
    throw new NightshiftError('INTERNAL', `writing the system fields would make spec ${abs} invalid: ${err.message}`, { cause: err });
  }
}

/** True when an invalid text is a save in progress: the file differs from it after 25 ms. */
async function stillChanging(abs: string, text: string): Promise<boolean> {
  await sleep(25);
  const again = await readPath(abs);
  return again !== undefined && again !== text;
}

/** The file's text now, or undefined when it cannot be read. */
async function readPath(abs: string): Promise<string | undefined> {
  try {
    const fh = await openSpec(abs);
    try {
      return await readWhole(fh, abs);
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}
