/**
 * Issue 4's retry cases on the embedded stack: a check that fails once and
 * passes on the retry (the second prompt carries the first error; the failure
 * and its resolution are stored; a later similar failure in another spec gets
 * that resolution as a hint), and a task that always fails (failed after
 * maxAttempts, dependents blocked, spec failed, the independent task landed).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { containsCheck, scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const flaky = (promptDir: string) =>
  scriptAgent({ firstWrites: { 'out.txt': 'bad value\n' }, writes: { 'out.txt': 'good value\n' }, promptDir });

it('retries a failed check with the error in the prompt, then hints a similar failure elsewhere', async () => {
  world = await startWorld();
  const prompts = join(world.dir, 'prompts');
  const check = containsCheck('out is good', 'out.txt', 'good value');
  await world.drop({ id: 'learn-a', title: 'Flaky once', repo: { path: world.repo, base: 'main' }, agent: flaky(prompts), tasks: [{ id: 'fix-out', title: 'Make out.txt good', files: ['out.txt'], checks: [check] }] });
  const a = await world.waitFor('learn-a', ['completed', 'failed']);
  expect(a.status).toBe('completed');
  expect(a.tasks[0]).toMatchObject({ status: 'completed', attempts: 2 });
  const second = await readFile(join(prompts, 'fix-out-2.md'), 'utf8');
  expect(second).toContain('The previous attempt failed with');
  expect(second).toContain('out.txt does not contain "good value"; it has: bad value');
  expect(await readFile(join(prompts, 'fix-out-1.md'), 'utf8')).not.toContain('previous attempt');

  const db = await world.dev.services!.db();
  const failures = await db.query<{ attempt: number; reason: string; resolution: string | null }>(`SELECT attempt, reason, resolution FROM failure_logs WHERE spec_id = 'learn-a' ORDER BY attempt`);
  expect(failures.rows).toHaveLength(1);
  expect(failures.rows[0]).toMatchObject({ attempt: 1, reason: 'check-failed' });
  expect(failures.rows[0]!.resolution).toContain('out.txt');
  expect(failures.rows[0]!.resolution).toContain('+good value');
  const embedded = await db.query(`SELECT 1 FROM error_embeddings e JOIN failure_logs f ON f.id = e.failure_id WHERE f.spec_id = 'learn-a'`);
  expect(embedded.rows).toHaveLength(1);

  await world.drop({ id: 'learn-b', title: 'Same trouble', repo: { path: world.repo, base: 'main' }, agent: flaky(prompts), tasks: [{ id: 'other-task', title: 'Make out.txt good again', files: ['out.txt'], checks: [check] }] });
  const b = await world.waitFor('learn-b', ['completed', 'failed']);
  expect(b.status).toBe('completed');
  const hinted = await readFile(join(prompts, 'other-task-2.md'), 'utf8');
  expect(hinted).toContain('Similar past failures were resolved by');
  expect(hinted).toContain('+good value');
  const retries = await db.query<{ hints: unknown[] }>(`SELECT hints FROM retry_history WHERE spec_id = 'learn-b' AND attempt = 1`);
  expect(JSON.stringify(retries.rows[0]?.hints)).toContain('attempt 2 passed');
}, 120_000);

it('fails a task for good after maxAttempts, blocks its dependents, fails the spec and keeps the rest', async () => {
  world = await startWorld();
  await world.drop({
    id: 'doomed',
    title: 'One task never works',
    repo: { path: world.repo, base: 'main' },
    tasks: [
      { id: 'broken', title: 'Always fails', files: ['broken.txt'], maxAttempts: 2, agent: scriptAgent({ failAttempts: [1, 2, 3] }) },
      { id: 'after', title: 'Needs broken', files: ['after.txt'], dependsOn: ['broken'], agent: scriptAgent({ writes: { 'after.txt': 'x\n' } }) },
      { id: 'after-after', title: 'Needs after', files: ['after2.txt'], dependsOn: ['after'], agent: scriptAgent({ writes: { 'after2.txt': 'x\n' } }) },
      { id: 'fine', title: 'Independent', files: ['fine.txt'], agent: scriptAgent({ writes: { 'fine.txt': 'fine\n' } }) },
    ],
  });
  const spec = await world.waitFor('doomed', ['completed', 'failed']);
  expect(spec.status).toBe('failed');
  const byId = Object.fromEntries(spec.tasks.map((t) => [t.id, t]));
  expect(byId.broken).toMatchObject({ status: 'failed', attempts: 2 });
  expect(byId.broken!.lastError).toContain('agent-error');
  expect(byId.after).toMatchObject({ status: 'blocked', attempts: 0 });
  expect(byId['after-after']).toMatchObject({ status: 'blocked', attempts: 0 });
  expect(byId.fine).toMatchObject({ status: 'completed', attempts: 1 });
  expect(spec.progress).toMatchObject({ total: 4, completed: 1, failed: 1, blocked: 2, pending: 0, inProgress: 0 });
  expect(world.git(['show', 'nightshift/doomed:fine.txt'])).toBe('fine\n');
  expect(world.git(['log', '--format=%s', 'main..nightshift/doomed']).trim().split('\n')).toEqual(['Independent']);

  const db = await world.dev.services!.db();
  const decisions = await db.query<{ attempt: number; decision: string }>(`SELECT attempt, decision FROM retry_history WHERE spec_id = 'doomed' AND task_id = 'broken' ORDER BY attempt`);
  expect(decisions.rows).toEqual([{ attempt: 1, decision: 'retry' }, { attempt: 2, decision: 'give-up' }]);
  const failed = await db.query(`SELECT 1 FROM failure_logs WHERE spec_id = 'doomed' AND task_id = 'broken'`);
  expect(failed.rows).toHaveLength(2);
  // The spec stays in active/ for a person to look at (only completed specs are archived).
  expect(await world.specFile('doomed')).toContain(join('specs', 'active'));
}, 120_000);
