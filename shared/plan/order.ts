/**
 * Turns what a plan says about order into `dependsOn` edges, in this order of
 * authority:
 *  1. what the author wrote ("after Task 2", "Depends on: A1");
 *  2. a stream is a sequence: each task in a stream waits for the one before it;
 *  3. phases are sequential: the first tasks of a phase wait for the last tasks
 *     of the phase before it;
 *     (2 and 3 skip a task with a dependency label, even "none": its author
 *     said what it waits for;)
 *  4. tasks that own the same file (or overlapping globs) never run in parallel
 *     by accident: the later one waits for the earlier one.
 * An edge is only added when the two tasks are not already ordered, so the
 * lists stay short, and never when it would close a cycle (that is a warning).
 */
import picomatch from 'picomatch';
import type { PlanTask, PlanWarning, TaskRef } from './types.ts';

/** Why a task waits for another, for the comment beside `dependsOn`. */
export interface Edge {
  from: number;
  to: number;
  why: string;
}

class Graph {
  readonly deps: Set<number>[];
  readonly why = new Map<string, string>();
  constructor(size: number) {
    this.deps = Array.from({ length: size }, () => new Set<number>());
  }
  /** True when `from` waits (directly or through others) for `to`. */
  reaches(from: number, to: number): boolean {
    const seen = new Set<number>();
    const stack = [from];
    while (stack.length > 0) {
      const at = stack.pop()!;
      if (at === to) return true;
      for (const next of this.deps[at]!) if (!seen.has(next)) seen.add(next), stack.push(next);
    }
    return false;
  }
  ordered(a: number, b: number): boolean {
    return this.reaches(a, b) || this.reaches(b, a);
  }
  add(from: number, to: number, why: string): void {
    this.deps[from]!.add(to);
    this.why.set(`${from}>${to}`, why);
  }
}

function resolve(ref: TaskRef, self: number, tasks: readonly PlanTask[]): number | undefined {
  const matches = tasks.flatMap((t, i) => {
    if (ref.number !== undefined) return t.number === ref.number ? [i] : [];
    return t.givenId === ref.id || t.id === ref.id ? [i] : [];
  });
  const phase = tasks[self]!.phase;
  return matches.find((i) => tasks[i]!.phase === phase) ?? matches[0];
}

function explicitEdges(g: Graph, tasks: readonly PlanTask[], warnings: PlanWarning[]): void {
  tasks.forEach((task, i) => {
    for (const ref of task.refs) {
      const j = resolve(ref, i, tasks);
      if (j === undefined) {
        if (ref.strict) warnings.push({ line: ref.line, message: `${task.id} depends on '${ref.text}', but no task in this plan is called that; the dependency was left out` });
        continue;
      }
      if (j === i) {
        if (ref.strict && ref.number === undefined) warnings.push({ line: ref.line, message: `${task.id} names itself as a dependency; left out` });
        continue;
      }
      if (g.deps[i]!.has(j)) continue;
      if (g.reaches(j, i)) {
        warnings.push({ line: ref.line, message: `${task.id} depends on ${tasks[j]!.id}, which already waits for ${task.id}: that is a cycle, so this dependency was left out` });
        continue;
      }
      g.add(i, j, `${ref.text} named on line ${ref.line}`);
    }
  });
}

function streamEdges(g: Graph, tasks: readonly PlanTask[]): void {
  const last = new Map<number, number>();
  tasks.forEach((task, i) => {
    if (task.stream === undefined) return;
    if (task.declaresDeps) {
      last.set(task.stream, i);
      return;
    }
    const before = last.get(task.stream);
    last.set(task.stream, i);
    if (before !== undefined && !g.ordered(i, before)) g.add(i, before, 'the task before it in the same stream');
  });
}

function phaseEdges(g: Graph, tasks: readonly PlanTask[], warnings: PlanWarning[]): void {
  const phases: number[][] = [];
  const indexOf = new Map<number, number>();
  tasks.forEach((task, i) => {
    if (task.phase === undefined) return;
    if (!indexOf.has(task.phase)) indexOf.set(task.phase, phases.push([]) - 1);
    phases[indexOf.get(task.phase)!]!.push(i);
  });
  for (let k = 1; k < phases.length; k++) {
    const prev = phases[k - 1]!;
    const cur = phases[k]!;
    const sinks = prev.filter((p) => !prev.some((q) => g.deps[q]!.has(p)));
    const sources = cur.filter((c) => !tasks[c]!.declaresDeps && !cur.some((q) => g.deps[c]!.has(q)));
    for (const c of sources) {
      for (const p of sinks) {
        if (g.ordered(c, p)) {
          if (g.reaches(p, c)) warnings.push({ line: tasks[p]!.line, message: `${tasks[p]!.id} waits for ${tasks[c]!.id} of a later phase, so ${tasks[c]!.id} does not wait for the earlier phase` });
          continue;
        }
        g.add(c, p, 'the previous phase');
      }
    }
  }
}

function overlaps(a: string, b: string): boolean {
  if (a === b) return true;
  const globA = picomatch.scan(a).isGlob;
  const globB = picomatch.scan(b).isGlob;
  if (globA && !globB) return picomatch(a, { dot: true })(b);
  if (globB && !globA) return picomatch(b, { dot: true })(a);
  return false;
}

function sharedFile(a: PlanTask, b: PlanTask): string | undefined {
  for (const f of a.files) for (const g of b.files) if (overlaps(f, g)) return f === g ? f : `${f} / ${g}`;
  return undefined;
}

function fileEdges(g: Graph, tasks: readonly PlanTask[]): void {
  for (let j = 0; j < tasks.length; j++) {
    for (let i = j - 1; i >= 0; i--) {
      const file = sharedFile(tasks[i]!, tasks[j]!);
      if (file === undefined || g.ordered(i, j)) continue;
      g.add(j, i, `both own ${file}`);
    }
  }
}

/**
 * Every task's `dependsOn` (task indices, in plan order) with the reason for
 * each edge. Adds warnings for unknown names and for cycles it refused.
 */
export function orderTasks(tasks: readonly PlanTask[], warnings: PlanWarning[]): { dependsOn: number[][]; edges: Edge[] } {
  const g = new Graph(tasks.length);
  explicitEdges(g, tasks, warnings);
  streamEdges(g, tasks);
  phaseEdges(g, tasks, warnings);
  fileEdges(g, tasks);
  const dependsOn = g.deps.map((set) => [...set].sort((a, b) => a - b));
  const edges = dependsOn.flatMap((list, from) => list.map((to) => ({ from, to, why: g.why.get(`${from}>${to}`) ?? '' })));
  return { dependsOn, edges };
}
