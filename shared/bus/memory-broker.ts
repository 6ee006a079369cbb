/**
 * An in-process stand-in for a JetStream stream and its durable consumers:
 * a duplicate window on publish, per-durable queues shared by every
 * subscription of the durable, redelivery of unacked work after the ack wait
 * (even while the first invocation still runs), nak delays and a delivery
 * limit. Several `MemoryBus` instances (think: connections) may share one broker.
 */
import { NightshiftError } from '../errors.ts';
import type { RawDelivery } from './delivery.ts';
import { matchesAny } from './subject.ts';
import { DEFAULT_DUPLICATE_WINDOW_MS } from './types.ts';

export interface MemoryBrokerOptions {
  /** A publish whose id was seen this recently is dropped. @default 2 minutes */
  duplicateWindowMs?: number;
  /** Messages kept to seed durables created later (oldest dropped first). @default 10000 */
  maxMessages?: number;
}

/** Consumer settings, as on a JetStream durable. */
export interface MemoryConsumerConfig {
  subjects: readonly string[];
  ackWaitMs: number;
  /** Deliveries after which the broker stops delivering (JetStream's max_deliver). */
  maxDeliveries: number;
}

/** A subscription as the broker sees it. */
export interface Receiver {
  free(): number;
  deliver(raw: RawDelivery): void;
}

interface Stored { seq: number; id: string; subject: string; body: string }
interface Pending { msg: Stored; deliveries: number; readyAt: number }
interface InFlight { msg: Stored; deliveries: number; token: number; timer: NodeJS.Timeout }

class Consumer {
  queue: Pending[] = [];
  readonly inflight = new Map<number, InFlight>();
  readonly receivers: Receiver[] = [];
  next = 0;
  wakeTimer: NodeJS.Timeout | undefined;
  constructor(public config: MemoryConsumerConfig) {}
}

export class MemoryBroker {
  private readonly windowMs: number;
  private readonly maxMessages: number;
  private readonly log: Stored[] = [];
  private readonly seen = new Map<string, number>();
  private readonly consumers = new Map<string, Consumer>();
  private seq = 0;
  private token = 0;
  private closed = false;

  constructor(options: MemoryBrokerOptions = {}) {
    this.windowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
    this.maxMessages = options.maxMessages ?? 10_000;
  }

  /** Stores a message unless its id is inside the duplicate window. */
  publish(subject: string, id: string, body: string): { duplicate: boolean } {
    if (this.closed) throw new NightshiftError('BUS_CLOSED', `cannot publish ${id} to ${subject}: the in-process bus is closed`);
    const now = Date.now();
    // Map order is insertion order, and every entry has the same window, so expired ids are at the front.
    for (const [seenId, expires] of this.seen) {
      if (expires > now) break;
      this.seen.delete(seenId);
    }
    if (this.seen.has(id)) return { duplicate: true };
    this.seen.set(id, now + this.windowMs);
    const msg: Stored = { seq: ++this.seq, id, subject, body };
    this.log.push(msg);
    if (this.log.length > this.maxMessages) this.log.shift();
    for (const [durable, c] of this.consumers) {
      if (matchesAny(c.config.subjects, subject)) {
        c.queue.push({ msg, deliveries: 0, readyAt: now });
        this.pump(durable);
      }
    }
    return { duplicate: false };
  }

  /** Creates the durable (seeded with every stored message it matches) or updates its settings. */
  ensureConsumer(durable: string, config: MemoryConsumerConfig): void {
    const existing = this.consumers.get(durable);
    if (existing) {
      existing.config = config;
      return;
    }
    const c = new Consumer(config);
    const now = Date.now();
    for (const msg of this.log) {
      if (matchesAny(config.subjects, msg.subject)) c.queue.push({ msg, deliveries: 0, readyAt: now });
    }
    this.consumers.set(durable, c);
  }

  /** Adds a subscription to a durable; returns the function that removes it. */
  attach(durable: string, receiver: Receiver): () => void {
    const c = this.consumer(durable);
    c.receivers.push(receiver);
    this.pump(durable);
    return () => {
      const i = c.receivers.indexOf(receiver);
      if (i >= 0) c.receivers.splice(i, 1);
    };
  }

  /** Hands ready messages to subscriptions with free slots. */
  pump(durable: string): void {
    const c = this.consumers.get(durable);
    if (!c || this.closed) return;
    const now = Date.now();
    for (;;) {
      const receiver = this.pickReceiver(c);
      if (!receiver) break;
      const p = this.takeReady(c, now);
      if (!p) break;
      p.deliveries += 1;
      // JetStream stops delivering at max_deliver; the message stays unacked and is never seen again.
      if (p.deliveries > c.config.maxDeliveries) continue;
      this.deliver(durable, c, p, receiver);
    }
    this.scheduleWake(durable, c, now);
  }

  /** Stops every timer; later publishes fail with BUS_CLOSED. */
  close(): void {
    this.closed = true;
    for (const c of this.consumers.values()) {
      clearTimeout(c.wakeTimer);
      for (const f of c.inflight.values()) clearTimeout(f.timer);
      c.inflight.clear();
    }
  }

  private deliver(durable: string, c: Consumer, p: Pending, receiver: Receiver): void {
    const { msg, deliveries } = p;
    const token = ++this.token;
    const current = () => c.inflight.get(msg.seq)?.token === token;
    const backToQueue = (delayMs: number) => {
      const f = c.inflight.get(msg.seq);
      if (!f || f.token !== token) return;
      clearTimeout(f.timer);
      c.inflight.delete(msg.seq);
      c.queue.push({ msg, deliveries, readyAt: Date.now() + delayMs });
      this.pump(durable);
    };
    const startTimer = () => setTimeout(() => backToQueue(0), c.config.ackWaitMs);
    c.inflight.set(msg.seq, { msg, deliveries, token, timer: startTimer() });
    // An ack or term from any delivery of the message settles it, as JetStream acks by stream sequence.
    const settle = () => {
      const f = c.inflight.get(msg.seq);
      if (f) clearTimeout(f.timer);
      c.inflight.delete(msg.seq);
      c.queue = c.queue.filter((q) => q.msg.seq !== msg.seq);
    };
    receiver.deliver({
      subject: msg.subject,
      data: msg.body,
      deliveryCount: deliveries,
      messageId: msg.id,
      ack: settle,
      term: settle,
      nak: (delayMs) => backToQueue(Math.max(0, delayMs)),
      working: () => {
        const f = c.inflight.get(msg.seq);
        if (!f || !current() || this.closed) return;
        clearTimeout(f.timer);
        f.timer = startTimer();
      },
    });
  }

  private pickReceiver(c: Consumer): Receiver | undefined {
    const n = c.receivers.length;
    for (let i = 0; i < n; i++) {
      const r = c.receivers[(c.next + i) % n];
      if (r && r.free() > 0) {
        c.next = (c.next + i + 1) % n;
        return r;
      }
    }
    return undefined;
  }

  /** The ready message with the lowest sequence (JetStream hands out redeliveries first, in order). */
  private takeReady(c: Consumer, now: number): Pending | undefined {
    let best = -1;
    c.queue.forEach((p, i) => {
      if (p.readyAt <= now && (best < 0 || p.msg.seq < (c.queue[best]?.msg.seq ?? Infinity))) best = i;
    });
    return best < 0 ? undefined : c.queue.splice(best, 1)[0];
  }

  private scheduleWake(durable: string, c: Consumer, now: number): void {
    clearTimeout(c.wakeTimer);
    c.wakeTimer = undefined;
    const future = c.queue.filter((p) => p.readyAt > now).map((p) => p.readyAt);
    if (future.length === 0) return;
    c.wakeTimer = setTimeout(() => this.pump(durable), Math.min(...future) - now);
  }

  private consumer(durable: string): Consumer {
    const c = this.consumers.get(durable);
    if (!c) throw new NightshiftError('INTERNAL', `no durable "${durable}" on the in-process bus; subscribe creates it`);
    return c;
  }
}
