/**
 * The changes one `SpecStore.update` call wants to make, checked against the
 * state machines as they are staged. The draft never touches the file; the
 * store turns it into edits of the system-owned fields only.
 */
import { isDeepStrictEqual } from 'node:util';
import { NightshiftError } from '../errors.ts';
import type { FieldEdit } from './edit.ts';
import { computeProgress } from './progress.ts';
import { SPEC_LIMITS, type ChangeLogEntry, type Spec, type SpecStatus, type Task, type TaskStatus } from './schema.ts';
import { assertSpecMove, assertTaskMove } from './state.ts';

/**
 * The changeLog keeps at most this many entries. When an append would pass it,
 * the oldest are dropped down to CHANGELOG_TRIM_TO, so the whole log is
 * rewritten once per 100 changes rather than on every write. @default 500
 */
export const CHANGELOG_MAX = 500;
/** What the changeLog is trimmed to once it passes CHANGELOG_MAX. @default 400 */
export const CHANGELOG_TRIM_TO = 400;

/** Options of `setTaskStatus` / `setTaskFields`. `lastError: null` removes the field; a longer one than 64 KiB keeps its end. */
export interface TaskChange {
  note?: string;
  attempts?: number;
  lastError?: string | null;
}

type TaskFieldKey = 'status' | 'attempts' | 'lastError';

export class SpecDraft {
  readonly #spec: Spec;
  readonly #at: string;
  readonly #by: string;
  readonly #log: ChangeLogEntry[] = [];
  readonly #taskEdits = new Map<number, Map<TaskFieldKey, unknown>>();
  #specStatus: SpecStatus | undefined;
  #clearErrors = false;

  /** `spec` is copied; `at` is the ISO time and `by` the writer stamped on changeLog entries. */
  constructor(spec: Spec, at: string, by: string) {
    this.#spec = structuredClone(spec);
    this.#at = at;
    this.#by = by;
  }

  /** The spec with the staged changes applied (read-only by contract). */
  get spec(): Readonly<Spec> {
    return this.#spec;
  }

  /** True once anything is staged that would change the file. */
  get changed(): boolean {
    return this.#log.length > 0 || this.#taskEdits.size > 0 || this.#specStatus !== undefined || this.#clearErrors;
  }

  /** The task with this id; throws TASK_NOT_FOUND. */
  task(taskId: string): Readonly<Task> {
    return this.#spec.tasks[this.#indexOf(taskId)] as Task;
  }

  /** Moves the spec to `to` (same state: no-op); leaving `rejected` also clears `errors`. Returns whether it moved. */
  setSpecStatus(to: SpecStatus, note?: string): boolean {
    const from = this.#spec.status;
    assertSpecMove(this.#spec.id, from, to);
    if (from === to) return false;
    this.#spec.status = to;
    this.#specStatus = to;
    if (from === 'rejected' && this.#spec.errors !== undefined) {
      delete this.#spec.errors;
      this.#clearErrors = true;
    }
    this.#append({ from, to, note });
    return true;
  }

  /** Moves task `taskId` to `to` (same state: only the fields change) and sets `attempts` / `lastError`. Returns whether it moved. */
  setTaskStatus(taskId: string, to: TaskStatus, change: TaskChange = {}): boolean {
    const i = this.#indexOf(taskId);
    const task = this.#spec.tasks[i] as Task;
    const from = task.status;
    assertTaskMove(this.#spec.id, taskId, from, to);
    this.setTaskFields(taskId, change);
    if (from === to) return false;
    task.status = to;
    this.#stage(i, 'status', to);
    this.#append({ task: taskId, from, to, note: change.note });
    return true;
  }

  /** Sets `attempts` and / or `lastError` of a task without a state change (no changeLog entry). */
  setTaskFields(taskId: string, change: Omit<TaskChange, 'note'>): void {
    const i = this.#indexOf(taskId);
    const task = this.#spec.tasks[i] as Task;
    if (change.attempts !== undefined && change.attempts !== task.attempts) {
      if (!Number.isInteger(change.attempts) || change.attempts < 0) {
        throw new NightshiftError('INTERNAL', `task ${taskId} of spec ${this.#spec.id}: attempts must be a whole number >= 0, got ${change.attempts}`);
      }
      task.attempts = change.attempts;
      this.#stage(i, 'attempts', change.attempts);
    }
    if (change.lastError === null && task.lastError !== undefined) {
      delete task.lastError;
      this.#stage(i, 'lastError', undefined);
    } else if (typeof change.lastError === 'string') {
      const text = clip(change.lastError);
      if (text === task.lastError) return;
      task.lastError = text;
      this.#stage(i, 'lastError', text);
    }
  }

  /** Appends a changeLog note without a state change; `to` records the current state of the task or spec. */
  addNote(note: string, opts: { task?: string } = {}): void {
    const to = opts.task === undefined ? this.#spec.status : this.task(opts.task).status;
    this.#log.push(entry({ at: this.#at, by: this.#by, task: opts.task, to, note }));
  }

  /** The field edits that write the staged changes (plus `progress`) into the file. */
  edits(): FieldEdit[] {
    const out: FieldEdit[] = [];
    for (const [i, fields] of this.#taskEdits) {
      for (const [key, value] of fields) out.push({ kind: 'set', at: ['tasks', i], key, value });
    }
    if (this.#specStatus !== undefined) out.push({ kind: 'set', at: [], key: 'status', value: this.#specStatus });
    if (this.#clearErrors) out.push({ kind: 'set', at: [], key: 'errors', value: undefined });
    const progress = computeProgress(this.#spec.tasks);
    if (this.changed && !isDeepStrictEqual(progress, this.#spec.progress)) {
      out.push({ kind: 'set', at: [], key: 'progress', value: progress });
    }
    if (this.#log.length > 0) {
      const all = [...this.#spec.changeLog, ...this.#log];
      if (all.length > CHANGELOG_MAX) out.push({ kind: 'set', at: [], key: 'changeLog', value: all.slice(-CHANGELOG_TRIM_TO) });
      else out.push({ kind: 'append', at: [], key: 'changeLog', items: this.#log });
    }
    return out;
  }

  #append(e: Omit<ChangeLogEntry, 'at' | 'by'>): void {
    this.#log.push(entry({ at: this.#at, by: this.#by, ...e }));
  }

  #stage(i: number, key: TaskFieldKey, value: unknown): void {
    const fields = this.#taskEdits.get(i) ?? new Map<TaskFieldKey, unknown>();
    fields.set(key, value);
    this.#taskEdits.set(i, fields);
  }

  #indexOf(taskId: string): number {
    const i = this.#spec.tasks.findIndex((t) => t.id === taskId);
    if (i < 0) throw new NightshiftError('TASK_NOT_FOUND', `spec ${this.#spec.id} has no task ${taskId}`);
    return i;
  }
}

/** Keeps the end of an over-long error (where test output says what failed) within the schema's text limit. */
function clip(text: string): string {
  const max = SPEC_LIMITS.maxTextLength;
  return text.length <= max ? text : `[...] ${text.slice(text.length - max + 6)}`;
}

/** A changeLog entry without undefined keys, in a fixed key order. */
function entry(e: ChangeLogEntry): ChangeLogEntry {
  return {
    at: e.at,
    by: e.by,
    ...(e.task === undefined ? {} : { task: e.task }),
    ...(e.from === undefined ? {} : { from: e.from }),
    to: e.to,
    ...(e.note === undefined ? {} : { note: e.note }),
  };
}
