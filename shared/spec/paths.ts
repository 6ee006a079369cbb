/**
 * Checks on paths and names that a spec hands to git and to the file system.
 * A task's `files` and the review globs are relative to the repository root
 * and must stay inside it, whatever the platform.
 */

/**
 * Why `p` is not a safe repo-relative path or glob, or undefined when it is.
 * Rejects NUL and other control characters, backslashes, absolute paths
 * (`/x`, `C:x`), home paths (`~`) and any `..` segment.
 */
export function repoPathProblem(p: string): string | undefined {
  if (p.length === 0) return 'path is empty';
  if (p.includes('\0')) return 'path contains a NUL byte';
  if (/[\x01-\x1f\x7f]/.test(p)) return 'path contains a control character';
  if (p.includes('\\')) return `path '${p}' contains a backslash; use '/' as the separator`;
  if (p.startsWith('/')) return `path '${p}' is absolute; write it relative to the repository root`;
  if (/^[A-Za-z]:/.test(p)) return `path '${p}' starts with a drive letter; write it relative to the repository root`;
  if (p.startsWith('~')) return `path '${p}' starts with '~'; write it relative to the repository root`;
  if (p.split('/').includes('..')) return `path '${p}' has a '..' segment and could leave the repository`;
  return undefined;
}

/**
 * Why `name` is not a safe git branch name, or undefined when it is. Follows
 * `git check-ref-format --branch` and also refuses a leading '-', so a branch
 * can never be read as an option by a git command.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'branch name is empty';
  if (name.startsWith('-')) return `branch '${name}' starts with '-'`;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return `branch '${name}' contains a space, control character or one of ~ ^ : ? * [ \\`;
  if (name.includes('..') || name.includes('@{') || name === '@') return `branch '${name}' contains '..' or '@{' or is '@'`;
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return `branch '${name}' has an empty path component`;
  if (name.endsWith('.') || name.endsWith('.lock')) return `branch '${name}' ends with '.' or '.lock'`;
  if (name.split('/').some((part) => part.startsWith('.'))) return `branch '${name}' has a component starting with '.'`;
  return undefined;
}
