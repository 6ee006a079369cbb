/**
 * Small interfaces that connect the bus and the database without either
 * importing the other. The db adapters implement them; the bus consumes them.
 */

/** A message the bus gave up on, recorded with the reason. */
export interface DeadLetter {
  /** The durable consumer (function name) that gave up. */
  consumer: string;
  subject: string;
  eventId: string;
  /** How many times the message was delivered. */
  deliveries: number;
  reason: string;
  /** The raw message (structured CloudEvent JSON), so nothing is lost. */
  payload: string;
}

export interface DeadLetterSink {
  record(letter: DeadLetter): Promise<void>;
}

/**
 * Idempotency per consumer: `has` tells whether a consumer already processed
 * an event; `mark` records that it did. Used to absorb duplicates that arrive
 * after the bus's duplicate window.
 */
export interface ProcessedEvents {
  has(consumer: string, eventId: string): Promise<boolean>;
  mark(consumer: string, eventId: string): Promise<void>;
}
