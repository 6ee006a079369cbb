/**
 * What the bus contract suite needs from an adapter, and small helpers the
 * cases share. A "world" is one store (a stream and its durables) that
 * several buses (connections) can open.
 */
import { makeEvent } from '../../shared/events/cloudevent.ts';
import { MemoryDeadLetters, MemoryProcessedEvents } from '../../shared/bus/memory-sinks.ts';
import type { Bus } from '../../shared/bus/types.ts';
import type { ProcessedEvents } from '../../shared/ports.ts';
import type { NsEvent } from '../../shared/runtime/types.ts';

export interface OpenOptions {
  /** Give the bus the world's ProcessedEvents. @default false */
  processed?: boolean;
}

export interface BusWorld {
  /** A new bus (connection) on this world's store, with the world's dead-letter sink. */
  open(options?: OpenOptions): Promise<Bus>;
  /** Publishes a body that is not checked, with a fresh message id. */
  publishRaw(subject: string, body: string): Promise<void>;
  deadLetters: MemoryDeadLetters;
  processed: CountingProcessedEvents;
  /** Closes every bus it opened (abandoning running handlers) and frees the store. */
  close(): Promise<void>;
}

export interface WorldOptions {
  duplicateWindowMs: number;
}

export type MakeWorld = (options: WorldOptions) => Promise<BusWorld>;

/** The in-memory ProcessedEvents, counting lookups so a test can see a duplicate was looked at. */
export class CountingProcessedEvents extends MemoryProcessedEvents implements ProcessedEvents {
  lookups = 0;
  override async has(consumer: string, eventId: string): Promise<boolean> {
    this.lookups += 1;
    return super.has(consumer, eventId);
  }
}

export function newSinks(): { deadLetters: MemoryDeadLetters; processed: CountingProcessedEvents } {
  return { deadLetters: new MemoryDeadLetters(), processed: new CountingProcessedEvents() };
}

/** A task.assigned event for task `taskId` (a fact: its id is deterministic). */
export function taskAssigned(taskId: string, attempt = 1): NsEvent {
  return makeEvent('task.assigned', { specId: 'spec-1', path: 'specs/active/spec-1.yaml', taskId, attempt });
}

/** A diff.submitted event for task `taskId`. */
export function diffSubmitted(taskId: string): NsEvent {
  return makeEvent('diff.submitted', { specId: 'spec-1', path: 'specs/active/spec-1.yaml', taskId, attempt: 1 });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** A promise a test can settle later, to hold a handler "mid-work". */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
