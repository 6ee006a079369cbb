/**
 * review() end to end over real `git diff --binary` output: the rejections
 * the issue asks for (AWS key, private key, CI workflow, outside
 * review.allow, over the size limit), plus binaries, renames, ownership and
 * the always-denied paths. Fake secrets are assembled at run time.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { formatFindings, review } from '../../shared/review/index.ts';
import type { Finding, ReviewOptions } from '../../shared/review/index.ts';
import { withRepo } from './review-repo.ts';

const base: ReviewOptions = { policy: {}, ownedFiles: ['**'], specsDir: 'specs' };
const rules = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.file}${f.line === undefined ? '' : `:${f.line}`} ${f.rule}`);

describe('review rejects what the issue names', () => {
  test('a diff that adds an AWS access key', async () => {
    await withRepo({ 'src/config.ts': 'export const region = "eu-west-1";\n' }, async (repo) => {
      await repo.write('src/config.ts', `export const region = "eu-west-1";\nexport const key = "${'AKIA' + 'IOSFODNN7' + 'EXAMPLE'}";\n`);
      const result = review(await repo.diff(), base);
      expect(result.approved).toBe(false);
      expect(result.findings).toEqual([
        { file: 'src/config.ts', line: 2, rule: 'aws-access-key-id', severity: 'block', message: 'src/config.ts:2: aws-access-key-id: an AWS access key id was added' },
      ]);
    });
  });

  test('a diff that adds a private key block', async () => {
    await withRepo({}, async (repo) => {
      const body = randomBytes(48).toString('base64');
      const pem = ['-----BEGIN ' + 'OPENSSH PRIVATE KEY-----', body, body, '-----END ' + 'OPENSSH PRIVATE KEY-----', ''].join('\n');
      await repo.write('deploy/id_ed25519', pem);
      const result = review(await repo.diff(), base);
      expect(result.approved).toBe(false);
      expect(rules(result.findings)).toContain('block deploy/id_ed25519:1 private-key');
    });
  });

  test('a diff that touches .github/workflows/, unless allowCi', async () => {
    await withRepo({}, async (repo) => {
      await repo.write('.github/workflows/ci.yml', 'on: push\njobs: {}\n');
      const diff = await repo.diff();
      const result = review(diff, base);
      expect(result.approved).toBe(false);
      expect(rules(result.findings)).toEqual(['block .github/workflows/ci.yml ci-config']);
      expect(review(diff, { ...base, policy: { allowCi: true } })).toEqual({ approved: true, findings: [] });
    });
  });

  test('a diff that touches a file outside review.allow, or inside review.deny', async () => {
    await withRepo({ 'src/a.ts': 'a\n', 'docs/x.md': 'x\n' }, async (repo) => {
      await repo.write('src/a.ts', 'b\n');
      await repo.write('docs/x.md', 'y\n');
      const result = review(await repo.diff(), { ...base, policy: { allow: ['src/**'], deny: ['src/*.ts'] } });
      expect(result.approved).toBe(false);
      expect(rules(result.findings)).toEqual(['block docs/x.md not-allowed', 'block src/a.ts denied']);
      expect(result.findings[1]!.message).toBe('src/a.ts: denied: the path matches the review.deny pattern "src/*.ts"');
    });
  });

  test('diffs over the size limits: file bytes, lines and file count', async () => {
    await withRepo({}, async (repo) => {
      await repo.write('src/big.txt', 'x'.repeat(99) + '\n' + 'y'.repeat(100) + '\n'); // 201 bytes
      await repo.write('src/small.txt', 'one\ntwo\n');
      const diff = await repo.diff();
      const result = review(diff, { ...base, policy: { maxFileBytes: 200, maxLines: 3, maxFiles: 1 } });
      expect(result.approved).toBe(false);
      expect(rules(result.findings)).toEqual(['block (diff) too-many-files', 'block (diff) too-many-lines', 'block src/big.txt file-too-large']);
      expect(result.findings[2]!.message).toBe('src/big.txt: file-too-large: the new content is 201 bytes; review.maxFileBytes is 200');
      expect(review(diff, { ...base, policy: { maxFileBytes: 201, maxLines: 4, maxFiles: 2 } }).approved).toBe(true);
    });
  });
});

describe('binaries', () => {
  test('a binary file is blocked unless allowBinary, and its literal size is held to maxFileBytes', async () => {
    await withRepo({}, async (repo) => {
      await repo.write('assets/logo.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]), randomBytes(2000)]));
      const diff = await repo.diff();
      expect(rules(review(diff, base).findings)).toEqual(['block assets/logo.png binary-file']);
      expect(review(diff, { ...base, policy: { allowBinary: true } }).approved).toBe(true);
      const tooBig = review(diff, { ...base, policy: { allowBinary: true, maxFileBytes: 2004 } });
      expect(rules(tooBig.findings)).toEqual(['block assets/logo.png file-too-large']);
    });
  });

  test('deleting a binary file is not adding one', async () => {
    await withRepo({ 'old.bin': Buffer.from([0, 1, 2, 0, 3]) }, async (repo) => {
      await repo.remove('old.bin');
      expect(review(await repo.diff(), base)).toEqual({ approved: true, findings: [] });
    });
  });
});

describe('paths', () => {
  test('a rename is checked on both names: ownership and deny', async () => {
    const body = Array.from({ length: 10 }, (_, i) => `l${i}`).join('\n') + '\n';
    await withRepo({ 'src/owned.ts': body, 'vendor/lib.ts': body + 'v\n' }, async (repo) => {
      await repo.remove('src/owned.ts');
      await repo.write('lib/moved.ts', body);
      await repo.remove('vendor/lib.ts');
      await repo.write('src/from-vendor.ts', body + 'v\n');
      const diff = await repo.diff();
      expect(diff).toContain('rename from src/owned.ts');
      const result = review(diff, { ...base, ownedFiles: ['src/'], policy: { deny: ['vendor/**'] } });
      expect(rules(result.findings)).toEqual([
        "block lib/moved.ts not-owned",
        'block vendor/lib.ts denied',
        'block vendor/lib.ts not-owned',
      ]);
    });
  });

  test('a task with no files owns nothing: every changed file is a finding', async () => {
    await withRepo({}, async (repo) => {
      await repo.write('a.ts', 'a\n');
      await repo.write('b/c.ts', 'c\n');
      const result = review(await repo.diff(), { ...base, ownedFiles: [] });
      expect(rules(result.findings)).toEqual(['block a.ts not-owned', 'block b/c.ts not-owned']);
      expect(result.findings[0]!.message).toContain('the task owns no files');
    });
  });

  test('owned files may be paths, folders or globs', async () => {
    await withRepo({}, async (repo) => {
      await repo.write('src/a.ts', 'a\n');
      await repo.write('lib/x/y.ts', 'y\n');
      await repo.write('test/a.test.ts', 't\n');
      await repo.write('README.md', 'r\n');
      const result = review(await repo.diff(), { ...base, ownedFiles: ['./src/a.ts', 'lib/x', 'test/**/*.test.ts'] });
      expect(rules(result.findings)).toEqual(['block README.md not-owned']);
    });
  });

  test('the specs folder is always denied, and symlinks may not leave the repository', async () => {
    await withRepo({}, async (repo) => {
      await repo.write('specs/active/x.yaml', 'id: x\n');
      await repo.symlink('../../etc/passwd', 'escape');
      await repo.symlink('src/a.ts', 'inside');
      await repo.write('src/a.ts', 'a\n');
      const result = review(await repo.diff(), base);
      expect(rules(result.findings)).toEqual(['block escape symlink', 'block specs/active/x.yaml specs-dir']);
    });
  });

  test.each([
    ['a nested .git folder', 'vendor/dep/.git/config', 'git-dir'],
    ['.git in another case', '.GIT/hooks/pre-commit', 'git-dir'],
    ['a path that climbs out', '../outside.txt', 'unsafe-path'],
    ['an absolute path', '/etc/cron.d/x', 'unsafe-path'],
    ['CI config in another case', '.GitHub/Workflows/x.yml', 'ci-config'],
    ['a GitLab pipeline', '.gitlab-ci.yml', 'ci-config'],
    ['a nested Jenkinsfile', 'tools/Jenkinsfile', 'ci-config'],
    ['a workflow whose name holds a newline', '.github/workflows/a\nb.yml', 'unsafe-path'],
  ])('hand-written diffs: %s is blocked', (_what, path, rule) => {
    // git quotes a name with a control character; JSON's \n escape is git's too
    const q = (p: string) => (/[\n"\\]/.test(p) ? JSON.stringify(p) : p);
    const diff = `diff --git ${q(`a/${path}`)} ${q(`b/${path}`)}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ ${q(`b/${path}`)}\n@@ -0,0 +1 @@\n+x\n`;
    const result = review(diff, base);
    expect(result.approved).toBe(false);
    expect(result.findings.map((f) => [f.file, f.rule])).toContainEqual([path, rule]);
  });
});

describe('the result', () => {
  test('an ordinary change is approved with no findings', async () => {
    await withRepo({ 'src/sum.ts': 'export const sum = (a: number, b: number) => a + b;\n' }, async (repo) => {
      await repo.write('src/sum.ts', 'export const sum = (a: number, b: number): number => a + b;\n');
      await repo.write('test/sum.test.ts', "import { sum } from '../src/sum.ts';\nconst id = '123e4567-e89b-12d3-a456-426614174000';\n");
      expect(review(await repo.diff(), { ...base, ownedFiles: ['src/**', 'test/**'] })).toEqual({ approved: true, findings: [] });
    });
  });

  test('a diff that does not parse is rejected, not thrown', () => {
    const result = review('this is not a diff\n', base);
    expect(result.approved).toBe(false);
    expect(rules(result.findings)).toEqual(['block (diff) malformed-diff']);
  });

  test('warnings alone do not reject; findings come sorted and print one per line', () => {
    const diff = [
      'diff --git a/z.ts b/z.ts', 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', '+++ b/z.ts',
      '@@ -0,0 +1,2 @@', '+const a = 1; // gitleaks:allow', `+const b = "${randomBytes(40).toString('base64')}";`,
      'diff --git a/a.ts b/a.ts', 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', '+++ b/a.ts',
      '@@ -0,0 +1 @@', '+x // nosec', '',
    ].join('\n');
    const result = review(diff, base);
    expect(result.approved).toBe(true);
    expect(formatFindings(result.findings)).toBe(
      [
        'warn a.ts:1: scanner-suppression: a comment that silences secret scanners was added; it does not silence this review',
        'warn z.ts:1: scanner-suppression: a comment that silences secret scanners was added; it does not silence this review',
        'warn z.ts:2: high-entropy-string: a random-looking base64 string was added (it may be a secret)',
      ].join('\n'),
    );
  });

  test('a file name with a newline cannot forge a finding line', () => {
    const diff = 'diff --git "a/x\\nblock y" "b/x\\nblock y"\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ "b/x\\nblock y"\n@@ -0,0 +1 @@\n+x\n';
    const result = review(diff, { ...base, ownedFiles: [] });
    expect(result.findings[0]!.file).toBe('x\nblock y');
    // picomatch's ** does not match a newline, so such a name is refused outright rather than left to the globs
    expect(formatFindings(result.findings).split('\n')).toEqual([
      'block "x\\nblock y": not-allowed: the path is outside review.allow',
      'block "x\\nblock y": not-owned: the task owns no files (its files list is empty), so it may not change any',
      'block "x\\nblock y": unsafe-path: the path is absolute, empty, holds a control character or leaves the repository',
    ]);
  });
});
