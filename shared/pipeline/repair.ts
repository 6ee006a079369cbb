/**
 * The reconcile's repair of lost events: a task whose state has not moved
 * for STUCK_AFTER_MS gets its next event again, with a new id (the old one
 * may be marked processed by a consumer whose output was lost in a crash).
 * Every handler is idempotent on state, so a repair that was not needed
 * costs a little work and changes nothing.
 */
import type { Attempt } from '../db/index.ts';
import type { FailureReason } from '../events/catalog.ts';
import { FAILURE_REASONS } from '../events/catalog.ts';
import type { Task } from '../spec/schema.ts';
import { ACTIVE_TASK_STATUSES } from '../spec/state.ts';

export type Repair =
  | { taskId: string; attempt: number; send: 'task.assigned' | 'diff.submitted' | 'review.requested'; createRow: boolean }
  | { taskId: string; attempt: number; send: 'task.failed'; reason: FailureReason; createRow: false };

const age = (now: Date, at: Date | null): number => (at === null ? Infinity : now.getTime() - at.getTime());

/** The repairs due for the active tasks of a spec, given its attempt rows. */
export function dueRepairs(tasks: readonly Pick<Task, 'id' | 'status' | 'attempts'>[], rows: readonly Attempt[], now: Date, stuckAfterMs: number): Repair[] {
  const byKey = new Map(rows.map((r) => [`${r.taskId}\0${r.attempt}`, r]));
  const out: Repair[] = [];
  for (const t of tasks) {
    if (!ACTIVE_TASK_STATUSES.includes(t.status) || t.attempts < 1) continue;
    const row = byKey.get(`${t.id}\0${t.attempts}`);
    const ref = { taskId: t.id, attempt: t.attempts };
    if (row === undefined) {
      // The dispatcher wrote the spec and stopped before the row and the event.
      if (t.status === 'assigned') out.push({ ...ref, send: 'task.assigned', createRow: true });
      continue;
    }
    if (row.status === 'failed') {
      if (age(now, row.finishedAt) > stuckAfterMs) out.push({ ...ref, send: 'task.failed', reason: reasonOf(row.reason), createRow: false });
      continue;
    }
    if (row.status === 'pending') {
      if (age(now, row.createdAt) > stuckAfterMs) out.push({ ...ref, send: 'task.assigned', createRow: false });
      continue;
    }
    if (row.status === 'running') {
      // A live worker renews its lease; an expired one means it died or stopped.
      if (row.leaseExpiresAt !== null && row.leaseExpiresAt.getTime() <= now.getTime()) out.push({ ...ref, send: 'task.assigned', createRow: false });
      continue;
    }
    // succeeded: the diff is stored; the task waits for collect-diff or review-diff.
    if (age(now, row.finishedAt) <= stuckAfterMs) continue;
    if (t.status === 'in-review') out.push({ ...ref, send: 'review.requested', createRow: false });
    else out.push({ ...ref, send: 'diff.submitted', createRow: false });
  }
  return out;
}

/** A stored reason as a catalogue reason; anything unknown is `internal`. */
export function reasonOf(reason: string | null): FailureReason {
  return (FAILURE_REASONS as readonly string[]).includes(reason ?? '') ? (reason as FailureReason) : 'internal';
}
