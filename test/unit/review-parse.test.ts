/**
 * parseDiff over real `git diff --binary` output from temp repositories, and
 * over hand-written text for the corners git rarely writes.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { NightshiftError } from '../../shared/errors.ts';
import { parseDiff } from '../../shared/review/index.ts';
import { withRepo } from './review-repo.ts';

describe('parseDiff on real git output', () => {
  test('added, modified and deleted text files, with new-file line numbers', async () => {
    await withRepo({ 'a.txt': 'one\ntwo\nthree\n', 'gone.txt': 'bye\n' }, async (repo) => {
      await repo.write('a.txt', 'one\nTWO\nthree\nfour\n');
      await repo.write('src/new.ts', 'export const x = 1;\n');
      await repo.remove('gone.txt');
      const files = parseDiff(await repo.diff());
      expect(files.map((f) => [f.status, f.oldPath, f.newPath])).toEqual([
        ['modified', 'a.txt', 'a.txt'],
        ['deleted', 'gone.txt', null],
        ['added', null, 'src/new.ts'],
      ]);
      const [a, gone, added] = files;
      expect(a!.addedLines).toEqual([{ line: 2, text: 'TWO' }, { line: 4, text: 'four' }]);
      expect(a!.removedCount).toBe(1);
      expect(gone!.removedCount).toBe(1);
      expect(added!.addedBytes).toBe(Buffer.byteLength('export const x = 1;\n'));
      expect(added!.newMode).toBe('100644');
    });
  });

  test('a rename with changes keeps both names; a pure rename has no lines', async () => {
    const body = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') + '\n';
    await withRepo({ 'old/name.ts': body, 'keep.ts': body.replace(/line/g, 'row') }, async (repo) => {
      await repo.remove('old/name.ts');
      await repo.write('new/name.ts', body.replace('line 5', 'line five'));
      await repo.remove('keep.ts');
      await repo.write('moved.ts', body.replace(/line/g, 'row'));
      const files = parseDiff(await repo.diff());
      const renamed = files.find((f) => f.newPath === 'new/name.ts')!;
      expect(renamed).toMatchObject({ status: 'renamed', oldPath: 'old/name.ts', removedCount: 1 });
      expect(renamed.addedLines).toEqual([{ line: 6, text: 'line five' }]);
      expect(files.find((f) => f.newPath === 'moved.ts')).toMatchObject({ status: 'renamed', oldPath: 'keep.ts', addedLines: [], removedCount: 0 });
    });
  });

  test('a copy found by git diff -C -C', async () => {
    const body = Array.from({ length: 20 }, (_, i) => `copy me ${i}`).join('\n') + '\n';
    await withRepo({ 'orig.txt': body }, async (repo) => {
      await repo.write('dup.txt', body);
      const [file] = parseDiff(await repo.diff('-C', '-C'));
      expect(file).toMatchObject({ status: 'copied', oldPath: 'orig.txt', newPath: 'dup.txt' });
    });
  });

  test('a mode change alone, and a symlink with its target as the added line', async () => {
    await withRepo({ 'run.sh': 'echo hi\n' }, async (repo) => {
      await repo.chmod('run.sh', 0o755);
      await repo.symlink('../outside', 'link');
      const files = parseDiff(await repo.diff());
      expect(files.find((f) => f.newPath === 'run.sh')).toMatchObject({ status: 'mode', oldMode: '100644', newMode: '100755' });
      const link = files.find((f) => f.newPath === 'link')!;
      expect(link).toMatchObject({ status: 'added', newMode: '120000', addedBytes: '../outside'.length });
      expect(link.addedLines).toEqual([{ line: 1, text: '../outside' }]);
    });
  });

  test('binary files: a literal gives the new size, and a delta is decoded for it', async () => {
    const big = randomBytes(8192);
    await withRepo({ 'data.bin': big }, async (repo) => {
      const changed = Buffer.from(big);
      changed.write('\0changed\0', 4000, 'latin1');
      const grown = Buffer.concat([changed, Buffer.from('tail\0')]);
      await repo.write('data.bin', grown);
      await repo.write('img/new.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]), randomBytes(300)]));
      const text = await repo.diff();
      expect(text).toContain('GIT binary patch');
      expect(text).toMatch(/^delta \d+$/m); // the small change to a large file is sent as a delta
      const files = parseDiff(text);
      expect(files.find((f) => f.newPath === 'data.bin')).toMatchObject({ status: 'modified', binary: true, newSize: grown.length });
      expect(files.find((f) => f.newPath === 'img/new.png')).toMatchObject({ status: 'added', binary: true, newSize: 305 });
    });
  });

  test('quoted paths (space, quote, tab, non-ASCII) come back as the real names', async () => {
    const names = ['sp ace.txt', 'qu"ote.txt', 'tab\there.txt', 'café/ünï.txt'];
    await withRepo({}, async (repo) => {
      for (const n of names) await repo.write(n, 'x\n');
      const text = await repo.diff();
      expect(text).toContain('"b/caf\\303\\251/\\303\\274n\\303\\257.txt"');
      expect(parseDiff(text).map((f) => f.newPath).sort()).toEqual([...names].sort());
    });
  });

  test('no newline at end of file, CRLF lines, and file text that looks like diff headers', async () => {
    await withRepo({ 'end.txt': 'a\nb' }, async (repo) => {
      await repo.write('end.txt', 'a\nc');
      await repo.write('crlf.txt', 'one\r\ntwo\r\n');
      await repo.write('tricky.patch', 'diff --git a/x b/y\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-old\n+new\n');
      const files = parseDiff(await repo.diff());
      const end = files.find((f) => f.newPath === 'end.txt')!;
      expect(end.addedLines).toEqual([{ line: 2, text: 'c' }]);
      expect(end.addedBytes).toBe(1);
      expect(files.find((f) => f.newPath === 'crlf.txt')!.addedLines[0]).toEqual({ line: 1, text: 'one\r' });
      const tricky = files.find((f) => f.newPath === 'tricky.patch')!;
      expect(tricky.addedLines.map((l) => l.text)).toEqual(['diff --git a/x b/y', '--- a/x', '+++ b/y', '@@ -1 +1 @@', '-old', '+new']);
      expect(files).toHaveLength(3);
    });
  });
});

describe('parseDiff on hand-written text', () => {
  test('hunk counts may be omitted (@@ -1 +1 @@)', () => {
    const [f] = parseDiff('diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n');
    expect(f).toMatchObject({ status: 'modified', removedCount: 1, addedLines: [{ line: 1, text: 'b' }] });
  });

  test('quoted names with octal and C escapes in every header', () => {
    const text = [
      'diff --git "a/old\\tname" "b/new \\"n\\"\\303\\251"',
      'similarity index 90%',
      'rename from "old\\tname"',
      'rename to "new \\"n\\"\\303\\251"',
      '--- "a/old\\tname"',
      '+++ "b/new \\"n\\"\\303\\251"',
      '@@ -1,2 +1,2 @@',
      ' keep',
      '-x',
      '+y',
      '',
    ].join('\n');
    expect(parseDiff(text)[0]).toMatchObject({ status: 'renamed', oldPath: 'old\tname', newPath: 'new "n"é' });
  });

  test('/dev/null sides and an empty new file without hunks', () => {
    const text = 'diff --git a/empty b/empty\nnew file mode 100644\nindex 0000000..e69de29\n';
    expect(parseDiff(text)).toEqual([
      { oldPath: null, newPath: 'empty', status: 'added', binary: false, addedLines: [], removedCount: 0, addedBytes: 0, newMode: '100644' },
    ]);
  });

  test('"Binary files ... differ" marks a binary file with no known size', () => {
    const [f] = parseDiff('diff --git a/p.png b/p.png\nindex 1..2 100644\nBinary files a/p.png and b/p.png differ\n');
    expect(f).toMatchObject({ binary: true, newPath: 'p.png' });
    expect(f!.newSize).toBeUndefined();
  });

  test('an empty diff has no files', () => {
    expect(parseDiff('')).toEqual([]);
  });

  test.each([
    ['text before the first header', 'hello\ndiff --git a/x b/x\n'],
    ['a hunk shorter than its counts', 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n'],
    ['a line that does not fit the counts', 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n-b\n'],
    ['a path without the b/ prefix', 'diff --git a/x b/x\n--- a/x\n+++ x\n@@ -1 +1 @@\n-a\n+b\n'],
    ['a broken quoted path', 'diff --git "a/x b/x\n'],
    ['a bad escape', 'diff --git "a/\\q" "b/\\q"\n'],
    ['a corrupt binary delta', 'diff --git a/b b/b\nindex 1..2 100644\nGIT binary patch\ndelta 12\nzcmV?d00001\n\n'],
  ])('refuses %s with DIFF_INVALID', (_what, text) => {
    let error: unknown;
    try {
      parseDiff(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NightshiftError);
    expect((error as NightshiftError).code).toBe('DIFF_INVALID');
    expect((error as NightshiftError).message).toMatch(/^diff line \d+: /);
  });
});
