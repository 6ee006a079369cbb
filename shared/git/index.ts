/**
 * Git plumbing for develop-task, collect-diff and review-diff
 * (DESIGN.md section 5; choices in docs/decisions/workspaces.md).
 */
export { applyDiff, commitTree, writeCandidate, type ApplyInput, type ApplyResult } from './apply.ts';
export { ensureBranch, head, resolveCommit } from './branch.ts';
export { captureDiff, type CapturedDiff, type ChangedFile } from './diff.ts';
export { commitMessage, findLanded, landCommit, landedCommit, trailers, type LandInput, type LandResult, type TaskIds } from './land.ts';
export { candidateRef, integrationBranch, landedRef, openRepo, type RepoDirs } from './repo.ts';
export { cleanGitEnv, git, gitText, NIGHTSHIFT_IDENTITY, type GitOptions, type GitResult } from './run.ts';
export { sweepWorkspaces, type OrphanInfo, type SweepOptions } from './sweep.ts';
export { createWorkspace, type Workspace, type WorkspaceLabel } from './workspace.ts';
