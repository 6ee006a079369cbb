/**
 * on-spec-created's work (spec manager + project lead), level-triggered: on
 * any spec event it reads the spec and the attempts, and brings what runs in
 * line with what should: reject a bad spec, plan, block, dispatch, repair
 * lost events, finish and archive. Running it twice on the same state writes
 * nothing and dispatches nothing new.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { attempts as attemptsRepo } from '../db/index.ts';
import { asNightshiftError, NightshiftError } from '../errors.ts';
import { EVENTS } from '../events/catalog.ts';
import { makeEvent } from '../events/cloudevent.ts';
import { ensureBranch, integrationBranch, sweepWorkspaces } from '../git/index.ts';
import type { FunctionContext, NsEvent } from '../runtime/types.ts';
import { formatProblem, SpecInvalidError, type ParsedSpec, type SpecProblem } from '../spec/loader.ts';
import type { Spec } from '../spec/schema.ts';
import type { SpecDraft } from '../spec/store.ts';
import { failedEvent, taskEvent, type TaskRef } from './emit.ts';
import { ACTIVE_TASK_STATUSES } from '../spec/state.ts';
import { planTasks, type Plan } from './plan.ts';
import { dueRepairs } from './repair.ts';
import type { Services } from './services.ts';
import { repoPathOf, servicesOf, specFileOf } from './spec-file.ts';

const BY = 'on-spec-created';

/** Handles one spec or task event for on-spec-created. */
export async function reconcile(event: NsEvent, ctx: FunctionContext): Promise<NsEvent[]> {
  const services = servicesOf(ctx);
  const ping = event.data as { specId: string; path: string };
  const file = specFileOf(services, ping.path);
  let parsed: ParsedSpec;
  try {
    parsed = await services.store.read(file);
  } catch (err) {
    if (err instanceof NightshiftError && err.code === 'SPEC_NOT_FOUND') {
      ctx.log.info({ path: ping.path }, 'the spec file is gone; nothing to do');
      return [];
    }
    if (err instanceof SpecInvalidError) return ctx.dryRun ? [] : reject(services, file, ping, err.problems, ctx);
    throw err;
  }
  const spec = parsed.spec;
  const ref = { specId: spec.id, path: ping.path };
  if (spec.status === 'completed') return ctx.dryRun ? [] : finishCompleted(services, file, ref, ctx);
  if (['pending', 'planning', 'rejected'].includes(spec.status)) {
    const problem = await checkRepo(spec, file);
    if (problem) return ctx.dryRun ? [] : reject(services, file, ref, [problem], ctx);
  }
  if (ctx.dryRun) {
    return planTasks(spec.tasks).dispatch.map((d) => taskEvent('task.assigned', { ...ref, ...d }, BY, ctx.now()));
  }

  let plan: Plan = { block: [], unblock: [], dispatch: [] };
  let result;
  try {
    result = await services.store.update(file, (draft) => {
      plan = applyPlan(draft);
    });
  } catch (err) {
    // Another reconcile finished and archived the spec between the read and the update.
    if (err instanceof NightshiftError && err.code === 'SPEC_NOT_FOUND') return [];
    throw err;
  }
  const out: NsEvent[] = [];
  const db = await services.db();
  const attempts = attemptsRepo(db);
  await attempts.createMany(spec.id, plan.dispatch);
  for (const d of plan.dispatch) out.push(taskEvent('task.assigned', { ...ref, ...d }, BY, ctx.now()));
  const now = result.spec;
  if (now.status === 'completed') return [...out, ...(await finishCompleted(services, file, ref, ctx))];
  if (now.status === 'failed') {
    await sweepSpec(services, now, file, ctx);
    return [...out, failedSpecEvent(now, ref, ctx)];
  }
  // Repairs look at the clock: only the reconcile's own rounds (and task events) pay for the attempts query, not every file write.
  if (!isFileChange(event)) out.push(...(await repairs(services, now, ref, plan, ctx)));
  if (plan.dispatch.length) ctx.log.info({ dispatched: plan.dispatch.map((d) => d.taskId) }, 'tasks dispatched');
  return out;
}

/** True for a watcher's report of a changed file (not a reconcile round, not a task event). */
function isFileChange(event: NsEvent): boolean {
  return (event.type === EVENTS['spec.updated'].type || event.type === EVENTS['spec.created'].type) && !event.id.includes('/reconcile/');
}

/** Stages the plan's moves in the draft and returns the plan made on the state under the lock. */
function applyPlan(draft: SpecDraft): Plan {
  const s = draft.spec;
  if (s.status === 'completed') return { block: [], unblock: [], dispatch: [] };
  if (s.status === 'rejected') draft.setSpecStatus('pending', 'the spec is valid again');
  if (draft.spec.status === 'pending') draft.setSpecStatus('planning');
  if (draft.spec.status === 'planning') draft.setSpecStatus('in-progress', `planned ${s.tasks.length} task(s)`);
  const plan = planTasks(draft.spec.tasks);
  if (draft.spec.status === 'failed' && plan.outcome === undefined) draft.setSpecStatus('in-progress', 'a task is being retried');
  for (const id of plan.unblock) draft.setTaskStatus(id, 'pending', { note: 'its dependencies are no longer failed' });
  for (const b of plan.block) draft.setTaskStatus(b.taskId, 'blocked', { note: b.because });
  for (const d of plan.dispatch) draft.setTaskStatus(d.taskId, 'assigned', { attempts: d.attempt, note: `attempt ${d.attempt}` });
  if (plan.outcome === 'completed') draft.setSpecStatus('completed', 'every task completed');
  if (plan.outcome === 'failed' && draft.spec.status !== 'failed') {
    const bad = draft.spec.tasks.filter((t) => t.status === 'failed').map((t) => t.id);
    draft.setSpecStatus('failed', `failed: ${bad.join(', ') || 'none'}; the others completed or are blocked`);
  }
  return plan;
}

/** Problems with the target repository or its base branch, as a spec problem; creates the integration branch when it can. */
async function checkRepo(spec: Spec, file: string): Promise<SpecProblem | undefined> {
  try {
    await ensureBranch(repoPathOf(spec, file), integrationBranch(spec.id), spec.repo.base);
    return undefined;
  } catch (err) {
    const e = asNightshiftError(err);
    if (!['CONFIG_INVALID', 'GIT_FAILED', 'GIT_BAD_NAME'].includes(e.code)) throw err;
    return { file, field: 'repo', kind: 'path', message: `${e.message.split('\n')[0]} (repo.path is resolved against the spec file's folder)` };
  }
}

async function reject(services: Services, file: string, ping: { specId: string; path: string }, problems: SpecProblem[], ctx: FunctionContext): Promise<NsEvent[]> {
  const r = await services.store.markRejected(file, problems);
  const errors = r.problems.slice(0, 50).map((p) => formatProblem({ ...p, file: ping.path }).slice(0, 2000));
  ctx.log.warn({ errors, where: r.where }, 'spec rejected');
  const hash = createHash('sha256').update(errors.join('\n')).digest('hex').slice(0, 32);
  return [makeEvent('spec.failed', { specId: ping.specId, path: ping.path, hash, errors }, { source: `/nightshift/${BY}`, time: ctx.now() })];
}

function failedSpecEvent(spec: Spec, ref: { specId: string; path: string }, ctx: FunctionContext): NsEvent {
  const bad = spec.tasks.filter((t) => t.status === 'failed');
  const errors = bad.slice(0, 50).map((t) => `task ${t.id} failed after ${t.attempts} attempt(s): ${(t.lastError ?? 'no error recorded').slice(-1500)}`);
  const hash = createHash('sha256').update(bad.map((t) => `${t.id}/${t.attempts}`).join(',')).digest('hex').slice(0, 32);
  return makeEvent('spec.failed', { ...ref, hash, errors }, { source: `/nightshift/${BY}`, time: ctx.now() });
}

/** Archives a completed spec (if still in active/) and says so. */
async function finishCompleted(services: Services, file: string, ref: { specId: string; path: string }, ctx: FunctionContext): Promise<NsEvent[]> {
  let archived = ref.path;
  try {
    const spec = (await services.store.read(file)).spec;
    await sweepSpec(services, spec, file, ctx);
    if (ref.path.startsWith('active/')) {
      const to = await services.store.archive(file);
      archived = path.relative(services.settings.specsDir, to).split(path.sep).join('/');
      ctx.log.info({ archived }, 'spec completed and archived');
    }
  } catch (err) {
    // A concurrent reconcile archived it first and sent the event.
    if (err instanceof NightshiftError && err.code === 'SPEC_NOT_FOUND') return [];
    throw err;
  }
  return [makeEvent('spec.completed', { specId: ref.specId, path: archived }, { source: `/nightshift/${BY}`, time: ctx.now() })];
}

/** Removes what crashed workers left of this spec's workspaces. */
async function sweepSpec(services: Services, spec: Spec, file: string, ctx: FunctionContext): Promise<void> {
  try {
    const removed = await sweepWorkspaces(repoPathOf(spec, file), services.settings.workspacesDir, { olderThanMs: 0, isLive: (i) => i.specId !== spec.id });
    if (removed.length) ctx.log.warn({ removed }, 'removed workspaces left behind');
  } catch (err) {
    ctx.log.warn({ err }, 'could not sweep the workspaces of a finished spec');
  }
}

/** Re-sends the next event of tasks that have not moved for STUCK_AFTER_MS. */
async function repairs(services: Services, spec: Spec, ref: { specId: string; path: string }, plan: Plan, ctx: FunctionContext): Promise<NsEvent[]> {
  const justSent = new Set(plan.dispatch.map((d) => d.taskId));
  const active = spec.tasks.filter((t) => !justSent.has(t.id) && ACTIVE_TASK_STATUSES.includes(t.status));
  if (active.length === 0) return [];
  const attempts = attemptsRepo(await services.db());
  const rows = await attempts.listForSpec(spec.id);
  const now = ctx.now();
  const window = `repair-${Math.floor(now.getTime() / services.settings.stuckAfterMs)}`;
  const out: NsEvent[] = [];
  for (const r of dueRepairs(active, rows, now, services.settings.stuckAfterMs)) {
    const task: TaskRef = { ...ref, taskId: r.taskId, attempt: r.attempt };
    if (r.createRow) {
      await attempts.create(spec.id, r.taskId, r.attempt);
      out.push(taskEvent('task.assigned', task, BY, now));
    } else if (r.send === 'task.failed') out.push(failedEvent(task, r.reason, BY, now, window));
    else out.push(taskEvent(r.send, task, BY, now, window));
  }
  if (out.length) ctx.log.warn({ repairs: out.map((e) => e.id) }, 're-sent the next event of tasks that had not moved');
  return out;
}
