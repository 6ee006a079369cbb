import { describe, expect, it } from 'vitest';
import { parseNumstat, parseRaw, joinStats } from '../../shared/git/diff-parse.ts';
import { commitMessage } from '../../shared/git/land.ts';
import { branchRef, candidateRef, integrationBranch, landedRef, refPart } from '../../shared/git/repo.ts';
import { checkAllowed, cleanGitEnv } from '../../shared/git/run.ts';

describe('git runner allowlist', () => {
  it.each([
    [['push', 'origin', 'main']],
    [['fetch', '/some/repo']],
    [['pull']],
    [['clone', '/a', '/b']],
    [['remote', 'add', 'x', 'https://example.com/x.git']],
    [['submodule', 'update']],
    [['ls-remote', 'origin']],
    [['worktree', 'add', '/tmp/x']],
    [['-c', 'x=y', 'push']],
    [[]],
  ])('refuses git %j', (args) => {
    expect(() => checkAllowed(args)).toThrow(expect.objectContaining({ code: 'GIT_REFUSED' }));
  });

  it('runs the plumbing it needs', () => {
    for (const args of [['rev-parse', 'HEAD'], ['update-ref', 'refs/x', 'y'], ['worktree', 'list', '--porcelain'], ['apply', '--cached']]) {
      expect(() => checkAllowed(args)).not.toThrow();
    }
  });

  it("hands git none of the caller's environment", () => {
    const env = cleanGitEnv({ GIT_INDEX_FILE: '/tmp/i' }, { PATH: '/bin', GIT_DIR: '/user/.git', DATABASE_URL: 'postgres://secret', SSH_AUTH_SOCK: '/s', HOME: '/root' });
    expect(env).toMatchObject({ PATH: '/bin', GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_INDEX_FILE: '/tmp/i', GIT_COMMITTER_NAME: 'nightshift', GIT_COMMITTER_EMAIL: 'nightshift@localhost' });
    expect(Object.keys(env)).not.toContain('GIT_DIR');
    expect(Object.keys(env)).not.toContain('DATABASE_URL');
    expect(Object.keys(env)).not.toContain('SSH_AUTH_SOCK');
    expect(env.HOME).toBe('/nonexistent');
  });
});

describe('ref names', () => {
  it('builds the refs of DESIGN.md section 5', () => {
    expect(integrationBranch('demo')).toBe('nightshift/demo');
    expect(candidateRef('demo', 't1', 2)).toBe('refs/nightshift/candidates/demo/t1/2');
    expect(landedRef('demo', 't1')).toBe('refs/nightshift/landed/demo/t1');
    expect(branchRef('nightshift/demo')).toBe('refs/heads/nightshift/demo');
  });

  it.each(['x.lock', 'x.', '.x', 'a..b', '', 'a/b', 'a b', '-x', 'a~1', 'a^', 'a:b'])('refuses %j as a ref component', (bad) => {
    expect(() => refPart(bad, 'task id')).toThrow(expect.objectContaining({ code: 'GIT_BAD_NAME' }));
  });

  it('refuses branch names git would refuse or misread', () => {
    for (const bad of ['nightshift//x', '/x', 'x/', 'nightshift/x.lock', '--force']) {
      expect(() => branchRef(bad)).toThrow(expect.objectContaining({ code: 'GIT_BAD_NAME' }));
    }
  });
});

describe('commitMessage', () => {
  const ids = { specId: 'demo', taskId: 't1', attempt: 2 };
  it('writes title, body and the three trailers as the last paragraph', () => {
    expect(commitMessage('Add a thing', 'Because.\r\nReally.', ids)).toBe('Add a thing\n\nBecause.\nReally.\n\nSpec-Id: demo\nTask-Id: t1\nAttempt: 2\n');
  });
  it('keeps the title on one line and falls back when it is empty', () => {
    expect(commitMessage('two\nlines', undefined, ids)).toBe('two lines\n\nSpec-Id: demo\nTask-Id: t1\nAttempt: 2\n');
    expect(commitMessage('  ', '', ids).split('\n')[0]).toBe('nightshift: demo/t1');
  });
});

describe('diff-tree -z parsers', () => {
  const z = (...parts: string[]): Buffer => Buffer.from(parts.join('\0') + '\0');
  it('reads raw records, renames included, with any byte in a path', () => {
    const raw = parseRaw(z(
      ':100644 100755 aaaa bbbb M', 'bin/tool.sh',
      ':100644 100644 cccc dddd R087', 'old\tname.txt', 'new\nname.txt',
      ':000000 120000 0000 eeee A', 'link',
    ));
    expect(raw).toEqual([
      { path: 'bin/tool.sh', status: 'M', oldMode: '100644', newMode: '100755', newBlob: 'bbbb' },
      { path: 'new\nname.txt', oldPath: 'old\tname.txt', status: 'R', oldMode: '100644', newMode: '100644', newBlob: 'dddd' },
      { path: 'link', status: 'A', oldMode: '000000', newMode: '120000', newBlob: 'eeee' },
    ]);
    const counts = parseNumstat(z('0\t0\tbin/tool.sh', '3\t1\t', 'old\tname.txt', 'new\nname.txt', '-\t-\timg.bin'));
    expect(counts.get('new\nname.txt')).toEqual({ added: 3, removed: 1 });
    expect(counts.get('img.bin')).toEqual({ added: null, removed: null });
    expect(joinStats(raw, counts).map((f) => [f.path, f.added, f.binary])).toEqual([
      ['bin/tool.sh', 0, false],
      ['new\nname.txt', 3, false],
      ['link', null, false],
    ]);
  });
});
