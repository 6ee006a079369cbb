/**
 * The shapes of the status read model: what `GET /api/specs`,
 * `GET /api/specs/<id>`, the status page and `nightshift status` show. They
 * are plain JSON (dates as ISO strings) so the HTTP API, the page and the CLI
 * read the same objects whichever way they were fetched.
 */
import type { AttemptStatus } from '../db/index.ts';
import type { Progress, Spec, SpecStatus, TaskStatus } from '../spec/schema.ts';

/** A spec file's state in the list. `unreadable`: the file does not load (bad YAML, schema errors before the system marked it). */
export type ListedStatus = SpecStatus | 'unreadable';

/** One spec file in the list. */
export interface SpecSummary {
  /** The spec's id; for an unreadable file, its `id:` if one can be read, else the file name's. */
  id: string;
  title: string;
  status: ListedStatus;
  priority: Spec['priority'] | null;
  /** Counted from the tasks' states (not the file's `progress` block, which lags a first reconcile); null when unreadable. */
  progress: Progress | null;
  /** Relative to SPECS_DIR, with `/` separators: `active/x.yaml`, `archive/2025-01/x.yaml`. */
  file: string;
  archived: boolean;
  /** What is wrong with the file (`file:line:column: field: message`); only for unreadable and rejected specs. */
  problems?: string[];
}

/** One attempt row, without its diff and log. */
export interface AttemptView {
  taskId: string;
  attempt: number;
  status: AttemptStatus;
  worker: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
  reason: string | null;
  error: string | null;
  /** Milliseconds per phase as the worker recorded them. */
  timings: Record<string, number> | null;
  /** finishedAt - startedAt; a running attempt counts up to now; null when it never started. */
  durationMs: number | null;
}

/** One task of a spec with what its attempts add. */
export interface TaskView {
  id: string;
  title: string;
  status: TaskStatus;
  dependsOn: string[];
  /** The latest attempt number (from the database when known, else the spec file's `attempts`); 0 when never tried. */
  attempt: number;
  /** Sum of its attempts' durations; null when no attempt started or attempts are not known. */
  durationMs: number | null;
  /** The spec file's `lastError`, else (for a task not completed) the latest failed attempt's error; null when none. */
  lastError: string | null;
}

/** A spec with its attempts (`GET /api/specs/<id>`). */
export interface SpecDetail {
  spec: Spec;
  /** Relative to SPECS_DIR. */
  file: string;
  archived: boolean;
  /** By task, then attempt; empty when `attemptsKnown` is false. */
  attempts: AttemptView[];
  /** The spec's tasks in file order, with attempt numbers, durations and last errors. */
  tasks: TaskView[];
  /** False when no database was available (files only): attempt columns are then empty. */
  attemptsKnown: boolean;
}

/** `GET /api/specs` and each `/api/stream` event. */
export interface Overview {
  specs: SpecSummary[];
}

/** `GET /api/specs/<id>/tasks/<task>/attempts/<n>/log`. */
export interface AttemptLog {
  log: string | null;
  error: string | null;
  reason: string | null;
}
