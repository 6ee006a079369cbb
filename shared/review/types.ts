/**
 * Types of the deterministic review gate: what `parseDiff` reads out of a
 * `git diff --binary` and what the rules report.
 */
import type { Review } from '../spec/schema.ts';

/** How a file changed, as git's extended headers say. `mode`: only the file mode changed. */
export type DiffStatus = 'added' | 'deleted' | 'modified' | 'renamed' | 'copied' | 'mode';

/** One `+` line of a hunk. */
export interface AddedLine {
  /** Line number in the new file (1-based). */
  line: number;
  /** The text without the leading `+` and without the newline (a CR of a CRLF file stays). */
  text: string;
}

/** One file of a diff. Paths are repository-relative, without git's `a/` `b/` prefixes. */
export interface DiffFile {
  /** `null` when the file is added (`/dev/null`). */
  oldPath: string | null;
  /** `null` when the file is deleted (`/dev/null`). */
  newPath: string | null;
  status: DiffStatus;
  /** A `GIT binary patch` or a `Binary files ... differ` line. */
  binary: boolean;
  addedLines: AddedLine[];
  removedCount: number;
  /** Bytes the `+` lines add, newlines included (for a new text file: its size). */
  addedBytes: number;
  /** Exact size of the new content of a binary patch (`literal <size>`, or read from a `delta`). */
  newSize?: number;
  /** The mode of the new file when the diff gives one (`100644`, `100755`, `120000` symlink, `160000` submodule). */
  newMode?: string;
  oldMode?: string;
}

export type Severity = 'block' | 'warn';

/** Rule ids a finding can carry. */
export type RuleId =
  // secrets
  | 'aws-access-key-id'
  | 'aws-secret-access-key'
  | 'private-key'
  | 'github-token'
  | 'gitlab-token'
  | 'slack-token'
  | 'slack-webhook'
  | 'stripe-secret-key'
  | 'google-api-key'
  | 'openai-api-key'
  | 'anthropic-api-key'
  | 'jwt'
  | 'generic-secret'
  | 'url-credentials'
  | 'high-entropy-string'
  | 'scanner-suppression'
  // paths
  | 'git-dir'
  | 'specs-dir'
  | 'ci-config'
  | 'not-allowed'
  | 'denied'
  | 'not-owned'
  | 'unsafe-path'
  | 'symlink'
  | 'submodule'
  // binaries and size
  | 'binary-file'
  | 'too-many-files'
  | 'too-many-lines'
  | 'file-too-large'
  // the diff itself
  | 'malformed-diff';

/** One problem the gate found. `message` is the whole printable line: `file:line: rule: what`. */
export interface Finding {
  /** Repository path, or {@link WHOLE_DIFF} for findings about the diff as a whole. */
  file: string;
  line?: number;
  rule: RuleId;
  severity: Severity;
  message: string;
}

/** The `file` of findings about the whole diff (file count, line count, a diff that does not parse). */
export const WHOLE_DIFF = '(diff)';

export interface ReviewOptions {
  /** The spec's `review` policy; unset fields take {@link REVIEW_DEFAULTS}. */
  policy: Review;
  /** The task's `files` (paths or globs). Empty: the task owns nothing, so every changed file is a finding. */
  ownedFiles: readonly string[];
  /** The specs folder relative to the repository root; undefined when the specs live outside the repository. */
  specsDir?: string | undefined;
}

export interface ReviewResult {
  /** True when no finding has severity `block`. */
  approved: boolean;
  /** Sorted by file, line, rule. */
  findings: Finding[];
}

/** The review policy's defaults, as ReviewSchema documents them. */
export const REVIEW_DEFAULTS = {
  allow: ['**'] as readonly string[],
  deny: [] as readonly string[],
  allowCi: false,
  maxFiles: 50,
  maxLines: 2000,
  maxFileBytes: 1024 * 1024,
  allowBinary: false,
} as const;
