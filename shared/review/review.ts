/**
 * The deterministic review gate: parse the diff, run the secret, path and
 * size rules, and approve only when no finding blocks. It reads nothing but
 * its arguments, so the same diff and policy always give the same answer.
 */
import { NightshiftError } from '../errors.ts';
import { compareFindings, finding } from './finding.ts';
import { checkLimits } from './limits.ts';
import { parseDiff } from './parse-diff.ts';
import { checkPaths } from './paths.ts';
import { scanSecrets } from './secrets.ts';
import type { DiffFile, Finding, ReviewOptions, ReviewResult } from './types.ts';
import { REVIEW_DEFAULTS, WHOLE_DIFF } from './types.ts';

/**
 * Reviews `git diff --binary` output against the spec's review policy and the
 * task's files. A diff the parser cannot read is not an error but a blocking
 * `malformed-diff` finding: the gate fails closed. Throws CONFIG_INVALID only
 * for a bad `specsDir`.
 */
export function review(diffText: string, options: ReviewOptions): ReviewResult {
  let files: DiffFile[];
  try {
    files = parseDiff(diffText);
  } catch (err) {
    if (!(err instanceof NightshiftError) || err.code !== 'DIFF_INVALID') throw err;
    return decide([finding(WHOLE_DIFF, undefined, 'malformed-diff', 'block', err.message)]);
  }
  return decide(reviewFiles(files, options));
}

/** The rules over an already parsed diff. */
export function reviewFiles(files: readonly DiffFile[], options: ReviewOptions): Finding[] {
  const p = options.policy;
  return [
    ...scanSecrets(files),
    ...checkPaths(files, {
      allow: p.allow ?? REVIEW_DEFAULTS.allow,
      deny: p.deny ?? REVIEW_DEFAULTS.deny,
      allowCi: p.allowCi ?? REVIEW_DEFAULTS.allowCi,
      ownedFiles: options.ownedFiles,
      specsDir: options.specsDir,
    }),
    ...checkLimits(files, {
      allowBinary: p.allowBinary ?? REVIEW_DEFAULTS.allowBinary,
      maxFiles: p.maxFiles ?? REVIEW_DEFAULTS.maxFiles,
      maxLines: p.maxLines ?? REVIEW_DEFAULTS.maxLines,
      maxFileBytes: p.maxFileBytes ?? REVIEW_DEFAULTS.maxFileBytes,
    }),
  ];
}

function decide(findings: Finding[]): ReviewResult {
  const sorted = [...findings].sort(compareFindings);
  return { approved: !sorted.some((f) => f.severity === 'block'), findings: sorted };
}
