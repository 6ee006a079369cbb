/**
 * The event bus port. Two adapters implement it with the same delivery
 * semantics (at least once, acked only after the handler's effects are done):
 * NATS JetStream (`jetstream-bus.ts`) and an in-process one (`memory-bus.ts`).
 * `test/contract/bus.contract.ts` proves both.
 */
import type { NsEvent } from '../runtime/types.ts';

/** Max deliveries before a message is dead-lettered. @default 5 */
export const DEFAULT_MAX_DELIVER = 5;
/** How long a delivery may go without ack or heartbeat before it is redelivered. @default 30000 ms */
export const DEFAULT_ACK_WAIT_MS = 30_000;
/** Handlers running at once per subscription. @default 1 */
export const DEFAULT_CONCURRENCY = 1;
/** How long `stop()` and `close()` wait for running handlers. @default 10000 ms */
export const DEFAULT_GRACE_MS = 10_000;
/** Duplicate window of the stream: a publish with a known id inside it is dropped. @default 2 minutes */
export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60_000;

export interface PublishResult {
  /** True when the bus already held an event with this id (inside the duplicate window): nothing was stored. */
  duplicate: boolean;
}

/** One delivery of one event to a handler. */
export interface Delivery {
  event: NsEvent;
  subject: string;
  /** 1 on the first delivery, 2 on the first redelivery, ... */
  deliveryCount: number;
  /** Resets the ack timer (an in-progress heartbeat); call it while long work runs. */
  working(): void;
}

/**
 * What a handler's outcome means:
 * - resolves: ack (after the promise settles, so the effects are done);
 * - throws a NightshiftError with `retryable: true`, or anything that is not a
 *   NightshiftError: nak with a backoff delay, dead letter once `maxDeliver` is reached;
 * - throws with `retryable: false`: dead letter at once.
 */
export type Handler = (delivery: Delivery) => Promise<void>;

export interface SubscribeOptions {
  /** The durable consumer name: the function's name. Subscriptions of the same durable share its messages. */
  durable: string;
  /** NATS subjects (wildcards allowed) this durable receives. */
  subjects: string[];
  handler: Handler;
  /** Deliveries before the message is dead-lettered. @default 5 */
  maxDeliver?: number;
  /** Time without ack or heartbeat before a delivery is redelivered. @default 30000 ms */
  ackWaitMs?: number;
  /**
   * Nak delays by delivery count (the last entry repeats), with up to 20% jitter
   * added. @default exponential: 1 s, 2 s, 4 s ... capped at 60 s
   */
  backoffMs?: number[];
  /** Handlers running at once in this subscription. @default 1 */
  concurrency?: number;
  /** Call `working()` every ackWait/3 while the handler runs. @default true */
  autoHeartbeat?: boolean;
}

export interface StopOptions {
  /**
   * How long to wait for running handlers. Handlers still running after it are
   * abandoned: their outcome is never acked, so their messages are redelivered
   * after the ack wait, as if the process had died. @default 10000 ms
   */
  graceMs?: number;
}

export interface Subscription {
  /** Stops taking messages and waits (up to the grace period) for running handlers. */
  stop(options?: StopOptions): Promise<void>;
}

export interface Bus {
  /** Stores an event on `subjectOf(event)` with its id as the message id. Throws BAD_EVENT, BUS_UNAVAILABLE, BUS_CLOSED. */
  publish(event: NsEvent): Promise<PublishResult>;
  /** Starts delivering to `handler`; creates or updates the durable consumer. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Stops every subscription (with the grace period) and drains the connection. */
  close(options?: StopOptions): Promise<void>;
}
