/**
 * Issue 4's first done-when, on the embedded stack and on real NATS JetStream
 * and Postgres: a spec with six tasks (a diamond of dependencies and two tasks
 * owning the same file) ends `completed` with exactly six squash commits, each
 * with its trailers, in dependency order, and the two same-file tasks never
 * run at the same time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../shared/spec/schema.ts';
import { scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const write = (file: string) => scriptAgent({ writes: { [file]: 'written by {task} on attempt {attempt}\n' } });
const append = (file: string) => scriptAgent({ appends: { [file]: 'line from {task}\n' }, sleepMs: 300 });

const DIAMOND = (repo: string) => ({
  id: 'diamond',
  title: 'Diamond and a shared file',
  repo: { path: repo, base: 'main' },
  tasks: [
    { id: 'a', title: 'Task a', files: ['a.txt'], agent: write('a.txt') },
    { id: 'b', title: 'Task b', files: ['b.txt'], dependsOn: ['a'], agent: write('b.txt') },
    { id: 'c', title: 'Task c', files: ['c.txt'], dependsOn: ['a'], agent: write('c.txt') },
    { id: 'd', title: 'Task d', files: ['d.txt'], dependsOn: ['b', 'c'], agent: write('d.txt') },
    { id: 'e', title: 'Task e', files: ['shared.txt'], agent: append('shared.txt') },
    { id: 'f', title: 'Task f', files: ['shared.txt'], agent: append('shared.txt') },
  ],
});

/** [start, end] of a task's work: its `assigned` and `completed` changeLog entries. */
function span(spec: Spec, task: string): [number, number] {
  const at = (to: string) => Date.parse(spec.changeLog.find((e) => e.task === task && e.to === to)?.at ?? 'NaN');
  return [at('assigned'), at('completed')];
}

describe.each([
  ['the embedded stack', false],
  ['real NATS and Postgres', true],
])('on %s', (_name, services) => {
  it('lands six squash commits in dependency order, same-file tasks one after the other', async () => {
    world = await startWorld({ services });
    await world.drop(DIAMOND(world.repo));
    const spec = await world.waitFor('diamond', ['completed', 'failed'], 90_000);
    expect(spec.status).toBe('completed');
    expect(spec.progress).toMatchObject({ total: 6, completed: 6, percentage: 100 });
    await world.waitForArchive('diamond');

    const log = world.git(['log', '--reverse', '--format=%H%x1f%(trailers:key=Spec-Id,valueonly)%x1f%(trailers:key=Task-Id,valueonly)%x1f%(trailers:key=Attempt,valueonly)%x1e', 'main..nightshift/diamond']);
    const commits = log.split('\x1e').map((r) => r.trim()).filter(Boolean).map((r) => r.split('\x1f').map((s) => s.trim()));
    expect(commits).toHaveLength(6);
    for (const [, specId, , attempt] of commits) {
      expect(specId).toBe('diamond');
      expect(attempt).toBe('1');
    }
    const order = commits.map((c) => c[2]);
    expect(new Set(order)).toEqual(new Set(['a', 'b', 'c', 'd', 'e', 'f']));
    const pos = (t: string) => order.indexOf(t);
    expect(pos('a')).toBeLessThan(pos('b'));
    expect(pos('a')).toBeLessThan(pos('c'));
    expect(pos('d')).toBeGreaterThan(pos('b'));
    expect(pos('d')).toBeGreaterThan(pos('c'));

    const [e, f] = [span(spec, 'e'), span(spec, 'f')];
    expect(e.every(Number.isFinite) && f.every(Number.isFinite)).toBe(true);
    expect(e[1] <= f[0] || f[1] <= e[0]).toBe(true);
    const shared = world.git(['show', 'nightshift/diamond:shared.txt']);
    expect(shared.split('\n').filter(Boolean).sort()).toEqual(['line from e', 'line from f']);
    // The user's checkout never moved.
    expect(world.git(['rev-parse', '--abbrev-ref', 'HEAD']).trim()).toBe('main');
    expect(world.git(['status', '--porcelain'])).toBe('');
  }, 120_000);
});
