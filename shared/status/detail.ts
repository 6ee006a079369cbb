/**
 * One spec's detail for the status views: the spec file joined with its
 * attempt rows (one query, `attempts.listForSpec`, which leaves the diffs
 * out). Durations come from the attempts' `started_at` / `finished_at`; a
 * running attempt counts up to `now`. Without a database the detail is the
 * file alone and says so (`attemptsKnown: false`).
 */
import type { Attempt, AttemptsRepo } from '../db/index.ts';
import { NightshiftError } from '../errors.ts';
import type { Spec } from '../spec/schema.ts';
import type { AttemptView, SpecDetail, TaskView } from './model.ts';
import { findSpec, type LoadedSpec } from './specs.ts';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** An attempt row as the API shows it. */
export function attemptView(a: Attempt, now: Date): AttemptView {
  const end = a.finishedAt ?? (a.status === 'running' ? now : null);
  return {
    taskId: a.taskId,
    attempt: a.attempt,
    status: a.status,
    worker: a.worker,
    startedAt: iso(a.startedAt),
    finishedAt: iso(a.finishedAt),
    heartbeatAt: iso(a.heartbeatAt),
    reason: a.reason,
    error: a.error,
    timings: a.timings,
    durationMs: a.startedAt !== null && end !== null ? Math.max(0, end.getTime() - a.startedAt.getTime()) : null,
  };
}

/** The spec's tasks in file order, with what their attempts say (`attempts` undefined: files only). */
export function taskViews(spec: Spec, attempts: readonly AttemptView[] | undefined): TaskView[] {
  return spec.tasks.map((t) => {
    const mine = (attempts ?? []).filter((a) => a.taskId === t.id);
    const timed = mine.filter((a) => a.durationMs !== null);
    const lastFailed = [...mine].reverse().find((a) => a.status === 'failed' && a.error !== null);
    return {
      id: t.id,
      title: t.title,
      status: t.status,
      dependsOn: [...t.dependsOn],
      attempt: Math.max(t.attempts, ...mine.map((a) => a.attempt)),
      durationMs: timed.length === 0 ? null : timed.reduce((sum, a) => sum + (a.durationMs ?? 0), 0),
      // A landed task's earlier failures are history (review-diff clears lastError when it lands).
      lastError: t.lastError ?? (t.status === 'completed' ? null : (lastFailed?.error ?? null)),
    };
  });
}

/** The detail of a loaded spec; `repo` undefined means files only. */
export async function detailOf(loaded: LoadedSpec, repo: Pick<AttemptsRepo, 'listForSpec'> | undefined, now: Date = new Date()): Promise<SpecDetail> {
  if (loaded.parsed === undefined) {
    throw new NightshiftError('SPEC_INVALID', `spec ${loaded.summary.id} (${loaded.file}) does not load:\n${(loaded.summary.problems ?? []).join('\n')}`, {
      details: loaded.summary.problems,
    });
  }
  const { spec } = loaded.parsed;
  const attempts = repo === undefined ? undefined : (await repo.listForSpec(spec.id)).map((a) => attemptView(a, now));
  return {
    spec,
    file: loaded.file,
    archived: loaded.archived,
    attempts: attempts ?? [],
    tasks: taskViews(spec, attempts),
    attemptsKnown: attempts !== undefined,
  };
}

/**
 * The detail of spec `id` (active first, else the newest archived file).
 * Throws NOT_FOUND naming the ids that exist; SPEC_INVALID when its file does not load.
 */
export async function specDetail(specsDir: string, id: string, repo: Pick<AttemptsRepo, 'listForSpec'> | undefined, now: Date = new Date()): Promise<SpecDetail> {
  const { found, ids } = await findSpec(specsDir, id);
  if (found === undefined) {
    const known = ids.length === 0 ? 'there are no specs' : `specs: ${ids.join(', ')}`;
    throw new NightshiftError('NOT_FOUND', `no spec "${id}" in ${specsDir} (active/ or archive/); ${known}`, { details: { ids } });
  }
  return detailOf(found, repo, now);
}
