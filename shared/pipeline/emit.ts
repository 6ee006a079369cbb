/**
 * The events the pipeline handlers emit, built in one place so every source
 * names the function that emitted it and every id stays deterministic.
 */
import { FailurePing, TaskPing, type EventName, type FailureReason, type FunctionName } from '../events/catalog.ts';
import { eventId, makeEvent } from '../events/cloudevent.ts';
import type { NsEvent } from '../runtime/types.ts';

/** A task's ping: which spec file, task and attempt. */
export interface TaskRef {
  specId: string;
  path: string;
  taskId: string;
  attempt: number;
}

type TaskEventName = Extract<EventName, 'task.assigned' | 'diff.submitted' | 'review.requested' | 'task.completed'>;

/** A task event from `by`. `repair` makes a new id for a re-sent event (the reconcile's repair of a lost one). */
export function taskEvent(name: TaskEventName, ref: TaskRef, by: FunctionName, now: Date, repair?: string): NsEvent {
  const data = { specId: ref.specId, path: ref.path, taskId: ref.taskId, attempt: ref.attempt };
  return makeEvent(name, data, { source: `/nightshift/${by}`, time: now, ...(repair ? { id: `${eventId(name, data)}/${repair}` } : {}) });
}

/** `task.failed` from `by` with its reason (the error text is in the attempt row). */
export function failedEvent(ref: TaskRef, reason: FailureReason, by: FunctionName | 'bus', now: Date, repair?: string): NsEvent {
  const data = { specId: ref.specId, path: ref.path, taskId: ref.taskId, attempt: ref.attempt, reason };
  return makeEvent('task.failed', data, { source: `/nightshift/${by}`, time: now, ...(repair ? { id: `${eventId('task.failed', data)}/${repair}` } : {}) });
}

/** `spec.updated` for a file the pipeline itself changed (the watcher would send the same id). */
export function specUpdated(specId: string, path: string, hash: string, by: FunctionName, now: Date): NsEvent {
  return makeEvent('spec.updated', { specId, path, hash }, { source: `/nightshift/${by}`, time: now });
}

/** The task ping of an accepted event (hosts validated it against the catalogue already). */
export function taskRefOf(event: NsEvent): TaskRef {
  const d = TaskPing.pick({ specId: true, path: true, taskId: true, attempt: true }).parse(event.data);
  return { specId: d.specId, path: d.path, taskId: d.taskId, attempt: d.attempt };
}

/** The failure ping of a `task.failed` event. */
export function failureOf(event: NsEvent): TaskRef & { reason: FailureReason } {
  const d = FailurePing.parse(event.data);
  return { specId: d.specId, path: d.path, taskId: d.taskId, attempt: d.attempt, reason: d.reason };
}
