/**
 * The task dependency graph: cycle detection for the loader, order and
 * dependents for the scheduler. An edge runs from a task to each task in its
 * `dependsOn`. Dependencies on ids that do not exist are ignored here; the
 * loader reports them on their own. All walks are iterative, so a long chain
 * of tasks cannot overflow the stack.
 */
import { NightshiftError } from '../errors.ts';

/** The part of a task the graph needs. */
export interface GraphTask {
  id: string;
  dependsOn: readonly string[];
}

const ON_PATH = 1;
const DONE = 2;

function edges(tasks: readonly GraphTask[]): Map<string, readonly string[]> {
  const byId = new Map<string, readonly string[]>();
  // The first task with an id wins; duplicate ids are the loader's to report.
  for (const t of tasks) if (!byId.has(t.id)) byId.set(t.id, t.dependsOn);
  return byId;
}

/**
 * Dependency cycles found in one depth-first pass, each as a closed path
 * `[a, b, c, a]` where every task depends on the next. Every group of tasks
 * that depend on each other in a ring yields at least one cycle; a task that
 * depends on itself yields `[a, a]`. Stops after `limit` cycles (@default 20).
 */
export function findCycles(tasks: readonly GraphTask[], limit = 20): string[][] {
  const byId = edges(tasks);
  const state = new Map<string, number>();
  const depthOf = new Map<string, number>();
  const cycles: string[][] = [];
  for (const root of byId.keys()) {
    if (state.has(root)) continue;
    const stack: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, ON_PATH);
    depthOf.set(root, 0);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = byId.get(top.id) ?? [];
      if (top.next >= deps.length) {
        state.set(top.id, DONE);
        depthOf.delete(top.id);
        stack.pop();
        continue;
      }
      const dep = deps[top.next++]!;
      if (!byId.has(dep)) continue;
      const seen = state.get(dep);
      if (seen === ON_PATH) {
        const from = depthOf.get(dep)!;
        cycles.push([...stack.slice(from).map((f) => f.id), dep]);
        if (cycles.length >= limit) return cycles;
      } else if (seen === undefined) {
        state.set(dep, ON_PATH);
        depthOf.set(dep, stack.length);
        stack.push({ id: dep, next: 0 });
      }
    }
  }
  return cycles;
}

/** The first dependency cycle as `[a, b, c, a]`, or undefined when there is none. */
export function findCycle(tasks: readonly GraphTask[]): string[] | undefined {
  return findCycles(tasks, 1)[0];
}

/** Inserts `value` into `list`, which is sorted from largest to smallest. */
function insertDescending(list: number[], value: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! > value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}

/**
 * The tasks with every task after all of its dependencies; among the tasks
 * that are ready at the same point, the one earlier in the file comes first,
 * so the order is the same on every run. Throws SPEC_INVALID when the tasks
 * form a cycle.
 */
export function topoOrder<T extends GraphTask>(tasks: readonly T[]): T[] {
  const indexOf = new Map<string, number>();
  tasks.forEach((t, i) => {
    if (!indexOf.has(t.id)) indexOf.set(t.id, i);
  });
  const waiting = new Map<number, number>();
  const dependents = new Map<number, number[]>();
  for (const i of indexOf.values()) {
    const deps = new Set(tasks[i]!.dependsOn.filter((d) => indexOf.has(d)));
    waiting.set(i, deps.size);
    for (const d of deps) {
      const j = indexOf.get(d)!;
      dependents.set(j, [...(dependents.get(j) ?? []), i]);
    }
  }
  // Ready task indices, largest first, so pop() yields the earliest in the file.
  const ready = [...waiting].filter(([, n]) => n === 0).map(([i]) => i).sort((a, b) => b - a);
  const order: T[] = [];
  while (ready.length > 0) {
    const i = ready.pop()!;
    order.push(tasks[i]!);
    for (const j of dependents.get(i) ?? []) {
      const left = waiting.get(j)! - 1;
      waiting.set(j, left);
      if (left === 0) insertDescending(ready, j);
    }
  }
  if (order.length < indexOf.size) {
    const cycle = findCycle(tasks) ?? [];
    throw new NightshiftError('SPEC_INVALID', `tasks form a dependency cycle: ${cycle.join(' -> ')}`);
  }
  return order;
}

/**
 * The ids of every task that depends on `id`, directly or through other
 * tasks, in file order (not including `id` itself). These are the tasks to
 * block when `id` fails for good.
 */
export function dependentsOf(tasks: readonly GraphTask[], id: string): string[] {
  const reverse = new Map<string, string[]>();
  for (const t of tasks) {
    for (const dep of t.dependsOn) {
      const list = reverse.get(dep) ?? [];
      list.push(t.id);
      reverse.set(dep, list);
    }
  }
  const found = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    for (const next of reverse.get(queue.pop()!) ?? []) {
      if (next === id || found.has(next)) continue;
      found.add(next);
      queue.push(next);
    }
  }
  const ordered = new Set(tasks.map((t) => t.id).filter((t) => found.has(t)));
  return [...ordered];
}
