/**
 * `nightshift retry` and `nightshift cancel` as a person runs them: the real
 * CLI as a child process on real spec files written by hand (with comments),
 * no database and no runner; then retry against a running pipeline, where
 * the reconcile picks the change up and the retried task's next attempt lands.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSpec } from '../../shared/spec/loader.ts';
import { runCli, stopCliProcesses } from '../helpers/cli-process.ts';
import { scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';

/** A failed spec as the pipeline leaves it, with a person's comments in it. */
const FAILED_SPEC = `# the person's own notes: keep these
id: demo
title: A demo that failed   # why we run this
repo:
  path: ../repo
status: failed
tasks:
  # the one that broke
  - id: parse
    title: Parse the input
    files: [src/parse.ts]
    status: failed
    attempts: 2
    lastError: "check-failed: expected 1 to be 2"
  - id: render
    title: Render it   # depends on parse
    dependsOn: [parse]
    files: [src/render.ts]
    status: blocked
  - id: docs
    title: Write the docs
    files: [docs/x.md]
    status: completed
    attempts: 1
changeLog: []
`;

/** The same spec still running: one task in flight, one pending, one done. */
const RUNNING_SPEC = FAILED_SPEC.replace('status: failed\ntasks:', 'status: in-progress\ntasks:')
  .replace('    status: failed\n    attempts: 2\n    lastError: "check-failed: expected 1 to be 2"', '    status: in-progress\n    attempts: 1')
  .replace('    status: blocked', '    status: pending');

const ARCHIVED_SPEC = `id: old
title: Done long ago
repo:
  path: ../../repo
status: completed
tasks:
  - id: only
    title: The only task
    status: completed
    attempts: 1
`;

let tmp: string | undefined;
let world: World | undefined;
afterEach(async () => {
  await stopCliProcesses();
  await world?.close();
  world = undefined;
  if (tmp) await rm(tmp, { recursive: true, force: true, maxRetries: 5 });
  tmp = undefined;
});

async function specs(files: Record<string, string>): Promise<{ dir: string; env: Record<string, string> }> {
  tmp = await mkdtemp(join(tmpdir(), 'ns-retry-'));
  const dir = join(tmp, 'specs');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  await mkdir(join(dir, 'active'), { recursive: true });
  // No database may be touched: NIGHTSHIFT_HOME points nowhere that exists.
  return { dir, env: { SPECS_DIR: dir, NIGHTSHIFT_HOME: join(tmp, 'no-home') } };
}

describe('nightshift retry', () => {
  it('sends a failed task back to pending and the spec to in-progress, keeping comments and the blocked dependent', async () => {
    const { dir, env } = await specs({ 'active/demo.yaml': FAILED_SPEC });
    const r = await runCli(['retry', 'demo', 'parse', '--by', 'alice'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('task parse of spec demo is pending again (it failed after 2 attempt(s)); the next reconcile starts attempt 3.');
    expect(r.stdout).toContain('spec demo is in-progress again.');
    expect(r.stdout).toContain('its dependents render stay blocked');

    const text = await readFile(join(dir, 'active', 'demo.yaml'), 'utf8');
    for (const comment of ["# the person's own notes: keep these", '# why we run this', '# the one that broke', '# depends on parse']) expect(text).toContain(comment);
    const { spec } = await loadSpec(join(dir, 'active', 'demo.yaml'));
    expect(spec.status).toBe('in-progress');
    expect(spec.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([['parse', 'pending', 2], ['render', 'blocked', 0], ['docs', 'completed', 1]]);
    expect(spec.changeLog.map((c) => [c.by, c.task ?? null, c.from, c.to, c.note])).toEqual([
      ['alice', 'parse', 'failed', 'pending', 'retried by alice: attempt 3 comes next'],
      ['alice', null, 'failed', 'in-progress', 'task parse retried by alice'],
    ]);

    // Again: the task is no longer failed.
    const again = await runCli(['retry', 'demo', 'parse'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('task parse of spec demo is pending, not failed: only a failed task can be retried');
  });

  it('says what exists when the spec or task is unknown, and refuses an archived spec', async () => {
    const { env } = await specs({ 'active/demo.yaml': FAILED_SPEC, 'archive/2025-01/old.yaml': ARCHIVED_SPEC });
    const noTask = await runCli(['retry', 'demo', 'nope'], { env });
    expect(noTask.code).toBe(1);
    expect(noTask.stderr).toContain('spec demo has no task "nope"; its tasks: parse (failed), render (blocked), docs (completed)');
    const noSpec = await runCli(['retry', 'nope', 'parse'], { env });
    expect(noSpec.code).toBe(1);
    expect(noSpec.stderr).toContain('no spec "nope" in');
    expect(noSpec.stderr).toContain('the active specs are: demo');
    const done = await runCli(['retry', 'demo', 'docs', '--json'], { env });
    expect(done.code).toBe(1);
    expect(JSON.parse(done.stdout)).toMatchObject({ ok: false, error: { code: 'ILLEGAL_TRANSITION', details: { taskId: 'docs', status: 'completed' } } });
    const archived = await runCli(['retry', 'old', 'only'], { env });
    expect(archived.code).toBe(1);
    expect(archived.stderr).toMatch(/spec old is archived \(.*archive\/2025-01\/old\.yaml\): it completed/);
    const usage = await runCli(['retry', 'demo'], { env });
    expect(usage.code).toBe(2);
  });
});

describe('nightshift cancel', () => {
  it('fails every unfinished task with who and when, fails the spec, keeps completed work and comments', async () => {
    const { dir, env } = await specs({ 'active/demo.yaml': RUNNING_SPEC });
    const r = await runCli(['cancel', 'demo', '--by', 'bob'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cancelled spec demo: 2 task(s) marked failed (parse, render); the spec is failed.');
    expect(r.stdout).toContain('kept 1 completed task(s) (docs)');
    expect(r.stdout).toContain('agents that are running now finish, but their results are dropped.');

    const text = await readFile(join(dir, 'active', 'demo.yaml'), 'utf8');
    for (const comment of ["# the person's own notes: keep these", '# why we run this', '# the one that broke', '# depends on parse']) expect(text).toContain(comment);
    const { spec } = await loadSpec(join(dir, 'active', 'demo.yaml'));
    expect(spec.status).toBe('failed');
    expect(spec.tasks.map((t) => [t.id, t.status])).toEqual([['parse', 'failed'], ['render', 'failed'], ['docs', 'completed']]);
    expect(spec.tasks[0]!.lastError).toMatch(/^cancelled by bob at \d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
    expect(spec.tasks[1]!.lastError).toBe(spec.tasks[0]!.lastError);
    expect(spec.changeLog.filter((c) => c.note === 'cancelled').map((c) => [c.by, c.task ?? null, c.to])).toEqual([
      ['bob', 'parse', 'failed'], ['bob', 'render', 'failed'], ['bob', null, 'failed'],
    ]);

    // Cancelled is failed: retry brings a task back.
    const back = await runCli(['retry', 'demo', 'parse', '--json'], { env });
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ ok: true, specId: 'demo', taskId: 'parse', status: 'pending', nextAttempt: 2, specStatus: 'in-progress' });
  });

  it('refuses an archived, a pending or an unknown spec, and has nothing to do twice', async () => {
    const pending = FAILED_SPEC.replace('id: demo', 'id: fresh').replace('status: failed\ntasks:', 'tasks:').replace(/\n    status: \w+\n(    attempts: \d\n)?(    lastError: .*\n)?/g, '\n');
    const { env } = await specs({ 'active/demo.yaml': FAILED_SPEC.replace('    status: blocked\n', '    status: failed\n'), 'active/fresh.yaml': pending, 'archive/2025-01/old.yaml': ARCHIVED_SPEC });
    const archived = await runCli(['cancel', 'old'], { env });
    expect(archived.code).toBe(1);
    expect(archived.stderr).toContain('spec old is archived');
    const notStarted = await runCli(['cancel', 'fresh'], { env });
    expect(notStarted.code).toBe(1);
    expect(notStarted.stderr).toMatch(/spec fresh is pending: no task has started; to stop it, move or delete .*fresh\.yaml/);
    const unknown = await runCli(['cancel', 'nope'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('the active specs are: demo, fresh');
    const nothing = await runCli(['cancel', 'demo'], { env });
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('spec demo is already failed with no open task: nothing to cancel.');
  });
});

describe('with a running pipeline', () => {
  it('a retried task runs its next attempt, unblocks its dependent, and the spec completes', async () => {
    world = await startWorld();
    await world.drop({
      id: 'second-chance',
      title: 'Works the second time',
      repo: { path: world.repo, base: 'main' },
      tasks: [
        { id: 'flaky', title: 'Fails once', files: ['flaky.txt'], maxAttempts: 1, agent: scriptAgent({ failAttempts: [1], writes: { 'flaky.txt': 'attempt {attempt}\n' } }) },
        { id: 'after', title: 'Needs flaky', files: ['after.txt'], dependsOn: ['flaky'], agent: scriptAgent({ writes: { 'after.txt': 'after\n' } }) },
      ],
    });
    const failed = await world.waitFor('second-chance', ['failed', 'completed']);
    expect(failed.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([['flaky', 'failed', 1], ['after', 'blocked', 0]]);

    const r = await runCli(['retry', 'second-chance', 'flaky', '--by', 'carol'], { env: { SPECS_DIR: world.specsDir, NIGHTSHIFT_HOME: world.config.NIGHTSHIFT_HOME } });
    expect(r.code).toBe(0);
    const done = await world.waitFor('second-chance', ['completed'], 60_000);
    expect(done.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([['flaky', 'completed', 2], ['after', 'completed', 1]]);
    expect(done.changeLog.some((c) => c.by === 'carol' && c.note === 'retried by carol: attempt 2 comes next')).toBe(true);
    expect(world.git(['show', 'nightshift/second-chance:flaky.txt'])).toBe('attempt 2\n');
  }, 120_000);
});
