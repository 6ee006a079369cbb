/**
 * The slowest tasks: wall time of their attempts (started_at to
 * finished_at, by the database clock), summed per task, with the phases the
 * worker timed (`attempts.timings`: workspace, agent, checks, diff) summed too.
 */
import type { Queryable } from '../db/index.ts';

export interface SlowTask {
  specId: string;
  taskId: string;
  attempts: number;
  totalMs: number;
  slowestMs: number;
  /** Milliseconds per phase over all its attempts, biggest first. */
  phases: [string, number][];
}

export async function slowestTasks(db: Queryable, since: Date, limit = 10): Promise<SlowTask[]> {
  const res = await db.query<{ spec_id: string; task_id: string; n: unknown; total_ms: unknown; slowest_ms: unknown; timings: unknown }>(
    `SELECT spec_id, task_id, count(*) AS n,
            sum(EXTRACT(EPOCH FROM (finished_at - started_at)) * 1000)::float8 AS total_ms,
            max(EXTRACT(EPOCH FROM (finished_at - started_at)) * 1000)::float8 AS slowest_ms,
            COALESCE(jsonb_agg(timings) FILTER (WHERE timings IS NOT NULL), '[]'::jsonb) AS timings
       FROM attempts
      WHERE started_at IS NOT NULL AND finished_at IS NOT NULL AND created_at >= $1
      GROUP BY spec_id, task_id
      ORDER BY 4 DESC, spec_id, task_id
      LIMIT $2`,
    [since, limit],
  );
  return res.rows.map((r) => {
    const phases = new Map<string, number>();
    for (const t of (Array.isArray(r.timings) ? r.timings : []) as Record<string, unknown>[]) {
      for (const [k, v] of Object.entries(t)) if (typeof v === 'number') phases.set(k, (phases.get(k) ?? 0) + v);
    }
    return {
      specId: r.spec_id,
      taskId: r.task_id,
      attempts: Number(r.n),
      totalMs: Number(r.total_ms),
      slowestMs: Number(r.slowest_ms),
      phases: [...phases.entries()].sort((a, b) => b[1] - a[1]),
    };
  });
}
