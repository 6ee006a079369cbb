/**
 * The retry decisions learn-from-failure takes, one per failed attempt.
 */
import { z } from 'zod';
import type { Queryable } from '../types.ts';

export const RetryDecisionSchema = z.enum(['retry', 'give-up']);

export interface RetryRecord {
  specId: string;
  taskId: string;
  /** The attempt that failed. */
  attempt: number;
  decision: z.infer<typeof RetryDecisionSchema>;
  /** Backoff before the next attempt. @default 0 */
  delayMs?: number;
  /** What the next attempt's prompt gets (previous error, similar resolutions). @default [] */
  hints?: unknown[];
}

const RowSchema = z.object({
  spec_id: z.string(),
  task_id: z.string(),
  attempt: z.number().int(),
  decision: RetryDecisionSchema,
  delay_ms: z.number().int(),
  hints: z.array(z.unknown()),
  at: z.date(),
});

export interface RetriesRepo {
  /** Records the decision for an attempt; true when new, false when that attempt already had one (kept as it was). */
  record(r: RetryRecord): Promise<boolean>;
  /** Decisions for one task, by attempt. */
  list(specId: string, taskId: string): Promise<(Required<RetryRecord> & { at: Date })[]>;
}

/** Retry-history repository over `q`. */
export function retries(q: Queryable): RetriesRepo {
  return {
    async record(r) {
      const res = await q.query(
        `INSERT INTO retry_history (spec_id, task_id, attempt, decision, delay_ms, hints)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (spec_id, task_id, attempt) DO NOTHING`,
        [r.specId, r.taskId, r.attempt, r.decision, Math.round(r.delayMs ?? 0), JSON.stringify(r.hints ?? [])],
      );
      return res.rowCount > 0;
    },
    async list(specId, taskId) {
      const res = await q.query(
        `SELECT spec_id, task_id, attempt, decision, delay_ms, hints, at FROM retry_history
          WHERE spec_id = $1 AND task_id = $2 ORDER BY attempt`,
        [specId, taskId],
      );
      return res.rows.map((raw) => {
        const row = RowSchema.parse(raw);
        return { specId: row.spec_id, taskId: row.task_id, attempt: row.attempt, decision: row.decision, delayMs: row.delay_ms, hints: row.hints, at: row.at };
      });
    },
  };
}
