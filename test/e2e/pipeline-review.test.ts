/**
 * Issue 4's review and integration cases on the embedded stack: the gate
 * rejects an AWS key, a private key block, a CI workflow, a file outside
 * `review.allow` and an oversize diff, each with a finding naming file and
 * rule, and nothing of them lands; and a diff that conflicts with a change
 * that reached the integration branch meanwhile is retried on the new head
 * and lands on top of it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { attempts } from '../../shared/db/index.ts';
import { scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const PRIVATE_KEY = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', 'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK', '-----END RSA PRIVATE KEY-----', ''].join('\n');

it('rejects secrets, CI config, paths outside review.allow and oversize diffs, naming file and rule', async () => {
  world = await startWorld();
  const task = (id: string, file: string, content: string) => ({ id, title: `Write ${file}`, files: [file], maxAttempts: 1, agent: scriptAgent({ writes: { [file]: content } }) });
  await world.drop({
    id: 'gate',
    title: 'Everything the gate must stop',
    repo: { path: world.repo, base: 'main' },
    review: { allow: ['src/**', '.github/**', 'docs/**'], maxLines: 40 },
    tasks: [
      task('aws', 'src/config.py', 'AWS_ACCESS_KEY_ID = "AKIAZ3MQ7XK2P4LVR9TB"\n'),
      task('pem', 'src/deploy.pem', PRIVATE_KEY),
      task('ci', '.github/workflows/ci.yml', 'on: push\njobs: {}\n'),
      task('outside', 'scripts/run.sh', 'echo hi\n'),
      task('big', 'docs/big.md', Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n'),
      task('ok', 'src/ok.txt', 'fine\n'),
    ],
  });
  const spec = await world.waitFor('gate', ['completed', 'failed']);
  expect(spec.status).toBe('failed');
  const expected: Record<string, [string, string]> = {
    aws: ['src/config.py', 'aws-access-key-id'],
    pem: ['src/deploy.pem', 'private-key'],
    ci: ['.github/workflows/ci.yml', 'ci-config'],
    outside: ['scripts/run.sh', 'not-allowed'],
    big: ['(diff)', 'too-many-lines'],
  };
  const repo = attempts(await world.dev.services!.db());
  for (const [id, [file, rule]] of Object.entries(expected)) {
    const t = spec.tasks.find((x) => x.id === id)!;
    expect(t.status, id).toBe('failed');
    const row = await repo.get({ specId: 'gate', taskId: id, attempt: 1 });
    expect(row?.reason, id).toBe('review-rejected');
    expect(row?.error, id).toMatch(new RegExp(`${file.replace(/[.()]/g, '\\$&')}(:\\d+)?: ${rule}`));
    expect(t.lastError, id).toContain(rule);
  }
  expect(spec.tasks.find((x) => x.id === 'ok')?.status).toBe('completed');
  expect(world.git(['log', '--format=%s', 'main..nightshift/gate']).trim()).toBe('Write src/ok.txt');
  // The key never reached the object store through a landed commit.
  expect(world.git(['ls-tree', '-r', '--name-only', 'nightshift/gate']).trim().split('\n').sort()).toEqual(['README.md', 'notes.txt', 'src/ok.txt']);
}, 120_000);

it('retries a task whose diff conflicts with the moved integration branch, and lands it on top', async () => {
  world = await startWorld();
  const marker = join(world.dir, 'go');
  await world.drop({
    id: 'clash',
    title: 'A change lands under a running task',
    repo: { path: world.repo, base: 'main' },
    tasks: [{ id: 'edit-notes', title: 'Edit notes', files: ['notes.txt'], agent: scriptAgent({ waitFor: marker, writes: { 'notes.txt': 'one\nTWO by {task} attempt {attempt}\nthree\n' } }) }],
  });
  await world.waitFor('clash', ['in-progress']);
  // Wait until the agent's workspace is checked out, then move the branch under it with a change to the same line.
  const until = Date.now() + 30_000;
  const workspace = () => readdir(join(world!.config.WORKSPACES_DIR!, 'clash')).catch(() => [] as string[]);
  while (Date.now() < until && !(await workspace()).some((d) => existsSync(join(world!.config.WORKSPACES_DIR!, 'clash', d, 'notes.txt')))) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const wt = await mkdtemp(join(tmpdir(), 'ns-person-'));
  await rm(wt, { recursive: true });
  world.git(['worktree', 'add', '-q', wt, 'nightshift/clash']);
  await writeFile(join(wt, 'notes.txt'), 'one\ntwo, said a person\nthree\n');
  world.git(['-C', wt, 'commit', '-qam', 'A person edits notes']);
  world.git(['worktree', 'remove', wt]);
  await writeFile(marker, '');

  const spec = await world.waitFor('clash', ['completed', 'failed']);
  expect(spec.status).toBe('completed');
  expect(spec.tasks[0]).toMatchObject({ status: 'completed', attempts: 2 });
  const first = await attempts(await world.dev.services!.db()).get({ specId: 'clash', taskId: 'edit-notes', attempt: 1 });
  expect(first?.reason).toBe('conflict');
  expect(first?.error).toContain('notes.txt');
  expect(world.git(['log', '--format=%s', 'main..nightshift/clash']).trim().split('\n')).toEqual(['Edit notes', 'A person edits notes']);
  expect(world.git(['show', 'nightshift/clash:notes.txt'])).toBe('one\nTWO by edit-notes attempt 2\nthree\n');
  expect(existsSync(wt)).toBe(false);
}, 120_000);

it('runs the command reviewer on each candidate: a rejection fails the task with its words, an approval lands', async () => {
  world = await startWorld();
  const reviewer = "let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => { if (s.includes('RISKY')) { console.log('reviewer: too risky to land'); process.exit(1); } console.log('reviewer: fine'); });";
  await world.drop({
    id: 'reviewed',
    title: 'A reviewer looks at every diff',
    repo: { path: world.repo, base: 'main' },
    review: { reviewer: { kind: 'command', command: [process.execPath, '-e', reviewer], timeoutSeconds: 60 } },
    tasks: [
      { id: 'safe', title: 'Safe change', files: ['safe.txt'], maxAttempts: 1, agent: scriptAgent({ writes: { 'safe.txt': 'ok\n' } }) },
      { id: 'risky', title: 'Risky change', files: ['risky.txt'], maxAttempts: 1, agent: scriptAgent({ writes: { 'risky.txt': 'RISKY change\n' } }) },
    ],
  });
  const spec = await world.waitFor('reviewed', ['completed', 'failed']);
  expect(spec.tasks.map((t) => [t.id, t.status])).toEqual([['safe', 'completed'], ['risky', 'failed']]);
  const row = await attempts(await world.dev.services!.db()).get({ specId: 'reviewed', taskId: 'risky', attempt: 1 });
  expect(row?.reason).toBe('review-rejected');
  expect(row?.error).toContain('reviewer: too risky to land');
  expect(world.git(['log', '--format=%s', 'main..nightshift/reviewed']).trim()).toBe('Safe change');
}, 120_000);
