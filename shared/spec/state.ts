/**
 * The task and spec state machines (DESIGN.md section 3). Setting the state a
 * task or spec is already in is allowed and changes nothing; any other move
 * not listed here throws ILLEGAL_TRANSITION.
 */
import { NightshiftError } from '../errors.ts';
import type { SpecStatus, TaskStatus } from './schema.ts';

/** Where each task state may go next. `completed` is terminal; `failed` may be retried. */
export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['assigned', 'blocked', 'failed'],
  assigned: ['in-progress', 'failed'],
  'in-progress': ['diff-submitted', 'failed'],
  'diff-submitted': ['in-review', 'failed'],
  'in-review': ['completed', 'failed'],
  completed: [],
  // learn-from-failure's automatic retry; or a person retries (`nightshift retry`): back to pending, and the reconcile dispatches the next attempt.
  failed: ['assigned', 'pending'],
  // A manual retry of the failed dependency unblocks the task.
  blocked: ['pending', 'failed'],
};

/** Where each spec state may go next. `completed` is terminal. */
export const SPEC_TRANSITIONS: Readonly<Record<SpecStatus, readonly SpecStatus[]>> = {
  pending: ['planning', 'rejected'],
  planning: ['in-progress', 'rejected'],
  'in-progress': ['completed', 'failed'],
  completed: [],
  // A manual retry.
  failed: ['in-progress'],
  // The user fixed the file.
  rejected: ['pending'],
};

/** Task states that count as work under way in `progress.inProgress`. */
export const ACTIVE_TASK_STATUSES: readonly TaskStatus[] = ['assigned', 'in-progress', 'diff-submitted', 'in-review'];

/** True when a task may move from `from` to `to` (the same state is always allowed). */
export function canMoveTask(from: TaskStatus, to: TaskStatus): boolean {
  return from === to || TASK_TRANSITIONS[from].includes(to);
}

/** True when a spec may move from `from` to `to` (the same state is always allowed). */
export function canMoveSpec(from: SpecStatus, to: SpecStatus): boolean {
  return from === to || SPEC_TRANSITIONS[from].includes(to);
}

/** Throws ILLEGAL_TRANSITION unless task `taskId` of spec `specId` may move from `from` to `to`. */
export function assertTaskMove(specId: string, taskId: string, from: TaskStatus, to: TaskStatus): void {
  if (canMoveTask(from, to)) return;
  throw new NightshiftError('ILLEGAL_TRANSITION', `task ${taskId} of spec ${specId}: cannot go from ${from} to ${to}`, {
    details: { specId, taskId, from, to, allowed: TASK_TRANSITIONS[from] },
  });
}

/** Throws ILLEGAL_TRANSITION unless spec `specId` may move from `from` to `to`. */
export function assertSpecMove(specId: string, from: SpecStatus, to: SpecStatus): void {
  if (canMoveSpec(from, to)) return;
  throw new NightshiftError('ILLEGAL_TRANSITION', `spec ${specId}: cannot go from ${from} to ${to}`, {
    details: { specId, from, to, allowed: SPEC_TRANSITIONS[from] },
  });
}
