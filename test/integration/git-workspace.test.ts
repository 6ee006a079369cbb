import { chmod, mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBranch, head, sweepWorkspaces } from '../../shared/git/index.ts';
import { LINES, makeFixture, userState, type Fixture } from './git-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture();
});
afterEach(async () => {
  await f.cleanup();
});

describe('integration branch', () => {
  it('creates nightshift/<spec> at the base once and reads its head', async () => {
    const before = await userState(f);
    expect(await head(f.repo, 'nightshift/demo')).toBeNull();
    expect(await ensureBranch(f.repo, 'nightshift/demo', 'main')).toEqual({ head: f.base, created: true });
    expect(await ensureBranch(f.repo, 'nightshift/demo', 'main')).toEqual({ head: f.base, created: false });
    expect(await head(f.repo, 'nightshift/demo')).toBe(f.base);
    expect(await userState(f)).toEqual(before);
  });

  it('refuses a base that names no commit and a bad branch name', async () => {
    await expect(ensureBranch(f.repo, 'nightshift/demo', 'no-such-branch')).rejects.toMatchObject({ code: 'GIT_FAILED' });
    await expect(ensureBranch(f.repo, 'nightshift/x.lock', 'main')).rejects.toMatchObject({ code: 'GIT_BAD_NAME' });
    await expect(ensureBranch(f.repo, 'nightshift/demo', '--output=/tmp/x')).rejects.toMatchObject({ code: 'GIT_BAD_NAME' });
  });
});

describe('createWorkspace', () => {
  it('checks out the base outside the checkout and removes it without a trace', async () => {
    const before = await userState(f);
    const ws = await createWorkspace(f.repo, f.base, f.root, { specId: 'demo', taskId: 't1', attempt: 2 });
    expect(ws.baseSha).toBe(f.base);
    expect(path.relative(f.root, ws.dir)).toMatch(/^demo\/t1-2-[0-9a-f]{8}$/);
    // The base's content, not the user's dirty edits.
    expect(await readFile(path.join(ws.dir, 'src', 'a.txt'), 'utf8')).toBe(LINES);
    expect(existsSync(path.join(ws.dir, 'notes.txt'))).toBe(false);
    expect((await stat(path.join(ws.dir, 'img.bin'))).size).toBe(600);
    // Its own git dir: no remotes, no hooks, HEAD detached at the base.
    expect(await readFile(path.join(ws.dir, '.git', 'HEAD'), 'utf8')).toBe(`${f.base}\n`);
    expect(await readFile(path.join(ws.dir, '.git', 'config'), 'utf8')).not.toContain('[remote');
    expect(existsSync(path.join(ws.dir, '.git', 'hooks'))).toBe(false);
    expect(await userState(f)).toEqual(before);
    await ws.remove();
    await ws.remove(); // twice is fine
    expect(existsSync(ws.dir)).toBe(false);
    expect(await readdir(f.root)).toEqual([]);
    expect(existsSync(path.join(f.repo, '.git', 'worktrees'))).toBe(false);
    expect(await userState(f)).toEqual(before);
  });

  it('removes a workspace whose folders the agent made read-only', async () => {
    const ws = await createWorkspace(f.repo, f.base, f.root);
    await mkdir(path.join(ws.dir, 'locked', 'deep'), { recursive: true });
    await writeFile(path.join(ws.dir, 'locked', 'deep', 'x.txt'), 'x');
    await chmod(path.join(ws.dir, 'locked', 'deep'), 0o500);
    await chmod(path.join(ws.dir, 'locked'), 0o500);
    await ws.remove();
    expect(existsSync(ws.dir)).toBe(false);
  });

  it('refuses a root inside the user checkout and a sha that is not there', async () => {
    await expect(createWorkspace(f.repo, f.base, path.join(f.repo, '.nightshift'))).rejects.toMatchObject({ code: 'WORKSPACE_INVALID' });
    await expect(createWorkspace(f.repo, 'f'.repeat(40), f.root)).rejects.toMatchObject({ code: 'GIT_FAILED' });
    await expect(createWorkspace(f.repo, 'main', f.root)).rejects.toMatchObject({ code: 'GIT_BAD_NAME' });
  });
});

describe('sweepWorkspaces', () => {
  it('removes old orphans of this repository and keeps live, young and foreign ones', async () => {
    const orphan = await createWorkspace(f.repo, f.base, f.root, { specId: 'demo', taskId: 'dead', attempt: 1 });
    const live = await createWorkspace(f.repo, f.base, f.root, { specId: 'demo', taskId: 'live', attempt: 1 });
    const young = await createWorkspace(f.repo, f.base, f.root, { specId: 'demo', taskId: 'young', attempt: 1 });
    const foreign = path.join(f.root, 'other', 'x-1-00000000');
    await mkdir(path.join(foreign, '.git', 'objects', 'info'), { recursive: true });
    await writeFile(path.join(foreign, '.git', 'objects', 'info', 'alternates'), '/somewhere/else/objects\n');
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const d of [orphan.dir, live.dir, foreign]) await utimes(d, hourAgo, hourAgo);
    const removed = await sweepWorkspaces(f.repo, f.root, { olderThanMs: 60_000, isLive: (i) => i.name.startsWith('live-') });
    expect(removed).toEqual([orphan.dir]);
    expect(existsSync(orphan.dir)).toBe(false);
    for (const d of [live.dir, young.dir, foreign]) expect(existsSync(d)).toBe(true);
    await live.remove();
    await young.remove();
  });
});
