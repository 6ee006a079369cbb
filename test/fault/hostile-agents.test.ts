/**
 * Hostile agents through the whole pipeline: an agent that writes a secret,
 * edits git hooks (its workspace's by a relative path, the user's repository's
 * by an absolute one), makes a symlink out of the repository, writes outside
 * its workspace, leaves a process behind after its timeout, or prints
 * megabytes. Each is caught by the review gate, the workspace checks or the
 * executor, and reported; nothing it did lands. Without a sandbox an agent
 * runs as the same user, so a write outside the workspace can only be kept
 * from landing, not from happening: the bwrap cases show the sandbox stopping
 * the write itself.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attempts } from '../../shared/db/index.ts';
import { bwrapAvailable } from '../../shared/exec/sandbox.ts';
import { AGENT, scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const task = (id: string, program: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Hostile ${id}`,
  files: [`${id}.txt`],
  maxAttempts: 1,
  agent: scriptAgent({ ...program, writes: { [`${id}.txt`]: 'innocent\n', ...((program.writes as object) ?? {}) } }),
  ...extra,
});

/** Host pids whose command line contains `text`. */
async function processesWith(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmd = await readFile(join('/proc', name, 'cmdline'), 'utf8').catch(() => '');
    if (cmd.includes(text)) pids.push(Number(name));
  }
  return pids;
}

async function run(world: World, tasks: Record<string, unknown>[], id = 'hostile') {
  await world.drop({ id, title: 'Hostile agents', repo: { path: world.repo, base: 'main' }, tasks });
  const spec = await world.waitFor(id, ['completed', 'failed'], 120_000);
  const repo = attempts(await world.dev.services!.db());
  const row = (task: string) => repo.get({ specId: id, taskId: task, attempt: 1 });
  const landed = world.git(['log', '--format=%s', `main..nightshift/${id}`]).trim().split('\n').filter(Boolean);
  return { spec, row, landed, status: (id: string) => spec.tasks.find((t) => t.id === id)?.status };
}

describe('without a sandbox', () => {
  it('catches secrets, git hook edits, symlinks out and oversize output; nothing of them lands', async () => {
    world = await startWorld();
    const userHook = join(world.repo, '.git', 'hooks', 'post-merge');
    const r = await run(world, [
      task('secret', { writes: { 'secret.txt': 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8Rk2mNq4"\n' } }),
      task('own-hook', { writes: { '.git/hooks/post-checkout': '#!/bin/sh\necho pwned\n' } }),
      task('link-out', { symlinks: { 'link-out.txt.lnk': '/etc/passwd' } }, { files: ['link-out.txt', 'link-out.txt.lnk'] }),
      task('loud', { printBytes: 8 * 1024 * 1024 }),
    ]);
    expect(r.spec.status).toBe('failed');
    for (const [id, words] of [
      ['secret', /secret\.txt:1: (aws-secret-access-key|generic-secret|high-entropy-string)/],
      ['own-hook', /the workspace's \.git/],
      ['link-out', /symlink link-out\.txt\.lnk points at the absolute path \/etc\/passwd/],
    ] as const) {
      const row = await r.row(id);
      expect(r.status(id), id).toBe('failed');
      expect(row?.reason, id).toBe('review-rejected');
      expect(row?.error, id).toMatch(words);
    }
    // Megabytes of output are capped in what is stored, and the task itself is fine.
    expect(r.status('loud')).toBe('completed');
    const loud = await r.row('loud');
    expect(loud!.log!.length).toBeLessThan(1.2 * 1024 * 1024);
    expect(loud!.log).toContain('bytes of output');
    expect(r.landed).toEqual(['Hostile loud']);
    expect(world.git(['ls-tree', '-r', '--name-only', 'nightshift/hostile']).split('\n').filter(Boolean).sort()).toEqual(['README.md', 'loud.txt', 'notes.txt']);
    expect(await readdir(join(world.dir, 'workspaces', 'hostile')).catch(() => [])).toEqual([]);

    // Alone in its own spec: a change to the user's .git while agents run is blamed on every agent running then.
    const h = await run(world, [task('user-hook', { writes: { [userHook]: '#!/bin/sh\necho pwned\n' } })], 'hostile-hook');
    expect(h.status('user-hook')).toBe('failed');
    expect((await h.row('user-hook'))?.error).toMatch(/the repository's \.git hooks or config/);
    expect(h.landed).toEqual([]);
    // The hook was written (nothing stops a same-user write without a sandbox) and caught: the task failed, nothing landed.
    expect(existsSync(userHook)).toBe(true);
    await rm(userHook);
  }, 180_000);
});

describe.runIf(bwrapAvailable())('with the bwrap sandbox (AGENT_SANDBOX=bwrap)', () => {
  it('stops writes outside the workspace and into the repository, and kills what an agent leaves running', async () => {
    world = await startWorld({ env: { AGENT_SANDBOX: 'bwrap', AGENT_SANDBOX_BINDS: dirname(AGENT) } });
    const outside = join(world.dir, 'outside.txt');
    const marker = `nightshift-orphan-${process.pid}-${Date.now()}`;
    const orphan = ['/bin/sh', '-c', `sleep 30; : ${marker}`];
    const userHook = join(world.repo, '.git', 'hooks', 'pre-commit');
    const r = await run(world, [
      task('outside', { writes: { [outside]: 'escaped\n' } }),
      task('user-hook', { writes: { [userHook]: '#!/bin/sh\necho pwned\n' } }),
      task('fork', {}, { agent: { ...scriptAgent({ detached: orphan, sleepMs: 5000 }), timeoutSeconds: 1 } }),
      task('fine', {}),
    ]);
    await new Promise((res) => setTimeout(res, 3000));
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(userHook)).toBe(false);
    // The process the agent started in its own session died with the sandbox's pid namespace.
    expect(await processesWith(marker)).toEqual([]);
    // Inside the sandbox those paths are a throwaway tmpfs (/tmp) or read-only: the agents ran, their writes went nowhere.
    expect((await r.row('fork'))?.reason).toBe('timeout');
    expect(r.status('fine')).toBe('completed');
    expect(r.landed.sort()).toEqual(['Hostile fine', 'Hostile outside', 'Hostile user-hook']);
    expect(world.git(['ls-tree', '-r', '--name-only', 'nightshift/hostile']).split('\n').filter(Boolean).sort()).toEqual(['README.md', 'fine.txt', 'notes.txt', 'outside.txt', 'user-hook.txt']);
  }, 180_000);
});
