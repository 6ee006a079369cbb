/**
 * In-memory implementations of the bus's ports: the embedded default when no
 * database is wired in, and what tests read back. Real adapters, not mocks:
 * they keep what they are given for as long as the process lives.
 */
import type { DeadLetter, DeadLetterSink, ProcessedEvents } from '../ports.ts';

/** Keeps dead letters in an array, oldest first. */
export class MemoryDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];

  async record(letter: DeadLetter): Promise<void> {
    this.letters.push({ ...letter });
  }
}

/** Remembers processed event ids per consumer. */
export class MemoryProcessedEvents implements ProcessedEvents {
  private readonly seen = new Map<string, Set<string>>();

  async has(consumer: string, eventId: string): Promise<boolean> {
    return this.seen.get(consumer)?.has(eventId) ?? false;
  }

  async mark(consumer: string, eventId: string): Promise<void> {
    let ids = this.seen.get(consumer);
    if (!ids) this.seen.set(consumer, (ids = new Set()));
    ids.add(eventId);
  }
}
