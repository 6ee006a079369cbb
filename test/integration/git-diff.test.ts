import { execa } from 'execa';
import { chmod, mkdir, readFile, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyDiff, captureDiff, createWorkspace, type Workspace } from '../../shared/git/index.ts';
import { cleanGitEnv } from '../../shared/git/run.ts';
import { BINARY, LINES, makeFixture, userState, type Fixture } from './git-fixture.ts';

let f: Fixture;
let ws: Workspace;
beforeEach(async () => {
  f = await makeFixture();
  ws = await createWorkspace(f.repo, f.base, f.root, { specId: 'demo', taskId: 't1', attempt: 1 });
});
afterEach(async () => {
  await ws.remove();
  await f.cleanup();
});

const at = (...p: string[]): string => path.join(ws.dir, ...p);

/** What an agent might do: every kind of change at once. */
async function editEverything(): Promise<void> {
  await writeFile(at('src', 'a.txt'), LINES.replace('line 3\n', 'line three\n'));
  await unlink(at('gone.txt'));
  await rename(at('src', 'old-name.txt'), at('src', 'new-name.txt'));
  await chmod(at('bin', 'tool.sh'), 0o755);
  await writeFile(at('img.bin'), Buffer.concat([BINARY, Buffer.from([0, 1, 2, 255])]));
  await writeFile(at('new.bin'), Buffer.from([0, 159, 146, 150, 0, 0, 7]));
  await mkdir(at('docs'));
  await writeFile(at('docs', 'new.md'), '# new\n\ntext\n');
  await symlink('../src/a.txt', at('docs', 'a-link'));
  await mkdir(at('build'));
  await writeFile(at('build', 'out.txt'), 'ignored by .gitignore\n');
}

describe('captureDiff', () => {
  it('captures new, deleted, renamed, mode-changed, binary and symlink changes, and they round-trip', async () => {
    const before = await userState(f);
    const objectsBefore = await f.sh(['count-objects']);
    await editEverything();
    const d = await captureDiff(ws);
    expect(d.empty).toBe(false);
    expect(d.baseSha).toBe(f.base);
    const byPath = Object.fromEntries(d.files.map((x) => [x.path, x]));
    expect(byPath['src/a.txt']).toMatchObject({ status: 'M', added: 1, removed: 1, binary: false });
    expect(byPath['gone.txt']).toMatchObject({ status: 'D', added: 0, removed: 1 });
    expect(byPath['src/new-name.txt']).toMatchObject({ status: 'R', oldPath: 'src/old-name.txt' });
    expect(byPath['bin/tool.sh']).toMatchObject({ status: 'M', oldMode: '100644', newMode: '100755', added: 0, removed: 0 });
    expect(byPath['img.bin']).toMatchObject({ status: 'M', binary: true, added: null });
    expect(byPath['new.bin']).toMatchObject({ status: 'A', binary: true });
    expect(byPath['docs/new.md']).toMatchObject({ status: 'A', added: 3, removed: 0 });
    expect(byPath['docs/a-link']).toMatchObject({ status: 'A', newMode: '120000' });
    expect(byPath['build/out.txt']).toBeUndefined();
    expect(d.files).toHaveLength(8);
    expect(d.diff.toString('utf8')).toContain('GIT binary patch');
    // Capturing wrote nothing into the user's repository or checkout.
    expect(await f.sh(['count-objects'])).toBe(objectsBefore);
    expect(await userState(f)).toEqual(before);
    // Apply onto the base: the very same tree.
    expect(await applyDiff(f.repo, { diff: d.diff, onto: f.base, baseSha: f.base })).toEqual({ ok: true, tree: d.tree });
    expect(await userState(f)).toEqual(before);
  });

  it('reports an empty diff when the agent changed nothing (or only ignored files)', async () => {
    await mkdir(at('build'));
    await writeFile(at('build', 'cache'), 'x');
    const d = await captureDiff(ws);
    expect(d).toMatchObject({ empty: true, files: [] });
    expect(d.diff.length).toBe(0);
    const baseTree = await f.sh(['rev-parse', `${f.base}^{tree}`]);
    expect(d.tree).toBe(baseTree);
    expect(await applyDiff(f.repo, { diff: d.diff, onto: f.base, baseSha: f.base })).toEqual({ ok: true, tree: baseTree });
  });

  it.each([
    ['a relative link that climbs out', '../../../etc/passwd'],
    ['an absolute link', '/etc/passwd'],
    ['a link into .git', '../.git/config'],
  ])('rejects %s', async (_what, target) => {
    await symlink(target, at('src', 'evil'));
    await expect(captureDiff(ws)).rejects.toMatchObject({ code: 'DIFF_REJECTED', details: { file: 'src/evil' } });
  });

  it('rejects a link that escapes through a link the base already had', async () => {
    // The user's own history holds a link out of the tree; the agent's new link looks harmless on paper.
    const env = { ...cleanGitEnv(), GIT_INDEX_FILE: path.join(f.tmp, 'setup-index') };
    const run = async (args: string[], input = ''): Promise<string> => (await execa('git', args, { cwd: f.repo, env, extendEnv: false, input })).stdout;
    await run(['read-tree', f.base]);
    const blob = await run(['hash-object', '-w', '--stdin'], f.tmp);
    await run(['update-index', '--add', '--cacheinfo', `120000,${blob},out`]);
    const base = await run(['commit-tree', await run(['write-tree']), '-p', f.base, '-m', 'link out']);
    const ws2 = await createWorkspace(f.repo, base, f.root);
    try {
      await symlink('out/checkout', path.join(ws2.dir, 'innocent'));
      await expect(captureDiff(ws2)).rejects.toMatchObject({ code: 'DIFF_REJECTED', details: { file: 'innocent' } });
    } finally {
      await ws2.remove();
    }
  });

  it('rejects paths inside a .git folder and nested repositories', async () => {
    await mkdir(at('sub', '.GIT'), { recursive: true });
    await writeFile(at('sub', '.GIT', 'config'), '[core]\n');
    await expect(captureDiff(ws)).rejects.toMatchObject({ code: 'DIFF_REJECTED' });
    await rm(at('sub'), { recursive: true });
    const env = cleanGitEnv();
    await mkdir(at('vendor'));
    await execa('git', ['init', '-q'], { cwd: at('vendor'), env, extendEnv: false });
    await writeFile(at('vendor', 'x'), 'x');
    await execa('git', ['add', 'x'], { cwd: at('vendor'), env, extendEnv: false });
    await execa('git', ['commit', '-q', '-m', 'x'], { cwd: at('vendor'), env, extendEnv: false });
    await expect(captureDiff(ws)).rejects.toMatchObject({ code: 'DIFF_REJECTED', details: { file: 'vendor' } });
  });

  it("ignores a tampered workspace .git: its config, hooks, index and HEAD are never used", async () => {
    const marker = path.join(f.tmp, 'hook-ran');
    const script = path.join(f.tmp, 'evil.sh');
    await writeFile(script, `#!/bin/sh\ntouch ${marker}\n`);
    await chmod(script, 0o755);
    await writeFile(at('.git', 'config'), `[core]\n\tfsmonitor = ${script}\n\thooksPath = ${f.tmp}\n[filter "x"]\n\tclean = ${script}\n`);
    await writeFile(at('.gitattributes'), '* filter=x\n');
    await writeFile(at('.git', 'HEAD'), 'ref: refs/heads/nowhere\n');
    await rm(at('.git', 'index'));
    await writeFile(at('src', 'a.txt'), 'rewritten\n');
    const d = await captureDiff(ws);
    expect(d.files.map((x) => x.path).sort()).toEqual(['.gitattributes', 'src/a.txt']);
    expect(existsSync(marker)).toBe(false);
    // Replacing .git by a gitfile that points at the user's repository changes nothing either.
    await rm(at('.git'), { recursive: true });
    await writeFile(at('.git'), `gitdir: ${path.join(f.repo, '.git')}\n`);
    const again = await captureDiff(ws);
    expect(again.tree).toBe(d.tree);
    expect(existsSync(marker)).toBe(false);
    expect(await readFile(path.join(f.repo, 'notes.txt'), 'utf8')).toBe('user untracked notes\n');
  });
});
