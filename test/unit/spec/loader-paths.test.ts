import { describe, expect, it } from 'vitest';
import { branchNameProblem, repoPathProblem } from '../../../shared/spec/paths.ts';

describe('repoPathProblem', () => {
  it.each(['src/a.ts', 'src/**/*.ts', '**', './src', 'a..b/c', '.github/x', 'dir/file..txt'])('accepts %s', (p) => {
    expect(repoPathProblem(p)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['..', /'\.\.' segment/],
    ['src/../../x', /'\.\.' segment/],
    ['src/..', /'\.\.' segment/],
    ['/etc/passwd', /absolute/],
    ['C:/x', /drive letter/],
    ['c:x', /drive letter/],
    ['~/x', /'~'/],
    ['~root/x', /'~'/],
    ['src\\..\\x', /backslash/],
    ['a\0b', /NUL/],
    ['a\nb', /control character/],
  ])('rejects %j', (p, why) => {
    expect(repoPathProblem(p)).toMatch(why);
  });
});

describe('branchNameProblem', () => {
  it.each(['main', 'release/1.2', 'feature/x-y_z', 'v1.0'])('accepts %s', (b) => {
    expect(branchNameProblem(b)).toBeUndefined();
  });

  it.each(['', '-x', '--upload-pack=evil', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', 'a@{1}', '@', '/a', 'a/', 'a//b', 'a.', 'a.lock', '.a', 'a/.b'])(
    'rejects %j',
    (b) => {
      expect(branchNameProblem(b)).toBeDefined();
    },
  );
});
