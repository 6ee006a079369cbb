/** The `progress` block of a spec, computed from its tasks' states. */
import type { Progress, TaskStatus } from './schema.ts';
import { ACTIVE_TASK_STATUSES } from './state.ts';

/**
 * Counts tasks by state. `inProgress` counts assigned, in-progress,
 * diff-submitted and in-review; `percentage` is completed over total, rounded
 * down to a whole number so it reads 100 only when every task is done (0 for no tasks).
 */
export function computeProgress(tasks: readonly { status: TaskStatus }[]): Progress {
  const p: Progress = { total: tasks.length, completed: 0, inProgress: 0, failed: 0, blocked: 0, pending: 0, percentage: 0 };
  for (const t of tasks) {
    if (t.status === 'completed') p.completed++;
    else if (t.status === 'failed') p.failed++;
    else if (t.status === 'blocked') p.blocked++;
    else if (t.status === 'pending') p.pending++;
    else if (ACTIVE_TASK_STATUSES.includes(t.status)) p.inProgress++;
  }
  p.percentage = p.total === 0 ? 0 : Math.floor((p.completed * 100) / p.total);
  return p;
}
