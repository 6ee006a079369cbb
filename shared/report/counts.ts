/**
 * The report's counts: attempts and failures in the period, failures by
 * reason and by agent (the executor kind learn-from-failure recorded).
 */
import type { Queryable } from '../db/index.ts';

export interface Totals {
  /** Finished attempts (succeeded or failed). */
  attempts: number;
  succeeded: number;
  failed: number;
  specs: number;
  tasks: number;
  /** Rows in failure_logs. */
  failures: number;
  /** Of those, resolved by a later attempt of the same task. */
  resolved: number;
}

export interface ReasonCount {
  reason: string;
  failures: number;
}

export interface AgentCount {
  /** `(not recorded)` when the failure had no agent. */
  agent: string;
  failures: number;
  tasks: number;
}

const int = (v: unknown): number => Number(v ?? 0);

export async function totals(db: Queryable, since: Date): Promise<Totals> {
  const a = await db.query<Record<string, unknown>>(
    `SELECT count(*) FILTER (WHERE status IN ('succeeded', 'failed')) AS attempts,
            count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            count(DISTINCT spec_id) AS specs,
            count(DISTINCT spec_id || '/' || task_id) AS tasks
       FROM attempts WHERE created_at >= $1`,
    [since],
  );
  const f = await db.query<Record<string, unknown>>(
    `SELECT count(*) AS failures, count(resolved_at) AS resolved FROM failure_logs WHERE created_at >= $1`,
    [since],
  );
  const r = a.rows[0] ?? {};
  const g = f.rows[0] ?? {};
  return { attempts: int(r.attempts), succeeded: int(r.succeeded), failed: int(r.failed), specs: int(r.specs), tasks: int(r.tasks), failures: int(g.failures), resolved: int(g.resolved) };
}

export async function failuresByReason(db: Queryable, since: Date): Promise<ReasonCount[]> {
  const res = await db.query<{ reason: string; n: unknown }>(
    `SELECT reason, count(*) AS n FROM failure_logs WHERE created_at >= $1 GROUP BY reason ORDER BY count(*) DESC, reason`,
    [since],
  );
  return res.rows.map((r) => ({ reason: r.reason, failures: int(r.n) }));
}

export async function failuresByAgent(db: Queryable, since: Date): Promise<AgentCount[]> {
  const res = await db.query<{ agent: string; n: unknown; tasks: unknown }>(
    `SELECT COALESCE(agent, '(not recorded)') AS agent, count(*) AS n, count(DISTINCT spec_id || '/' || task_id) AS tasks
       FROM failure_logs WHERE created_at >= $1 GROUP BY 1 ORDER BY count(*) DESC, 1`,
    [since],
  );
  return res.rows.map((r) => ({ agent: r.agent, failures: int(r.n), tasks: int(r.tasks) }));
}
