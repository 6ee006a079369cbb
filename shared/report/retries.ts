/**
 * Do hinted retries help? Finished attempts (succeeded or failed) split by
 * what came before them: first attempts; retries learn-from-failure decided
 * with hints from similar past failures (retry_history of the attempt before,
 * `jsonb_array_length(hints) > 0`); its retries without hints; and attempts
 * after it gave up, which only a person's `nightshift retry` starts.
 * "Succeeded" is the attempt row's status: its diff was stored and not
 * refused later (a review or conflict marks it failed).
 */
import type { Queryable } from '../db/index.ts';

export type AttemptKind = 'first' | 'hinted-retry' | 'plain-retry' | 'manual-retry';

export interface RateRow {
  kind: AttemptKind;
  finished: number;
  succeeded: number;
}

/** Rows in a fixed order, every kind present (zero when none). */
export async function retryRates(db: Queryable, since: Date): Promise<RateRow[]> {
  const res = await db.query<{ kind: AttemptKind; finished: unknown; succeeded: unknown }>(
    `SELECT CASE
              WHEN a.attempt = 1 THEN 'first'
              WHEN r.decision = 'retry' AND jsonb_array_length(r.hints) > 0 THEN 'hinted-retry'
              WHEN r.decision = 'retry' THEN 'plain-retry'
              ELSE 'manual-retry'
            END AS kind,
            count(*) AS finished,
            count(*) FILTER (WHERE a.status = 'succeeded') AS succeeded
       FROM attempts a
       LEFT JOIN retry_history r ON r.spec_id = a.spec_id AND r.task_id = a.task_id AND r.attempt = a.attempt - 1
      WHERE a.status IN ('succeeded', 'failed') AND a.created_at >= $1
      GROUP BY 1`,
    [since],
  );
  const kinds: AttemptKind[] = ['first', 'hinted-retry', 'plain-retry', 'manual-retry'];
  return kinds.map((kind) => {
    const r = res.rows.find((x) => x.kind === kind);
    return { kind, finished: Number(r?.finished ?? 0), succeeded: Number(r?.succeeded ?? 0) };
  });
}
