/**
 * What both adapters do with one delivered message: parse it, skip what the
 * consumer already processed, run the handler with heartbeats, and turn the
 * outcome into ack, nak (with backoff) or term plus a dead letter. Keeping it
 * in one place is what gives the two adapters the same semantics.
 */
import type { Logger } from 'pino';
import { NightshiftError } from '../errors.ts';
import { fromJSON } from '../events/cloudevent.ts';
import type { DeadLetterSink, ProcessedEvents } from '../ports.ts';
import type { NsEvent } from '../runtime/types.ts';
import { nakDelay } from './backoff.ts';
import { matchesAny } from './subject.ts';
import type { Handler } from './types.ts';

/** A message as an adapter hands it over, with the broker's ack operations. */
export interface RawDelivery {
  subject: string;
  data: string | Uint8Array;
  deliveryCount: number;
  /** The message id (Nats-Msg-Id), used when the body is not an event. */
  messageId?: string;
  ack(): void;
  nak(delayMs: number): void;
  term(): void;
  working(): void;
}

/** A subscription's settings with every default filled in. */
export interface DeliveryContext {
  durable: string;
  subjects: readonly string[];
  handler: Handler;
  maxDeliver: number;
  ackWaitMs: number;
  backoffMs: readonly number[] | undefined;
  autoHeartbeat: boolean;
  deadLetters: DeadLetterSink;
  processed: ProcessedEvents | undefined;
  log: Logger;
}

/** Processes one delivery to the end; never throws (a failure becomes a nak or a dead letter). */
export async function processDelivery(raw: RawDelivery, ctx: DeliveryContext): Promise<void> {
  // A durable with several subjects on a server that cannot filter on several
  // sees the whole stream: what is not for it is acked and dropped here.
  if (!matchesAny(ctx.subjects, raw.subject)) return safely(ctx, () => raw.ack());

  let event: NsEvent;
  try {
    event = fromJSON(raw.data);
  } catch (err) {
    return deadLetter(raw, ctx, raw.messageId ?? 'unknown', `the message is not a valid event: ${messageOf(err)}`);
  }
  const log = ctx.log.child({ eventId: event.id, specId: event.subject, consumer: ctx.durable, deliveryCount: raw.deliveryCount });

  if (raw.deliveryCount > ctx.maxDeliver) {
    return deadLetter(raw, ctx, event.id, `gave up after ${ctx.maxDeliver} deliveries: the last one neither finished nor failed within the ack wait of ${ctx.ackWaitMs} ms`);
  }

  let heartbeat: NodeJS.Timeout | undefined;
  try {
    if (ctx.processed && (await ctx.processed.has(ctx.durable, event.id))) {
      log.debug('event already processed by this consumer; acked without running the handler');
      return safely(ctx, () => raw.ack());
    }
    if (ctx.autoHeartbeat) {
      heartbeat = setInterval(() => safely(ctx, () => raw.working()), Math.max(50, Math.floor(ctx.ackWaitMs / 3)));
    }
    await ctx.handler({ event, subject: raw.subject, deliveryCount: raw.deliveryCount, working: () => safely(ctx, () => raw.working()) });
  } catch (err) {
    clearInterval(heartbeat);
    return failed(raw, ctx, event.id, err, log);
  }
  clearInterval(heartbeat);
  if (ctx.processed) {
    try {
      await ctx.processed.mark(ctx.durable, event.id);
    } catch (err) {
      // The handler succeeded and handlers are idempotent: a missing mark only
      // means a late duplicate runs it again, so ack rather than redo the work.
      log.warn({ err }, 'could not mark the event as processed; acking anyway');
    }
  }
  safely(ctx, () => raw.ack());
}

async function failed(raw: RawDelivery, ctx: DeliveryContext, eventId: string, err: unknown, log: Logger): Promise<void> {
  const retryable = err instanceof NightshiftError ? err.retryable : true;
  const what = err instanceof NightshiftError ? `${err.code}: ${err.message}` : messageOf(err);
  if (!retryable) return deadLetter(raw, ctx, eventId, `non-retryable error: ${what}`);
  if (raw.deliveryCount >= ctx.maxDeliver) {
    return deadLetter(raw, ctx, eventId, `failed on all ${ctx.maxDeliver} deliveries; last error: ${what}`);
  }
  const delay = nakDelay(raw.deliveryCount, ctx.backoffMs);
  log.warn({ err, delayMs: delay }, 'handler failed; the event will be redelivered');
  safely(ctx, () => raw.nak(delay));
}

async function deadLetter(raw: RawDelivery, ctx: DeliveryContext, eventId: string, reason: string): Promise<void> {
  const payload = typeof raw.data === 'string' ? raw.data : Buffer.from(raw.data).toString('utf8');
  try {
    await ctx.deadLetters.record({ consumer: ctx.durable, subject: raw.subject, eventId, deliveries: raw.deliveryCount, reason, payload });
  } catch (err) {
    // Without a record the message must not vanish: leave it on the bus.
    ctx.log.error({ err, eventId, consumer: ctx.durable }, 'could not record a dead letter; the message will be redelivered');
    return safely(ctx, () => raw.nak(nakDelay(raw.deliveryCount, ctx.backoffMs)));
  }
  ctx.log.error({ eventId, consumer: ctx.durable, subject: raw.subject, deliveries: raw.deliveryCount, reason }, 'message dead-lettered');
  safely(ctx, () => raw.term());
}

/** Ack operations can throw once the connection is gone; the broker redelivers then anyway. */
function safely(ctx: DeliveryContext, op: () => void): void {
  try {
    op();
  } catch (err) {
    ctx.log.warn({ err, consumer: ctx.durable }, 'ack operation failed; the broker will redeliver after the ack wait');
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
