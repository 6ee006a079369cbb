/**
 * collect-diff's work (git manager): apply the task's stored diff onto the
 * current integration head in a private index (three-way when the base
 * moved); a clean apply becomes a candidate commit on a private ref and
 * `review-requested`; a conflict fails the attempt with reason `conflict`,
 * and the retry re-runs the task on the new head.
 */
import { attempts as attemptsRepo, type Attempt } from '../db/index.ts';
import { applyDiff, commitTree, ensureBranch, landedCommit, integrationBranch, openRepo, writeCandidate } from '../git/index.ts';
import type { FunctionContext, NsEvent } from '../runtime/types.ts';
import type { Spec, Task } from '../spec/schema.ts';
import { failedEvent, taskEvent, type TaskRef } from './emit.ts';
import { LANDING_STATUSES, openTask, repoPathOf } from './spec-file.ts';
import { reasonOf } from './repair.ts';

const BY = 'collect-diff';

export type Integration = { ok: true; candidate: string; onto: string } | { ok: false; files: string[]; message: string };

/** Applies the attempt's diff onto the head of the spec's integration branch and keeps the result as a candidate commit. */
export async function integrate(spec: Spec, file: string, task: Task, row: Attempt): Promise<Integration> {
  const repo = repoPathOf(spec, file);
  const onto = (await ensureBranch(repo, integrationBranch(spec.id), spec.repo.base)).head;
  const applied = await applyDiff(repo, { diff: row.diff ?? Buffer.alloc(0), onto, baseSha: row.baseSha ?? onto });
  if (!applied.ok) return { ok: false, files: applied.files, message: applied.message };
  const candidate = await commitTree(repo, applied.tree, onto, `${task.title}\n\nCandidate of ${spec.id}/${task.id} attempt ${row.attempt}\n`);
  await writeCandidate(repo, { specId: spec.id, taskId: task.id, attempt: row.attempt }, candidate);
  return { ok: true, candidate, onto };
}

/** Handles `diff.submitted`. */
export async function collect(event: NsEvent, ctx: FunctionContext): Promise<NsEvent[]> {
  const open = await openTask(event, ctx);
  if (!open) return [];
  const { services, ref, loaded, task } = open;
  // Completed, or failed / blocked for good (given up, or cancelled by a person): nothing to integrate.
  if (!LANDING_STATUSES.includes(task.status)) return [];
  const attempts = attemptsRepo(await services.db());
  const row = await attempts.get(ref);
  if (row?.status === 'failed') return [failedEvent(ref, reasonOf(row.reason), BY, ctx.now())];
  if (row?.status !== 'succeeded' || row.diff === null) {
    ctx.log.warn({ status: row?.status }, 'diff.submitted for an attempt with no stored diff; ignored');
    return [];
  }
  const dirs = await openRepo(repoPathOf(loaded.spec, loaded.file));
  if (await landedCommit(dirs, ref)) {
    // The task is on the branch already (a review finished before a crash): review-diff only records it.
    return [taskEvent('review.requested', ref, BY, ctx.now())];
  }
  const result = await integrate(loaded.spec, loaded.file, task, row);
  // A duplicate diff.submitted may pass the check above just before this attempt's own review lands it; its diff then
  // does not apply onto the branch that holds it. That is no conflict, and must not fail the attempt that landed.
  if (!result.ok && (await landedCommit(dirs, ref))) return [taskEvent('review.requested', ref, BY, ctx.now())];
  if (!result.ok) {
    const error = `the diff conflicts with the integration branch${result.files.length ? ` in ${result.files.join(', ')}` : ''}: ${result.message}`;
    await attempts.markFailed(ref, { reason: 'conflict', error });
    ctx.log.info({ files: result.files }, 'conflict');
    return [failedEvent(ref, 'conflict', BY, ctx.now())];
  }
  await services.store.update(loaded.file, (d) => {
    const now = d.spec.tasks.find((t) => t.id === ref.taskId);
    if (!now || now.attempts !== ref.attempt) return;
    if (now.status === 'in-progress') d.setTaskStatus(ref.taskId, 'diff-submitted');
    if (d.spec.tasks.find((t) => t.id === ref.taskId)?.status === 'diff-submitted') d.setTaskStatus(ref.taskId, 'in-review', { note: `candidate ${result.candidate.slice(0, 12)} on ${result.onto.slice(0, 12)}` });
  });
  return [taskEvent('review.requested', ref, BY, ctx.now())];
}
