/**
 * Idempotency per consumer (the `ProcessedEvents` port), plus `once`, which
 * runs a piece of work and records the event in the same transaction.
 */
import type { ProcessedEvents } from '../../ports.ts';
import type { Db, Queryable } from '../types.ts';

/** What `once` did: ran the work (with its value) or found the event already processed. */
export type OnceResult<T> = { ran: true; value: T } | { ran: false };

export interface ProcessedEventsRepo extends ProcessedEvents {
  /**
   * Runs `fn` unless `consumer` already processed `eventId`. The mark is
   * written first, in the same transaction as `fn`'s statements (which must go
   * through the `tx` it receives): both commit together or neither does. A
   * concurrent duplicate waits on the mark's row and then sees it, so database
   * effects happen exactly once. Effects outside the database (files, git,
   * events) are not covered: make those idempotent on their own.
   */
  once<T>(consumer: string, eventId: string, fn: (tx: Queryable) => Promise<T>): Promise<OnceResult<T>>;
}

const MARK_SQL = `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)
  ON CONFLICT (consumer, event_id) DO NOTHING`;

/** Processed-events repository over `db`. */
export function processedEvents(db: Db): ProcessedEventsRepo {
  return {
    async has(consumer, eventId) {
      const res = await db.query('SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2', [consumer, eventId]);
      return res.rows.length > 0;
    },
    async mark(consumer, eventId) {
      await db.query(MARK_SQL, [consumer, eventId]);
    },
    async once<T>(consumer: string, eventId: string, fn: (tx: Queryable) => Promise<T>): Promise<OnceResult<T>> {
      return db.transaction(async (tx): Promise<OnceResult<T>> => {
        const marked = await tx.query(MARK_SQL, [consumer, eventId]);
        if (marked.rowCount === 0) return { ran: false };
        return { ran: true, value: await fn(tx) };
      });
    },
  };
}
