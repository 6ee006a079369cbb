/**
 * The project lead's decision, as a pure function of a spec's tasks: which
 * tasks to block, unblock and dispatch now, and whether the spec is done.
 * on-spec-created runs it inside the spec store's locked update, on the
 * state as it is on disk at that moment, so two reconciles racing cannot
 * dispatch the same task twice or two tasks that own the same file.
 */
import picomatch from 'picomatch';
import { topoOrder } from '../spec/graph.ts';
import type { Task, TaskStatus } from '../spec/schema.ts';
import { ACTIVE_TASK_STATUSES } from '../spec/state.ts';

export type PlanTask = Pick<Task, 'id' | 'status' | 'files' | 'dependsOn' | 'attempts'>;

export interface Plan {
  /** Pending tasks to move to `blocked`, with the dependency that failed. */
  block: { taskId: string; because: string }[];
  /** Blocked tasks whose failed dependency was retried: back to `pending`. */
  unblock: string[];
  /** Tasks to move to `assigned`, with the attempt they start. */
  dispatch: { taskId: string; attempt: number }[];
  /** Set when every task is in a final state. */
  outcome?: 'completed' | 'failed';
}

const DEAD: readonly TaskStatus[] = ['failed', 'blocked'];

/** Compiled matchers by glob (null for a plain path): a plan compares every pair of owners. */
const matchers = new Map<string, ((path: string) => boolean) | null>();

function matcherOf(pattern: string): ((path: string) => boolean) | null {
  let m = matchers.get(pattern);
  if (m === undefined) {
    m = picomatch.scan(pattern).isGlob ? picomatch(pattern, { dot: true }) : null;
    if (matchers.size > 10_000) matchers.clear();
    matchers.set(pattern, m);
  }
  return m;
}

/** True when two ownership lists can name the same file (equal entries, or a glob of one matching an entry of the other). */
export function filesOverlap(a: readonly string[], b: readonly string[]): boolean {
  for (const x of a) {
    const mx = matcherOf(x);
    for (const y of b) {
      if (x === y) return true;
      if (mx?.(y)) return true;
      if (matcherOf(y)?.(x)) return true;
    }
  }
  return false;
}

/**
 * Plans one reconcile. Tasks are taken in dependency order (file order among
 * equals), so a chain of blocked tasks is blocked in one pass and the task
 * written first gets a contested file first.
 */
export function planTasks(tasks: readonly PlanTask[]): Plan {
  const status = new Map<string, TaskStatus>(tasks.map((t) => [t.id, t.status]));
  const plan: Plan = { block: [], unblock: [], dispatch: [] };
  const held: (readonly string[])[] = tasks.filter((t) => ACTIVE_TASK_STATUSES.includes(t.status)).map((t) => t.files);
  for (const t of topoOrder(tasks)) {
    const deps = t.dependsOn.map((d) => ({ id: d, status: status.get(d) }));
    const dead = deps.find((d) => d.status !== undefined && DEAD.includes(d.status));
    let now = t.status;
    if (now === 'blocked' && !dead) {
      plan.unblock.push(t.id);
      now = 'pending';
    }
    if (now !== 'pending') {
      status.set(t.id, now);
      continue;
    }
    if (dead) {
      plan.block.push({ taskId: t.id, because: `dependency ${dead.id} ${dead.status === 'failed' ? 'failed' : 'is blocked'}` });
      status.set(t.id, 'blocked');
      continue;
    }
    status.set(t.id, 'pending');
    if (!deps.every((d) => d.status === 'completed' || d.status === undefined)) continue;
    if (held.some((files) => filesOverlap(files, t.files))) continue;
    held.push(t.files);
    plan.dispatch.push({ taskId: t.id, attempt: t.attempts + 1 });
    status.set(t.id, 'assigned');
  }
  const final = [...status.values()];
  if (final.every((s) => s === 'completed')) plan.outcome = 'completed';
  else if (final.every((s) => s === 'completed' || DEAD.includes(s))) plan.outcome = 'failed';
  return plan;
}
