/**
 * Checks the schema cannot express: unique task ids, dependencies that exist
 * and form no cycle, and paths that stay inside the repository. They run on
 * the raw parsed value, leniently, so a spec with a schema error still gets
 * its graph and path problems reported in the same pass.
 */
import { findCycles } from './graph.ts';
import { branchNameProblem, repoPathProblem } from './paths.ts';
import type { RawProblem } from './problems.ts';
import { TaskId } from './schema.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): [number, string][] =>
  Array.isArray(v) ? v.flatMap((s, i): [number, string][] => (typeof s === 'string' ? [[i, s]] : [])) : [];

function pathProblems(value: unknown, path: PropertyKey[]): RawProblem[] {
  return strings(value).flatMap(([i, p]) => {
    const why = repoPathProblem(p);
    return why ? [{ path: [...path, i], kind: 'path' as const, message: why }] : [];
  });
}

function taskProblems(tasks: unknown[]): RawProblem[] {
  const out: RawProblem[] = [];
  const firstIndex = new Map<string, number>();
  tasks.forEach((t, i) => {
    if (!isObj(t) || typeof t.id !== 'string') return;
    const first = firstIndex.get(t.id);
    if (first === undefined) firstIndex.set(t.id, i);
    else out.push({ path: ['tasks', i, 'id'], kind: 'graph', message: `duplicate task id '${t.id}' (also used by tasks[${first}])` });
  });
  const graph: { id: string; dependsOn: string[]; index: number; depAt: Map<string, number> }[] = [];
  tasks.forEach((t, i) => {
    if (!isObj(t)) return;
    const id = typeof t.id === 'string' ? t.id : undefined;
    const deps: string[] = [];
    const depAt = new Map<string, number>();
    for (const [j, dep] of strings(t.dependsOn)) {
      const at = ['tasks', i, 'dependsOn', j];
      if (dep === id) out.push({ path: at, kind: 'graph', message: `task '${id}' depends on itself` });
      // A malformed id already has a schema problem; calling it unknown too would only add noise.
      else if (!firstIndex.has(dep) && TaskId.safeParse(dep).success) {
        out.push({ path: at, kind: 'graph', message: `unknown task '${dep}': no task in this spec has that id` });
      } else {
        deps.push(dep);
        if (!depAt.has(dep)) depAt.set(dep, j);
      }
    }
    out.push(...pathProblems(t.files, ['tasks', i, 'files']));
    if (id !== undefined && firstIndex.get(id) === i) graph.push({ id, dependsOn: deps, index: i, depAt });
  });
  const byId = new Map(graph.map((g) => [g.id, g]));
  for (const cycle of findCycles(graph)) {
    const from = byId.get(cycle[0]!)!;
    out.push({
      path: ['tasks', from.index, 'dependsOn', from.depAt.get(cycle[1]!) ?? 0],
      kind: 'graph',
      message: `dependency cycle: ${cycle.join(' -> ')} (each task depends on the next)`,
    });
  }
  return out;
}

/** Graph, path and name problems in a raw (not yet schema-checked) spec value. */
export function ruleProblems(raw: unknown): RawProblem[] {
  if (!isObj(raw)) return [];
  const out: RawProblem[] = [];
  if (Array.isArray(raw.tasks)) out.push(...taskProblems(raw.tasks));
  if (isObj(raw.review)) {
    out.push(...pathProblems(raw.review.allow, ['review', 'allow']));
    out.push(...pathProblems(raw.review.deny, ['review', 'deny']));
  }
  if (isObj(raw.repo)) {
    if (typeof raw.repo.path === 'string' && raw.repo.path.includes('\0')) {
      out.push({ path: ['repo', 'path'], kind: 'path', message: 'path contains a NUL byte' });
    }
    if (typeof raw.repo.base === 'string') {
      const why = branchNameProblem(raw.repo.base);
      if (why) out.push({ path: ['repo', 'base'], kind: 'schema', message: `${why}; it must be a valid git branch name` });
    }
  }
  return out;
}
