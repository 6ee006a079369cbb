import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyDiff, captureDiff, createWorkspace, ensureBranch, git } from '../../shared/git/index.ts';
import { makeFixture, type Fixture } from './git-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture();
});
afterEach(async () => {
  await f.cleanup();
});

describe('git runner', () => {
  it("never runs the repository's hooks, wherever its config says they are", async () => {
    const marker = path.join(f.tmp, 'hook-ran');
    const hooks = path.join(f.tmp, 'hooks');
    await mkdir(hooks);
    for (const dir of [hooks, path.join(f.repo, '.git', 'hooks')]) {
      for (const name of ['reference-transaction', 'post-checkout', 'post-index-change']) {
        await writeFile(path.join(dir, name), `#!/bin/sh\necho ${name} >> ${marker}\n`);
        await chmod(path.join(dir, name), 0o755);
      }
    }
    // Prove the hook works when git is run plainly, then turn it on in the repo's config.
    await f.sh(['update-ref', 'refs/test/probe', f.base]);
    expect(existsSync(marker)).toBe(true);
    await f.sh(['config', 'core.hooksPath', hooks]);
    await f.sh(['update-ref', '-d', 'refs/test/probe']);
    await rm(marker);
    await ensureBranch(f.repo, 'nightshift/demo', 'main');
    const ws = await createWorkspace(f.repo, f.base, f.root);
    await writeFile(path.join(ws.dir, 'x.txt'), 'x\n');
    const d = await captureDiff(ws);
    await ws.remove();
    await applyDiff(f.repo, { diff: d.diff, onto: f.base, baseSha: f.base });
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses push even when asked directly', async () => {
    await expect(git(['push', f.repo, 'main'], { cwd: f.repo })).rejects.toMatchObject({ code: 'GIT_REFUSED' });
  });

  it('round-trips file names with spaces, tabs, newlines and non-ASCII letters', async () => {
    const ws = await createWorkspace(f.repo, f.base, f.root);
    try {
      const names = ['with space.txt', 'tab\there.txt', 'new\nline.txt', 'ünïcödé.txt'];
      for (const n of names) await writeFile(path.join(ws.dir, n), `${n}\n`);
      const d = await captureDiff(ws);
      expect(d.files.map((x) => x.path).sort()).toEqual([...names].sort());
      expect(await applyDiff(f.repo, { diff: d.diff, onto: f.base, baseSha: f.base })).toEqual({ ok: true, tree: d.tree });
    } finally {
      await ws.remove();
    }
  });
});
