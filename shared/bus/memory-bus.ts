/**
 * The in-process bus: the embedded default. Events travel as the same
 * structured CloudEvent JSON as on NATS, so a handler sees exactly what it
 * would see there, and the delivery rules are the JetStream adapter's.
 */
import { pino, type Logger } from 'pino';
import { NightshiftError } from '../errors.ts';
import { subjectOf, toJSON, validateEvent } from '../events/cloudevent.ts';
import type { DeadLetterSink, ProcessedEvents } from '../ports.ts';
import type { NsEvent } from '../runtime/types.ts';
import { processDelivery } from './delivery.ts';
import { MemoryBroker } from './memory-broker.ts';
import { MemoryDeadLetters } from './memory-sinks.ts';
import { resolveSubscribe } from './subscribe-options.ts';
import { DEFAULT_GRACE_MS, type Bus, type PublishResult, type StopOptions, type SubscribeOptions, type Subscription } from './types.ts';
import { WorkPool } from './work-pool.ts';

export interface MemoryBusOptions {
  /** The stream and durables to use; share one between buses to emulate several connections. @default a new private broker */
  broker?: MemoryBroker;
  /** Duplicate window of a private broker (ignored with `broker`). @default 2 minutes */
  duplicateWindowMs?: number;
  /** Where given-up messages go. @default a new MemoryDeadLetters */
  deadLetters?: DeadLetterSink;
  /** Idempotency per consumer for duplicates after the window. @default none */
  processed?: ProcessedEvents;
  /** @default a silent logger */
  log?: Logger;
}

export class MemoryBus implements Bus {
  readonly broker: MemoryBroker;
  readonly deadLetters: DeadLetterSink;
  private readonly ownsBroker: boolean;
  private readonly processed: ProcessedEvents | undefined;
  private readonly log: Logger;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.ownsBroker = options.broker === undefined;
    this.broker = options.broker ?? new MemoryBroker({ duplicateWindowMs: options.duplicateWindowMs });
    this.deadLetters = options.deadLetters ?? new MemoryDeadLetters();
    this.processed = options.processed;
    this.log = (options.log ?? pino({ level: 'silent' })).child({ bus: 'memory' });
  }

  async publish(event: NsEvent): Promise<PublishResult> {
    this.assertOpen(`publish ${event.id}`);
    validateEvent(event);
    return this.broker.publish(subjectOf(event), event.id, toJSON(event));
  }

  /** Publishes a raw body on a subject, bypassing validation (for tests of poison messages). */
  async publishRaw(subject: string, body: string, messageId = `raw-${Date.now()}-${Math.random()}`): Promise<PublishResult> {
    this.assertOpen(`publish to ${subject}`);
    return this.broker.publish(subject, messageId, body);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen(`subscribe ${options.durable}`);
    const ctx = resolveSubscribe(options, { deadLetters: this.deadLetters, processed: this.processed, log: this.log });
    const { durable } = ctx;
    this.broker.ensureConsumer(durable, { subjects: ctx.subjects, ackWaitMs: ctx.ackWaitMs, maxDeliveries: ctx.maxDeliver + 1 });
    const pool = new WorkPool(ctx.concurrency, () => this.broker.pump(durable));
    const detach = this.broker.attach(durable, {
      free: () => pool.free,
      deliver: (raw) => pool.run(() => processDelivery(pool.guard(raw), ctx)),
    });
    let stopped: Promise<void> | undefined;
    const subscription: Subscription = {
      stop: (opts: StopOptions = {}) => {
        stopped ??= (async () => {
          detach();
          await pool.stop(opts.graceMs ?? DEFAULT_GRACE_MS);
          this.subscriptions.delete(subscription);
          // Slots of other subscriptions of the durable may be free while this one held messages.
          this.broker.pump(durable);
        })();
        return stopped;
      },
    };
    this.subscriptions.add(subscription);
    this.log.info({ durable, subjects: ctx.subjects }, 'subscribed');
    return subscription;
  }

  async close(options: StopOptions = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop(options)));
    if (this.ownsBroker) this.broker.close();
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new NightshiftError('BUS_CLOSED', `cannot ${what}: this in-process bus is closed`);
  }
}
