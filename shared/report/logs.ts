/**
 * `attemptLogs`: every attempt of a spec (or of one task) with its status,
 * failure reason, error, log and timings, plus what learn-from-failure
 * decided after it (retry with n hints, or give up). What `nightshift logs`
 * prints.
 */
import { attempts, retries, type Queryable } from '../db/index.ts';

export interface AttemptLog {
  specId: string;
  taskId: string;
  attempt: number;
  status: 'pending' | 'running' | 'succeeded' | 'failed';
  reason: string | null;
  error: string | null;
  /** The whole log as stored (the worker keeps its tail). */
  log: string | null;
  worker: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** finishedAt - startedAt; null until both are known. */
  durationMs: number | null;
  timings: Record<string, number> | null;
  /** learn-from-failure's decision after this attempt failed. */
  decision?: { decision: 'retry' | 'give-up'; hints: number; delayMs: number };
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** Attempts by task, then attempt number; empty when none were recorded. */
export async function attemptLogs(db: Queryable, specId: string, taskId?: string): Promise<AttemptLog[]> {
  const rows = (await attempts(db).listForSpec(specId, { withLogs: true })).filter((a) => taskId === undefined || a.taskId === taskId);
  const decisions = new Map<string, AttemptLog['decision']>();
  for (const task of new Set(rows.map((r) => r.taskId))) {
    for (const d of await retries(db).list(specId, task)) decisions.set(`${task}/${d.attempt}`, { decision: d.decision, hints: d.hints.length, delayMs: d.delayMs });
  }
  return rows.map((a) => {
    const decision = decisions.get(`${a.taskId}/${a.attempt}`);
    return {
      specId: a.specId,
      taskId: a.taskId,
      attempt: a.attempt,
      status: a.status,
      reason: a.reason,
      error: a.error,
      log: a.log,
      worker: a.worker,
      createdAt: a.createdAt.toISOString(),
      startedAt: iso(a.startedAt),
      finishedAt: iso(a.finishedAt),
      durationMs: a.startedAt && a.finishedAt ? a.finishedAt.getTime() - a.startedAt.getTime() : null,
      timings: a.timings,
      ...(decision ? { decision } : {}),
    };
  });
}

/** The last `n` lines of a text. */
export function lastLines(text: string, n: number): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.length <= n ? lines.join('\n') : [`[... ${lines.length - n} earlier line(s)]`, ...lines.slice(-n)].join('\n');
}
