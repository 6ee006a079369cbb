/**
 * Binaries and size: binary files unless allowed, too many files, too many
 * changed lines, and a file whose new content is too large.
 */
import { finding } from './finding.ts';
import type { DiffFile, Finding } from './types.ts';
import { WHOLE_DIFF } from './types.ts';

export interface Limits {
  allowBinary: boolean;
  maxFiles: number;
  maxLines: number;
  maxFileBytes: number;
}

/** Size and binary findings for the diff. */
export function checkLimits(files: readonly DiffFile[], limits: Limits): Finding[] {
  const out: Finding[] = [];
  if (files.length > limits.maxFiles) {
    out.push(finding(WHOLE_DIFF, undefined, 'too-many-files', 'block', `the diff changes ${files.length} files; review.maxFiles is ${limits.maxFiles}`));
  }
  const lines = files.reduce((n, f) => n + f.addedLines.length + f.removedCount, 0);
  if (lines > limits.maxLines) {
    out.push(finding(WHOLE_DIFF, undefined, 'too-many-lines', 'block', `the diff adds and removes ${lines} lines; review.maxLines is ${limits.maxLines}`));
  }
  for (const file of files) {
    if (file.newPath === null) continue; // a deletion adds nothing
    if (file.binary && !limits.allowBinary) {
      out.push(finding(file.newPath, undefined, 'binary-file', 'block', 'the diff adds or changes a binary file (review.allowBinary is off)'));
    }
    if (file.binary && limits.allowBinary && file.newSize === undefined) {
      out.push(finding(file.newPath, undefined, 'binary-file', 'block', 'the diff carries no binary data (make it with git diff --binary), so its size cannot be checked'));
    }
    const size = newSize(file);
    if (size !== undefined && size > limits.maxFileBytes) {
      out.push(finding(file.newPath, undefined, 'file-too-large', 'block', `the new content is ${size} bytes; review.maxFileBytes is ${limits.maxFileBytes}`));
    }
  }
  return out;
}

/**
 * The new file's size as far as the diff tells: exact for binary patches; for
 * text, the bytes the `+` lines add (exact for a new file, a lower bound for a
 * changed one, whose unchanged lines are not in the diff). Undefined for a
 * binary file git wrote without `--binary` ("Binary files ... differ").
 */
export function newSize(file: DiffFile): number | undefined {
  if (file.binary) return file.newSize;
  return file.addedBytes;
}
