/**
 * develop-task's work (background developer): claim the attempt under a
 * lease, make an isolated workspace at the integration head, run the agent
 * with the prompt, run the task's checks, capture the whole diff, store it
 * with the attempt and emit `diff-submitted`; or emit `task-failed` with a
 * classified reason (the error and log tail go into the attempt row). The
 * workspace goes in every case; the sweeper takes what a crash leaves.
 */
import path from 'node:path';
import { attempts as attemptsRepo, retries as retriesRepo, type AttemptsRepo, type Lease } from '../db/index.ts';
import { asNightshiftError } from '../errors.ts';
import type { FailureReason } from '../events/catalog.ts';
import { buildPrompt, createExecutor, runChecks, toExecTask } from '../exec/index.ts';
import { captureDiff, createWorkspace, ensureBranch, landedCommit, integrationBranch, openRepo, sweepWorkspaces, type Workspace } from '../git/index.ts';
import type { FunctionContext, NsEvent } from '../runtime/types.ts';
import type { Spec, Task } from '../spec/schema.ts';
import { failedEvent, taskEvent, type TaskRef } from './emit.ts';
import { openTask, repoPathOf } from './spec-file.ts';
import { reasonOf } from './repair.ts';
import type { Services } from './services.ts';
import { watchGitDirs } from './tamper.ts';
import { tail } from './text.ts';

const BY = 'develop-task';

type Outcome = { ok: true; diff: Buffer; log: string; baseSha: string; timings: Record<string, number> } | { ok: false; reason: FailureReason; error: string; log: string; baseSha?: string; timings: Record<string, number> };

/** Handles `task.assigned`. */
export async function develop(event: NsEvent, ctx: FunctionContext): Promise<NsEvent[]> {
  const open = await openTask(event, ctx);
  if (!open) return [];
  const { services, ref, loaded, task } = open;
  if (!['assigned', 'in-progress'].includes(task.status)) {
    ctx.log.info({ status: task.status, attempts: task.attempts }, 'stale task.assigned: the task has moved on');
    return [];
  }
  const attempts = attemptsRepo(await services.db());
  await attempts.create(ref.specId, ref.taskId, ref.attempt);
  const lease = await attempts.claim(services.settings.worker, services.settings.leaseMs, ref);
  if (!lease) return resendFinished(attempts, ref, ctx);

  const keeper = keepLease(attempts, lease, services.settings.leaseMs, ctx);
  let outcome: Outcome;
  try {
    await services.store.update(loaded.file, (d) => {
      if (d.spec.tasks.find((t) => t.id === ref.taskId)?.status === 'assigned') d.setTaskStatus(ref.taskId, 'in-progress', { note: `worker ${services.settings.worker}` });
    });
    outcome = await work(services, loaded.spec, loaded.file, task, ref, keeper.signal, ctx);
  } catch (err) {
    keeper.stop();
    // A worker that lost its lease (stopped, then taken over) may find its workspace swept: drop the attempt quietly.
    if (keeper.lost() || !(await attempts.heartbeat(lease.token, services.settings.leaseMs).catch(() => true))) {
      ctx.log.warn({ err }, 'the lease was lost while the agent ran; another worker has the attempt, this late result is refused');
      return [];
    }
    // Our own fault (git, disk, database): hand the attempt back so the redelivery can take it at once.
    await attempts.release(lease.token).catch(() => undefined);
    throw err;
  }
  keeper.stop();
  if (keeper.lost()) {
    ctx.log.warn('the lease was lost while the agent ran; another worker has the attempt, this result is dropped');
    return [];
  }
  if (outcome.ok) {
    const stored = await attempts.complete(lease.token, { diff: outcome.diff, log: outcome.log, baseSha: outcome.baseSha, timings: outcome.timings });
    if (!stored) return refused(ctx);
    await services.store.update(loaded.file, (d) => {
      const now = d.spec.tasks.find((t) => t.id === ref.taskId);
      if (now && now.attempts === ref.attempt && now.status === 'in-progress') d.setTaskStatus(ref.taskId, 'diff-submitted', { note: `${outcome.diff.length} bytes of diff` });
    });
    return [taskEvent('diff.submitted', ref, BY, ctx.now())];
  }
  const stored = await attempts.fail(lease.token, { error: outcome.error, reason: outcome.reason, log: outcome.log, ...(outcome.baseSha ? { baseSha: outcome.baseSha } : {}), timings: outcome.timings });
  if (!stored) return refused(ctx);
  ctx.log.info({ reason: outcome.reason }, 'attempt failed');
  return [failedEvent(ref, outcome.reason, BY, ctx.now())];
}

function refused(ctx: FunctionContext): NsEvent[] {
  ctx.log.warn('the attempt was taken over by another worker after the lease ran out; this late result is refused');
  return [];
}

/** The attempt is not claimable: finished (send its outcome again, the first send may be lost) or running elsewhere. */
async function resendFinished(attempts: AttemptsRepo, ref: TaskRef, ctx: FunctionContext): Promise<NsEvent[]> {
  const row = await attempts.get(ref);
  if (row?.status === 'succeeded') return [taskEvent('diff.submitted', ref, BY, ctx.now())];
  if (row?.status === 'failed') return [failedEvent(ref, reasonOf(row.reason), BY, ctx.now())];
  ctx.log.info({ worker: row?.worker, until: row?.leaseExpiresAt }, 'the attempt is running under another worker; leaving it');
  return [];
}

/** Renews the lease every third of its length; aborts the agent when the lease is lost. */
function keepLease(attempts: AttemptsRepo, lease: Lease, leaseMs: number, ctx: FunctionContext) {
  const abort = new AbortController();
  let lost = false;
  const timer = setInterval(() => {
    attempts.heartbeat(lease.token, leaseMs).then(
      (held) => {
        if (!held && !lost) {
          lost = true;
          abort.abort();
        }
      },
      (err: unknown) => ctx.log.warn({ err }, 'lease heartbeat failed; trying again'),
    );
  }, Math.max(50, Math.floor(leaseMs / 3)));
  return { signal: abort.signal, lost: () => lost, stop: () => clearInterval(timer) };
}

async function work(services: Services, spec: Spec, file: string, task: Task, ref: TaskRef, signal: AbortSignal, ctx: FunctionContext): Promise<Outcome> {
  const timings: Record<string, number> = {};
  const agent = task.agent ?? spec.agent;
  if (!agent) return { ok: false, reason: 'agent-error', error: `no agent: set \`agent\` on task ${task.id} or on the spec`, log: '', timings };
  const repo = repoPathOf(spec, file);
  const branch = integrationBranch(spec.id);
  const head = (await ensureBranch(repo, branch, spec.repo.base)).head;
  if (await landedCommit(await openRepo(repo), { specId: spec.id, taskId: task.id })) {
    // An earlier attempt landed and a crash kept the spec from saying so: nothing to redo; the later stages record it.
    ctx.log.warn('the task has already landed on the integration branch; not running the agent again');
    return { ok: true, diff: Buffer.alloc(0), log: 'already landed', baseSha: head, timings };
  }
  await sweepStale(services, repo, spec.id, ctx);
  const prompt = await promptFor(services, spec, task, ref);
  let t = Date.now();
  const ws: Workspace = await createWorkspace(repo, head, services.settings.workspacesDir, { specId: spec.id, taskId: task.id, attempt: ref.attempt });
  timings.workspace = Date.now() - t;
  try {
    const binds = [{ path: path.join(ws.repo.commonDir, 'objects') }, ...services.settings.sandboxBinds.map((p) => ({ path: p }))];
    const executor = createExecutor(agent, { allowEnv: services.settings.agentAllowEnv, sandbox: services.settings.sandbox, bwrap: { extraBinds: binds } });
    // The user's HEAD and info may change under a person's own git commands; their hooks and config may not change under an agent.
    const gitDirs = await watchGitDirs({ "the workspace's .git": { dir: path.join(ws.dir, '.git') }, "the repository's .git hooks or config": { dir: ws.repo.commonDir, parts: ['hooks', 'config'] } });
    t = Date.now();
    const run = await executor.execute(toExecTask(spec, task, { attempt: ref.attempt, ...prompt.extra }), { workspace: ws.dir, prompt: prompt.text, signal });
    timings.agent = Date.now() - t;
    const log = run.output;
    const tampered = await gitDirs();
    if (tampered.length) {
      return { ok: false, reason: 'review-rejected', error: `the agent changed ${tampered.join(' and ')} (hooks, config, info or HEAD); agents may change only files in the working tree`, log, baseSha: head, timings };
    }
    if (!run.ok) return { ok: false, reason: run.reason ?? 'agent-error', error: tail(run.output, 8000), log, baseSha: head, timings };
    const checks = task.checks ?? spec.checks;
    t = Date.now();
    const checked = await runChecks(checks, { cwd: ws.dir, signal });
    timings.checks = Date.now() - t;
    if (!checked.ok) {
      const failed = checked.failed;
      const error = failed ? `check '${failed.name}' failed:\n${tail(failed.output, 8000)}` : `checks did not finish: ${checked.notRun.join(', ')}`;
      return { ok: false, reason: 'check-failed', error, log: `${log}\n${checked.results.map((r) => r.output).join('\n')}`, baseSha: head, timings };
    }
    t = Date.now();
    let captured;
    try {
      captured = await captureDiff(ws);
    } catch (err) {
      const e = asNightshiftError(err);
      if (e.code !== 'DIFF_REJECTED') throw err;
      return { ok: false, reason: 'review-rejected', error: e.message, log, baseSha: head, timings };
    }
    timings.diff = Date.now() - t;
    if (captured.empty) return { ok: false, reason: 'empty-diff', error: 'the agent finished without changing any file', log, baseSha: head, timings };
    return { ok: true, diff: captured.diff, log, baseSha: head, timings };
  } finally {
    await ws.remove();
  }
}

/** The prompt, with the previous attempt's error and the hints learn-from-failure chose for this retry. */
async function promptFor(services: Services, spec: Spec, task: Task, ref: TaskRef): Promise<{ text: string; extra: { previousError?: string; hints?: string[] } }> {
  const extra: { previousError?: string; hints?: string[] } = {};
  if (ref.attempt > 1) {
    const db = await services.db();
    const previous = await attemptsRepo(db).get({ ...ref, attempt: ref.attempt - 1 });
    if (previous?.error) extra.previousError = previous.error;
    const decision = (await retriesRepo(db).list(ref.specId, ref.taskId)).find((r) => r.attempt === ref.attempt - 1);
    const hints = (decision?.hints ?? []).filter((h): h is string => typeof h === 'string');
    if (hints.length) extra.hints = hints;
  }
  return { text: buildPrompt(spec, task, { attempt: ref.attempt, ...extra }), extra };
}

/**
 * Removes this spec's workspaces that no live worker uses: older than two
 * leases and whose attempt is not running under a live lease (an agent may
 * work for half an hour without touching the workspace folder itself).
 */
/** When each spec's workspaces were last swept: a sweep walks the folder, so at most one per lease. */
const lastSweep = new Map<string, number>();

async function sweepStale(services: Services, repo: string, specId: string, ctx: FunctionContext): Promise<void> {
  const key = `${repo}\0${specId}`;
  if (Date.now() - (lastSweep.get(key) ?? 0) < services.settings.leaseMs) return;
  lastSweep.set(key, Date.now());
  const attempts = attemptsRepo(await services.db());
  const removed = await sweepWorkspaces(repo, services.settings.workspacesDir, {
    olderThanMs: services.settings.leaseMs * 2,
    isLive: async (i) => {
      if (i.specId !== specId) return true;
      const m = /^(.+)-(\d+)-[0-9a-f]{8}$/.exec(i.name);
      if (!m?.[1] || !m[2]) return false;
      const row = await attempts.get({ specId, taskId: m[1], attempt: Number(m[2]) });
      return row?.status === 'running' && row.leaseExpiresAt !== null && row.leaseExpiresAt.getTime() > Date.now();
    },
  }).catch((err: unknown) => {
    ctx.log.warn({ err }, 'workspace sweep failed');
    return [];
  });
  if (removed.length) ctx.log.warn({ removed }, 'removed workspaces left behind by a crashed worker');
}
