/**
 * Path rules: what a diff may touch. Always denied: git's own data, the specs
 * folder, CI configuration (unless `allowCi`); then the spec's allow and deny
 * globs and the task's own files. Deny-style globs match case-insensitively
 * (a case-insensitive checkout would write `.GitHub/Workflows` to the same
 * place); allow-style globs match exactly, so they never widen.
 */
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { NightshiftError } from '../errors.ts';
import { finding } from './finding.ts';
import type { DiffFile, Finding } from './types.ts';

/** CI configuration of the common hosted CI services. */
export const CI_GLOBS: readonly string[] = [
  '.github/workflows/**', '.github/actions/**', '.gitlab-ci.yml', '.circleci/**', '**/Jenkinsfile',
  '.travis.yml', 'azure-pipelines.yml', '.azure-pipelines/**', '.buildkite/**', 'bitbucket-pipelines.yml',
  '.drone.yml', '.woodpecker.yml', '.woodpecker/**',
];

export interface PathPolicy {
  allow: readonly string[];
  deny: readonly string[];
  allowCi: boolean;
  ownedFiles: readonly string[];
  specsDir?: string | undefined;
}

type Matcher = (path: string) => boolean;

/** Path findings for every file of the diff. */
export function checkPaths(files: readonly DiffFile[], policy: PathPolicy): Finding[] {
  const specsDir = normalizeSpecsDir(policy.specsDir);
  const ci = picomatch([...CI_GLOBS], { dot: true, nocase: true });
  const denied = policy.deny.map((glob) => ({ glob, test: picomatch(glob, { dot: true, nocase: true }) }));
  const allowed = policy.allow.length === 0 ? () => false : picomatch([...policy.allow], { dot: true });
  const owned = ownership(policy.ownedFiles);
  const out: Finding[] = [];

  for (const file of files) {
    for (const path of touchedPaths(file)) {
      const hit = (rule: Finding['rule'], what: string) => out.push(finding(path, undefined, rule, 'block', what));
      if (!isSafePath(path)) hit('unsafe-path', 'the path is absolute, empty, holds a control character or leaves the repository');
      if (inGitDir(path)) hit('git-dir', "the diff changes git's own data (.git)");
      if (specsDir !== undefined && isUnder(path, specsDir)) hit('specs-dir', `the diff changes the specs folder (${specsDir})`);
      if (!policy.allowCi && ci(path)) hit('ci-config', 'the diff changes CI configuration (review.allowCi is off)');
      for (const d of denied) if (d.test(path)) hit('denied', `the path matches the review.deny pattern "${d.glob}"`);
      if (!allowed(path)) hit('not-allowed', 'the path is outside review.allow');
      if (owned === undefined) hit('not-owned', "the task owns no files (its files list is empty), so it may not change any");
      else if (!owned(path)) hit('not-owned', "the path is not among the task's files");
    }
    out.push(...checkSpecialModes(file, specsDir));
  }
  return out;
}

/**
 * Both names of a file (a rename touches both; for other changes they are the
 * same name or one is null), except a copy, which only reads its source.
 */
export function touchedPaths(file: DiffFile): string[] {
  const paths = file.status === 'copied' ? [file.newPath] : [file.oldPath, file.newPath];
  return [...new Set(paths.filter((p): p is string => p !== null))];
}

/** Symlinks must stay inside the repository and out of what is denied; submodules are never added by an agent. */
function checkSpecialModes(file: DiffFile, specsDir: string | undefined): Finding[] {
  const path = file.newPath;
  if (path === null) return [];
  if (file.newMode === '160000') return [finding(path, undefined, 'submodule', 'block', 'the diff adds or moves a submodule (gitlink)')];
  if (file.newMode !== '120000') return [];
  const target = file.addedLines[0]?.text;
  if (target === undefined) return [finding(path, undefined, 'symlink', 'warn', 'a symlink moved; its target is not in the diff')];
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (posix.isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) {
    return [finding(path, undefined, 'symlink', 'block', 'a symlink points outside the repository')];
  }
  if (inGitDir(resolved) || (specsDir !== undefined && isUnder(resolved, specsDir))) {
    return [finding(path, undefined, 'symlink', 'block', 'a symlink points into .git or the specs folder')];
  }
  return [];
}

/** A task's `files`: a glob, or a path that owns itself and, if a folder, everything under it. Undefined when it owns nothing. */
function ownership(entries: readonly string[]): Matcher | undefined {
  const globs = entries.map((e) => e.replace(/^(\.\/)+/, '')).filter((e) => e !== '');
  if (globs.length === 0) return undefined;
  const expanded = globs.flatMap((g) => (g.endsWith('/') ? [`${g}**`] : g.endsWith('/**') ? [g] : [g, `${g}/**`]));
  return picomatch(expanded, { dot: true });
}

/**
 * Repository-relative, no empty, `.` or `..` segment, no control character.
 * Control characters matter beyond taste: picomatch's `*` does not match a
 * newline, so `.github/workflows/a<LF>b.yml` would slip past the CI globs.
 */
export function isSafePath(path: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (path === '' || path.startsWith('/') || /[\u0000-\u001f\u007f]/.test(path) || /^[A-Za-z]:/.test(path)) return false;
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/**
 * Any segment named `.git`, as filesystems that fold case or drop trailing
 * dots and spaces (NTFS, HFS+) would read it, and NTFS's short name `git~1`.
 */
export function inGitDir(path: string): boolean {
  return path.split('/').some((s) => {
    const name = s.toLowerCase().replace(/[. ]+$/, '');
    return name === '.git' || name === 'git~1';
  });
}

function isUnder(path: string, dir: string): boolean {
  const p = path.toLowerCase();
  const d = dir.toLowerCase();
  return p === d || p.startsWith(`${d}/`);
}

function normalizeSpecsDir(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  const d = posix.normalize(dir).replace(/\/+$/, '');
  if (d === '.' || d === '' || !isSafePath(d)) {
    throw new NightshiftError('CONFIG_INVALID', `review: specsDir "${dir}" must be a folder inside the repository (relative, no ".."); pass undefined when the specs live outside it`);
  }
  return d;
}
