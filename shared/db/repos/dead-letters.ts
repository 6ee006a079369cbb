/**
 * Messages the bus gave up on (the `DeadLetterSink` port), kept for a person to read.
 */
import { z } from 'zod';
import type { DeadLetter, DeadLetterSink } from '../../ports.ts';
import type { Queryable } from '../types.ts';

const RowSchema = z.object({
  consumer: z.string(),
  subject: z.string(),
  event_id: z.string(),
  deliveries: z.number().int(),
  reason: z.string(),
  payload: z.string(),
  at: z.date(),
});

/** A recorded dead letter with the time it was recorded. */
export interface DeadLetterRecord extends DeadLetter {
  at: Date;
}

export interface DeadLettersRepo extends DeadLetterSink {
  /** All dead letters, oldest first; `consumer` narrows to one consumer. @default every consumer */
  list(consumer?: string): Promise<DeadLetterRecord[]>;
}

/** Dead-letter repository over `q`. Recording the same (consumer, event) again updates it. */
export function deadLetters(q: Queryable): DeadLettersRepo {
  return {
    async record(letter) {
      await q.query(
        `INSERT INTO dead_letters (consumer, subject, event_id, deliveries, reason, payload)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (consumer, event_id) DO UPDATE
           SET deliveries = GREATEST(dead_letters.deliveries, EXCLUDED.deliveries),
               reason = EXCLUDED.reason, payload = EXCLUDED.payload, at = now()`,
        [letter.consumer, letter.subject, letter.eventId, letter.deliveries, letter.reason, letter.payload],
      );
    },
    async list(consumer) {
      const res = await q.query(
        `SELECT consumer, subject, event_id, deliveries, reason, payload, at FROM dead_letters
          WHERE $1::text IS NULL OR consumer = $1 ORDER BY at, id`,
        [consumer ?? null],
      );
      return res.rows.map((raw) => {
        const r = RowSchema.parse(raw);
        return { consumer: r.consumer, subject: r.subject, eventId: r.event_id, deliveries: r.deliveries, reason: r.reason, payload: r.payload, at: r.at };
      });
    },
  };
}
