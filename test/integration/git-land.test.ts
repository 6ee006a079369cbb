import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyDiff, captureDiff, commitTree, createWorkspace, ensureBranch, head, landCommit, writeCandidate,
  type CapturedDiff, type TaskIds,
} from '../../shared/git/index.ts';
import { LINES, makeFixture, userState, type Fixture } from './git-fixture.ts';

let f: Fixture;
const BRANCH = 'nightshift/demo';
beforeEach(async () => {
  f = await makeFixture();
  await ensureBranch(f.repo, BRANCH, 'main');
});
afterEach(async () => {
  await f.cleanup();
});

/** Runs a fake agent (a file edit, no LLM) in a fresh workspace at `sha` and captures its diff. */
async function develop(sha: string, taskId: string, edit: Record<string, string>): Promise<CapturedDiff> {
  const ws = await createWorkspace(f.repo, sha, f.root, { specId: 'demo', taskId, attempt: 1 });
  try {
    for (const [file, text] of Object.entries(edit)) await writeFile(path.join(ws.dir, file), text);
    return await captureDiff(ws);
  } finally {
    await ws.remove();
  }
}

/** collect-diff: apply onto `onto` and keep a candidate commit. */
async function collect(d: CapturedDiff, onto: string, ids: TaskIds): Promise<string> {
  const applied = await applyDiff(f.repo, { diff: d.diff, onto, baseSha: d.baseSha });
  if (!applied.ok) throw new Error(`unexpected conflict: ${applied.message}`);
  const commit = await commitTree(f.repo, applied.tree, onto, `candidate ${ids.taskId}`);
  await writeCandidate(f.repo, ids, commit);
  return commit;
}

const ids = (taskId: string, attempt = 1): TaskIds => ({ specId: 'demo', taskId, attempt });

describe('applyDiff', () => {
  it('applies three-way onto a moved base when the changes do not overlap, and reports a conflict when they do', async () => {
    const d = await develop(f.base, 't1', { 'src/a.txt': LINES.replace('line 2\n', 'line two\n') });
    const elsewhere = await develop(f.base, 't0', { 'src/a.txt': LINES.replace('line 28\n', 'line twenty-eight\n') });
    const moved = await collect(elsewhere, f.base, ids('t0'));
    const ok = await applyDiff(f.repo, { diff: d.diff, onto: moved, baseSha: f.base });
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      const text = await f.sh(['cat-file', 'blob', `${ok.tree}:src/a.txt`]);
      expect(text).toContain('line two');
      expect(text).toContain('line twenty-eight');
    }
    const clash = await develop(f.base, 't2', { 'src/a.txt': LINES.replace('line 2\n', 'line TWO\n') });
    const result = await applyDiff(f.repo, { diff: clash.diff, onto: (await collect(d, f.base, ids('t1'))), baseSha: f.base });
    expect(result).toMatchObject({ ok: false, reason: 'conflict', files: ['src/a.txt'] });
  });

  it('writes the candidate to refs/nightshift/candidates/<spec>/<task>/<attempt>', async () => {
    const d = await develop(f.base, 't1', { 'new.txt': 'new\n' });
    const commit = await collect(d, f.base, ids('t1'));
    expect(await f.sh(['rev-parse', 'refs/nightshift/candidates/demo/t1/1'])).toBe(commit);
  });
});

describe('landCommit', () => {
  it('lands one squash commit with readable trailers, once, without touching the user checkout', async () => {
    const before = await userState(f);
    const d = await develop(f.base, 't1', { 'new.txt': 'new\n', 'src/a.txt': 'changed\n' });
    const candidate = await collect(d, f.base, ids('t1', 3));
    const input = { ids: ids('t1', 3), candidate, expectedOld: f.base, title: 'Add new.txt\n(task t1)', body: 'What the agent did.' };
    const landed = await landCommit(f.repo, BRANCH, input);
    expect(landed).toMatchObject({ ok: true, alreadyLanded: false });
    if (!landed.ok) return;
    expect(await head(f.repo, BRANCH)).toBe(landed.commit);
    expect(await f.sh(['rev-parse', `${landed.commit}^`])).toBe(f.base);
    expect(await f.sh(['rev-parse', `${landed.commit}^{tree}`])).toBe(d.tree);
    expect(await f.sh(['log', '-1', '--format=%s', landed.commit])).toBe('Add new.txt (task t1)');
    expect((await f.sh(['log', '-1', '--format=%(trailers:key=Task-Id,valueonly)', landed.commit])).trim()).toBe('t1');
    expect((await f.sh(['log', '-1', '--format=%(trailers:key=Spec-Id,valueonly)%(trailers:key=Attempt,valueonly)', landed.commit])).trim()).toBe('demo\n3');
    expect(await f.sh(['log', '-1', '--format=%cn <%ce>', landed.commit])).toBe('nightshift <nightshift@localhost>');
    // The same attempt again (a redelivered event): no second commit.
    expect(await landCommit(f.repo, BRANCH, input)).toEqual({ ok: true, commit: landed.commit, alreadyLanded: true });
    expect(await f.sh(['rev-list', '--count', `${f.base}..${BRANCH}`])).toBe('1');
    expect(await userState(f)).toEqual(before);
  });

  it('lets exactly one of two racing landers win; the other re-integrates onto the new head', async () => {
    const d1 = await develop(f.base, 't1', { 'one.txt': 'one\n' });
    const d2 = await develop(f.base, 't2', { 'two.txt': 'two\n' });
    const c1 = await collect(d1, f.base, ids('t1'));
    const c2 = await collect(d2, f.base, ids('t2'));
    const results = await Promise.all([
      landCommit(f.repo, BRANCH, { ids: ids('t1'), candidate: c1, expectedOld: f.base, title: 't1' }),
      landCommit(f.repo, BRANCH, { ids: ids('t2'), candidate: c2, expectedOld: f.base, title: 't2' }),
    ]);
    const winners = results.filter((r) => r.ok);
    const losers = results.filter((r) => !r.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const winner = winners[0];
    const loser = losers[0];
    if (!winner?.ok || loser?.ok !== false) throw new Error('unreachable');
    expect(loser).toEqual({ ok: false, moved: true, current: winner.commit });
    // Re-integrate: re-apply the loser's diff onto the new head, then land with the new expected old.
    const loserIds = results[0]?.ok ? ids('t2') : ids('t1');
    const loserDiff = results[0]?.ok ? d2 : d1;
    const again = await collect(loserDiff, winner.commit, loserIds);
    const landed = await landCommit(f.repo, BRANCH, { ids: loserIds, candidate: again, expectedOld: winner.commit, title: loserIds.taskId });
    expect(landed).toMatchObject({ ok: true, alreadyLanded: false });
    expect(await f.sh(['ls-tree', '--name-only', BRANCH, 'one.txt', 'two.txt'])).toBe('one.txt\ntwo.txt');
    expect(await f.sh(['rev-list', '--count', `${f.base}..${BRANCH}`])).toBe('2');
  });

  it('creates one commit when the same task lands twice at once', async () => {
    const d = await develop(f.base, 't1', { 'one.txt': 'one\n' });
    const c = await collect(d, f.base, ids('t1'));
    const input = { ids: ids('t1'), candidate: c, expectedOld: f.base, title: 't1' };
    const [a, b] = await Promise.all([landCommit(f.repo, BRANCH, input), landCommit(f.repo, BRANCH, input)]);
    expect(a?.ok && b?.ok).toBe(true);
    expect([a, b].filter((r) => r?.ok && r.alreadyLanded)).toHaveLength(1);
    expect(await f.sh(['rev-list', '--count', `${f.base}..${BRANCH}`])).toBe('1');
  });

  it('refuses to move the branch while a worktree of the user has it checked out', async () => {
    await f.sh(['worktree', 'add', '-q', path.join(f.tmp, 'user-wt'), BRANCH]);
    const d = await develop(f.base, 't1', { 'one.txt': 'one\n' });
    const c = await collect(d, f.base, ids('t1'));
    await expect(landCommit(f.repo, BRANCH, { ids: ids('t1'), candidate: c, expectedOld: f.base, title: 't1' })).rejects.toMatchObject({ code: 'BRANCH_CHECKED_OUT' });
    expect(await head(f.repo, BRANCH)).toBe(f.base);
  });
});
