/**
 * review-diff's work (reviewer): the deterministic gate over the diff, then
 * the spec's checks on the candidate tree, then the optional command
 * reviewer; approved work lands as one squash commit per task by a
 * compare-and-swap of the integration branch. When the branch moved, the
 * diff is integrated again onto the new head (and checked again) instead of
 * overwriting. Rejections fail the attempt with every finding.
 */
import { attempts as attemptsRepo, type Attempt, type AttemptsRepo } from '../db/index.ts';
import { NightshiftError } from '../errors.ts';
import type { FailureReason } from '../events/catalog.ts';
import { createExecutor, runChecks } from '../exec/index.ts';
import { createWorkspace, landedCommit, integrationBranch, landCommit, openRepo, resolveCommit, candidateRef } from '../git/index.ts';
import { recordResolution } from '../learn/index.ts';
import { formatFindings, review } from '../review/index.ts';
import type { FunctionContext, NsEvent } from '../runtime/types.ts';
import type { Spec, Task } from '../spec/schema.ts';
import { failedEvent, taskEvent, type TaskRef } from './emit.ts';
import { integrate } from './integrate.ts';
import { resolutionOf } from './resolution.ts';
import type { Services } from './services.ts';
import { LANDING_STATUSES, openTask, repoPathOf, specsDirInRepo } from './spec-file.ts';
import { reasonOf } from './repair.ts';
import { tail } from './text.ts';

const BY = 'review-diff';
/** Times the branch may move under one review before the event is handed back. @default 5 */
const MAX_REINTEGRATIONS = 5;

type Verdict = { ok: true; commit: string } | { ok: false; reason: FailureReason; error: string };

/** Handles `review.requested`. */
export async function reviewTask(event: NsEvent, ctx: FunctionContext): Promise<NsEvent[]> {
  const open = await openTask(event, ctx);
  if (!open) return [];
  const { services, ref, loaded, task } = open;
  if (task.status === 'completed') return [taskEvent('task.completed', ref, BY, ctx.now())];
  // Failed or blocked for good (given up, or cancelled by a person): nothing lands.
  if (!LANDING_STATUSES.includes(task.status)) return [];
  const { spec, file } = loaded;
  const db = await services.db();
  const attempts = attemptsRepo(db);
  const row = await attempts.get(ref);
  if (row?.status === 'failed') return [failedEvent(ref, reasonOf(row.reason), BY, ctx.now())];
  if (row?.status !== 'succeeded' || row.diff === null) return [];

  const repo = repoPathOf(spec, file);
  const ids = { specId: spec.id, taskId: task.id, attempt: ref.attempt };
  let commit = await landedCommit(await openRepo(repo), ids);
  if (!commit) {
    const verdict = await judge(services, spec, file, task, row, ctx);
    if (!verdict.ok) {
      await attempts.markFailed(ref, { reason: verdict.reason, error: verdict.error });
      ctx.log.info({ reason: verdict.reason }, 'review rejected the attempt');
      return [failedEvent(ref, verdict.reason, BY, ctx.now())];
    }
    commit = verdict.commit;
  }
  await services.store.update(file, (d) => {
    const now = d.spec.tasks.find((t) => t.id === ref.taskId);
    if (!now || now.attempts !== ref.attempt || !LANDING_STATUSES.includes(now.status)) return;
    if (now.status === 'in-progress') d.setTaskStatus(ref.taskId, 'diff-submitted');
    if (d.task(ref.taskId).status === 'diff-submitted') d.setTaskStatus(ref.taskId, 'in-review');
    d.setTaskStatus(ref.taskId, 'completed', { note: `landed ${commit.slice(0, 12)}`, lastError: null });
  });
  if (ref.attempt > 1) await recordResolution(db, { specId: spec.id, taskId: task.id, resolution: resolutionOf(row, await earlierErrors(attempts, ref)) });
  return [taskEvent('task.completed', ref, BY, ctx.now())];
}

/** Gate, checks, reviewer and landing, integrating again while the branch moves. */
async function judge(services: Services, spec: Spec, file: string, task: Task, row: Attempt, ctx: FunctionContext): Promise<Verdict> {
  const repo = repoPathOf(spec, file);
  const gate = review((row.diff ?? Buffer.alloc(0)).toString('utf8'), { policy: spec.review, ownedFiles: task.files, specsDir: specsDirInRepo(services, repo) });
  if (!gate.approved) return { ok: false, reason: 'review-rejected', error: `the review gate blocked the diff:\n${formatFindings(gate.findings)}` };
  const dirs = await openRepo(repo);
  const ids = { specId: spec.id, taskId: task.id, attempt: row.attempt };
  let candidate = await resolveCommit(dirs, candidateRef(spec.id, task.id, row.attempt));
  let onto = candidate && (await resolveCommit(dirs, `${candidate}^`));
  for (let round = 0; round <= MAX_REINTEGRATIONS; round++) {
    const head = await resolveCommit(dirs, `refs/heads/${integrationBranch(spec.id)}`);
    if (!candidate || !onto || onto !== head) {
      // Another reviewer of this same attempt (a redelivery, a repair) may have landed it meanwhile.
      const landed = await landedCommit(dirs, ids);
      if (landed) return { ok: true, commit: landed };
      const again = await integrate(spec, file, task, row);
      if (!again.ok) return { ok: false, reason: 'conflict', error: `the diff no longer applies to the integration branch: ${again.message}` };
      candidate = again.candidate;
      onto = again.onto;
    }
    const checked = await checkCandidate(services, spec, task, repo, candidate, row, ctx);
    if (checked) return checked;
    const landed = await landCommit(repo, integrationBranch(spec.id), { ids, candidate, expectedOld: onto, title: task.title, body: task.description?.split('\n')[0] });
    if (landed.ok) return { ok: true, commit: landed.commit };
    ctx.log.info({ current: landed.current }, 'the integration branch moved during review; integrating again');
    candidate = null;
  }
  throw new NightshiftError('GIT_FAILED', `the integration branch of ${spec.id} kept moving during ${MAX_REINTEGRATIONS} reviews of ${task.id}; the event will be redelivered`, { retryable: true });
}

/** The spec's checks and the optional command reviewer on the candidate tree; a failure verdict, or null when it passes. */
async function checkCandidate(services: Services, spec: Spec, task: Task, repo: string, candidate: string, row: Attempt, ctx: FunctionContext): Promise<Verdict | null> {
  const reviewer = spec.review.reviewer;
  if (spec.checks.length === 0 && !reviewer) return null;
  const ws = await createWorkspace(repo, candidate, services.settings.workspacesDir, { specId: spec.id, taskId: `${task.id}.review`, attempt: row.attempt });
  try {
    const checked = await runChecks(spec.checks, { cwd: ws.dir });
    if (!checked.ok) {
      const f = checked.failed;
      return { ok: false, reason: 'check-failed', error: `check '${f?.name ?? '?'}' failed on the integrated tree:\n${tail(f?.output ?? '', 8000)}` };
    }
    if (reviewer) {
      const prompt = `# Review task ${task.id}: ${task.title}\n\nExit 0 to approve, non-zero to reject (say why).\n\n\`\`\`diff\n${tail((row.diff ?? Buffer.alloc(0)).toString('utf8'), 200_000)}\n\`\`\`\n`;
      const run = await createExecutor(reviewer, { allowEnv: services.settings.agentAllowEnv, sandbox: services.settings.sandbox }).execute(
        { specId: spec.id, id: task.id, title: task.title, acceptance: task.acceptance, files: task.files, attempt: row.attempt },
        { workspace: ws.dir, prompt },
      );
      ctx.log.info({ ok: run.ok }, 'command reviewer finished');
      if (!run.ok) return { ok: false, reason: 'review-rejected', error: `the reviewer rejected the diff:\n${tail(run.output, 8000)}` };
    }
    return null;
  } finally {
    await ws.remove();
  }
}

async function earlierErrors(attempts: AttemptsRepo, ref: TaskRef): Promise<string[]> {
  const out: string[] = [];
  for (let n = 1; n < ref.attempt; n++) {
    const r = await attempts.get({ ...ref, attempt: n });
    if (r?.error) out.push(`${r.reason ?? 'failed'}: ${r.error}`);
  }
  return out;
}
