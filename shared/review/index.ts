/**
 * The deterministic review gate (DESIGN.md section 5, review-diff): secrets,
 * paths, binaries and size over a `git diff --binary`.
 */
export { review, reviewFiles } from './review.ts';
export { parseDiff } from './parse-diff.ts';
export { formatFindings, compareFindings } from './finding.ts';
export { scanSecrets, scanFile } from './secrets.ts';
export { checkPaths, CI_GLOBS, inGitDir, isSafePath } from './paths.ts';
export { checkLimits } from './limits.ts';
export { shannonEntropy, ENTROPY } from './entropy.ts';
export { REVIEW_DEFAULTS, WHOLE_DIFF } from './types.ts';
export type { AddedLine, DiffFile, DiffStatus, Finding, ReviewOptions, ReviewResult, RuleId, Severity } from './types.ts';
