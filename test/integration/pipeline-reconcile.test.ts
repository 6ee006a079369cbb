/**
 * on-spec-created called directly on a real spec folder, a real git
 * repository and PGlite: it plans and dispatches, a second run on the same
 * state writes and dispatches nothing, a dry run writes nothing, and bad specs
 * (a cycle, broken YAML, a missing repository) are rejected with their errors
 * written back and a `spec.failed` event, never dropped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { onSpecCreated } from '../../functions/on-spec-created/handler.ts';
import { loadConfig } from '../../shared/config.ts';
import { attempts, migrate } from '../../shared/db/index.ts';
import { makeEvent } from '../../shared/events/cloudevent.ts';
import { createServices } from '../../shared/pipeline/services.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import type { FunctionContext } from '../../shared/runtime/types.ts';
import { loadSpec } from '../../shared/spec/loader.ts';
import { closePgliteTemplate, makePgliteHarness } from '../helpers/db-pglite.ts';
import type { DbHarness } from '../helpers/db-harness.ts';
import { cleanGitEnv } from '../../shared/git/run.ts';

let dir: string;
let harness: DbHarness;
let ctx: FunctionContext;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-reconcile-'));
  await mkdir(join(dir, 'specs', 'active'), { recursive: true });
  await mkdir(join(dir, 'repo'));
  const git = (args: string[]) => execFileSync('git', args, { cwd: join(dir, 'repo'), env: { ...cleanGitEnv(), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  git(['init', '-q', '-b', 'main']);
  await writeFile(join(dir, 'repo', 'README.md'), 'x\n');
  git(['add', '-A']);
  git(['commit', '-qm', 'init']);
  harness = await makePgliteHarness();
  await migrate(harness.db, { vectorDim: 8 });
  const config = loadConfig({ SPECS_DIR: join(dir, 'specs'), VECTOR_DIM: '8', WORKSPACES_DIR: join(dir, 'ws') });
  ctx = { log: createLogger({ level: 'silent' }), config, now: () => new Date(), services: createServices(config, { db: harness.db }) };
});
afterEach(async () => {
  await harness.close();
  await rm(dir, { recursive: true, force: true });
});
afterAll(closePgliteTemplate);

const agent = { kind: 'command', command: ['true'] };
const specText = (repo: string, extra: Record<string, unknown> = {}) =>
  stringify({
    id: 'plan',
    title: 'Plan me',
    repo: { path: repo, base: 'main' },
    agent,
    tasks: [
      { id: 'a', title: 'A', files: ['a.txt'] },
      { id: 'b', title: 'B', files: ['b.txt'], dependsOn: ['a'] },
      { id: 'c', title: 'C', files: ['a.txt'] },
      { id: 'd', title: 'D', files: ['d.txt'] },
    ],
    ...extra,
  });
const created = (specId = 'plan', path = 'active/plan.yaml') => makeEvent('spec.created', { specId, path, hash: 'h1' });
const file = () => join(dir, 'specs', 'active', 'plan.yaml');

it('dispatches the ready tasks whose files are free, and a second run writes and sends nothing', async () => {
  await writeFile(file(), `# a comment the user wrote\n${specText('../../repo')}`);
  const first = await onSpecCreated.handle(created(), ctx);
  expect(first.map((e) => e.id)).toEqual(['plan/a/1/assigned', 'plan/d/1/assigned']);
  const spec = (await loadSpec(file())).spec;
  expect(spec.status).toBe('in-progress');
  expect(spec.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([['a', 'assigned', 1], ['b', 'pending', 0], ['c', 'pending', 0], ['d', 'assigned', 1]]);
  expect(spec.progress).toMatchObject({ total: 4, inProgress: 2, pending: 2 });
  expect(spec.changeLog.map((e) => `${e.task ?? 'spec'}:${e.to}`)).toEqual(['spec:planning', 'spec:in-progress', 'a:assigned', 'd:assigned']);
  expect(await readFile(file(), 'utf8')).toMatch(/^# a comment the user wrote\n/);
  expect(await attempts(harness.db).get({ specId: 'plan', taskId: 'a', attempt: 1 })).toMatchObject({ status: 'pending' });
  expect(execFileSync('git', ['rev-parse', 'nightshift/plan'], { cwd: join(dir, 'repo') }).toString()).toBe(execFileSync('git', ['rev-parse', 'main'], { cwd: join(dir, 'repo') }).toString());

  const text = await readFile(file(), 'utf8');
  expect(await onSpecCreated.handle(makeEvent('spec.updated', { specId: 'plan', path: 'active/plan.yaml', hash: 'h2' }), ctx)).toEqual([]);
  expect(await readFile(file(), 'utf8')).toBe(text);
});

it('answers a dry run with what it would dispatch and writes nothing', async () => {
  await writeFile(file(), specText('../../repo'));
  const before = await readFile(file(), 'utf8');
  const events = await onSpecCreated.handle(created(), { ...ctx, dryRun: true });
  expect(events.map((e) => e.type)).toEqual(['dev.nightshift.task.assigned', 'dev.nightshift.task.assigned']);
  expect(await readFile(file(), 'utf8')).toBe(before);
  expect(await attempts(harness.db).listForSpec('plan')).toEqual([]);
});

it('rejects a spec with a cycle: status and errors written back, spec.failed sent, the same event on a second run', async () => {
  const text = specText('../../repo').replace("dependsOn:\n      - a", 'dependsOn:\n      - b');
  await writeFile(file(), text);
  const [failed] = await onSpecCreated.handle(created(), ctx);
  expect(failed?.type).toBe('dev.nightshift.spec.failed');
  expect(JSON.stringify((failed?.data as { errors: string[] }).errors)).toMatch(/active\/plan.yaml:\d+:\d+: tasks\[1\]\.dependsOn/);
  const after = await readFile(file(), 'utf8');
  expect(after).toContain('status: rejected');
  expect(after).toMatch(/errors:\n\s+- .*tasks\[1\]\.dependsOn/);
  const [again] = await onSpecCreated.handle(makeEvent('spec.updated', { specId: 'plan', path: 'active/plan.yaml', hash: 'h2' }), ctx);
  expect(again?.id).toBe(failed?.id);
  expect(await readFile(file(), 'utf8')).toBe(after);
});

it('never rewrites a file that does not parse: its errors go beside it', async () => {
  const broken = 'id: plan\ntitle: [unclosed\n';
  await writeFile(file(), broken);
  const [failed] = await onSpecCreated.handle(created(), ctx);
  expect(failed?.type).toBe('dev.nightshift.spec.failed');
  expect(await readFile(file(), 'utf8')).toBe(broken);
  expect(existsSync(`${file()}.errors.txt`) || existsSync(join(dir, 'specs', 'active', '.plan.yaml.errors.txt'))).toBe(true);
});

it('rejects a spec whose repository does not exist, and takes it back once the user fixes the path', async () => {
  await writeFile(file(), specText('../../nowhere'));
  const [failed] = await onSpecCreated.handle(created(), ctx);
  expect(failed?.type).toBe('dev.nightshift.spec.failed');
  expect(JSON.stringify(failed?.data)).toContain('repo');
  const rejected = (await loadSpec(file())).spec;
  expect(rejected.status).toBe('rejected');

  const fixed = (await readFile(file(), 'utf8')).replace('../../nowhere', '../../repo');
  await writeFile(file(), fixed);
  const events = await onSpecCreated.handle(makeEvent('spec.updated', { specId: 'plan', path: 'active/plan.yaml', hash: 'h3' }), ctx);
  expect(events.map((e) => e.id)).toEqual(['plan/a/1/assigned', 'plan/d/1/assigned']);
  const spec = (await loadSpec(file())).spec;
  expect(spec.status).toBe('in-progress');
  expect(spec.errors).toBeUndefined();
});
