/**
 * learn-from-failure's work (junior developer): record the failure, embed its
 * normalised text, find similar past failures that were later resolved, and
 * decide. Retry: after a backoff with jitter, the task goes back to
 * `assigned` with the next attempt, whose prompt gets the previous error and
 * the hints. Give up: the task is `failed` for good and on-spec-created
 * (woken by `spec.updated`) blocks its dependents and ends the spec.
 */
import { attempts as attemptsRepo, retries as retriesRepo } from '../db/index.ts';
import { buildHints, decideRetry, recordAndFindSimilar } from '../learn/index.ts';
import type { FunctionContext, NsEvent } from '../runtime/types.ts';
import { failureOf, specUpdated, taskEvent, type TaskRef } from './emit.ts';
import { reasonOf } from './repair.ts';
import { loadForEvent, servicesOf, taskOf } from './spec-file.ts';
import { tail } from './text.ts';

const BY = 'learn-from-failure';
/** Longest error kept in the spec file's `lastError`. @default 2000 characters */
const MAX_LAST_ERROR = 2000;

/** Handles `task.failed`. */
export async function learn(event: NsEvent, ctx: FunctionContext): Promise<NsEvent[]> {
  const services = servicesOf(ctx);
  const ping = failureOf(event);
  const ref: TaskRef = { specId: ping.specId, path: ping.path, taskId: ping.taskId, attempt: ping.attempt };
  if (ctx.dryRun) return [];
  const loaded = await loadForEvent(services, ref);
  const task = loaded && taskOf(loaded.spec, ref.taskId);
  if (!loaded || !task) return [];
  if (task.attempts !== ref.attempt || task.status === 'completed' || task.status === 'failed' || task.status === 'blocked') {
    ctx.log.info({ status: task.status, attempts: task.attempts }, 'stale task.failed: the task has moved on');
    return [];
  }
  const db = await services.db();
  const attempts = attemptsRepo(db);
  let row = await attempts.get(ref);
  if (row && row.status !== 'failed') {
    // A dead letter: the stage never finished the attempt. Close it so a late worker is refused.
    await attempts.markFailed(ref, { reason: ping.reason, error: `the ${ping.reason} of attempt ${ref.attempt}: its events could not be delivered` });
    row = await attempts.get(ref);
  }
  const reason = row?.reason ? reasonOf(row.reason) : ping.reason;
  const error = row?.error ?? `attempt ${ref.attempt} failed (${reason})`;
  const agent = (task.agent ?? loaded.spec.agent)?.kind;
  const recorded = await recordAndFindSimilar(db, services.embedder, { specId: ref.specId, taskId: ref.taskId, attempt: ref.attempt, reason, error, ...(agent ? { agent } : {}) });
  if (recorded.searchSkipped) ctx.log.warn({ err: recorded.searchSkipped }, 'similar-failure search skipped; retrying without hints');

  const retries = retriesRepo(db);
  const maxAttempts = task.maxAttempts ?? 3;
  let decision = (await retries.list(ref.specId, ref.taskId)).find((r) => r.attempt === ref.attempt);
  if (!decision) {
    const d = decideRetry({ reason, attempt: ref.attempt, maxAttempts, random: services.random, baseMs: services.settings.retryBaseMs, capMs: services.settings.retryCapMs });
    const hints = d.decision === 'retry' ? buildHints(recorded.similar) : [];
    await retries.record({ specId: ref.specId, taskId: ref.taskId, attempt: ref.attempt, decision: d.decision, delayMs: d.decision === 'retry' ? d.delayMs : 0, hints });
    decision = (await retries.list(ref.specId, ref.taskId)).find((r) => r.attempt === ref.attempt);
  }
  if (!decision) throw new Error(`the retry decision of ${ref.specId}/${ref.taskId}/${ref.attempt} was not stored`);
  const lastError = tail(`${reason}: ${error}`, MAX_LAST_ERROR);

  if (decision.decision === 'give-up') {
    const result = await services.store.update(loaded.file, (d) => {
      const now = d.task(ref.taskId);
      if (now.attempts !== ref.attempt || ['completed', 'failed', 'blocked'].includes(now.status)) return;
      d.setTaskStatus(ref.taskId, 'failed', { lastError, note: `gave up after attempt ${ref.attempt} of ${maxAttempts} (${reason})` });
    });
    ctx.log.info({ reason }, 'task failed for good');
    return result.changed ? [specUpdated(ref.specId, ref.path, result.hash, BY, ctx.now())] : [];
  }

  const waited = ctx.now().getTime() - decision.at.getTime();
  if (decision.delayMs > waited) await services.sleep(decision.delayMs - waited);
  const next = ref.attempt + 1;
  await attempts.create(ref.specId, ref.taskId, next);
  const result = await services.store.update(loaded.file, (d) => {
    const now = d.task(ref.taskId);
    if (now.attempts !== ref.attempt || ['completed', 'failed', 'blocked'].includes(now.status)) return;
    d.setTaskStatus(ref.taskId, 'failed', { lastError, note: `attempt ${ref.attempt} failed (${reason}); retrying` });
    d.setTaskStatus(ref.taskId, 'assigned', { attempts: next, note: `attempt ${next} with ${decision.hints.length} hint(s)` });
  });
  if (!result.changed && taskOf(result.spec, ref.taskId)?.attempts !== next) return [];
  ctx.log.info({ next, delayMs: decision.delayMs, hints: decision.hints.length }, 'retrying the task');
  return [taskEvent('task.assigned', { ...ref, attempt: next }, BY, ctx.now())];
}
